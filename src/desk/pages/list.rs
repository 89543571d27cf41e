//! `/halaman/`: every page of the site with its address, its last change,
//! its draft and what `loket check` says of it, and the fourteen components
//! of the service standard each service page still lacks; `/halaman/baru/`:
//! a new page; `/halaman/hapus/content/…`: removing one, naming the pages
//! whose links it would break ([`new`], [`remove`]). New pages and
//! removals are published by [`super::publish`], like every edit.

mod new;
mod remove;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::history::history_url;
use super::{PAGES_PATH, Refused, publish, when};
use crate::core::diagnostic::{self, Diagnostic, Severity, display_path};
use crate::desk::case::words::moment_text;
use crate::desk::http::{self, query};
use crate::desk::{Body, Desk, Staff, blocking, messages};
use crate::edit::versions::{Author, Change};
use crate::edit::{EditError, EditPath, SiteFiles};
use crate::site::content::{CONTENT_DIR, parse_page, slugify};
use new::{NewPage, create, new_form};
pub use remove::remove;

const NEW: &str = "baru/";
/// The one page that cannot be removed: the site has no home without it.
const HOME: &str = "content/_index.md";

pub async fn handle(
    desk: &Arc<Desk>,
    req: Request<Incoming>,
    staff: &Staff,
    rest: &str,
) -> Response<Body> {
    match (rest, http::is_read(&req)) {
        ("", true) => list(desk, &req, staff).await,
        (NEW, true) => new_form(desk, staff, NewPage::default(), StatusCode::OK).await,
        (NEW, false) => create(desk, req, staff).await.unwrap_or_else(|page| page),
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

/// "Sari Wulandari (sari), 2 Desember 2026, 09.05 WIB": who made a version
/// or draft, and when.
fn by_whom(author: &Author) -> String {
    format!("{} ({}), {}", author.name, author.login, when(&author.at))
}

fn editor_url(path: &EditPath) -> String {
    format!("{PAGES_PATH}{path}")
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
    /// The pages removed on the desk and not made again, to restore from
    /// their history.
    gone: Vec<Gone>,
}

/// A page removed on the desk.
#[derive(Serialize)]
struct Gone {
    title: String,
    file: String,
    history: String,
    /// Who removed it and when.
    by: String,
}

/// The pages whose newest version is their removal and whose file is
/// still gone.
fn gone(files: &SiteFiles) -> std::io::Result<Vec<Gone>> {
    let mut out = Vec::new();
    for v in files.versions().newest_of_each()? {
        let Ok(path) = EditPath::parse(&v.path) else {
            continue;
        };
        if v.change != Change::Hapus || files.read(&path)?.is_some() {
            continue;
        }
        let text = files
            .versions()
            .text(&v.path, v.number)?
            .unwrap_or_default();
        let under = path
            .as_str()
            .strip_prefix("content/")
            .unwrap_or(path.as_str());
        let title = parse_page(
            Path::new(path.as_str()),
            Path::new(under),
            text.into_bytes(),
            None,
        )
        .0
        .map(|p| p.title)
        .unwrap_or_default();
        out.push(Gone {
            title,
            history: history_url(&path),
            by: by_whom(&v.author),
            file: path.to_string(),
        });
    }
    Ok(out)
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
        let file_time = || {
            page.modified
                .map(|t| moment_text(t.into()))
                .unwrap_or_default()
        };
        let draft = files
            .versions()
            .draft(path.as_str())?
            .map(|d| by_whom(&d.author));
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
                Some(a) => by_whom(a),
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
        gone: gone(files)?,
        ..ListPage::default()
    })
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
        .first("dihapus")
        .and_then(|v| EditPath::parse(v).ok())
        // Said only of a page that is gone indeed.
        .filter(|p| !view.rows.iter().any(|r| r.file == p.as_str()));
    if let Some(path) = removed {
        view.removed_history = history_url(&path);
        view.removed = path.to_string();
    }
    desk.page(staff, "halaman", "halaman.html", StatusCode::OK, &view)
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
