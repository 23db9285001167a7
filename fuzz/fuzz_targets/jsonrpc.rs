//! Any bytes on the JSON-RPC connection, then a `shutdown` that must be answered (see `fuzz/harness/jsonrpc.rs`).
#![no_main]

#[path = "../harness/jsonrpc.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::run(data));
