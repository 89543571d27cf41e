//! A page's history on the desk, `/halaman/riwayat/content/….md`: every
//! version kept of the file (`crate::edit::versions`), newest first, with
//! who made it, when, and the lines it added and removed since the version
//! before; whether the file as it is now differs from the last version
//! (changed on the server itself); one version's whole text
//! (`?versi=N`). POST restores a version: it is published again through
//! [`super::publish`] as a new version ([`Change::Pulih`]), a removed page
//! included (its file is made again).

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::{PAGES_PATH, Refused, publish, when};
use crate::desk::http::{self, query, redirect};
use crate::desk::{Answer, Body, Desk, Staff, blocking, messages};
use crate::edit::diff::{self, Line};
use crate::edit::versions::{Change, Version, token};
use crate::edit::{EditError, EditPath};

/// Where a page's history is, after [`PAGES_PATH`].
pub const HISTORY: &str = "riwayat/";

/// The most changed lines shown for one version (a page rewritten whole
/// is told by its count).
const MAX_LINES: usize = 200;

/// The versions shown with their changes on one page of the history.
const PER_PAGE: usize = 20;

pub async fn handle(
    desk: &Arc<Desk>,
    req: Request<Incoming>,
    staff: &Staff,
    rest: &str,
) -> Response<Body> {
    let Ok(path) = EditPath::parse(rest) else {
        return desk.error_page(Some(staff), messages::PAGE_UNKNOWN);
    };
    if http::is_read(&req) {
        let asked = query(&req);
        let view = HistoryPage {
            shown_asked: asked.first("versi").map(str::to_string),
            restored_as: asked.first("dipulihkan").and_then(|n| n.parse().ok()),
            page: asked.first("hal").and_then(|n| n.parse().ok()).unwrap_or(1),
            ..HistoryPage::default()
        };
        return show(desk, staff, &path, view, StatusCode::OK).await;
    }
    if req.method() == hyper::Method::POST {
        return restore(desk, req, staff, &path)
            .await
            .unwrap_or_else(|page| page);
    }
    desk.not_allowed(Some(staff))
}

/// The address of `path`'s history.
pub fn history_url(path: &EditPath) -> String {
    format!("{PAGES_PATH}{HISTORY}{path}")
}

/// One version as the page lists it.
#[derive(Serialize)]
struct VersionRow {
    number: u32,
    /// "terbit", "pulih", "hapus".
    change: Change,
    /// For a restored version: the version it published again.
    restored: Option<u32>,
    /// The staff member's full name.
    who: String,
    /// "7 Desember 2026, 10.15 WIB".
    when: String,
    /// The first version kept: nothing to compare it with.
    first: bool,
    /// The lines of its text.
    line_count: usize,
    added: usize,
    removed: usize,
    /// The changed lines, at most [`MAX_LINES`]; `more` were left out.
    lines: Vec<Line>,
    more: usize,
    /// Its text differs from the file now: it may be restored.
    restorable: bool,
}

/// One version's whole text (`?versi=N`).
#[derive(Serialize)]
struct Shown {
    number: u32,
    text: String,
}

#[derive(Serialize, Default)]
struct HistoryPage {
    path: String,
    here: String,
    editor: String,
    /// The file is there now (not removed).
    exists: bool,
    /// [`token`] of the file now, for the restore forms.
    dasar: String,
    versions: Vec<VersionRow>,
    /// How many versions there are; which page of [`PER_PAGE`] is shown
    /// (1: the newest), and the pages before and after it (0: none).
    total: usize,
    last: u32,
    page: usize,
    newer: usize,
    older: usize,
    /// The file now is not the last version's text: changed on the server.
    drifted: bool,
    drift: Vec<Line>,
    drift_more: usize,
    shown: Option<Shown>,
    #[serde(skip)]
    shown_asked: Option<String>,
    /// Just restored: the new version's number and the one it restored.
    #[serde(skip)]
    restored_as: Option<u32>,
    notice: String,
    error: String,
    /// The problems a version would give the site, as `loket check` says.
    problems: Vec<String>,
}

/// What a version leaves the file as (`None`: removed).
fn content(version: &Version, text: Option<String>) -> Option<String> {
    match version.change {
        Change::Hapus => None,
        _ => Some(text.unwrap_or_default()),
    }
}

fn capped(mut lines: Vec<Line>) -> (Vec<Line>, usize) {
    let more = lines.len().saturating_sub(MAX_LINES);
    lines.truncate(MAX_LINES);
    (lines, more)
}

