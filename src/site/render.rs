//! Rendering pages: Markdown through [`crate::site::markdown`], then the page's Tera
//! template. Templates are parsed once ([`Templates::load`], the one registry
//! in [`crate::office::templates`]) and shared by every page and every thread.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::Serialize;
use tera::{Context, Tera, Value};

use crate::core::dates;
use crate::core::diagnostic::Diagnostic;
use crate::forms::view::FormView;
use crate::office::templates::diagnostic as tera_diagnostic;
pub use crate::office::templates::{
    LOOKUP_TEMPLATE, REPORT_TEMPLATE, SITEMAP_TEMPLATE, SURVEY_TEMPLATE, Templates,
};
use crate::site::content::{PageKind, Service, Site};
use crate::site::markdown::{Rendered, TocEntry};

mod lookup;
mod survey;
pub use lookup::{LookupCase, LookupError, LookupStep, LookupView, ReplyFile, ReplyForm};
pub use survey::{MAX_SUGGESTION_CHARS, SurveyState, SurveyView, thousands};

/// An entry of a page's error summary (`/survei/`, the reply on
/// `/cek-status/`): the id of the input it links to, and what is wrong.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SummaryError {
    pub id: String,
    pub message: String,
}

/// Template of the page shown after a successful submission.
pub const CONFIRMATION_TEMPLATE: &str = "terkirim.html";
/// Template of the pages the server answers errors with (400, 413, 429, …).
pub const STATUS_TEMPLATE: &str = "status.html";
/// Template of the "page not found" page.
pub const NOT_FOUND_TEMPLATE: &str = "404.html";

/// The last-resort pages, in a Tera of their own: the page `serve --watch`
/// shows while the site does not build (never overridden: it must show
/// when the site's templates are what is broken), and the error page for
/// when neither `status.html` nor the site's `galat.html` renders.
const LAST_RESORT: [(&str, &str); 2] = [
    (FALLBACK_TEMPLATE, include_str!("builtin/galat.html")),
    (
        BUILD_ERROR_TEMPLATE,
        include_str!("builtin/gagal-dibangun.html"),
    ),
];
const FALLBACK_TEMPLATE: &str = "galat.html";
const BUILD_ERROR_TEMPLATE: &str = "gagal-dibangun.html";

/// The last-resort templates, parsed once (they are part of loket, so
/// they parse).
fn last_resort() -> &'static Tera {
    static LAST: std::sync::LazyLock<Tera> = std::sync::LazyLock::new(|| {
        let mut tera = Tera::new();
        if let Err(e) = tera.add_raw_templates(LAST_RESORT) {
            tracing::error!("loket's own templates do not parse: {e}");
        }
        tera
    });
    &LAST
}

/// Renders a last-resort template with nothing of the site's; on the
/// impossible failure, a line of text.
fn render_last_resort(name: &str, ctx: &Context) -> Vec<u8> {
    last_resort()
        .render(name, ctx)
        .map(String::into_bytes)
        .unwrap_or_else(|e| format!("Kesalahan ({e})").into_bytes())
}

/// The page `serve --watch` shows while the site does not build.
pub fn build_error_page(problems: &[Diagnostic]) -> Vec<u8> {
    let mut ctx = Context::new();
    let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
    ctx.insert("problems", &problems);
    render_last_resort(BUILD_ERROR_TEMPLATE, &ctx)
}

/// The last-resort error page, for when `status.html` cannot be rendered:
/// the site's `galat.html` if it has one that renders, the built-in one
/// otherwise.
pub fn render_fallback(templates: &Templates, title: &str, message: &str) -> Vec<u8> {
    let mut ctx = Context::new();
    ctx.insert("title", title);
    ctx.insert("message", message);
    templates
        .render(FALLBACK_TEMPLATE, &ctx)
        .map(String::into_bytes)
        .unwrap_or_else(|_| render_last_resort(FALLBACK_TEMPLATE, &ctx))
}

