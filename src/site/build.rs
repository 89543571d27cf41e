//! The build pipeline: load the site, render every page in parallel straight
//! to disk, check links, then swap the new output into place.
//!
//! [`build`] writes; [`check`] runs the same pipeline into a sink.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::core::calendar::Calendar;
use crate::core::diagnostic::{self, Diagnostic};
use crate::forms::registry::Forms;
use crate::forms::view::FormView;
use crate::site::check::{self, Anchors};
use crate::site::content::Site;
use crate::site::markdown::{self, LinkRef};
use crate::site::output::{Previous, Staging};
use crate::site::render::{Renderer, Templates};
use crate::site::{assets, compress};

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site folder: `site.yaml`, `content/`, `templates/`, `static/`.
    pub root: PathBuf,
    /// Where the site is written; replaced whole on success.
    pub out: PathBuf,
    /// Upload limit the forms announce, in megabytes.
    pub max_upload_mb: u64,
}

impl BuildOptions {
    pub fn new(root: impl Into<PathBuf>, out: impl Into<PathBuf>) -> BuildOptions {
        BuildOptions {
            root: root.into(),
            out: out.into(),
            max_upload_mb: DEFAULT_MAX_UPLOAD_MB,
        }
    }
}

/// Default size limit of one uploaded file: what phone cameras produce
/// (photos are re-encoded to well under 1 MB when they arrive, so this
/// costs bandwidth and a moment of CPU, not storage).
pub const DEFAULT_MAX_UPLOAD_MB: u64 = 15;

pub struct BuildReport {
    pub pages: usize,
    pub assets: usize,
    pub elapsed: Duration,
    pub warnings: Vec<Diagnostic>,
    /// What was built, for the server to render form and status pages with
    /// and for the next rebuild to start from.
    pub site: Site,
    pub templates: Arc<Templates>,
    pub anchors: Anchors,
    /// The output this build replaced: removed when dropped, after the
    /// report ([`Previous::remove_in_background`] for a server,
    /// [`Previous::leave_for_next_build`] for a command).
    pub previous: Option<Previous>,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The site has problems; every one is listed (warnings too).
    #[error("the site has {} error(s)", .0.iter().filter(|d| d.is_error()).count())]
    Invalid(Vec<Diagnostic>),
    #[error("cannot write the site to {}: {source}", .path.display())]
    Output { path: PathBuf, source: io::Error },
}

/// Builds the site from `opts.root` into `opts.out`. On any error the previous
/// output is left exactly as it was.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    build_reusing(opts, None)
}

/// Like [`build`], with already parsed templates when they did not change.
pub fn build_reusing(
    opts: &BuildOptions,
    templates: Option<Arc<Templates>>,
) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    check_output_path(opts)?;
    let output_error = |source| BuildError::Output {
        path: opts.out.clone(),
        source,
    };
    // First: what earlier builds left is removed while this one loads.
    let staging = Staging::create(&opts.out).map_err(output_error)?;
    let (site, templates, mut diags) = load(&opts.root, templates)?;
    let (generated, anchors) = generate(
        &site,
        &templates,
        &Forms::load(&opts.root).0,
        opts.max_upload_mb,
        Some(Out {
            dir: staging.path(),
            previous: &opts.out,
        }),
    );
    diags.extend(generated);
    // Information is for `loket check`; a build reports what needs doing.
    diags.retain(|d| d.severity != diagnostic::Severity::Info);
    diagnostic::sort(&mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(BuildError::Invalid(diags));
    }
    let hashed: Vec<&str> = (site.asset_urls.iter())
        .filter(|(url, hashed)| url != hashed)
        .map(|(_, hashed)| hashed.as_str())
        .collect();
    assets::carry_over(&opts.out, staging.path(), &hashed).map_err(output_error)?;
    let previous = staging.commit().map_err(output_error)?;
    Ok(BuildReport {
        previous,
        pages: site.pages.len(),
        assets: site.assets.len(),
        elapsed: started.elapsed(),
        warnings: diags,
        site,
        templates,
        anchors,
    })
}

