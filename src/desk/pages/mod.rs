//! Halaman: staff with the penyunting role edit the public site on the
//! desk (issue 30), under [`PAGES_PATH`]:
//!
//! | path | what | module |
//! | --- | --- | --- |
//! | `/halaman/` | every page: title, address, last change, its diagnostics; the standard's components still missing | [`list`] |
//! | `/halaman/baru/` | a new page | [`list`] |
//! | `/halaman/content/…md` | a page's editor; POST: preview, check, keep as draft, publish | [`editor`] |
//! | `/halaman/riwayat/content/…md` | a page's versions and their differences; POST: restore one | [`history`] |
//! | `/halaman/hapus/content/…md` | removing a page, with the links that would break | [`list`] |
//! | `/halaman/berkas/` | the files of `static/`; POST: upload one | [`files`] |
//! | `/halaman/berkas/static/…` | one of them (a preview's images and stylesheet) | [`files`] |
//!
//! Publishing, restoring and removing are one use case, [`publish`]: the
//! change is checked on a copy of the site, written, built and served by
//! the server, and only then kept as a version (`crate::edit`).

mod editor;
mod files;
mod history;
mod list;

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Body, Desk, Staff, profile};
use crate::core::dates::WIB;
use crate::core::diagnostic::Diagnostic;
use crate::edit::versions::{Author, Change, Version};
use crate::edit::{EditError, EditPath, SiteFiles};
use crate::work::audit::Action;

/// Where the pages are, on the desk.
pub const PAGES_PATH: &str = "/halaman/";

pub async fn handle(
    desk: &Arc<Desk>,
    req: Request<Incoming>,
    staff: &Staff,
    rest: &str,
) -> Response<Body> {
    if rest.is_empty() || rest == "baru/" {
        return list::handle(desk, req, staff, rest).await;
    }
    if let Some(file) = rest.strip_prefix("riwayat/") {
        return history::handle(desk, req, staff, file).await;
    }
    if let Some(file) = rest.strip_prefix("hapus/") {
        return list::remove(desk, req, staff, file)
            .await
            .unwrap_or_else(|page| page);
    }
    if let Some(file) = rest.strip_prefix("berkas/") {
        return files::handle(desk, req, staff, file).await;
    }
    editor::handle(desk, req, staff, rest).await
}

impl Desk {
    /// The site folder's editable files and their versions.
    fn site_files(&self) -> SiteFiles {
        SiteFiles::new(&self.site, &self.data)
    }
}

/// Who makes a change now, as its version keeps them.
fn author(staff: &Staff) -> Author {
    let now = OffsetDateTime::now_utc().to_offset(WIB);
    Author {
        login: staff.session.name.clone(),
        name: profile::signer_of(&staff.accounts, &staff.session.name).name,
        at: now.format(&Rfc3339).unwrap_or_default(),
    }
}

/// "7 Desember 2026, 10.15 WIB" of a version's or draft's time (RFC 3339
/// as kept), or the text as kept if it does not read.
fn when(at: &str) -> String {
    OffsetDateTime::parse(at, &Rfc3339)
        .map(super::case::words::moment_text)
        .unwrap_or_else(|_| at.to_string())
}

/// Why [`publish`] did not publish.
#[derive(Debug)]
pub(super) enum Refused {
    /// Not an editable file, changed since opened, errors, or the disk.
    Edit(EditError),
    /// Written, but the server did not build it: the file was put back.
    NotBuilt(String),
}

impl From<EditError> for Refused {
    fn from(e: EditError) -> Refused {
        Refused::Edit(e)
    }
}

/// Publishes `text` as `path` (`None`: removes it), for a file that was
/// `base` ([`crate::edit::versions::token`]) when opened: checks it on a
/// copy of the site, writes it, has the server build and serve the site,
/// then keeps it as a version and audits it. One publishing at a time. A
/// failed build puts the old file back. Returns the version and the
/// check's warnings.
pub(super) async fn publish(
    desk: &Arc<Desk>,
    staff: &Staff,
    path: &EditPath,
    text: Option<String>,
    base: &str,
    change: Change,
    restored: Option<u32>,
) -> Result<(Version, Vec<Diagnostic>), Refused> {
    let _one = desk.publishing.lock().await;
    let files = desk.site_files();
    let (p, b, f) = (path.clone(), base.to_string(), files.clone());
    let applied = tokio::task::spawn_blocking(move || -> Result<_, EditError> {
        let staged = f.stage(&p, text, &b)?;
        let warnings = staged.warnings.clone();
        Ok((f.apply(staged)?, warnings))
    })
    .await
    .map_err(|e| EditError::Io(std::io::Error::other(e)))?;
    let (applied, warnings) = applied?;
    if let Err(e) = desk.rebuild_site().await {
        tracing::error!(target: "loket::desk", "the site was not built after {path}: {e}");
        let f = files.clone();
        let put_back = tokio::task::spawn_blocking(move || f.revert(&applied)).await;
        if !matches!(put_back, Ok(Ok(()))) {
            tracing::error!(target: "loket::desk", "{path} could not be put back: {put_back:?}");
        }
        return Err(Refused::NotBuilt(e));
    }
    let who = author(staff);
    let version =
        tokio::task::spawn_blocking(move || files.record(&applied, change, who, restored))
            .await
            .map_err(|e| EditError::Io(std::io::Error::other(e)))?
            .map_err(EditError::Io)?;
    let (action, detail) = match change {
        Change::Terbit => (
            Action::PagePublished,
            format!("{path} versi {}", version.number),
        ),
        Change::Pulih => (
            Action::PageRestored,
            format!(
                "{path} versi {} dipulihkan sebagai versi {}",
                restored.unwrap_or_default(),
                version.number
            ),
        ),
        Change::Hapus => (
            Action::PageRemoved,
            format!("{path} versi {}", version.number),
        ),
    };
    desk.audit(&staff.session.name, action, None, &detail).await;
    Ok((version, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_told_in_wib_words() {
        let author = |at: &str| Author {
            login: "sari".into(),
            name: "Sari".into(),
            at: at.into(),
        };
        assert_eq!(
            when(&author("2026-12-07T10:05:00+07:00").at),
            "7 Desember 2026, 10.05 WIB"
        );
        assert_eq!(when(&author("kemarin").at), "kemarin");
    }
}
