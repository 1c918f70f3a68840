//! A conformance suite ported from Aerospike's own client test suites (Rust,
//! Go, Python, Java): one `#[test]` per case, each naming the repository, file
//! and test it came from, with the expected values as the source states them.
//! See docs/testing.md, "Conformance suite".

mod common;

#[path = "conformance/batch_scan.rs"]
mod batch_scan;
#[path = "conformance/digests.rs"]
mod digests;
#[path = "conformance/increment.rs"]
mod increment;
#[path = "conformance/lists.rs"]
mod lists;
#[path = "conformance/lists_go.rs"]
mod lists_go;
#[path = "conformance/lists_java.rs"]
mod lists_java;
#[path = "conformance/lists_python.rs"]
mod lists_python;
#[path = "conformance/maps.rs"]
mod maps;
#[path = "conformance/maps_java.rs"]
mod maps_java;
#[path = "conformance/operate.rs"]
mod operate;
#[path = "conformance/operate_lists.rs"]
mod operate_lists;
#[path = "conformance/records.rs"]
mod records;
#[path = "conformance/truncate.rs"]
mod truncate;
