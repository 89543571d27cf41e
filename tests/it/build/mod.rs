//! `loket build` and `loket check` on the fixture site (tests/fixtures/site) and on broken copies of it.
//!
//! - [`pages`]: what the built pages publish, and what `site.yaml` and the
//!   content add to them.
//! - [`output`]: the output as a whole (accessible, light, self-contained,
//!   every link resolving, sitemap and 404) and where it may be written.
//! - [`input`]: broken or odd input: the build fails naming file and line,
//!   and the previous output stays as it was.
//! - [`check`]: what `loket check` says, and that it writes nothing.

mod check;
mod form_file;
mod input;
mod output;
mod pages;

use crate::common::*;

fn built_fixture_site() -> TempSite {
    let site = TempSite::fixture();
    let out = site.build();
    assert!(out.status.success(), "build failed:\n{}", stderr(&out));
    site
}
