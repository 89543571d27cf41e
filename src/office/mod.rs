//! The office as data, below both the site generator and the cases: what
//! `site`, `cases`, `notify` and `desk` share without importing each other.
//!
//! - [`config`]: `site.yaml` (the office, contact, privacy and retention),
//!   with the letterhead's [`emblem`].
//! - [`terms`]: the terms of the service standard and the deadlines they
//!   give a submission (whether the site's pages agree is
//!   [`crate::office::terms`]'s to check).
//! - [`templates`]: the one Tera registry: the site's templates from disk,
//!   loket's built-in ones, and the desk's (`desk/…`) and mail's (`mail/…`),
//!   each overridable by a file of that name in the site's `templates/`.

pub mod config;
pub mod emblem;
pub mod templates;
pub mod terms;
