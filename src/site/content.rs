//! Loading `content/`: Markdown files with optional YAML front matter become
//! a [`Site`] model of pages and sections. Nothing here renders or writes.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use time::Date;
use walkdir::WalkDir;

use crate::core::dates;
use crate::core::diagnostic::{Diagnostic, display_path};
use crate::core::yaml;
use crate::site::config::SiteConfig;
use crate::site::source::load_page;
pub use crate::site::source::parse_page;

pub const CONTENT_DIR: &str = "content";
pub use crate::office::templates::TEMPLATES_DIR;
/// Files under `static/` are copied to the site as they are.
pub const STATIC_DIR: &str = "static";

/// Front matter keys a page may set. Unknown keys are warned about, not fatal,
/// so a typo never takes the site down but is still noticed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub description: String,
    /// Order within the section; lower comes first, then by title.
    pub weight: i64,
    /// Template for this page, e.g. `service.html`.
    pub template: Option<String>,
    /// In a section's `_index.md`: the default template of its pages.
    pub page_template: Option<String>,
    /// Shown as "Terakhir diperbarui"; defaults to the file's modification date.
    #[serde(deserialize_with = "dates::deserialize_opt_date")]
    pub updated: Option<Date>,
    pub draft: bool,
    /// Position in the main navigation; pages without it are not in the menu.
    pub menu: Option<i64>,
    /// The key facts of a service, shown the same way on every service page.
    pub service: Option<Service>,
    /// Makes the page the web form `forms/ID.yaml`; it accepts POST at its URL.
    pub form: Option<String>,
    /// Free-form values for templates.
    pub extra: BTreeMap<String, yaml::Value>,
}

/// The key facts of a public service (from its service standard).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Service {
    /// Number of the decree (SK) that set the standard.
    pub decree: String,
    /// Time to complete, in working days. A site with form files may leave
    /// it out: the form's `term` sets the term (and must agree with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_days: Option<u32>,
    pub fee: String,
    pub product: String,
    /// Internal URL of the page where a citizen submits a request.
    pub form: String,
    #[serde(default = "default_form_label")]
    pub form_label: String,
    /// Working days within which a complaint about the service is answered
    /// (the standard's *penanganan pengaduan, saran dan masukan*).
    pub complaint_days: Option<u32>,
    /// The decree as a PDF under static/, e.g. `/dokumen/sk-pelayanan.pdf`.
    #[serde(default)]
    pub decree_pdf: String,
}

fn default_form_label() -> String {
    "Ajukan permohonan".to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PageKind {
    Home,
    Section,
    Page,
}

impl PageKind {
    pub fn is_section(self) -> bool {
        matches!(self, PageKind::Home | PageKind::Section)
    }
}

/// One content file, parsed but not rendered.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path relative to the site root, e.g. `content/layanan/_index.md`.
    pub source: PathBuf,
    /// Site URL, always with a trailing slash: `/layanan/`.
    pub url: String,
    pub kind: PageKind,
    pub title: String,
    pub front: FrontMatter,
    /// The YAML text of the front matter (empty without one), for pointing at keys.
    pub front_text: String,
    /// Markdown after the front matter (and after a leading title heading).
    /// Held for form pages, which the server renders again and whose text
    /// the terms are checked against; other pages' text is read again from
    /// their file when rendered ([`Page::markdown`]), so that a large site's
    /// text is never all in memory at once.
    pub body: Option<String>,
    /// 1-based line in the file where `body` starts.
    pub body_line: usize,
    pub updated: Date,
    /// Index of the section this page belongs to (None only for the home page).
    pub parent: Option<usize>,
    /// Template name chosen for this page.
    pub template: String,
}

impl Page {
    /// The file line of a front matter key, for messages about its value.
    pub fn line_of_key(&self, key: &str) -> Option<usize> {
        yaml::line_of_key(&self.front_text, key).map(|l| l + 1)
    }
}

/// The whole site as loaded from disk.
#[derive(Debug, Clone)]
pub struct Site {
    pub root: PathBuf,
    pub config: SiteConfig,
    /// Index 0 is always the home page. Shared, like the rest, so that a
    /// rebuild of one page in watch mode copies pointers, not the site.
    pub pages: Vec<Arc<Page>>,
    pub by_url: Arc<HashMap<String, usize>>,
    /// For each page, its children in display order (empty for plain pages).
    pub children: Arc<Vec<Vec<usize>>>,
    /// Static assets, as site paths (`/css/site.css`) mapped to their file.
    pub assets: Arc<BTreeMap<String, PathBuf>>,
    /// Each asset's content-hashed URL (`site::assets`), by its plain one.
    pub asset_urls: Arc<BTreeMap<String, String>>,
}