/// The file now, its versions with their texts (newest first), and what
/// the page says of them.
struct Read {
    current: Option<String>,
    versions: Vec<(Version, Option<String>)>,
    rows: Vec<VersionRow>,
    /// The lines the file now differs by from its last version.
    drift: Option<Vec<Line>>,
}

/// Reads and compares in a blocking task (a diff takes CPU).
async fn read(desk: &Desk, path: &EditPath, page: usize) -> std::io::Result<Read> {
    let files = desk.site_files();
    let path = path.clone();
    blocking(move || {
        let current = files.read(&path)?;
        let mut versions = Vec::new();
        for version in files.versions().history(path.as_str())? {
            let text = files.versions().text(path.as_str(), version.number)?;
            versions.push((version, text));
        }
        let (rows, drift) = compare(current.as_deref(), &versions, page);
        Ok(Read {
            current,
            versions,
            rows,
            drift,
        })
    })
    .await
}

/// Each version of page `page` against the one before it, and the file
/// now against the last one (`None`: the same).
fn compare(
    current: Option<&str>,
    versions: &[(Version, Option<String>)],
    page: usize,
) -> (Vec<VersionRow>, Option<Vec<Line>>) {
    let contents: Vec<Option<String>> = versions
        .iter()
        .map(|(v, text)| content(v, text.clone()))
        .collect();
    let mut rows = Vec::new();
    let shown = versions
        .iter()
        .enumerate()
        .skip((page - 1).saturating_mul(PER_PAGE))
        .take(PER_PAGE);
    for (i, (version, text)) in shown {
        let before = contents.get(i + 1);
        let first = before.is_none();
        let changed = match (first, version.change) {
            (true, _) | (_, Change::Hapus) => Vec::new(),
            (false, _) => diff::lines(before.and_then(Option::as_deref), contents[i].as_deref()),
        };
        let added = changed
            .iter()
            .filter(|l| l.kind == diff::Kind::Added)
            .count();
        let removed = changed.len() - added;
        let (lines, more) = capped(changed);
        rows.push(VersionRow {
            number: version.number,
            change: version.change,
            restored: version.restored,
            who: version.author.name.clone(),
            when: when(&version.author.at),
            first,
            line_count: text.as_deref().map_or(0, |t| t.lines().count()),
            added,
            removed,
            lines,
            more,
            restorable: version.change != Change::Hapus && text.as_deref() != current,
        });
    }
    let drift = match contents.first() {
        Some(last) if last.as_deref() != current => Some(diff::lines(last.as_deref(), current)),
        _ => None,
    };
    (rows, drift)
}

/// The history page of `path`, with what `view` already says (a notice,
/// an error), answered with `status`.
async fn show(
    desk: &Arc<Desk>,
    staff: &Staff,
    path: &EditPath,
    mut view: HistoryPage,
    mut status: StatusCode,
) -> Response<Body> {
    let pages = |n: usize| n.div_ceil(PER_PAGE).max(1);
    view.page = view.page.max(1);
    let read = match read(desk, path, view.page).await {
        Ok(read) => read,
        Err(e) => {
            tracing::error!(target: "loket::desk", "cannot read the history of {path}: {e}");
            return desk.error_page(Some(staff), messages::SERVER_FAULT);
        }
    };
    view.path = path.to_string();
    view.here = history_url(path);
    view.editor = format!("{PAGES_PATH}{path}");
    view.exists = read.current.is_some();
    view.dasar = token(read.current.as_deref().map(str::as_bytes));
    view.versions = read.rows;
    view.total = read.versions.len();
    view.last = read.versions.first().map_or(0, |(v, _)| v.number);
    if view.page > pages(view.total) && status == StatusCode::OK {
        view.error = "Halaman riwayat ini tidak ada. Buka riwayat dari versi terbaru.".into();
        status = StatusCode::NOT_FOUND;
    }
    view.newer = view.page.saturating_sub(1).min(pages(view.total));
    view.older = match view.page < pages(view.total) {
        true => view.page + 1,
        false => 0,
    };
    if let Some(drift) = read.drift {
        view.drifted = true;
        (view.drift, view.drift_more) = capped(drift);
    }
    if let Some(asked) = view.shown_asked.take() {
        let found = asked.parse::<u32>().ok().and_then(|n| {
            read.versions
                .iter()
                .find(|(v, _)| v.number == n)
                .map(|(v, text)| Shown {
                    number: v.number,
                    text: text.clone().unwrap_or_default(),
                })
        });
        match found {
            Some(shown) => view.shown = Some(shown),
            None => {
                view.error = format!(
                    "Versi “{asked}” tidak ada dalam riwayat halaman ini. Pilih versinya dari daftar di bawah."
                );
                status = StatusCode::NOT_FOUND;
            }
        }
    }
    if let Some(new) = view.restored_as.take()
        && let Some((v, _)) = read.versions.iter().find(|(v, _)| v.number == new)
        && v.change == Change::Pulih
    {
        view.notice = format!(
            "Versi {} sudah diterbitkan lagi sebagai versi {new}. Situs publik sudah memuat halaman ini.",
            v.restored.unwrap_or_default()
        );
    }
    desk.page(staff, "halaman", "halaman-riwayat.html", status, &view)
}

