//! The site folder to pages on disk: `site.yaml` ([`config`]), `content/`
//! ([`content`], [`source`], [`markdown`]), the working-day terms of the forms
//! ([`terms`]), templates ([`render`]), checks ([`check`]), the pipeline
//! ([`build`]), the compressed copies of its files ([`compress`]), the
//! content-hashed asset URLs ([`assets`]) and the atomic swap of the output
//! ([`output`]); the published survey results page ([`survey`]); and which
//! file changes matter to watch mode ([`watch`]).

pub mod assets;
pub mod build;
pub mod check;
pub mod compress;
pub mod content;
pub mod markdown;
pub mod output;
pub mod preview;
pub mod render;
pub mod source;
pub mod survey;
pub mod terms;
pub mod watch;

/// The site's settings live with the office's data ([`crate::office`]).
pub use crate::office::config;
