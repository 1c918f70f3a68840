//! cargo-fuzz target `recover_dir`; the body lives in `fuzz/bodies/recover_dir.rs` so that
//! `tests/fuzz_corpus.rs` can replay the seed corpus on stable Rust.
#![no_main]

#[path = "../bodies/recover_dir.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));
