//! The site folder to pages on disk: `site.yaml` ([`config`]), `content/`
//! ([`content`], [`source`], [`markdown`]), the working-day terms of the forms
//! ([`terms`]), templates ([`render`]), checks ([`check`]), the pipeline
//! ([`build`]) and the atomic swap of the output ([`output`]); the published
//! survey results page ([`survey`]); and which
//! file changes matter to watch mode ([`watch`]).

pub mod build;
pub mod check;
pub mod content;
pub mod markdown;
pub mod output;
pub mod render;
pub mod source;
pub mod survey;
pub mod terms;
pub mod watch;

/// The site's settings live with the office's data ([`crate::office`]).
pub use crate::office::config;
