//! The one Tera registry ([`Templates`]): every template loket renders, the
//! site's pages, the report, the sitemap, the staff desk's pages and the
//! mail, parsed once per load and shared by every thread.
//!
//! Names:
//! - the site's files from `templates/`, under their paths there
//!   (`base.html`, `partials/nav.html`);
//! - loket's built-in templates ([`BUILTIN`]), unless the site has a file of
//!   that name: `laporan.html` (the monthly report), `laporan-komponen.html`
//!   (its tables, a component the desk's report page calls too),
//!   `sitemap.xml`, `galat.html` (the last-resort error page),
//!   `survei-laporan.html` (`loket survei --format html`), and
//!   `cek-status.html` and `survei.html` when the site has a `base.html`;
//! - the desk's pages under `desk/` (`desk/base.html`, `desk/kasus.html`, …;
//!   from `src/desk/templates/`) and the mail under `mail/`
//!   (`mail/warga-tanda-terima.txt`, …; from `src/notify/templates/`), each
//!   replaced by `templates/desk/NAME` or `templates/mail/NAME` when the
//!   site has one.
//!
//! Autoescaping is Tera's default: `.html`, `.htm` and `.xml`, so the mail
//! (`.txt`) is plain text. Components are global in one Tera, so no two
//! templates may define a component of one name.
//!
//! The page `serve --watch` shows while the site does not build is not
//! here: it must render when the site's templates are what is broken
//! (`site::render::build_error_page`).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tera::{Context, ErrorKind, Tera};
use walkdir::WalkDir;

use crate::core::diagnostic::{Diagnostic, display_path};

/// The context entry [`asset_url`] reads: each file under `static/`, by its
/// site path, mapped to its content-hashed URL (`site::assets`).
pub const ASSET_URLS: &str = "asset_urls";

/// The site's template folder.
pub const TEMPLATES_DIR: &str = "templates";
/// The prefix of the desk's pages.
pub const DESK: &str = "desk/";
/// The prefix of the mail templates.
pub const MAIL: &str = "mail/";

/// The monthly report, printable on A4.
pub const REPORT_TEMPLATE: &str = "laporan.html";
pub const SITEMAP_TEMPLATE: &str = "sitemap.xml";
/// A period's survey results, printable (`loket survei --format html`).
pub const SURVEY_REPORT_TEMPLATE: &str = "survei-laporan.html";
/// Template of `/cek-status/`, where a citizen looks a case up.
pub const LOOKUP_TEMPLATE: &str = "cek-status.html";
/// Template of `/survei/`, where a citizen answers the survey.
pub const SURVEY_TEMPLATE: &str = "survei.html";

/// `(PREFIX + NAME, the text of the file NAME in the folder DIR)`, for
/// each NAME listed after `PREFIX in DIR:` (DIR relative to this file).
macro_rules! files {
    ($($prefix:literal in $dir:literal: $($name:literal)*;)*) => {
        [$($((concat!($prefix, $name), include_str!(concat!($dir, $name))),)*)*]
    };
}

/// loket's own templates. A site overrides any of them with a file of the
/// same name in `templates/` (its letterhead on the report, say).
const BUILTIN: [(&str, &str); 35] = files! {
    "" in "../site/builtin/":
        "laporan.html"
        "laporan-komponen.html"
        "sitemap.xml"
        "galat.html"
        "survei-laporan.html"
    ;
    "desk/" in "../desk/templates/":
        "base.html"
        "masuk.html"
        "kotak-masuk.html"
        "kasus.html"
        "kode-akses.html"
        "staf.html"
        "rahasia.html"
        "kasus-baru.html"
        "dokumen.html"
        "dokumen-dasar.html"
        "dokumen-laporan-hasil.html"
        "dokumen-undangan.html"
        "dokumen-berita-acara.html"
        "laporan.html"
        "survei.html"
        "survei-kode.html"
        "halaman.html"
        "halaman-baru.html"
        "halaman-hapus.html"
        "halaman-sunting.html"
        "halaman-bentrok.html"
        "halaman-riwayat.html"
        "galat.html"
        "halaman-berkas.html"
    ;
    "mail/" in "../notify/templates/":
        "staf-baru.txt"
        "staf-ringkasan.txt"
        "warga-tanda-terima.txt"
        "warga-langkah.txt"
        "warga-kode-baru.txt"
        "staf-balasan.txt"
    ;
};
/// Pages of the server's that a site may lack (one made before them): the
/// copy in loket's own `templates/` stands in, inside the site's
/// `base.html`. Added only to a site that has a `base.html`.
const BUILTIN_PAGES: [(&str, &str); 6] = files! {
    "" in "../../templates/":
        "cek-status.html"
        "cek-status-balas.html"
        "form.html"
        "survei.html"
        "survei-hasil.html"
        "form-components.html"
    ;
};