/// Refuses an output folder that would swallow the site: the site folder
/// itself, a folder above it, or one of its source folders.
fn check_output_path(opts: &BuildOptions) -> Result<(), BuildError> {
    let root = crate::site::output::absolute(&opts.root);
    let out = crate::site::output::absolute(&opts.out);
    let sources = [
        crate::site::content::CONTENT_DIR,
        crate::site::content::TEMPLATES_DIR,
        crate::site::content::STATIC_DIR,
        crate::core::calendar::HOLIDAYS_DIR,
    ];
    let clash = root.starts_with(&out) || sources.iter().any(|d| out.starts_with(root.join(d)));
    if clash {
        return Err(BuildError::Output {
            path: opts.out.clone(),
            source: io::Error::new(
                io::ErrorKind::InvalidInput,
                "the output folder must not be the site folder, contain it, or lie inside content/, templates/, static/ or hari-libur/",
            ),
        });
    }
    Ok(())
}

/// Runs every check of a build without writing anything; returns all problems.
pub fn check(root: &Path) -> Vec<Diagnostic> {
    // The form files are read once: their own mistakes are reported here,
    // and the pages render with the forms that read.
    let (forms, form_diags) = Forms::load(root);
    let mut diags = match load(root, None) {
        Ok((site, templates, mut diags)) => {
            diags.extend(generate(&site, &templates, &forms, DEFAULT_MAX_UPLOAD_MB, None).0);
            diags.extend(check::form_files(root, &site, &forms));
            if let Ok(calendar) = Calendar::load(root).map_err(|e| diags.extend(e)) {
                diags.extend(calendar.coverage_warnings(crate::core::dates::today()));
            }
            diags
        }
        Err(BuildError::Invalid(diags)) => diags,
        Err(other) => vec![Diagnostic::error(root, None, other.to_string())],
    };
    diags.extend(form_diags);
    // The survey's wording is the server's to use; its mistakes are said here.
    diags.extend(
        crate::survey::Questionnaire::load(root)
            .err()
            .unwrap_or_default(),
    );
    diagnostic::sort(&mut diags);
    diags
}

type Loaded = (Site, Arc<Templates>, Vec<Diagnostic>);

/// The site model and templates of `root`, as a build would load them,
/// without rendering or writing (the server takes them for a build another
/// process wrote).
pub fn load_site(root: &Path) -> Result<(Site, Arc<Templates>), Vec<Diagnostic>> {
    match load(root, None) {
        Ok((site, templates, _)) => Ok((site, templates)),
        Err(BuildError::Invalid(diags)) => Err(diags),
        Err(e) => Err(vec![Diagnostic::error(root, None, e.to_string())]),
    }
}

fn load(root: &Path, reuse: Option<Arc<Templates>>) -> Result<Loaded, BuildError> {
    let loaded = Site::load(root);
    let mut diags = loaded.diagnostics;
    let templates = match reuse {
        Some(t) => Some(t),
        None if root.join(crate::site::content::TEMPLATES_DIR).is_dir() => Templates::load(root)
            .map(Arc::new)
            .map_err(|errs| diags.extend(errs))
            .ok(),
        None => None,
    };
    match (loaded.site, templates) {
        (Some(site), Some(templates)) if !diags.iter().any(Diagnostic::is_error) => {
            Ok((site, templates, diags))
        }
        _ => {
            diagnostic::sort(&mut diags);
            Err(BuildError::Invalid(diags))
        }
    }
}

/// Where a build writes: `dir`, the staging folder, in place of
/// `previous`, the output as it is (whose compressed copies of a file that
/// did not change are taken rather than made again).
#[derive(Clone, Copy)]
struct Out<'a> {
    dir: &'a Path,
    previous: &'a Path,
}

impl Out<'_> {
    /// Writes the file at `rel` (relative to the output folder).
    fn write(
        &self,
        rel: &str,
        fill: impl FnOnce(&mut Vec<u8>) -> Result<(), Diagnostic>,
    ) -> Result<(), Diagnostic> {
        let rel = rel.trim_start_matches('/');
        write_file(&self.dir.join(rel), Some(&self.previous.join(rel)), fill)
    }
}

