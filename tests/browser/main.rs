//! The browser tests: a test target of their own, because they alone take
//! about nine minutes on a 2-core machine, more than the rest of the suite
//! together. `cargo test` leaves them out (`test = false` in Cargo.toml);
//! `cargo test --test browser` runs them, and `.ci/run` runs both.
//!
//! They share `tests/it/common/` (a running server, skips) with the
//! integration tests; what of it they do not use is not dead code there.
#![allow(dead_code)]

#[path = "../it/common/mod.rs"]
mod common;

mod journeys;