/// `sitemap.xml` of every page, and of the pages the build makes that are
/// not content (`extra`: path and last change, `YYYY-MM-DD`).
pub fn render_sitemap(
    templates: &Templates,
    site: &Site,
    extra: &[(&str, String)],
    out: impl Write,
) -> Result<(), Diagnostic> {
    #[derive(Serialize)]
    struct Entry {
        loc: String,
        lastmod: String,
    }
    let pages: Vec<Entry> = site
        .pages
        .iter()
        .map(|p| Entry {
            loc: format!("{}{}", site.config.base_url, p.url),
            lastmod: dates::format_iso(p.updated),
        })
        .chain(extra.iter().map(|(path, lastmod)| Entry {
            loc: format!("{}{path}", site.config.base_url),
            lastmod: lastmod.clone(),
        }))
        .collect();
    let mut ctx = Context::new();
    ctx.insert("pages", &pages);
    templates
        .render_to(SITEMAP_TEMPLATE, &ctx, out)
        .map_err(|e| tera_diagnostic(&e, None))
}

/// Where citizens look a case up (made by the server, not a content page).
pub const LOOKUP_URL: &str = "/cek-status/";
/// Where the survey is answered ([`crate::survey`]).
pub const SURVEY_URL: &str = "/survei/";

#[derive(Serialize)]
struct LinkView<'a> {
    title: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct ChildView<'a> {
    title: &'a str,
    url: &'a str,
    description: &'a str,
    kind: PageKind,
    weight: i64,
    service: Option<&'a Service>,
}

#[derive(Serialize)]
struct SectionView<'a> {
    title: &'a str,
    url: &'a str,
    description: &'a str,
    kind: PageKind,
    children: Vec<ChildView<'a>>,
}

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    description: &'a str,
    url: &'a str,
    permalink: String,
    kind: &'a str,
    content: &'a str,
    updated: String,
    updated_iso: String,
    source: String,
    template: &'a str,
    service: Option<&'a Service>,
    toc: &'a [TocEntry],
    extra: &'a BTreeMap<String, crate::core::yaml::Value>,
}

/// Everything page-independent that templates see, converted to Tera values
/// once per build; per-page contexts share it (Tera values are reference counted).
pub struct Renderer<'a> {
    templates: &'a Templates,
    site: &'a Site,
    site_value: Value,
    nav: Value,
    sections: Value,
    section_values: Vec<Option<Value>>,
    asset_urls: Value,
}