/// The parsed templates: the site's, with the built-in ones it does not
/// override.
#[derive(Debug)]
pub struct Templates {
    tera: Tera,
    /// The site's template names with the file each came from, for
    /// messages and link checks.
    files: BTreeMap<String, PathBuf>,
}

/// `asset_url(path="css/site.css")`: the content-hashed URL of a file under
/// `static/` (`/css/site.3f9a1c0b2e.css`), from the page's [`ASSET_URLS`].
/// A file that is not there fails the page, like a missing variable.
fn asset_url(kwargs: tera::Kwargs, state: &tera::State) -> tera::TeraResult<String> {
    let path: &str = kwargs.must_get("path")?;
    let url = format!("/{}", path.trim_start_matches('/'));
    let urls: Option<tera::Value> = state.get(ASSET_URLS)?;
    urls.as_ref()
        .and_then(tera::Value::as_map)
        .and_then(|map| {
            map.iter()
                .find(|(k, _)| k.as_str() == Some(url.as_str()))
                .and_then(|(_, v)| v.as_str().map(str::to_string))
        })
        .ok_or_else(|| tera::Error::message(format!("asset_url: berkas static{url} tidak ada")))
}

impl Templates {
    /// Reads and parses every file under `templates/` with the built-in
    /// templates. A syntax error names the template file and line.
    pub fn load(root: &Path) -> Result<Templates, Vec<Diagnostic>> {
        let dir = root.join(TEMPLATES_DIR);
        let mut sources = Vec::new();
        let mut files = BTreeMap::new();
        let mut diags = Vec::new();
        let walk = WalkDir::new(&dir).sort_by_file_name().into_iter();
        let sources_only = walk.filter_entry(|e| {
            e.depth() == 0 || !crate::core::fs::is_ignored_name(&e.file_name().to_string_lossy())
        });
        for entry in sources_only {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    diags.push(Diagnostic::error(
                        display_path(root, e.path().unwrap_or(&dir)),
                        None,
                        format!("tidak dapat dibaca: {e}"),
                    ));
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(&dir).unwrap_or(entry.path());
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            match std::fs::read_to_string(entry.path()) {
                Ok(text) => {
                    files.insert(name.clone(), display_path(root, entry.path()));
                    sources.push((name, text));
                }
                Err(e) => diags.push(Diagnostic::error(
                    display_path(root, entry.path()),
                    None,
                    format!("templat tidak dapat dibaca: {e}"),
                )),
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        Templates::parse(sources, files)
    }

    /// loket's own templates alone: for a command that has no site
    /// templates at hand, and for tests.
    pub fn builtin() -> Result<Templates, Vec<Diagnostic>> {
        Templates::parse(Vec::new(), BTreeMap::new())
    }

    fn parse(
        mut sources: Vec<(String, String)>,
        files: BTreeMap<String, PathBuf>,
    ) -> Result<Templates, Vec<Diagnostic>> {
        let missing = |name: &&str| !files.contains_key(*name);
        for (name, text) in BUILTIN.iter().filter(|(n, _)| missing(n)) {
            sources.push((name.to_string(), text.to_string()));
        }
        if files.contains_key("base.html") {
            for (name, text) in BUILTIN_PAGES.iter().filter(|(n, _)| missing(n)) {
                sources.push((name.to_string(), text.to_string()));
            }
        }
        let mut tera = Tera::new();
        tera.register_function("asset_url", asset_url);
        tera.add_raw_templates(sources)
            .map_err(|e| vec![diagnostic(&e, None)])?;
        Ok(Templates { tera, files })
    }

    pub fn render(&self, name: &str, ctx: &Context) -> Result<String, tera::Error> {
        self.tera.render(name, ctx)
    }

    pub fn render_to(&self, name: &str, ctx: &Context, out: impl Write) -> Result<(), tera::Error> {
        self.tera.render_to(name, ctx, out)
    }

    /// The monthly report: `office` (the letterhead: name, parent,
    /// address, phone, website) and `report` as `r`.
    pub fn render_report(
        &self,
        office: &impl Serialize,
        report: &impl Serialize,
    ) -> Result<String, Diagnostic> {
        let mut ctx = Context::new();
        ctx.insert("office", office);
        ctx.insert("r", report);
        self.render(REPORT_TEMPLATE, &ctx)
            .map_err(|e| diagnostic(&e, None))
    }

    /// Whether the site has a template of this name (not a built-in one).
    pub fn contains(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    /// The site's template names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// The site's template files with their paths as shown to people.
    pub fn files(&self) -> impl Iterator<Item = (&str, &Path)> {
        self.files.iter().map(|(n, p)| (n.as_str(), p.as_path()))
    }
}

/// Turns a Tera error into `templates/NAME:LINE: message (while rendering PAGE)`.
pub fn diagnostic(err: &tera::Error, page: Option<&Path>) -> Diagnostic {
    let during = page
        .map(|p| format!(" (saat membuat {})", p.display()))
        .unwrap_or_default();
    let templates = Path::new(TEMPLATES_DIR);
    match err.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => Diagnostic::error(
            templates.join(report.filename()),
            Some(report.span().start_line),
            format!("{}{during}", report.message()),
        ),
        ErrorKind::MissingParent { current, parent } => Diagnostic::error(
            templates.join(current),
            None,
            format!("memperluas {parent:?}, yang tidak ada{during}"),
        ),
        other => Diagnostic::error(templates, None, format!("{other}{during}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-ins are listed by file name: each name the code uses must
    /// stay among them.
    #[test]
    fn every_named_template_is_built_in() {
        let names: Vec<&str> = BUILTIN
            .iter()
            .chain(&BUILTIN_PAGES)
            .map(|(n, _)| *n)
            .collect();
        for name in [
            REPORT_TEMPLATE,
            SITEMAP_TEMPLATE,
            SURVEY_REPORT_TEMPLATE,
            LOOKUP_TEMPLATE,
            SURVEY_TEMPLATE,
        ] {
            assert!(names.contains(&name), "{name} is not a built-in template");
        }
    }

    #[test]
    fn the_builtin_templates_parse() {
        if let Err(e) = Templates::builtin() {
            panic!("{e:?}");
        }
    }

    /// A site's `templates/desk/NAME` or `templates/mail/NAME` replaces
    /// loket's; the others stay.
    #[test]
    fn a_site_file_overrides_the_builtin_of_its_name() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join(TEMPLATES_DIR).join("mail");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("staf-baru.txt"), "Subjek {{ x }}\n").unwrap();
        let t = Templates::load(root.path()).unwrap();
        let mut ctx = Context::new();
        ctx.insert("x", "<b>");
        assert_eq!(
            t.render("mail/staf-baru.txt", &ctx).unwrap(),
            "Subjek <b>\n"
        );
        assert!(t.contains("mail/staf-baru.txt"));
        assert!(!t.contains("desk/base.html"));
        assert!(t.tera.contains_template("desk/base.html"));
    }
}
