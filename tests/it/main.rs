//! loket's integration tests: one binary, one module per part of the
//! program, all on the real `loket` binary (real HTTP on ephemeral ports,
//! Chromium, nginx and Caddy, faketime for dates).
//!
//! Engine tests run on the fixture site in `tests/fixtures/site` (see
//! [`common::TempSite::fixture`]); the office's shipped site has its own
//! smoke test in [`shipped`]. Each test owns its temp folders. Run one
//! module with `cargo test --test it MODULE::`.
//!
//! Tests that cannot run here say so: a line starting with `SKIPPED:` on
//! stderr (visible with `--nocapture`, and counted at the end of
//! `.ci/run`); under CI (`CI=true`) a missing tool is a failure instead.

mod common;

mod answers;
mod attachments;
mod build;
mod citizens;
mod cli_logs;
mod compressed;
mod config;
mod connections;
mod decoding;
mod deploy;
mod desk;
mod durability;
mod form_files;
mod forms;
mod index;
mod intake;
mod lifecycle;
mod lookup;
mod lost;
mod notify;
mod office;
mod operations;
mod pipes;
mod publish;
mod rahasia;
mod report;
mod retention;
mod serve;
mod shipped;
mod staff;
mod static_site;
mod survei;
mod survei_site;
mod survey_retention;
mod units;
mod vocabulary;
mod waiting;
mod watch;
