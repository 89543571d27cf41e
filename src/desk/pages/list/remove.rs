//! `/halaman/hapus/content/…`: removing a page. The confirmation names the
//! page's address and the pages whose links the removal would break (what
//! `loket check` would add without the page); the removal goes through
//! [`super::publish`], which refuses it while those links are errors.

use std::path::Path;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::{
    FileDiags, HOME, blocking, editor_url, grouped, history_url, page_files, publish, refused_page,
    removal_url, site_check, titles_of,
};
use crate::core::diagnostic::Diagnostic;
use crate::desk::http::{self, redirect};
use crate::desk::pages::{PAGES_PATH, Refused};
use crate::desk::{Answer, Body, Desk, Staff, messages};
use crate::edit::versions::{Change, token};
use crate::edit::{EditError, EditPath, SiteFiles};

/// The removal's confirmation page.
#[derive(Serialize, Default)]
struct RemovePage {
    title: String,
    url: String,
    file: String,
    edit: String,
    history: String,
    action: String,
    dasar: String,
    home: bool,
    /// The problems the removal would add to the site, by file: the links
    /// it would break.
    breaks: Vec<FileDiags>,
    /// Whether any of them is an error (the removal would be refused).
    blocked: bool,
    /// Why the removal just posted was not made.
    error: String,
    /// The check's errors that refused it, by file.
    refused: Vec<FileDiags>,
}

/// The page `path` and what removing it would break; `None`: no such file.
fn read_removal(files: &SiteFiles, path: &EditPath) -> std::io::Result<Option<RemovePage>> {
    let Some(text) = files.read(path)? else {
        return Ok(None);
    };
    let pages = page_files(files.root());
    let titles = titles_of(&pages);
    let page = pages.iter().find(|p| p.path == *path);
    let mut view = RemovePage {
        title: page.map(|p| p.title.clone()).unwrap_or_default(),
        url: page.map(|p| p.url.clone()).unwrap_or_default(),
        file: path.to_string(),
        edit: editor_url(path),
        history: history_url(path),
        action: removal_url(path),
        dasar: token(Some(text.as_bytes())),
        home: path.as_str() == HOME,
        ..RemovePage::default()
    };
    if view.home {
        return Ok(Some(view));
    }
    let mut before = site_check(files.root());
    let after = files.check(path, None)?;
    let mut added = Vec::new();
    for d in after {
        match before.iter().position(|b| *b == d) {
            Some(i) => {
                before.swap_remove(i);
            }
            None if d.path != Path::new(path.as_str()) => added.push(d),
            None => {}
        }
    }
    view.blocked = added.iter().any(Diagnostic::is_error);
    view.breaks = grouped(&added, &titles);
    Ok(Some(view))
}

/// `/halaman/hapus/content/…`: GET the confirmation, POST the removal.
pub async fn remove(desk: &Arc<Desk>, req: Request<Incoming>, staff: &Staff, file: &str) -> Answer {
    let Ok(path) = EditPath::parse(file) else {
        return Err(desk.error_page(Some(staff), messages::PAGE_UNKNOWN));
    };
    if http::is_read(&req) {
        return Ok(confirm(desk, staff, &path, StatusCode::OK, |_| {}).await);
    }
    let posted = desk.posted(req, staff).await?;
    let base = posted.get("dasar");
    if base.trim().is_empty() {
        return Err(desk.error_page(Some(staff), messages::PAGE_FORM_INCOMPLETE));
    }
    if path.as_str() == HOME {
        return Err(desk.error_page(Some(staff), messages::HOME_NOT_REMOVABLE));
    }
    match publish(desk, staff, &path, None, &base, Change::Hapus, None).await {
        Ok(_) => Ok(redirect(&format!("{PAGES_PATH}?dihapus={path}"))),
        Err(Refused::Edit(EditError::Invalid(diags))) => {
            let pages = {
                let root = desk.site.clone();
                blocking(move || Ok(page_files(&root)))
                    .await
                    .unwrap_or_default()
            };
            let errors: Vec<Diagnostic> = diags.into_iter().filter(Diagnostic::is_error).collect();
            let refused = grouped(&errors, &titles_of(&pages));
            Err(confirm(desk, staff, &path, StatusCode::UNPROCESSABLE_ENTITY, move |v| {
                v.error = "Halaman ini tidak dihapus: situs akan punya kesalahan tanpa halaman ini. Perbaiki dahulu tautan di halaman berikut (hapus tautannya atau arahkan ke halaman lain), lalu hapus halaman ini lagi.".into();
                v.refused = refused;
            })
            .await)
        }
        Err(Refused::Edit(EditError::Conflict { by, .. })) => {
            let who = by
                .map(|a| format!("oleh {} ({})", a.name, a.login))
                .unwrap_or_else(|| "di luar meja layanan".into());
            Err(confirm(desk, staff, &path, StatusCode::CONFLICT, move |v| {
                v.error = format!("Halaman ini tidak dihapus: isinya diubah {who} sejak Anda membuka halaman ini. Periksa isinya sekarang; bila masih perlu dihapus, hapus lagi dari halaman ini.");
            })
            .await)
        }
        Err(refused) => Err(refused_page(desk, staff, refused)),
    }
}

async fn confirm(
    desk: &Arc<Desk>,
    staff: &Staff,
    path: &EditPath,
    status: StatusCode,
    amend: impl FnOnce(&mut RemovePage),
) -> Response<Body> {
    let files = desk.site_files();
    let p = path.clone();
    let mut view = match blocking(move || read_removal(&files, &p)).await {
        Ok(Some(view)) => view,
        Ok(None) => return desk.error_page(Some(staff), messages::PAGE_UNKNOWN),
        Err(e) => {
            tracing::error!(target: "loket::desk", "cannot check removing {path}: {e}");
            return desk.error_page(Some(staff), messages::SERVER_FAULT);
        }
    };
    amend(&mut view);
    desk.page(staff, "halaman", "halaman-hapus.html", status, &view)
}