/// `POST`: publishes version `versi` again, for a file that was `dasar`
/// when the history was opened.
async fn restore(
    desk: &Arc<Desk>,
    req: Request<Incoming>,
    staff: &Staff,
    path: &EditPath,
) -> Answer {
    let posted = desk.posted(req, staff).await?;
    let (asked, dasar) = (posted.get("versi"), posted.get("dasar"));
    let refuse = |error: String| HistoryPage {
        error,
        ..HistoryPage::default()
    };
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let Ok(number) = asked.trim().parse::<u32>() else {
        let view = refuse(
            "Pilih versi yang akan dipulihkan dari daftar di bawah. Tidak ada yang diubah.".into(),
        );
        return Err(show(desk, staff, path, view, unprocessable).await);
    };
    if dasar.is_empty() {
        let view = refuse("Formulir pemulihan ini tidak lengkap. Tidak ada yang diubah. Muat ulang halaman riwayat lalu coba lagi.".into());
        return Err(show(desk, staff, path, view, unprocessable).await);
    }
    let (files, p) = (desk.site_files(), path.clone());
    let kept = blocking(move || {
        let known = files
            .versions()
            .history(p.as_str())?
            .into_iter()
            .any(|v| v.number == number);
        match known {
            true => files.versions().text(p.as_str(), number),
            false => Ok(None),
        }
    })
    .await;
    let text = match kept {
        Ok(Some(text)) => text,
        Ok(None) => {
            let view = refuse(format!(
                "Versi {number} tidak ada dalam riwayat halaman ini. Tidak ada yang diubah."
            ));
            return Err(show(desk, staff, path, view, unprocessable).await);
        }
        Err(e) => {
            tracing::error!(target: "loket::desk", "cannot read version {number} of {path}: {e}");
            return Err(desk.error_page(Some(staff), messages::SERVER_FAULT));
        }
    };
    let published = publish(
        desk,
        staff,
        path,
        Some(text),
        &dasar,
        Change::Pulih,
        Some(number),
    )
    .await;
    let (view, status) = match published {
        Ok((version, _)) => {
            return Ok(redirect(&format!(
                "{}?dipulihkan={}",
                history_url(path),
                version.number
            )));
        }
        Err(Refused::Edit(EditError::Conflict { by, .. })) => {
            let who = match by {
                Some(by) => format!("oleh {} ({})", by.name, when(&by.at)),
                None => "langsung di server, di luar meja layanan".to_string(),
            };
            let view = refuse(format!(
                "Halaman ini sudah diubah {who} sejak riwayat ini Anda buka, jadi versi {number} tidak dipulihkan dan tidak ada yang hilang. Periksa riwayat terbaru di bawah, lalu pulihkan lagi bila masih perlu."
            ));
            (view, StatusCode::CONFLICT)
        }
        Err(Refused::Edit(EditError::Invalid(diags))) => {
            let mut view = refuse(format!(
                "Versi {number} tidak dapat diterbitkan lagi: situs akan bermasalah dengan teks itu. Tidak ada yang diubah. Perbaiki halamannya di penyunting bila teks itu masih diperlukan."
            ));
            view.problems = diags
                .iter()
                .filter(|d| d.is_error())
                .map(ToString::to_string)
                .collect();
            (view, unprocessable)
        }
        Err(Refused::Edit(EditError::NotEditable(_))) => {
            return Err(desk.error_page(Some(staff), messages::PAGE_UNKNOWN));
        }
        Err(Refused::Edit(EditError::Io(e))) => {
            tracing::error!(target: "loket::desk", "cannot restore version {number} of {path}: {e}");
            return Err(desk.error_page(Some(staff), messages::SERVER_FAULT));
        }
        Err(Refused::NotBuilt(why)) => {
            let mut view = refuse(format!(
                "Situs gagal dibangun dengan versi {number}, jadi halaman dikembalikan seperti semula dan tidak ada yang berubah. Hubungi pengelola server."
            ));
            view.problems = vec![why];
            (view, StatusCode::INTERNAL_SERVER_ERROR)
        }
    };
    Err(show(desk, staff, path, view, status).await)
}
