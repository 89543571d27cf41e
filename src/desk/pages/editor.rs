//! `/halaman/content/…md`: a site page's editor. GET shows the front
//! matter as labelled fields (`edit::front`), the Markdown body with a
//! cheat sheet, and the page's draft if it has one (opened instead of the
//! published text, `?asli=1` for that one). POST with `aksi`:
//!
//! - `pratinjau`: the page rendered by the site's own templates on a copy
//!   of the site with the change (`site::preview`), shown in a frame; with
//!   `potongan=1` (the editor's script, `assets/sunting.js`) only that HTML;
//! - `periksa`: every diagnostic `loket check` finds with the change;
//! - `draf`: kept as the page's draft, not published;
//! - `terbitkan`: published by [`super::publish`]; refused with the page's
//!   errors (422), or, when the file changed since it was opened, with both
//!   texts and the staff member's kept as a draft (409).

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::{PAGES_PATH, Refused, author, publish, when};
use crate::core::diagnostic::Diagnostic;
use crate::desk::http::{self, Form, query, redirect};
use crate::desk::{Body, Desk, Staff, messages};
use crate::edit::front::{self, Fields, KeptLines, ServiceFields};
use crate::edit::versions::{Change, Draft, token};
use crate::edit::{EditError, EditPath, SiteFiles};

/// The largest page form the editor reads (the desk's other forms: 64 KiB).
pub const MAX_PAGE_FORM_BYTES: usize = 1024 * 1024;
/// Where the preview's stylesheet, scripts and images are served from.
const STATIC_FILES: &str = "/halaman/berkas/static";

pub async fn handle(
    desk: &Arc<Desk>,
    req: Request<Incoming>,
    staff: &Staff,
    rest: &str,
) -> Response<Body> {
    let Ok(path) = EditPath::parse(rest) else {
        return desk.error_page(Some(staff), messages::SITE_PAGE_UNKNOWN);
    };
    match http::is_read(&req) {
        true => open(desk, &req, staff, path).await,
        false => post(desk, req, staff, path).await,
    }
}

/// A draft, as the editor names it.
#[derive(Serialize)]
struct DraftNote {
    who: String,
    at: String,
}

/// One diagnostic, as the editor lists it.
#[derive(Serialize)]
struct Problem {
    /// `content/a.md:4`.
    place: String,
    text: String,
    error: bool,
}

fn problems(diags: &[Diagnostic]) -> Vec<Problem> {
    diags
        .iter()
        .map(|d| Problem {
            place: match d.line {
                Some(line) => format!("{}:{line}", d.path.display()),
                None => d.path.display().to_string(),
            },
            text: d.message.clone(),
            error: d.is_error(),
        })
        .collect()
}

#[derive(Serialize, Default)]
struct EditorPage {
    path: String,
    action: String,
    /// The page's address on the public site.
    public: String,
    dasar: String,
    /// The labelled fields are offered (the front matter parsed).
    fields: bool,
    f: Fields,
    body: String,
    draft: Option<DraftNote>,
    opened_draft: bool,
    notice: String,
    /// The notice ends with the page's public address.
    notice_link: bool,
    error: String,
    problems: Vec<Problem>,
    /// One of `problems` is an error.
    has_errors: bool,
    checked: bool,
    preview: String,
    preview_problems: Vec<Problem>,
}

impl EditorPage {
    fn new(desk: &Desk, path: &EditPath) -> EditorPage {
        let (url, _) = crate::site::content::url_for(
            std::path::Path::new(path.as_str())
                .strip_prefix(crate::site::content::CONTENT_DIR)
                .unwrap_or(std::path::Path::new("")),
        );
        let base = (desk.office)().config.base_url;
        EditorPage {
            path: path.to_string(),
            action: format!("{PAGES_PATH}{path}"),
            public: format!("{}{url}", base.trim_end_matches('/')),
            ..EditorPage::default()
        }
    }

