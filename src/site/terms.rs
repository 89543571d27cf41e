//! Whether a site's pages agree with its terms, and the terms of a site
//! without form files. When the site has `forms/`, a form's `term` is its
//! term: `days` (working days), `calendar_days` or `hours` (office hours on
//! working days, from `office.service_hours` in site.yaml), counted until
//! the case is completed (`until: selesai`, *diselesaikan*) or first
//! answered (`until: tanggapan`, *ditanggapi*). A service page that still
//! gives a number (`service.working_days` of the page whose `service.form`
//! points at the form, `service.complaint_days` for a form answered within
//! a term) must agree with it.
//!
//! A site without `forms/` takes the terms from the service pages alone:
//!
//! - `service.working_days` of a service page is the term of the form its
//!   `service.form` points at;
//! - `service.complaint_days` is the response term of the forms counted
//!   until the first response.
//!
//! [`Terms::from_site`] also checks that a form page's own text does not name
//! another term than its own ("5 hari kerja" on a page whose term is 7).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::core::calendar::OfficeHours;
use crate::core::diagnostic::Diagnostic;
use crate::core::yaml;
use crate::forms::registry::{FORMS_DIR, Forms};
use crate::forms::spec::Until;
use crate::site::config::CONFIG_FILE;
use crate::site::content::{Page, Site};

pub use crate::office::terms::{Deadlines, Step, Term, Terms, Unit};

/// Where a term was read, for messages.
struct Source {
    term: Term,
    path: PathBuf,
    line: Option<usize>,
    key: &'static str,
}

impl Terms {
    /// Reads the terms of `site`: from its form files when it has `forms/`,
    /// else from its service pages, with an error for every form page whose
    /// term is missing, ambiguous, or contradicted by a service page or its
    /// own text. The form files' own mistakes are [`Forms::load`]'s to
    /// report, not these.
    pub fn from_site(site: &Site, all_forms: &Forms) -> (Terms, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let found = service_terms(site, all_forms);
        let forms = site.root.join(FORMS_DIR).is_dir().then_some(all_forms);
        let mut terms = Terms::default();
        let mut hours_wanted = None;
        for page in site.pages.iter().filter(|p| p.front.form.is_some()) {
            let Some(kind) = page.front.form.as_deref() else {
                continue;
            };
            let sources = found.get(kind).map(Vec::as_slice).unwrap_or(&[]);
            let first = match &forms {
                Some(forms) => {
                    // A form file that is missing or wrong is reported by
                    // `loket check` on its own.
                    let Some(spec) = forms.get(kind) else {
                        continue;
                    };
                    let text =
                        std::fs::read_to_string(site.root.join(&spec.path)).unwrap_or_default();
                    let source = Source {
                        term: Term::of_form(&spec.term),
                        path: spec.path.clone(),
                        line: yaml::line_of_key(&text, "term"),
                        key: "term",
                    };
                    for other in sources {
                        if other.term.count != source.term.count
                            || other.term.unit != source.term.unit
                        {
                            diags.push(Diagnostic::error(
                                &other.path,
                                other.line,
                                page_disagrees(other, &source),
                            ));
                        }
                    }
                    if source.term.unit == Unit::Hours {
                        hours_wanted.get_or_insert((source.path.clone(), source.line));
                    }
                    source
                }
                None => {
                    let Some(first) = sources.first() else {
                        diags.push(Diagnostic::error(
                            &page.source,
                            page.line_of_key("form"),
                            missing_term_message(
                                all_forms.get(kind).map(|f| f.term.until),
                                &page.url,
                            ),
                        ));
                        continue;
                    };
                    if let Some(other) = sources.iter().find(|s| s.term.count != first.term.count) {
                        diags.push(Diagnostic::error(
                            &other.path,
                            other.line,
                            format!(
                                "{} = {} hari kerja, tetapi {} menyebut {} hari kerja untuk formulir yang sama ({}); samakan angkanya",
                                other.key,
                                other.term.count,
                                first.path.display(),
                                first.term.count,
                                page.url
                            ),
                        ));
                        continue;
                    }
                    Source {
                        term: first.term,
                        path: first.path.clone(),
                        line: first.line,
                        key: first.key,
                    }
                }
            };
            terms.by_kind.insert(kind.to_string(), first.term);
            diags.extend(text_disagreements(page, &first));
        }
        let (hours, more) = office_hours(site, hours_wanted);
        terms.office_hours = hours;
        diags.extend(more);
        (terms, diags)
    }
}

