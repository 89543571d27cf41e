//! One page of a site rendered as a build would render it, without writing
//! anything: the desk's preview of a page being edited (issue 30), made on
//! a scratch copy of the site with the change (`edit::SiteFiles::with_change`).

use std::path::Path;

use crate::core::diagnostic::Diagnostic;
use crate::forms::registry::Forms;
use crate::site::build::{DEFAULT_MAX_UPLOAD_MB, form_view, load_site};
use crate::site::markdown;
use crate::site::render::Renderer;

/// The HTML of the page whose file is `source` (relative to `root`,
/// `content/…md`), by the site's own templates, with each asset's URL (its
/// hashed one too) turned into `assets` + its plain path, so the preview
/// loads them from where the desk serves them. `Err`: the problems that
/// keep the site (or this page) from rendering; a page with `draft: true`
/// is not part of the site and has no preview.
pub fn render_page(root: &Path, source: &str, assets: &str) -> Result<String, Vec<Diagnostic>> {
    let (site, templates) = load_site(root)?;
    let Some(index) = site.index_of_source(Path::new(source)) else {
        return Err(vec![Diagnostic::error(
            source,
            None,
            "halaman ini tidak termasuk situs (draft: true), jadi tidak ada pratinjaunya",
        )]);
    };
    let page = &site.pages[index];
    let body = markdown::render(&page.markdown(&site.root).map_err(|d| vec![d])?);
    let forms = Forms::load(root).0;
    let form = page
        .front
        .form
        .as_deref()
        .and_then(|id| form_view(&site, &forms, id, &page.url, DEFAULT_MAX_UPLOAD_MB));
    let renderer = Renderer::new(&templates, &site);
    let mut out = Vec::new();
    renderer
        .render_page(index, &body, form.as_ref(), &mut out)
        .map_err(|d| vec![d])?;
    let mut html = String::from_utf8_lossy(&out).into_owned();
    for (plain, hashed) in site.asset_urls.iter() {
        let served = format!("{}{plain}", assets.trim_end_matches('/'));
        if hashed != plain {
            html = html.replace(hashed.as_str(), &served);
        }
        html = html.replace(&format!("\"{plain}\""), &format!("\"{served}\""));
    }
    Ok(html)
}
