//! cargo-fuzz target `entry_decode`; the body lives in `fuzz/bodies/entry_decode.rs` so that
//! `tests/fuzz_corpus.rs` can replay the seed corpus on stable Rust.
#![no_main]

#[path = "../bodies/entry_decode.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));
