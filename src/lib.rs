//! loket publishes a public-service office's service standard as a static
//! site and takes citizens' online submissions.
//!
//! Data flows one way: files ([`content`], [`config`]) -> model ([`content::Site`])
//! -> [`render`] -> [`output`], driven by [`build`].

pub mod build;
pub mod check;
pub mod cli;
pub mod config;
pub mod content;
pub mod csv;
pub mod dates;
pub mod diagnostic;
pub mod fsutil;
pub mod inbox;
pub mod markdown;
pub mod output;
pub mod records;
pub mod render;
pub mod report;
pub mod server;
pub mod submission;
pub mod terms;
pub mod watch;
pub mod workdays;
pub mod yaml;
