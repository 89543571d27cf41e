//! The office as data, below both the site generator and the cases: what
//! `site`, `cases`, `notify` and `desk` share without importing each other.
//!
//! - [`templates`]: the one Tera registry: the site's templates from disk,
//!   loket's built-in ones, and the desk's (`desk/…`) and mail's (`mail/…`),
//!   each overridable by a file of that name in the site's `templates/`.

pub mod templates;