    /// The fields and body of a page file's text.
    fn with_text(mut self, text: &str) -> EditorPage {
        let (front, body) = front::split(text);
        let front = front.unwrap_or_default();
        self.fields = front.trim().is_empty()
            || crate::core::yaml::from_str::<crate::core::yaml::Value>(front).is_ok();
        self.f = match self.fields {
            true => Fields::of(front),
            false => Fields {
                other: front.to_string(),
                ..Fields::default()
            },
        };
        self.body = body.to_string();
        self
    }
}

fn render(desk: &Desk, staff: &Staff, status: StatusCode, mut view: EditorPage) -> Response<Body> {
    view.has_errors = view.problems.iter().any(|p| p.error);
    desk.page(staff, "halaman", "halaman-sunting.html", status, &view)
}

/// Runs blocking work on the site's files.
async fn on_site_files<T: Send + 'static>(
    desk: &Desk,
    f: impl FnOnce(SiteFiles) -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    let files = desk.site_files();
    crate::desk::blocking(move || f(files)).await
}

/// `GET`: the editor, on the page's draft if it has one (`?asli=1`: on the
/// published text).
async fn open(
    desk: &Arc<Desk>,
    req: &Request<Incoming>,
    staff: &Staff,
    path: EditPath,
) -> Response<Body> {
    let asked = query(req);
    let p = path.clone();
    let read = on_site_files(desk, move |files| {
        let text = files.read(&p)?;
        let draft = files.versions().draft(p.as_str())?;
        Ok((text, draft))
    })
    .await;
    let (text, draft) = match read {
        Ok(read) => read,
        Err(e) => {
            tracing::error!(target: "loket::desk", "cannot read {path}: {e}");
            return desk.error_page(Some(staff), messages::SERVER_FAULT);
        }
    };
    let Some(text) = text else {
        return desk.error_page(Some(staff), messages::SITE_PAGE_UNKNOWN);
    };
    let mut view = EditorPage::new(desk, &path);
    let opened_draft = draft.is_some() && asked.first("asli").is_none();
    view = match (&draft, opened_draft) {
        (Some(d), true) => {
            view.dasar = d.base.clone();
            view.with_text(&d.text)
        }
        _ => {
            view.dasar = token(Some(text.as_bytes()));
            view.with_text(&text)
        }
    };
    view.opened_draft = opened_draft;
    view.draft = draft.map(|d| DraftNote {
        who: d.author.name,
        at: when(&d.author.at),
    });
    if let Some(n) = asked
        .first("terbit")
        .filter(|n| n.chars().all(|c| c.is_ascii_digit()))
    {
        view.notice = format!("Terbit sebagai versi {n}. Halaman ini sekarang tampil di situs:");
        view.notice_link = true;
    } else if asked.first("disimpan") == Some("draf") {
        view.notice = "Draf tersimpan. Draf belum tampil di situs sampai diterbitkan.".into();
    }
    render(desk, staff, StatusCode::OK, view)
}

/// The page file the posted fields make, and the editor's view of them.
fn posted_text(posted: &Form) -> (Result<String, String>, Fields, bool) {
    let service = ServiceFields::posted(|key| posted.get(key));
    let with_fields = posted.get("bidang") == "1";
    let fields = Fields {
        title: posted.get("judul"),
        description: posted.get("deskripsi"),
        menu: posted.get("menu"),
        has_service: with_fields && posted.get("layanan") == "1",
        service,
        other: posted.get("lainnya"),
        kept: ["title", "description", "menu", "service"]
            .into_iter()
            .map(|key| KeptLines {
                key: key.to_string(),
                lines: posted.get(&format!("asli_{key}")),
            })
            .filter(|k| !k.lines.is_empty())
            .collect(),
    };
    let front = match with_fields {
        true => fields.to_front(),
        false => Ok(fields.other.clone()),
    };
    let text = front.map(|front| front::join(&front, &posted.get("isi")));
    (text, fields, with_fields)
}

