//! `/halaman/`: every page of the site with its address, its last change,
//! its draft and what `loket check` says of it, and the fourteen components
//! of the service standard each service page still lacks; `/halaman/baru/`:
//! a new page; `/halaman/hapus/content/…`: removing one, naming the pages
//! whose links it would break. New pages and removals are published by
//! [`super::publish`], like every edit.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{PAGES_PATH, Refused, publish};
use crate::core::dates::{self, WIB};
use crate::core::diagnostic::{self, Diagnostic, Severity, display_path};
use crate::desk::http::{self, query, redirect};
use crate::desk::{Body, Desk, Staff, html_page, messages, views};
use crate::edit::versions::{Change, token};
use crate::edit::{EditError, EditPath, SiteFiles};
use crate::site::content::{CONTENT_DIR, parse_page, slugify};

const NEW: &str = "baru/";
/// The one page that cannot be removed: the site has no home without it.
const HOME: &str = "content/_index.md";
/// The longest title and description a new page is given.
const TITLE_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 500;
const NAME_MAX: usize = 80;
/// What a new page says until its editor writes it.
const STARTER: &str = "Isi halaman ini sedang disiapkan.";

pub async fn handle(
    desk: &Arc<Desk>,
    req: Request<Incoming>,
    staff: &Staff,
    rest: &str,
) -> Response<Body> {
    match (rest, http::is_read(&req)) {
        ("", true) => list(desk, &req, staff).await,
        (NEW, true) => new_form(desk, staff, NewPage::default(), StatusCode::OK).await,
        (NEW, false) => create(desk, req, staff).await,
        _ => desk.not_allowed(Some(staff)),
    }
}

/// A page file of the site as the desk names it.
struct PageFile {
    path: EditPath,
    /// "" when the file does not read as a page.
    title: String,
    url: String,
    /// `draft: true` in its front matter: not on the site.
    hidden: bool,
    modified: Option<SystemTime>,
}

/// Every `content/…/*.md` file staff may edit, in path order, read as the
/// site's loader reads it.
fn page_files(root: &Path) -> Vec<PageFile> {
    let content = root.join(CONTENT_DIR);
    let walk = walkdir::WalkDir::new(&content)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !crate::core::fs::is_ignored_name(&e.file_name().to_string_lossy())
        });
    let mut files = Vec::new();
    for entry in walk.flatten().filter(|e| e.file_type().is_file()) {
        let rel = display_path(root, entry.path());
        let Ok(path) = EditPath::parse(&rel.to_string_lossy()) else {
            continue;
        };
        let modified = entry.metadata().ok().and_then(|m| m.modified().ok());
        let under = entry.path().strip_prefix(&content).unwrap_or(entry.path());
        let page = std::fs::read(entry.path())
            .ok()
            .and_then(|bytes| parse_page(&rel, under, bytes, modified).0);
        files.push(PageFile {
            path,
            title: page.as_ref().map(|p| p.title.clone()).unwrap_or_default(),
            url: page.as_ref().map(|p| p.url.clone()).unwrap_or_default(),
            hidden: page.is_some_and(|p| p.front.draft),
            modified,
        });
    }
    files
}

/// `loket check` of the site as it is, its paths relative to the site
/// folder, errors first.
fn site_check(root: &Path) -> Vec<Diagnostic> {
    let mut diags = crate::site::build::check(root);
    for d in &mut diags {
        d.path = display_path(root, &d.path);
    }
    diagnostic::sort(&mut diags);
    diags
}

/// A moment as the desk says it: "2 Desember 2026 pukul 09.05 WIB".
fn moment(at: OffsetDateTime) -> String {
    let at = at.to_offset(WIB);
    format!(
        "{} pukul {:02}.{:02} WIB",
        dates::format_long(at.date()),
        at.hour(),
        at.minute()
    )
}

fn moment_of(rfc3339: &str) -> String {
    OffsetDateTime::parse(rfc3339, &Rfc3339)
        .map(moment)
        .unwrap_or_else(|_| rfc3339.to_string())
}

fn editor_url(path: &EditPath) -> String {
    format!("{PAGES_PATH}{path}")
}

fn history_url(path: &EditPath) -> String {
    format!("{PAGES_PATH}riwayat/{path}")
}

