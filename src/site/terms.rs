//! What the service standard promises each kind of submission: how long,
//! in which unit, and for which step. The numbers come from the office's
//! files, never from the code, so the page, the confirmation, the record's
//! deadlines and the report all say the same thing.
//!
//! When the site has form files (`forms/*.yaml`), a form's `term` is its
//! term: `days` (working days), `calendar_days` or `hours` (office hours on
//! working days, from `office.service_hours` in site.yaml), counted until
//! the case is completed (`until: selesai`, *diselesaikan*) or first
//! answered (`until: tanggapan`, *ditanggapi*). A service page that still
//! gives a number (`service.working_days` of the page whose `service.form`
//! points at the form, `service.complaint_days` for complaints about the
//! service) must agree with it.
//!
//! A site without `forms/` takes the terms from the service pages alone:
//!
//! - `service.working_days` of a service page is the completion term of the
//!   form its `service.form` points at (a request is *diselesaikan* within
//!   it);
//! - `service.complaint_days` is the response term of complaints about the
//!   service (a complaint is *ditanggapi* within it).
//!
//! [`Terms::from_site`] also checks that a form page's own text does not name
//! another term than its own ("5 hari kerja" on a page whose term is 7).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::core::calendar::{Calendar, Due, OfficeHours};
use crate::core::dates::WIB;
use crate::core::diagnostic::Diagnostic;
use crate::core::yaml;
use crate::forms::registry::{FORMS_DIR, Forms};
use crate::forms::spec::{self, Until};
use crate::site::config::CONFIG_FILE;
use crate::site::content::{Page, Site};

/// Which step a term is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// A first response (a complaint about the service is *ditanggapi*).
    Response,
    /// Completion (a request is *diselesaikan*).
    Completion,
}

/// What a term is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Working days (*hari kerja*), the default.
    WorkingDays,
    /// Every day (*hari kalender*).
    CalendarDays,
    /// Hours within office hours on working days (*jam kerja*).
    Hours,
}

impl Unit {
    pub const ALL: [Unit; 3] = [Unit::WorkingDays, Unit::CalendarDays, Unit::Hours];

    /// "hari kerja", "hari kalender" or "jam kerja", as citizens read it.
    pub fn words(self) -> &'static str {
        match self {
            Unit::WorkingDays => "hari kerja",
            Unit::CalendarDays => "hari kalender",
            Unit::Hours => "jam kerja",
        }
    }
}

/// A term of the service standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Term {
    /// How many days or hours.
    pub count: u32,
    pub unit: Unit,
    pub step: Step,
}

impl Term {
    /// A term in working days, the unit of the service pages.
    pub fn working_days(count: u32, step: Step) -> Term {
        Term {
            count,
            unit: Unit::WorkingDays,
            step,
        }
    }

    /// The term a checked form file sets.
    pub fn of_form(term: &spec::Term) -> Term {
        let (count, unit) = match (term.days, term.calendar_days, term.hours) {
            (_, Some(n), _) => (n, Unit::CalendarDays),
            (_, _, Some(n)) => (n, Unit::Hours),
            (n, _, _) => (n.unwrap_or(0), Unit::WorkingDays),
        };
        let step = match term.until {
            Until::Selesai => Step::Completion,
            Until::Tanggapan => Step::Response,
        };
        Term { count, unit, step }
    }

    /// "diselesaikan" or "ditanggapi": what happens by the deadline.
    pub fn verb(self) -> &'static str {
        match self.step {
            Step::Response => "ditanggapi",
            Step::Completion => "diselesaikan",
        }
    }

    /// "5 hari kerja", "7 hari kalender", "2 jam kerja".
    pub fn text(self) -> String {
        format!("{} {}", self.count, self.unit.words())
    }
}

/// The deadlines a submission gets when it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// First response. For a request the standard sets only a completion
    /// term, which is then also the latest first response.
    pub response: Due,
    /// Completion; `None` when the standard sets no fixed term (complaints
    /// are resolved "sesuai dengan kondisi dan permasalahan yang ada").
    pub completion: Option<Due>,
}

impl Deadlines {
    /// The provisional note of the deadline the citizen is told.
    pub fn note(&self) -> Option<String> {
        self.completion.unwrap_or(self.response).note()
    }
}

/// The terms of every form kind the site has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Terms {
    by_kind: BTreeMap<String, Term>,
    /// The office hours an hours term runs within.
    office_hours: Option<OfficeHours>,
}

/// Where a term was read, for messages.
struct Source {
    term: Term,
    path: PathBuf,
    line: Option<usize>,
    key: &'static str,
}

impl Terms {
    /// Terms given explicitly, for tests and tools.
    pub fn of(terms: &[(&str, Term)]) -> Terms {
        Terms {
            by_kind: terms.iter().map(|(k, t)| (k.to_string(), *t)).collect(),
            office_hours: None,
        }
    }

    /// The same terms, with the office hours an hours term runs within.
    pub fn with_office_hours(mut self, hours: OfficeHours) -> Terms {
        self.office_hours = Some(hours);
        self
    }

    /// The term of the form `id`.
    pub fn get(&self, id: &str) -> Option<Term> {
        self.by_kind.get(id).copied()
    }

    /// The deadlines of a submission of the form `kind` received at
    /// `received`, or `None` if the site sets no term for that form (or an hours term
    /// without office hours, which `loket check` refuses). An hours term's
    /// deadline is the day its last hour falls on.
    pub fn deadlines(
        &self,
        kind: &str,
        received: OffsetDateTime,
        calendar: &Calendar,
    ) -> Option<Deadlines> {
        let term = self.get(kind)?;
        let received = received.to_offset(WIB);
        let due = match term.unit {
            Unit::WorkingDays => calendar.due(received.date(), term.count),
            Unit::CalendarDays => calendar.add_calendar_days(received.date(), term.count),
            Unit::Hours => {
                let start = time::PrimitiveDateTime::new(received.date(), received.time());
                let (at, unlisted_year) =
                    calendar.add_office_hours(start, term.count, self.office_hours?);
                Due {
                    date: at.date(),
                    unlisted_year,
                }
            }
        };
        Some(match term.step {
            Step::Completion => Deadlines {
                response: due,
                completion: Some(due),
            },
            Step::Response => Deadlines {
                response: due,
                completion: None,
            },
        })
    }

    /// The deadlines of a submission received on `received` at midnight,
    /// for a date without a time (the receipt shown for a guessed ticket).
    pub fn deadlines_on(
        &self,
        kind: &str,
        received: Date,
        calendar: &Calendar,
    ) -> Option<Deadlines> {
        self.deadlines(kind, received.midnight().assume_offset(WIB), calendar)
    }

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
            "formulir {url} tidak punya batas waktu tanggapan: tambahkan `service.complaint_days` (hari kerja untuk menanggapi pengaduan) pada halaman layanan"
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