/// `POST`: preview, check, keep as draft, or publish.
async fn post(
    desk: &Arc<Desk>,
    req: Request<Incoming>,
    staff: &Staff,
    path: EditPath,
) -> Response<Body> {
    let posted = match http::read_form_up_to(req, MAX_PAGE_FORM_BYTES).await {
        Ok(posted) => posted,
        Err(e) => return desk.form_error(Some(staff), e),
    };
    if !Desk::csrf_ok(staff, &posted) {
        return desk.csrf_refused(Some(staff));
    }
    let aksi = posted.get("aksi");
    if !matches!(
        aksi.as_str(),
        "pratinjau" | "periksa" | "draf" | "terbitkan"
    ) {
        return desk.error_page(Some(staff), messages::SITE_PAGE_NO_ACTION);
    }
    let dasar = posted.get("dasar");
    let (text, fields, with_fields) = posted_text(&posted);
    let mut view = EditorPage::new(desk, &path);
    view.dasar = dasar.clone();
    view.fields = with_fields;
    view.f = fields;
    view.body = posted.get("isi");
    let text = match text {
        Ok(text) => text,
        Err(why) => {
            view.error = why;
            return render(desk, staff, StatusCode::UNPROCESSABLE_ENTITY, view);
        }
    };
    let fragment = posted.get("potongan") == "1";
    match aksi.as_str() {
        "pratinjau" => preview(desk, staff, path, text, view, fragment).await,
        "periksa" => check(desk, staff, path, text, view).await,
        "draf" => draft(desk, staff, path, text, view).await,
        _ => publish_page(desk, staff, path, text, view).await,
    }
}

async fn preview(
    desk: &Arc<Desk>,
    staff: &Staff,
    path: EditPath,
    text: String,
    mut view: EditorPage,
    fragment: bool,
) -> Response<Body> {
    let p = path.clone();
    let rendered = on_site_files(desk, move |files| {
        files.with_change(&p, Some(&text), |copy| {
            crate::site::preview::render_page(copy, p.as_str(), STATIC_FILES)
        })
    })
    .await;
    match rendered {
        Ok(Ok(html)) if fragment => http::html(StatusCode::OK, html),
        Ok(Ok(html)) => {
            view.preview = html;
            render(desk, staff, StatusCode::OK, view)
        }
        Ok(Err(diags)) => {
            // The script keeps its last preview and says so.
            view.preview_problems = problems(&diags);
            render(desk, staff, StatusCode::UNPROCESSABLE_ENTITY, view)
        }
        Err(e) => {
            tracing::error!(target: "loket::desk", "cannot preview {path}: {e}");
            view.error = "Pratinjau tidak dapat dibuat karena kesalahan di server. Teks Anda masih ada di bawah.".into();
            render(desk, staff, StatusCode::INTERNAL_SERVER_ERROR, view)
        }
    }
}

async fn check(
    desk: &Arc<Desk>,
    staff: &Staff,
    path: EditPath,
    text: String,
    mut view: EditorPage,
) -> Response<Body> {
    let p = path.clone();
    match on_site_files(desk, move |files| files.check(&p, Some(&text))).await {
        Ok(diags) => {
            view.checked = true;
            view.problems = problems(&diags);
            let status = match diags.iter().any(Diagnostic::is_error) {
                true => StatusCode::UNPROCESSABLE_ENTITY,
                false => StatusCode::OK,
            };
            render(desk, staff, status, view)
        }
        Err(e) => {
            tracing::error!(target: "loket::desk", "cannot check {path}: {e}");
            view.error = "Pemeriksaan tidak dapat dijalankan karena kesalahan di server. Teks Anda masih ada di bawah.".into();
            render(desk, staff, StatusCode::INTERNAL_SERVER_ERROR, view)
        }
    }
}

/// Keeps `text` as the page's draft, started from `base`.
async fn keep_draft(
    desk: &Desk,
    staff: &Staff,
    path: &EditPath,
    text: String,
    base: String,
) -> std::io::Result<()> {
    let draft = Draft {
        path: path.to_string(),
        author: author(staff),
        base,
        text,
    };
    on_site_files(desk, move |files| files.versions().save_draft(&draft)).await
}