fn removal_url(path: &EditPath) -> String {
    format!("{PAGES_PATH}hapus/{path}")
}

fn anchor(file: &str) -> String {
    format!("berkas-{}", slugify(file))
}

/// One diagnostic, in words.
#[derive(Serialize)]
struct Item {
    /// "baris 12", or "".
    line: String,
    /// "kesalahan", "peringatan" or "catatan".
    level: &'static str,
    message: String,
}

/// The diagnostics of one file.
#[derive(Serialize)]
struct FileDiags {
    file: String,
    /// The page's title, when the file is a page.
    title: String,
    /// Its editor, when staff may edit it here.
    edit: String,
    anchor: String,
    errors: usize,
    items: Vec<Item>,
}

/// `diags` grouped by file (in path order), with page titles.
fn grouped(diags: &[Diagnostic], titles: &HashMap<String, String>) -> Vec<FileDiags> {
    let mut by_file: BTreeMap<String, Vec<&Diagnostic>> = BTreeMap::new();
    for d in diags {
        let file = d.path.to_string_lossy().into_owned();
        by_file.entry(file).or_default().push(d);
    }
    by_file
        .into_iter()
        .map(|(file, ds)| FileDiags {
            title: titles.get(&file).cloned().unwrap_or_default(),
            edit: EditPath::parse(&file)
                .map(|p| editor_url(&p))
                .unwrap_or_default(),
            anchor: anchor(&file),
            errors: ds.iter().filter(|d| d.is_error()).count(),
            items: ds
                .iter()
                .map(|d| Item {
                    line: d.line.map(|l| format!("baris {l}")).unwrap_or_default(),
                    level: match d.severity {
                        Severity::Error => "kesalahan",
                        Severity::Warning => "peringatan",
                        Severity::Info => "catatan",
                    },
                    message: d.message.clone(),
                })
                .collect(),
            file,
        })
        .collect()
}

fn titles_of(files: &[PageFile]) -> HashMap<String, String> {
    files
        .iter()
        .map(|f| (f.path.to_string(), f.title.clone()))
        .collect()
}

/// One page's line in the list.
#[derive(Serialize)]
struct Row {
    title: String,
    url: String,
    file: String,
    edit: String,
    history: String,
    /// Its removal ("" for the home page).
    remove: String,
    /// Who changed it last and when, or when the file changed.
    changed: String,
    /// Changed on the server, not through the desk.
    outside: bool,
    /// Who keeps a draft of it and since when ("": none).
    draft: String,
    hidden: bool,
    errors: usize,
    warnings: usize,
    anchor: String,
}

/// One of the fourteen components, for one service page.
#[derive(Serialize)]
struct Component {
    name: &'static str,
    published: bool,
}

/// What a service page publishes of the standard.
#[derive(Serialize)]
struct Coverage {
    title: String,
    file: String,
    edit: String,
    published: usize,
    missing: Vec<&'static str>,
    components: Vec<Component>,
}

#[derive(Serialize, Default)]
struct ListPage {
    rows: Vec<Row>,
    groups: Vec<FileDiags>,
    coverage: Vec<Coverage>,
    errors: usize,
    warnings: usize,
    /// The page just removed, and its history.
    removed: String,
    removed_history: String,
}