/// What rendering one page leaves for the site-wide checks.
struct PageResult {
    index: usize,
    ids: HashSet<String>,
    links: Vec<LinkRef>,
    diags: Vec<Diagnostic>,
}

/// Renders every page (to `out`, or nowhere when checking) and runs the
/// checks. A page whose form did not read renders without it (`check`
/// reports the form file's mistakes).
fn generate(
    site: &Site,
    templates: &Templates,
    forms: &Forms,
    max_upload_mb: u64,
    out: Option<Out<'_>>,
) -> (Vec<Diagnostic>, Anchors) {
    let mut diags = check::templates_exist(site, templates);
    diags.extend(check::asset_collisions(site));
    if diags.iter().any(Diagnostic::is_error) {
        return (diags, Anchors::new());
    }
    let renderer = Renderer::new(templates, site);
    // Published survey results count as the standard's "evaluasi kinerja".
    let survey = crate::site::survey::ResultsPage::of(site, templates);
    let evaluated = survey.published();
    let listed = survey.sitemap_entries();
    // The 404 page, the sitemap and the assets do not wait for the pages.
    let (results, others) = rayon::join(
        || {
            (0..site.pages.len())
                .into_par_iter()
                .map(|i| render_one(site, forms, &renderer, i, max_upload_mb, evaluated, out))
                .collect::<Vec<PageResult>>()
        },
        || {
            let mut diags = Vec::new();
            let not_found = match out {
                Some(out) => out.write("404.html", |w| renderer.render_not_found(w)),
                None => renderer.render_not_found(io::sink()),
            };
            diags.extend(not_found.err());
            diags.extend(survey_page(&renderer, survey, out).err());
            if let Some(out) = out {
                let sitemap = out.write("sitemap.xml", |w| {
                    crate::site::render::render_sitemap(templates, site, &listed, w)
                });
                diags.extend(sitemap.err());
                diags.extend(copy_assets(site, out.dir));
            }
            diags
        },
    );

    let mut anchors = Anchors::new();
    let mut links = Vec::with_capacity(results.len());
    for r in results {
        anchors.insert(r.index, r.ids);
        diags.extend(r.diags);
        links.push((r.index, r.links));
    }
    let broken: Vec<Vec<Diagnostic>> = links
        .par_iter()
        .map(|(index, links)| check::page_links(site, &anchors, *index, links))
        .collect();
    diags.extend(broken.into_iter().flatten());
    diags.extend(check::template_links(site, &anchors, templates));
    diags.extend(check::config_links(site, &anchors));
    diags.extend(others);
    if site.pages.iter().any(|p| p.front.form.is_some()) {
        diags.extend(check::submission_templates(&renderer, forms));
        diags.extend(crate::site::terms::Terms::from_site(site, forms).1);
    }
    (diags, anchors)
}

/// `/survei/hasil/` ([`crate::site::survey::ResultsPage`]).
fn survey_page(
    renderer: &Renderer,
    survey: crate::site::survey::ResultsPage,
    out: Option<Out<'_>>,
) -> Result<(), Diagnostic> {
    if !survey.built {
        return Ok(());
    }
    let view = survey.view?;
    match out {
        Some(out) => out.write(
            &format!("{}index.html", crate::site::survey::RESULTS_URL),
            |w| renderer.render_survey_results(&view, w),
        ),
        None => renderer.render_survey_results(&view, io::sink()),
    }
}

fn render_one(
    site: &Site,
    forms: &Forms,
    renderer: &Renderer,
    index: usize,
    max_upload_mb: u64,
    evaluated: bool,
    out: Option<Out<'_>>,
) -> PageResult {
    let page = &site.pages[index];
    let body = match page.markdown(&site.root) {
        Ok(text) => markdown::render(&text),
        Err(d) => {
            return PageResult {
                index,
                ids: HashSet::new(),
                links: Vec::new(),
                diags: vec![d],
            };
        }
    };
    let mut diags = check::service_components(page, &body.toc);
    diags.extend(check::standard_coverage(site, page, &body.toc, evaluated));
    let form = page
        .front
        .form
        .as_deref()
        .and_then(|id| form_view(site, forms, id, &page.url, max_upload_mb));
    let rendered = match out {
        Some(out) => out.write(&format!("{}index.html", page.url), |w| {
            renderer.render_page(index, &body, form.as_ref(), w)
        }),
        None => renderer.render_page(index, &body, form.as_ref(), io::sink()),
    };
    diags.extend(rendered.err());
    PageResult {
        index,
        ids: body.toc.into_iter().map(|t| t.id).collect(),
        links: body.links,
        diags,
    }
}