impl<'a> Renderer<'a> {
    pub fn new(templates: &'a Templates, site: &'a Site) -> Renderer<'a> {
        let section_values: Vec<Option<Value>> = (0..site.pages.len())
            .map(|i| {
                site.pages[i]
                    .kind
                    .is_section()
                    .then(|| section_value(site, i))
            })
            .collect();
        let sections: BTreeMap<&str, &Value> = section_values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_ref().map(|v| (site.pages[i].url.as_str(), v)))
            .collect();
        let mut nav: Vec<LinkView> = site
            .menu()
            .into_iter()
            .map(|i| LinkView {
                title: &site.pages[i].title,
                url: &site.pages[i].url,
            })
            .collect();
        // The page the server makes for citizens to follow their case is
        // always in the menu, last (a content page may not stand in for it).
        if !nav.iter().any(|item| item.url == LOOKUP_URL) {
            nav.push(LinkView {
                title: "Cek status",
                url: LOOKUP_URL,
            });
        }
        Renderer {
            templates,
            site,
            site_value: Value::from_serializable(&site.config.to_template_value()),
            nav: Value::from_serializable(&nav),
            sections: Value::from_serializable(&sections),
            section_values,
            asset_urls: Value::from_serializable(&*site.asset_urls),
        }
    }

    fn base_context(&self) -> Context {
        let mut ctx = Context::new();
        ctx.insert_value("site", self.site_value.clone());
        ctx.insert_value("nav", self.nav.clone());
        ctx.insert_value("sections", self.sections.clone());
        ctx.insert_value(
            crate::office::templates::ASSET_URLS,
            self.asset_urls.clone(),
        );
        ctx
    }

    /// Renders page `index` (its Markdown already turned into `body`) to `out`.
    /// A form page gets `form`: empty when building, filled when the server
    /// shows it again with errors.
    pub fn render_page(
        &self,
        index: usize,
        body: &Rendered,
        form: Option<&FormView>,
        out: impl Write,
    ) -> Result<(), Diagnostic> {
        let page = &self.site.pages[index];
        let mut ctx = self.base_context();
        let view = PageView {
            title: &page.title,
            description: &page.front.description,
            url: &page.url,
            permalink: format!("{}{}", self.site.config.base_url, page.url),
            kind: match page.kind {
                PageKind::Home => "home",
                PageKind::Section => "section",
                PageKind::Page => "page",
            },
            content: &body.html,
            updated: dates::format_long(page.updated),
            updated_iso: dates::format_iso(page.updated),
            source: page.source.to_string_lossy().into_owned(),
            template: &page.template,
            service: page.front.service.as_ref(),
            toc: &body.toc,
            extra: &page.front.extra,
        };
        let in_page = |e: tera::Error| tera_diagnostic(&e, Some(&page.source));
        ctx.insert_value(
            "page",
            Value::try_from_serializable(&view).map_err(in_page)?,
        );
        let crumbs: Vec<LinkView> = self
            .site
            .ancestors(index)
            .into_iter()
            .map(|i| LinkView {
                title: &self.site.pages[i].title,
                url: &self.site.pages[i].url,
            })
            .collect();
        ctx.insert("breadcrumbs", &crumbs);
        let section = self.section_values[index]
            .clone()
            .or_else(|| page.parent.and_then(|p| self.section_values[p].clone()));
        if let Some(section) = section {
            ctx.insert_value("section", section);
        }
        if let Some(form) = form {
            ctx.insert("form", form);
        }
        self.templates
            .render_to(&page.template, &ctx, out)
            .map_err(in_page)
    }

    /// Renders a page that has no content file: 404, confirmation, status.
    fn render_special(
        &self,
        template: &str,
        title: &str,
        kind: &str,
        url: &str,
        fill: impl FnOnce(&mut Context),
        out: impl Write,
    ) -> Result<(), Diagnostic> {
        let mut ctx = self.base_context();
        let today = dates::today();
        let no_extra = BTreeMap::new();
        let view = PageView {
            title,
            description: "",
            url,
            permalink: format!("{}{url}", self.site.config.base_url),
            kind,
            content: "",
            updated: dates::format_long(today),
            updated_iso: dates::format_iso(today),
            source: String::new(),
            template,
            service: None,
            toc: &[],
            extra: &no_extra,
        };
        ctx.insert("page", &view);
        ctx.insert("breadcrumbs", &Vec::<LinkView>::new());
        if let Some(home) = self.section_values[0].clone() {
            ctx.insert_value("section", home);
        }
        fill(&mut ctx);
        self.templates
            .render_to(template, &ctx, out)
            .map_err(|e| tera_diagnostic(&e, Some(Path::new(template))))
    }

    /// Renders the "page not found" page.
    pub fn render_not_found(&self, out: impl Write) -> Result<(), Diagnostic> {
        self.render_special(
            NOT_FOUND_TEMPLATE,
            "Halaman tidak ditemukan",
            "404",
            "/404.html",
            |_| {},
            out,
        )
    }

    /// Renders `/survei/hasil/`, the survey results staff published.
    pub fn render_survey_results(
        &self,
        view: &crate::site::survey::ResultsView,
        out: impl Write,
    ) -> Result<(), Diagnostic> {
        use crate::site::survey::{RESULTS_TEMPLATE, RESULTS_URL};
        self.render_special(
            RESULTS_TEMPLATE,
            "Hasil Survei Kepuasan Masyarakat",
            "survei-hasil",
            RESULTS_URL,
            |ctx| ctx.insert("survey", view),
            out,
        )
    }

    /// Renders the page a citizen sees after a successful submission.
    pub fn render_confirmation(
        &self,
        view: &ConfirmationView,
        out: impl Write,
    ) -> Result<(), Diagnostic> {
        let title = format!("{} terkirim", capitalized(&view.noun));
        self.render_special(
            CONFIRMATION_TEMPLATE,
            &title,
            "terkirim",
            "/terkirim/",
            |ctx| ctx.insert("submission", view),
            out,
        )
    }

    /// Renders `/cek-status/`: the form, or the case it found.
    pub fn render_lookup(&self, view: &LookupView, out: impl Write) -> Result<(), Diagnostic> {
        self.render_special(
            LOOKUP_TEMPLATE,
            "Cek status permohonan atau keluhan",
            "cek-status",
            LOOKUP_URL,
            |ctx| ctx.insert("lookup", view),
            out,
        )
    }

    /// Renders `/survei/`: the box for a code, the questionnaire, or what
    /// became of the key.
    pub fn render_survey(&self, view: &SurveyView, out: impl Write) -> Result<(), Diagnostic> {
        self.render_special(
            SURVEY_TEMPLATE,
            "Survei kepuasan masyarakat",
            "survei",
            SURVEY_URL,
            |ctx| ctx.insert("survey", view),
            out,
        )
    }

    /// Renders an error page (bad request, too large, too many requests, …).
    pub fn render_status(&self, view: &StatusView, out: impl Write) -> Result<(), Diagnostic> {
        self.render_special(
            STATUS_TEMPLATE,
            &view.title,
            "status",
            "",
            |ctx| ctx.insert("status", view),
            out,
        )
    }
}