/// The terms the service pages give, by the form they are for: a page's
/// `service.working_days` for the form its `service.form` shows, counted
/// until that form's `until` (loket's shipped forms, for a site without
/// `forms/`); `service.complaint_days` for every form counted until the
/// first response.
fn service_terms(site: &Site, forms: &Forms) -> BTreeMap<String, Vec<Source>> {
    let mut found: BTreeMap<String, Vec<Source>> = BTreeMap::new();
    let step_of = |id: &str| match forms.get(id).map(|f| f.term.until) {
        Some(Until::Tanggapan) => Step::Response,
        _ => Step::Completion,
    };
    for page in &site.pages {
        let Some(service) = &page.front.service else {
            continue;
        };
        let form_kind = site
            .by_url
            .get(&service.form)
            .and_then(|&i| site.pages[i].front.form.as_deref());
        if let (Some(kind), Some(days)) = (form_kind, service.working_days) {
            found.entry(kind.to_string()).or_default().push(Source {
                term: Term::working_days(days, step_of(kind)),
                path: page.source.clone(),
                line: page.line_of_key("working_days"),
                key: "service.working_days",
            });
        }
        if let Some(days) = service.complaint_days {
            let answered = forms.iter().filter(|f| f.term.until == Until::Tanggapan);
            for form in answered {
                found.entry(form.id.to_string()).or_default().push(Source {
                    term: Term::working_days(days, Step::Response),
                    path: page.source.clone(),
                    line: page.line_of_key("complaint_days"),
                    key: "service.complaint_days",
                });
            }
        }
    }
    found
}

/// "`service.working_days` = 5, tetapi forms/permohonan.yaml:7 menetapkan 3
/// hari kerja": a service page against its form file.
fn page_disagrees(page: &Source, form: &Source) -> String {
    let at = match form.line {
        Some(line) => format!("{}:{line}", form.path.display()),
        None => form.path.display().to_string(),
    };
    let fix = if form.term.unit == Unit::WorkingDays {
        "samakan angkanya".to_string()
    } else {
        format!(
            "halaman layanan hanya dapat menyebut hari kerja; hapus `{}` dari halaman ini",
            page.key
        )
    };
    format!(
        "`{}` = {}, tetapi {at} menetapkan {}; {fix}",
        page.key,
        page.term.count,
        form.term.text()
    )
}

/// `office.service_hours` of site.yaml: an error when it cannot be read, or
/// when a form counts in hours (`wanted`: that form's file and line) and it
/// is not there.
fn office_hours(
    site: &Site,
    wanted: Option<(PathBuf, Option<usize>)>,
) -> (Option<OfficeHours>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let hours = match site.config.office.service_hours.as_deref() {
        Some(text) => match OfficeHours::parse(text) {
            Ok(hours) => Some(hours),
            Err(message) => {
                let config =
                    std::fs::read_to_string(site.root.join(CONFIG_FILE)).unwrap_or_default();
                diags.push(Diagnostic::error(
                    Path::new(CONFIG_FILE),
                    yaml::line_of_key(&config, "service_hours"),
                    format!("office.service_hours: {message}"),
                ));
                None
            }
        },
        None => {
            if let Some((path, line)) = wanted {
                diags.push(Diagnostic::error(
                    path,
                    line,
                    format!(
                        "batas waktu dihitung dalam jam kerja, tetapi {CONFIG_FILE} tidak menyebut jam layanannya; tambahkan `service_hours: \"08.00-15.30\"` (jam buka dan tutup) di bawah `office:`"
                    ),
                ));
            }
            None
        }
    };
    (hours, diags)
}

fn missing_term_message(until: Option<Until>, url: &str) -> String {
    match until {
        Some(Until::Tanggapan) => format!(
            "formulir {url} tidak punya batas waktu tanggapan: tambahkan `service.complaint_days` (hari kerja untuk menanggapi keluhan, saran, dan masukan) pada halaman layanan"
        ),
        _ => format!(
            "formulir {url} tidak punya batas waktu: halaman layanannya harus memuat `service.form: \"{url}\"` dan `service.working_days`"
        ),
    }
}

/// Every "N hari kerja" (or hari kalender, jam kerja) in a form page's text
/// that is not its term.
fn text_disagreements(page: &Page, source: &Source) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for (i, line) in page.body.as_deref().unwrap_or_default().lines().enumerate() {
        for unit in Unit::ALL {
            for n in mentioned(line, unit.words()) {
                if (n, unit) != (source.term.count, source.term.unit) {
                    diags.push(Diagnostic::error(
                        &page.source,
                        Some(page.body_line + i),
                        format!(
                            "teks halaman menyebut {n} {}, tetapi {} di {} menetapkan {}; samakan angkanya",
                            unit.words(),
                            source.key,
                            source.path.display(),
                            source.term.text()
                        ),
                    ));
                }
            }
        }
    }
    diags
}

/// The numbers written right before `words` ("hari kerja") in a line of
/// text.
fn mentioned(line: &str, words: &str) -> Vec<u32> {
    let lower = line.to_lowercase();
    lower
        .match_indices(words)
        .filter_map(|(at, _)| {
            let before = lower[..at].trim_end();
            let digits: String = before
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            digits.parse().ok()
        })
        .collect()
}

#[cfg(test)]
mod tests;
