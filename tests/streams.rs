//! Integration tests of the stream API against every rule of
//! `shared/spec/streams.md` (Kinesis Data Streams semantics), through the
//! public API only. One submodule per group of rules.

mod common;

#[path = "streams/util.rs"]
mod util;

#[path = "streams/routing.rs"]
mod routing;

#[path = "streams/validation.rs"]
mod validation;

#[path = "streams/names.rs"]
mod names;

#[path = "streams/iterators.rs"]
mod iterators;

#[path = "streams/retention.rs"]
mod retention;

#[path = "streams/resharding.rs"]
mod resharding;

#[path = "streams/limits_checkpoints.rs"]
mod limits_checkpoints;

#[path = "streams/disk_full.rs"]
mod disk_full;