/// The list, read in a blocking task.
fn read_list(files: &SiteFiles) -> std::io::Result<ListPage> {
    let root = files.root();
    let pages = page_files(root);
    let titles = titles_of(&pages);
    let diags = site_check(root);
    let mut coverage = Vec::new();
    let mut others = Vec::new();
    for d in diags {
        match crate::site::check::missing_components(&d) {
            Some(missing) => {
                let file = d.path.to_string_lossy().into_owned();
                coverage.push(Coverage {
                    title: titles.get(&file).cloned().unwrap_or_default(),
                    edit: EditPath::parse(&file)
                        .map(|p| editor_url(&p))
                        .unwrap_or_default(),
                    file,
                    published: 14 - missing.len(),
                    components: crate::site::check::component_names()
                        .map(|name| Component {
                            name,
                            published: !missing.contains(&name),
                        })
                        .collect(),
                    missing,
                });
            }
            None => others.push(d),
        }
    }
    let mut rows = Vec::with_capacity(pages.len());
    for page in &pages {
        let path = &page.path;
        let current = files.read(path)?;
        let by = files.published_by(path, current.as_deref())?;
        let file_time = || page.modified.map(|t| moment(t.into())).unwrap_or_default();
        let draft = files.versions().draft(path.as_str())?.map(|d| {
            format!(
                "{} ({}), {}",
                d.author.name,
                d.author.login,
                moment_of(&d.author.at)
            )
        });
        let file = path.to_string();
        let mine = |level: fn(&Diagnostic) -> bool| {
            others
                .iter()
                .filter(|d| d.path == Path::new(&file) && level(d))
                .count()
        };
        rows.push(Row {
            title: page.title.clone(),
            url: page.url.clone(),
            edit: editor_url(path),
            history: history_url(path),
            remove: match file == HOME {
                true => String::new(),
                false => removal_url(path),
            },
            changed: match &by {
                Some(a) => format!("{} ({}), {}", a.name, a.login, moment_of(&a.at)),
                None => file_time(),
            },
            outside: by.is_none(),
            draft: draft.unwrap_or_default(),
            hidden: page.hidden,
            errors: mine(Diagnostic::is_error),
            warnings: mine(Diagnostic::is_warning),
            anchor: anchor(&file),
            file,
        });
    }
    Ok(ListPage {
        rows,
        errors: others.iter().filter(|d| d.is_error()).count(),
        warnings: others.iter().filter(|d| d.is_warning()).count(),
        groups: grouped(&others, &titles),
        coverage,
        ..ListPage::default()
    })
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)))
}

async fn list(desk: &Arc<Desk>, req: &Request<Incoming>, staff: &Staff) -> Response<Body> {
    let files = desk.site_files();
    let mut view = match blocking(move || read_list(&files)).await {
        Ok(view) => view,
        Err(e) => {
            tracing::error!(target: "loket::desk", "cannot list the site's pages: {e}");
            return desk.error_page(Some(staff), messages::SERVER_FAULT);
        }
    };
    let removed = query(req)
        .into_iter()
        .find(|(k, _)| k == "dihapus")
        .and_then(|(_, v)| EditPath::parse(&v).ok());
    if let Some(path) = removed {
        view.removed_history = history_url(&path);
        view.removed = path.to_string();
    }
    let chrome = desk.chrome(Some(staff), "halaman");
    html_page(
        StatusCode::OK,
        views::render("halaman.html", &chrome, &view),
    )
}

/// A choice of a select.
#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// The new page's form, as typed.
#[derive(Serialize, Default)]
struct NewPage {
    sections: Vec<Choice>,
    section: String,
    title: String,
    name: String,
    description: String,
    /// What is wrong with what was typed, by field (`bagian`, `judul`,
    /// `nama`), and the site's problems with the page.
    errors: BTreeMap<&'static str, String>,
    problems: Vec<FileDiags>,
    /// A page already at that path: its editor.
    existing: String,
}

/// The site's sections, as folders (`content`, `content/layanan`) with
/// their titles.
fn sections(root: &Path) -> Vec<(String, String)> {
    page_files(root)
        .into_iter()
        .filter_map(|f| {
            let folder = f.path.as_str().strip_suffix("/_index.md")?.to_string();
            let label = match f.title.is_empty() {
                true => format!("{folder}/"),
                false => format!("{} ({})", f.title, f.url),
            };
            Some((folder, label))
        })
        .collect()
}

async fn new_form(
    desk: &Arc<Desk>,
    staff: &Staff,
    mut view: NewPage,
    status: StatusCode,
) -> Response<Body> {
    let root = desk.site.clone();
    let sections = blocking(move || Ok(sections(&root)))
        .await
        .unwrap_or_default();
    view.sections = sections
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == view.section,
            value,
            label,
        })
        .collect();
    let chrome = desk.chrome(Some(staff), "halaman");
    html_page(status, views::render("halaman-baru.html", &chrome, &view))
}

/// A file name staff may give a page: lower-case letters, digits, `-` and
/// `_`, not starting with `_` (`_index.md` is a section's) or `-`.
fn good_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= NAME_MAX
        && !name.starts_with(['_', '-'])
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'))
}

