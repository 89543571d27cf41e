//! The built site the server answers from, with what it reads beside the
//! pages: the form files, the working-day terms and the survey's wording.

use std::collections::HashMap;
use std::sync::Arc;

use crate::forms::registry::Forms;
use crate::forms::spec::FormSpec;
use crate::site::build::BuildReport;
use crate::site::check::Anchors;
use crate::site::content::Site;
use crate::site::render::{Renderer, Templates};
use crate::site::terms::Terms;

/// The built site the server answers from.
pub struct Published {
    pub site: Site,
    pub templates: Arc<Templates>,
    /// Heading ids per page, for checking links when pages are re-rendered.
    pub anchors: Arc<Anchors>,
    /// Form pages by URL: the page's index and its form, from the site's
    /// form files.
    pub(super) forms: HashMap<String, (usize, Arc<FormSpec>)>,
    /// The site's form files, read with the site (what a form sent back shows).
    pub specs: Forms,
    /// The working-day terms of each form, from the service pages.
    pub terms: Terms,
    /// The survey's questions as `/survei/` asks them.
    pub questionnaire: crate::survey::Questionnaire,
}

impl Published {
    pub fn new(report: BuildReport) -> Published {
        if let Some(previous) = report.previous {
            previous.remove_in_background();
        }
        Published::from_parts(report.site, report.templates, Arc::new(report.anchors))
    }

    pub fn from_parts(site: Site, templates: Arc<Templates>, anchors: Arc<Anchors>) -> Published {
        // The build has reported any problem with the form files already;
        // a site without `forms/` takes loket's own ([`Forms::load`]).
        let specs = Forms::load(&site.root).0;
        let forms = site
            .pages
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let id = p.front.form.as_deref()?;
                let Some(spec) = specs.get(id) else {
                    tracing::error!("{}: no form file for `{id}`", p.url);
                    return None;
                };
                Some((p.url.clone(), (i, spec.clone())))
            })
            .collect();
        // The build has reported any problem with the terms already.
        let (terms, _) = Terms::from_site(&site, &specs);
        // `loket check` says what is wrong with the office's wording file;
        // meanwhile the survey asks in the regulation's words.
        let questionnaire =
            crate::survey::Questionnaire::load(&site.root).unwrap_or_else(|diags| {
                for d in diags.iter().filter(|d| d.is_error()) {
                    tracing::error!("{d} (the survey asks in the regulation's words)");
                }
                crate::survey::Questionnaire::default()
            });
        Published {
            site,
            templates,
            anchors,
            forms,
            specs,
            terms,
            questionnaire,
        }
    }

    pub(super) fn renderer(&self) -> Renderer<'_> {
        Renderer::new(&self.templates, &self.site)
    }
}
