//! cargo-fuzz target `ops_model`; the body lives in `fuzz/bodies/ops_model.rs` so that
//! `tests/fuzz_corpus.rs` can replay the seed corpus on stable Rust.
#![no_main]

#[path = "../bodies/ops_model.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));