/// A new page's text: its front matter and a first paragraph.
fn new_text(title: &str, description: &str) -> Result<String, crate::core::yaml::YamlError> {
    #[derive(Serialize)]
    struct Front<'a> {
        title: &'a str,
        #[serde(skip_serializing_if = "str::is_empty")]
        description: &'a str,
    }
    let front = crate::core::yaml::to_string(&Front { title, description })?;
    Ok(format!("---\n{front}---\n\n{STARTER}\n"))
}

/// One line of typed text (a title typed with line breaks is one line).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `POST /halaman/baru/`: creates the page and publishes it; its editor
/// opens next.
async fn create(desk: &Arc<Desk>, req: Request<Incoming>, staff: &Staff) -> Response<Body> {
    let posted = match desk.posted(req, staff).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let mut view = NewPage {
        section: posted.get("bagian").trim().to_string(),
        title: one_line(&posted.get("judul")),
        name: posted.get("nama").trim().to_string(),
        description: one_line(&posted.get("deskripsi")),
        ..NewPage::default()
    };
    let root = desk.site.clone();
    let known = blocking(move || Ok(sections(&root)))
        .await
        .unwrap_or_default();
    if !known.iter().any(|(folder, _)| *folder == view.section) {
        view.errors.insert(
            "bagian",
            "Pilih bagian situs tempat halaman ini berada.".into(),
        );
    }
    if view.title.is_empty() {
        view.errors.insert("judul", "Tulis judul halaman.".into());
    } else if view.title.chars().count() > TITLE_MAX {
        view.errors.insert(
            "judul",
            format!("Judul terlalu panjang: paling banyak {TITLE_MAX} karakter."),
        );
    }
    if view.description.chars().count() > DESCRIPTION_MAX {
        view.errors.insert(
            "deskripsi",
            format!("Deskripsi terlalu panjang: paling banyak {DESCRIPTION_MAX} karakter."),
        );
    }
    let name = match view.name.is_empty() {
        true => slugify(&view.title),
        false => view.name.clone(),
    };
    if !good_name(&name) && !view.title.is_empty() {
        let why = match view.name.is_empty() {
            true => {
                "Nama berkas tidak dapat dibuat dari judul ini; tulis nama berkasnya.".to_string()
            }
            false => format!(
                "Nama berkas hanya boleh berisi huruf kecil, angka, tanda hubung, dan garis bawah (misalnya jam-layanan), tidak diawali tanda hubung atau garis bawah, paling banyak {NAME_MAX} karakter."
            ),
        };
        view.errors.insert("nama", why);
    }
    let path = EditPath::parse(&format!("{}/{name}.md", view.section));
    let path = match (path, view.errors.is_empty()) {
        (Ok(path), true) => path,
        _ => return new_form(desk, staff, view, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    view.name = name;
    let text = match new_text(&view.title, &view.description) {
        Ok(text) => text,
        Err(e) => {
            tracing::error!(target: "loket::desk", "cannot write a new page's front matter: {e}");
            return desk.error_page(Some(staff), messages::SERVER_FAULT);
        }
    };
    let exists = |view: &mut NewPage| {
        view.errors.insert(
            "nama",
            format!(
                "Sudah ada halaman dengan berkas {path}. Pilih nama lain, atau sunting halaman itu."
            ),
        );
        view.existing = editor_url(&path);
    };
    let files = desk.site_files();
    let p = path.clone();
    if matches!(blocking(move || files.read(&p)).await, Ok(Some(_))) {
        exists(&mut view);
        return new_form(desk, staff, view, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match publish(desk, staff, &path, Some(text), "-", Change::Terbit, None).await {
        Ok(_) => redirect(&editor_url(&path)),
        Err(Refused::Edit(EditError::Conflict { .. })) => {
            exists(&mut view);
            new_form(desk, staff, view, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(Refused::Edit(EditError::Invalid(diags))) => {
            let errors: Vec<Diagnostic> = diags.into_iter().filter(Diagnostic::is_error).collect();
            view.problems = grouped(&errors, &HashMap::new());
            new_form(desk, staff, view, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(refused) => refused_page(desk, staff, refused),
    }
}

/// What cannot be shown on the form: a fault of the disk or of the build.
fn refused_page(desk: &Desk, staff: &Staff, refused: Refused) -> Response<Body> {
    match refused {
        Refused::Edit(EditError::NotEditable(_)) => {
            desk.error_page(Some(staff), messages::PAGE_UNKNOWN)
        }
        Refused::NotBuilt(e) => {
            tracing::error!(target: "loket::desk", "a page's change was put back: {e}");
            desk.error_page(Some(staff), messages::SITE_NOT_BUILT)
        }
        Refused::Edit(e) => {
            tracing::error!(target: "loket::desk", "a page was not changed: {e}");
            desk.error_page(Some(staff), messages::SERVER_FAULT)
        }
    }
}

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
pub async fn remove(
    desk: &Arc<Desk>,
    req: Request<Incoming>,
    staff: &Staff,
    file: &str,
) -> Response<Body> {
    let Ok(path) = EditPath::parse(file) else {
        return desk.error_page(Some(staff), messages::PAGE_UNKNOWN);
    };
    if http::is_read(&req) {
        return confirm(desk, staff, &path, StatusCode::OK, |_| {}).await;
    }
    let posted = match desk.posted(req, staff).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let base = posted.get("dasar");
    if base.trim().is_empty() {
        return desk.error_page(Some(staff), messages::PAGE_FORM_INCOMPLETE);
    }
    if path.as_str() == HOME {
        return desk.error_page(Some(staff), messages::HOME_NOT_REMOVABLE);
    }
    match publish(desk, staff, &path, None, &base, Change::Hapus, None).await {
        Ok(_) => redirect(&format!("{PAGES_PATH}?dihapus={path}")),
        Err(Refused::Edit(EditError::Invalid(diags))) => {
            let pages = {
                let root = desk.site.clone();
                blocking(move || Ok(page_files(&root)))
                    .await
                    .unwrap_or_default()
            };
            let errors: Vec<Diagnostic> = diags.into_iter().filter(Diagnostic::is_error).collect();
            let refused = grouped(&errors, &titles_of(&pages));
            confirm(desk, staff, &path, StatusCode::UNPROCESSABLE_ENTITY, move |v| {
                v.error = "Halaman ini tidak dihapus: situs akan punya kesalahan tanpa halaman ini. Perbaiki dahulu tautan di halaman berikut (hapus tautannya atau arahkan ke halaman lain), lalu hapus halaman ini lagi.".into();
                v.refused = refused;
            })
            .await
        }
        Err(Refused::Edit(EditError::Conflict { by, .. })) => {
            let who = by
                .map(|a| format!("oleh {} ({})", a.name, a.login))
                .unwrap_or_else(|| "di luar meja layanan".into());
            confirm(desk, staff, &path, StatusCode::CONFLICT, move |v| {
                v.error = format!("Halaman ini tidak dihapus: isinya diubah {who} sejak Anda membuka halaman ini. Periksa isinya sekarang; bila masih perlu dihapus, hapus lagi dari halaman ini.");
            })
            .await
        }
        Err(refused) => refused_page(desk, staff, refused),
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
    let chrome = desk.chrome(Some(staff), "halaman");
    html_page(status, views::render("halaman-hapus.html", &chrome, &view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_staff_may_give_a_page() {
        for ok in ["jam-layanan", "a", "sk_2026", "faq2"] {
            assert!(good_name(ok), "{ok}");
        }
        for bad in [
            "",
            "_index",
            "-a",
            "Jam",
            "a b",
            "a.b",
            "a/b",
            &"a".repeat(81),
        ] {
            assert!(!good_name(bad), "{bad}");
        }
    }

    #[test]
    fn a_new_page_has_its_title_quoted_in_its_front_matter() {
        let text = new_text("Jam: \"layanan\" #1", "").unwrap();
        assert!(text.starts_with("---\n"), "{text}");
        let (front, body) = text[4..].split_once("---\n").unwrap();
        let value: crate::core::yaml::Value = crate::core::yaml::from_str(front).unwrap();
        assert_eq!(value["title"].as_str(), Some("Jam: \"layanan\" #1"));
        assert!(value.get("description").is_none());
        assert!(body.contains(STARTER));
    }
}