/// Creates `path` (and its folders) with what `fill` writes, in one write.
/// The empty form of a page with `form:`, from its form file.
pub(crate) fn form_view(
    site: &Site,
    forms: &Forms,
    id: &str,
    url: &str,
    max_upload_mb: u64,
) -> Option<FormView> {
    let spec = forms.get(id)?;
    let purpose = site.config.privacy.purpose_for(id, &spec.noun);
    Some(FormView::new(spec, url, max_upload_mb, &purpose))
}

/// Creates `path` (and its folders) with what `fill` writes, in one write,
/// and its compressed copies. `previous` is the same file in the output
/// this build replaces: when it holds the same bytes, it and its
/// compressed copies are linked instead of written and made again (a
/// rebuild compresses only the pages that changed; docs/benchmarks.md,
/// "Compressed copies (issue 31)"). Without `previous`, a page
/// rewritten in place in the output: its old copies are removed first,
/// then it is written to a temporary name and renamed over the old one,
/// then its copies are made, so a copy never outlives its page.
fn write_file(
    path: &Path,
    previous: Option<&Path>,
    fill: impl FnOnce(&mut Vec<u8>) -> Result<(), Diagnostic>,
) -> Result<(), Diagnostic> {
    let io_error =
        |e: io::Error| Diagnostic::error(path, None, format!("tidak dapat ditulis: {e}"));
    let mut bytes = Vec::with_capacity(16 * 1024);
    fill(&mut bytes)?;
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io_error)?;
    }
    let Some(previous) = previous else {
        compress::remove_variants(path).map_err(io_error)?;
        let tmp = compress::variant_path(path, "tmp");
        fs::write(&tmp, &bytes)
            .and_then(|()| fs::rename(&tmp, path))
            .inspect_err(|_| {
                let _ = fs::remove_file(&tmp);
            })
            .map_err(io_error)?;
        return compress::write_variants(path, &bytes, compress::Effort::Page).map_err(io_error);
    };
    if compress::is_compressible(path) && holds(previous, &bytes) {
        // The page and its copies as they were: three links (the page
        // keeps its time, so its ETag too). Nothing is ever written into
        // an output file in place (a page rewritten in place is renamed
        // over), so the previous output cannot change through them.
        let linked =
            fs::hard_link(previous, path).and_then(|()| compress::link_variants(previous, path));
        if linked.is_ok() {
            return Ok(());
        }
        // Made afresh below: no link left to write through.
        let _ = fs::remove_file(path);
        compress::remove_variants(path).map_err(io_error)?;
    }
    fs::write(path, &bytes).map_err(io_error)?;
    compress::write_variants(path, &bytes, compress::Effort::Page).map_err(io_error)
}