/// What the confirmation page shows. Holds no personal data.
#[derive(Debug, Clone, Serialize)]
pub struct ConfirmationView {
    pub ticket: String,
    /// What the form calls a submission ("permohonan", "pengaduan").
    pub noun: String,
    /// The form's title.
    pub kind_label: String,
    /// The form's `next_steps`, shown while the case is open.
    pub next_steps: Vec<String>,
    /// Dates the Indonesian way ("27 November 2026").
    pub received: String,
    /// What happens by the deadline: "diselesaikan" (a request) or
    /// "ditanggapi" (a complaint about the service).
    pub verb: &'static str,
    pub due: String,
    pub due_iso: String,
    /// The term's number of days or hours (0 if the site no longer sets one).
    pub due_days: u32,
    /// Its unit: "hari kerja", "hari kalender" or "jam kerja".
    pub due_unit: &'static str,
    /// "" or "perkiraan; daftar libur 2027 belum ditetapkan".
    pub due_note: String,
    /// "proses", "selesai" or "ditolak".
    pub state: &'static str,
    /// The access code, shown once ("KXM4 7PRT"), or "".
    pub access_code: String,
    /// Whether this browser was shown the code before (a reload).
    pub code_shown_before: bool,
    /// The case came from an anonymous form: no code, no status lookup, no
    /// mail, and the receipt says so.
    pub anonymous: bool,
    /// What happens to the deadline while the office waits for missing
    /// documents (a form with a step that asks the citizen), or "".
    pub waiting: String,
}

/// What an error page shows.
#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    pub code: u16,
    pub title: String,
    pub message: String,
    pub retry_after: Option<u64>,
    /// The page to go back to ("" for none).
    pub back_url: String,
}

fn section_value(site: &Site, index: usize) -> Value {
    let page = &site.pages[index];
    let children = site.children[index]
        .iter()
        .map(|&c| {
            let child = &site.pages[c];
            ChildView {
                title: &child.title,
                url: &child.url,
                description: &child.front.description,
                kind: child.kind,
                weight: child.front.weight,
                service: child.front.service.as_ref(),
            }
        })
        .collect();
    Value::from_serializable(&SectionView {
        title: &page.title,
        url: &page.url,
        description: &page.front.description,
        kind: page.kind,
        children,
    })
}

pub use crate::core::text::capitalized;

#[cfg(test)]
mod tests {
    use super::*;

    /// Tera's fast escaping (feature `fast`) escapes the same five
    /// characters as its default: quoted attributes of either kind are safe.
    #[test]
    fn text_is_escaped_for_html_and_both_kinds_of_quotes() {
        let problem = Diagnostic::error("content/a.md", Some(1), r#"<b>&"'</b>"#);
        let page = String::from_utf8(build_error_page(&[problem])).unwrap();
        assert!(
            page.contains("&lt;b&gt;&amp;&quot;&#39;&lt;/b&gt;"),
            "{page}"
        );
        assert!(!page.contains("<b>"), "{page}");
    }
}