async fn draft(
    desk: &Arc<Desk>,
    staff: &Staff,
    path: EditPath,
    text: String,
    mut view: EditorPage,
) -> Response<Body> {
    let base = view.dasar.clone();
    match keep_draft(desk, staff, &path, text, base).await {
        Ok(()) => redirect(&format!("{PAGES_PATH}{path}?disimpan=draf#draf")),
        Err(e) => {
            tracing::error!(target: "loket::desk", "cannot keep the draft of {path}: {e}");
            view.error = "Draf tidak dapat disimpan karena kesalahan di server. Teks Anda masih ada di bawah; salin sebelum meninggalkan halaman ini.".into();
            render(desk, staff, StatusCode::INTERNAL_SERVER_ERROR, view)
        }
    }
}

/// Who changed a page that changed since it was opened, and how.
#[derive(Serialize)]
struct ConflictPage {
    path: String,
    action: String,
    /// Published on the desk (else changed on the server itself).
    by_desk: bool,
    who: String,
    at: String,
    theirs: String,
    removed: bool,
    yours: String,
    kept: bool,
}

async fn publish_page(
    desk: &Arc<Desk>,
    staff: &Staff,
    path: EditPath,
    text: String,
    mut view: EditorPage,
) -> Response<Body> {
    let base = view.dasar.clone();
    match publish(
        desk,
        staff,
        &path,
        Some(text.clone()),
        &base,
        Change::Terbit,
        None,
    )
    .await
    {
        Ok((version, _)) => redirect(&format!(
            "{PAGES_PATH}{path}?asli=1&terbit={}",
            version.number
        )),
        Err(Refused::Edit(EditError::Invalid(diags))) => {
            view.error = "Halaman ini masih punya kesalahan, jadi belum diterbitkan; situs tidak berubah. Perbaiki kesalahan yang tercantum di bawah, lalu terbitkan lagi.".into();
            view.problems = problems(&diags);
            render(desk, staff, StatusCode::UNPROCESSABLE_ENTITY, view)
        }
        Err(Refused::Edit(EditError::Conflict { current, by, .. })) => {
            // Kept on the text as it is now: the editor reopens the draft
            // beside what the other editor published.
            let now = token(current.as_deref().map(str::as_bytes));
            let kept = keep_draft(desk, staff, &path, text.clone(), now).await;
            if let Err(e) = &kept {
                tracing::error!(target: "loket::desk", "cannot keep the draft of {path}: {e}");
            }
            let by_desk = by.is_some();
            let (who, at) = match by {
                Some(a) => (format!("{} ({})", a.name, a.login), when(&a.at)),
                None => (String::new(), String::new()),
            };
            let page = ConflictPage {
                path: path.to_string(),
                action: format!("{PAGES_PATH}{path}"),
                by_desk,
                who,
                at,
                removed: current.is_none(),
                theirs: current.unwrap_or_default(),
                yours: text,
                kept: kept.is_ok(),
            };
            desk.page(
                staff,
                "halaman",
                "halaman-bentrok.html",
                StatusCode::CONFLICT,
                &page,
            )
        }
        Err(Refused::Edit(EditError::NotEditable(_))) => {
            desk.error_page(Some(staff), messages::SITE_PAGE_UNKNOWN)
        }
        Err(Refused::Edit(EditError::Io(e))) => {
            tracing::error!(target: "loket::desk", "cannot publish {path}: {e}");
            view.error = "Halaman tidak dapat diterbitkan karena kesalahan di server; situs tidak berubah. Teks Anda masih ada di bawah. Coba lagi, atau simpan sebagai draf.".into();
            render(desk, staff, StatusCode::INTERNAL_SERVER_ERROR, view)
        }
        Err(Refused::NotBuilt(why)) => {
            tracing::warn!(target: "loket::desk", "{path} was put back unpublished: {why}");
            view.error = "Situs tidak dapat dibangun ulang, jadi halaman ini belum diterbitkan dan berkasnya dikembalikan seperti semula. Teks Anda masih ada di bawah. Minta pengelola server memeriksa log server.".into();
            render(desk, staff, StatusCode::SERVICE_UNAVAILABLE, view)
        }
    }
}