/// Whether the file at `path` holds exactly `bytes`: read once into a
/// buffer one byte longer, so a longer file shows without asking its size.
fn holds(path: &Path, bytes: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut file) = fs::File::open(path) else {
        return false;
    };
    let mut buf = vec![0; bytes.len() + 1];
    let mut filled = 0;
    loop {
        match file.read(&mut buf[filled..]) {
            Ok(0) => return buf[..filled] == *bytes,
            Ok(n) if filled + n > bytes.len() => return false,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

/// Copies each asset with its compressed copies, under its plain URL and
/// its content-hashed one (`site::assets`).
fn copy_assets(site: &Site, dir: &Path) -> Vec<Diagnostic> {
    site.assets
        .par_iter()
        .filter_map(|(url, source)| {
            let dest = dir.join(url.trim_start_matches('/'));
            let copied = fs::read(source).and_then(|bytes| {
                if let Some(parent) = dest.parent() {
                    fs::create_dir_all(parent)?;
                }
                fs::write(&dest, &bytes)?;
                compress::write_variants(&dest, &bytes, compress::Effort::Best)?;
                match site.asset_urls.get(url) {
                    Some(hashed) if hashed != url => assets::write_hashed(dir, hashed, &dest),
                    _ => Ok(()),
                }
            });
            copied.err().map(|e| {
                Diagnostic::error(
                    diagnostic::display_path(&site.root, source),
                    None,
                    format!("berkas aset tidak dapat disalin: {e}"),
                )
            })
        })
        .collect()
}

/// Result of [`update_pages`].
pub enum PageUpdate {
    /// Only these pages changed, and they were rewritten in place.
    /// Heading ids are unchanged (else a full build is needed), so the
    /// anchors the site had still hold.
    Done {
        site: Box<Site>,
        urls: Vec<String>,
        warnings: Vec<Diagnostic>,
    },
    /// The edit reaches beyond the pages' bodies: build the whole site.
    NeedsFullBuild,
    /// The edited pages have errors; the output was not touched.
    Invalid(Vec<Diagnostic>),
}

/// The quick path for the common edit (the text of existing pages, with
/// their front matter and headings unchanged): re-renders just those pages,
/// with the parsed templates and the rest of the site as they were, and
/// replaces each page file atomically (temp file + rename). Anything else
/// (a new or removed page, a changed title or heading, a template, an asset)
/// asks for a full build, because other pages may show it.
pub fn update_pages(
    opts: &BuildOptions,
    site: &Site,
    templates: &Templates,
    anchors: &Anchors,
    changed: &[PathBuf],
) -> PageUpdate {
    let mut new_site = site.clone();
    let mut indexes = Vec::new();
    let mut diags = Vec::new();
    for path in changed {
        // A new page, or one that was removed or renamed, changes menus and lists.
        let Some(index) = site.index_of_source(path).filter(|_| path.exists()) else {
            return PageUpdate::NeedsFullBuild;
        };
        let (page, page_diags) = site.reload_page(index);
        diags.extend(page_diags);
        let Some(page) = page else {
            return PageUpdate::Invalid(diags);
        };
        let old = &site.pages[index];
        if page.url != old.url || page.title != old.title || page.front_text != old.front_text {
            return PageUpdate::NeedsFullBuild;
        }
        new_site.pages[index] = Arc::new(page);
        indexes.push(index);
    }
    let renderer = Renderer::new(templates, &new_site);
    let mut rendered = Vec::new();
    for &index in &indexes {
        let page = &new_site.pages[index];
        let body = match page.markdown(&new_site.root) {
            Ok(text) => markdown::render(&text),
            Err(d) => {
                diags.push(d);
                return PageUpdate::Invalid(diags);
            }
        };
        let ids: HashSet<String> = body.toc.iter().map(|t| t.id.clone()).collect();
        if anchors.get(&index) != Some(&ids) {
            // Links elsewhere may point at a heading that moved.
            return PageUpdate::NeedsFullBuild;
        }
        diags.extend(check::service_components(page, &body.toc));
        diags.extend(check::page_links(&new_site, anchors, index, &body.links));
        rendered.push((index, body));
    }
    if diags.iter().any(Diagnostic::is_error) {
        return PageUpdate::Invalid(diags);
    }
    let forms = Forms::load(&new_site.root).0;
    for (index, body) in &rendered {
        let page = &new_site.pages[*index];
        let form = page
            .front
            .form
            .as_deref()
            .and_then(|id| form_view(&new_site, &forms, id, &page.url, opts.max_upload_mb));
        let file = opts
            .out
            .join(page.url.trim_start_matches('/'))
            .join("index.html");
        let written = write_file(&file, None, |w| {
            renderer.render_page(*index, body, form.as_ref(), w)
        });
        if let Err(d) = written {
            diags.push(d);
            return PageUpdate::Invalid(diags);
        }
    }
    PageUpdate::Done {
        urls: indexes
            .iter()
            .map(|&i| new_site.pages[i].url.clone())
            .collect(),
        site: Box::new(new_site),
        warnings: diags,
    }
}