/// What loading produced: the site when it loaded, and every problem seen.
pub struct Loaded {
    pub site: Option<Site>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Site {
    /// Loads config, content and the list of static assets from `root`.
    /// Errors in single files are collected so one run reports them all.
    pub fn load(root: &Path) -> Loaded {
        let mut diagnostics = Vec::new();
        for dir in [CONTENT_DIR, TEMPLATES_DIR] {
            if !root.join(dir).is_dir() {
                diagnostics.push(Diagnostic::error(
                    root.join(dir),
                    None,
                    format!("folder {dir}/ tidak ada (dicari di {})", root.display()),
                ));
            }
        }
        let config = SiteConfig::load(root).map_err(|d| diagnostics.push(d));
        let config = match config {
            Ok(config) if diagnostics.is_empty() => {
                diagnostics.extend(config.warnings.iter().cloned());
                config
            }
            _ => {
                return Loaded {
                    site: None,
                    diagnostics,
                };
            }
        };

        let content_dir = root.join(CONTENT_DIR);
        let files = markdown_files(root, &content_dir, &mut diagnostics);
        let results: Vec<(Option<Page>, Vec<Diagnostic>)> = files
            .par_iter()
            .map(|path| load_page(root, &content_dir, path))
            .collect();
        let mut pages = Vec::with_capacity(results.len());
        for (page, diags) in results {
            diagnostics.extend(diags);
            pages.extend(page.filter(|p| !p.front.draft));
        }
        let assets = static_assets(root, &mut diagnostics);

        let site = assemble(root, config, pages, assets, &mut diagnostics);
        let failed = diagnostics.iter().any(Diagnostic::is_error);
        Loaded {
            site: if failed { None } else { Some(site) },
            diagnostics,
        }
    }

    /// The page loaded from `path` (as the watcher reports it: absolute or
    /// relative to the site root).
    pub fn index_of_source(&self, path: &Path) -> Option<usize> {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        self.pages.iter().position(|p| p.source == rel)
    }

    /// Reads page `index` again from disk, keeping its place in the site.
    pub fn reload_page(&self, index: usize) -> (Option<Page>, Vec<Diagnostic>) {
        let old = &self.pages[index];
        let path = self.root.join(&old.source);
        let (page, diags) = load_page(&self.root, &self.root.join(CONTENT_DIR), &path);
        let page = page.map(|mut p| {
            p.parent = old.parent;
            p.template.clone_from(&old.template);
            p
        });
        (page, diags)
    }

    pub fn home(&self) -> &Page {
        &self.pages[0]
    }

    /// Ancestors of a page from the home page down to its parent.
    pub fn ancestors(&self, index: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut current = self.pages[index].parent;
        while let Some(i) = current {
            chain.push(i);
            current = self.pages[i].parent;
        }
        chain.reverse();
        chain
    }

    /// Pages in the main navigation, in menu order.
    pub fn menu(&self) -> Vec<usize> {
        let mut items: Vec<usize> = (0..self.pages.len())
            .filter(|&i| self.pages[i].front.menu.is_some())
            .collect();
        items.sort_by_key(|&i| (self.pages[i].front.menu, self.pages[i].url.clone()));
        items
    }
}

fn walk_files(dir: &Path) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> {
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !crate::core::fs::is_ignored_name(&e.file_name().to_string_lossy())
        })
}

fn markdown_files(root: &Path, dir: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in walk_files(dir) {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                if e.path().extension().is_some_and(|x| x == "md") {
                    files.push(e.into_path());
                } else {
                    diagnostics.push(Diagnostic::warning(
                        display_path(root, e.path()),
                        None,
                        "diabaikan: bukan berkas Markdown (.md); taruh gambar dan berkas lain di static/",
                    ));
                }
            }
            Ok(_) => {}
            Err(e) => diagnostics.push(Diagnostic::error(
                display_path(root, e.path().unwrap_or(dir)),
                None,
                format!("tidak dapat dibaca: {e}"),
            )),
        }
    }
    files
}

fn static_assets(root: &Path, diagnostics: &mut Vec<Diagnostic>) -> BTreeMap<String, PathBuf> {
    let dir = root.join(STATIC_DIR);
    let mut assets = BTreeMap::new();
    if !dir.is_dir() {
        return assets;
    }
    for entry in walk_files(&dir) {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let rel = e.path().strip_prefix(&dir).unwrap_or(e.path());
                let url: String = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .fold(String::new(), |acc, c| acc + "/" + &c);
                assets.insert(url, e.into_path());
            }
            Ok(_) => {}
            Err(e) => diagnostics.push(Diagnostic::error(
                display_path(root, e.path().unwrap_or(&dir)),
                None,
                format!("tidak dapat dibaca: {e}"),
            )),
        }
    }
    assets
}

/// Lowercase ASCII letters, digits, `-` and `_`; anything else becomes `-`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() || c == '_' {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// `content/a/b.md` -> `/a/b/`, `content/a/_index.md` -> `/a/`.
pub fn url_for(rel: &Path) -> (String, PageKind) {
    let mut segments: Vec<String> = rel
        .parent()
        .into_iter()
        .flat_map(|p| p.components())
        .map(|c| slugify(&c.as_os_str().to_string_lossy()))
        .collect();
    let stem = rel
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let kind = if stem == "_index" {
        if segments.is_empty() {
            PageKind::Home
        } else {
            PageKind::Section
        }
    } else {
        segments.push(slugify(&stem));
        PageKind::Page
    };
    let mut url = String::from("/");
    for s in segments {
        url.push_str(&s);
        url.push('/');
    }
    (url, kind)
}

/// Orders pages (home first), links each to its section, picks templates and
/// reports URL collisions.
fn assemble(
    root: &Path,
    config: SiteConfig,
    mut pages: Vec<Page>,
    assets: BTreeMap<String, PathBuf>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Site {
    pages.sort_by(|a, b| a.url.cmp(&b.url).then_with(|| a.source.cmp(&b.source)));
    // Two files for one URL: report every pair, keep the first.
    let mut deduped: Vec<Page> = Vec::with_capacity(pages.len());
    for page in pages {
        match deduped.last() {
            Some(prev) if prev.url == page.url => diagnostics.push(Diagnostic::error(
                &page.source,
                None,
                format!(
                    "{} dan {} sama-sama menjadi halaman {}; ganti nama atau hapus salah satunya",
                    prev.source.display(),
                    page.source.display(),
                    page.url
                ),
            )),
            _ => deduped.push(page),
        }
    }
    let mut pages = deduped;
    if pages.first().is_none_or(|p| p.url != "/") {
        // No content/_index.md: an empty home page still lists the site.
        pages.insert(
            0,
            Page {
                source: PathBuf::from(CONTENT_DIR).join("_index.md"),
                url: "/".to_string(),
                kind: PageKind::Home,
                title: config.title.clone(),
                front: FrontMatter::default(),
                front_text: String::new(),
                body: Some(String::new()),
                body_line: 1,
                updated: dates::today(),
                parent: None,
                template: String::new(),
            },
        );
    }
    let by_url: HashMap<String, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.url.clone(), i))
        .collect();

    for i in 1..pages.len() {
        pages[i].parent = Some(nearest_section(&pages, &by_url, &pages[i].url));
    }
    for i in 0..pages.len() {
        let template = match (&pages[i].front.template, pages[i].kind) {
            (Some(t), _) => t.clone(),
            (None, PageKind::Home) => "index.html".to_string(),
            (None, PageKind::Section) => "section.html".to_string(),
            (None, PageKind::Page) if pages[i].front.form.is_some() => "form.html".to_string(),
            (None, PageKind::Page) => inherited_page_template(&pages, i),
        };
        pages[i].template = template;
    }

    let mut children = vec![Vec::new(); pages.len()];
    for (i, page) in pages.iter().enumerate() {
        if let Some(p) = page.parent {
            children[p].push(i);
        }
    }
    for list in &mut children {
        list.sort_by(|&a, &b| {
            (pages[a].front.weight, &pages[a].title, &pages[a].url).cmp(&(
                pages[b].front.weight,
                &pages[b].title,
                &pages[b].url,
            ))
        });
    }
    Site {
        root: root.to_path_buf(),
        config,
        pages: pages.into_iter().map(Arc::new).collect(),
        by_url: Arc::new(by_url),
        children: Arc::new(children),
        asset_urls: Arc::new(crate::site::assets::hashed_urls(&assets)),
        assets: Arc::new(assets),
    }
}

fn nearest_section(pages: &[Page], by_url: &HashMap<String, usize>, url: &str) -> usize {
    let mut candidate = url.trim_end_matches('/');
    while let Some(cut) = candidate.rfind('/') {
        candidate = &candidate[..cut];
        let key = format!("{candidate}/");
        if let Some(&i) = by_url.get(&key)
            && pages[i].kind.is_section()
        {
            return i;
        }
    }
    0
}

fn inherited_page_template(pages: &[Page], index: usize) -> String {
    let mut current = pages[index].parent;
    while let Some(i) = current {
        if let Some(t) = &pages[i].front.page_template {
            return t.clone();
        }
        current = pages[i].parent;
    }
    "page.html".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_files_to_urls() {
        assert_eq!(
            url_for(Path::new("_index.md")),
            ("/".into(), PageKind::Home)
        );
        assert_eq!(
            url_for(Path::new("layanan/_index.md")),
            ("/layanan/".into(), PageKind::Section)
        );
        assert_eq!(
            url_for(Path::new("a/Tentang Kami.md")),
            ("/a/tentang-kami/".into(), PageKind::Page)
        );
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Biaya / Tarif"), "biaya-tarif");
        assert_eq!(
            slugify("Sistem, Mekanisme dan Prosedur"),
            "sistem-mekanisme-dan-prosedur"
        );
        assert_eq!(slugify("  --x--  "), "x");
    }
}
