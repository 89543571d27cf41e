//! What the service standard promises each kind of submission: how many
//! working days, and for which step. The numbers come from the service
//! pages' front matter, never from the code, so the page, the confirmation,
//! the record's deadlines and the report all say the same thing:
//!
//! - `service.working_days` of a service page is the completion term of the
//!   form its `service.form` points at (a request is *diselesaikan* within
//!   it);
//! - `service.complaint_days` is the response term of complaints about the
//!   service (a complaint is *ditanggapi* within it).
//!
//! [`Terms::from_site`] also checks that a form page's own text does not name
//! another number of working days than its term.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use time::Date;

use crate::core::calendar::{Calendar, Due};
use crate::core::diagnostic::Diagnostic;
use crate::forms::FormKind;
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

/// A term of the service standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Term {
    pub days: u32,
    pub step: Step,
}

impl Term {
    /// "diselesaikan" or "ditanggapi": what happens by the deadline.
    pub fn verb(self) -> &'static str {
        match self.step {
            Step::Response => "ditanggapi",
            Step::Completion => "diselesaikan",
        }
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
    by_kind: BTreeMap<&'static str, Term>,
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
    pub fn of(terms: &[(FormKind, Term)]) -> Terms {
        Terms {
            by_kind: terms.iter().map(|(k, t)| (k.as_str(), *t)).collect(),
        }
    }

    pub fn get(&self, kind: FormKind) -> Option<Term> {
        self.by_kind.get(kind.as_str()).copied()
    }

    /// The deadlines of a submission of `kind` received on `received`, or
    /// `None` if the site sets no term for that kind.
    pub fn deadlines(
        &self,
        kind: FormKind,
        received: Date,
        calendar: &Calendar,
    ) -> Option<Deadlines> {
        let term = self.get(kind)?;
        let due = calendar.due(received, term.days);
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

    /// Reads the terms from the service pages of `site`, with an error for
    /// every form page whose term is missing, ambiguous, or contradicted by
    /// its own text.
    pub fn from_site(site: &Site) -> (Terms, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut found: BTreeMap<&'static str, Vec<Source>> = BTreeMap::new();
        for page in &site.pages {
            let Some(service) = &page.front.service else {
                continue;
            };
            let form_kind = site
                .by_url
                .get(&service.form)
                .and_then(|&i| site.pages[i].front.form);
            if let Some(kind) = form_kind {
                let step = match kind {
                    FormKind::Permohonan => Step::Completion,
                    FormKind::PengaduanLayanan => Step::Response,
                };
                found.entry(kind.as_str()).or_default().push(Source {
                    term: Term {
                        days: service.working_days,
                        step,
                    },
                    path: page.source.clone(),
                    line: page.line_of_key("working_days"),
                    key: "service.working_days",
                });
            }
            if let Some(days) = service.complaint_days {
                found
                    .entry(FormKind::PengaduanLayanan.as_str())
                    .or_default()
                    .push(Source {
                        term: Term {
                            days,
                            step: Step::Response,
                        },
                        path: page.source.clone(),
                        line: page.line_of_key("complaint_days"),
                        key: "service.complaint_days",
                    });
            }
        }
        let mut terms = Terms::default();
        for page in site.pages.iter().filter(|p| p.front.form.is_some()) {
            let Some(kind) = page.front.form else {
                continue;
            };
            let sources = found.get(kind.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            let Some(first) = sources.first() else {
                diags.push(Diagnostic::error(
                    &page.source,
                    page.line_of_key("form"),
                    missing_term_message(kind, &page.url),
                ));
                continue;
            };
            if let Some(other) = sources.iter().find(|s| s.term.days != first.term.days) {
                diags.push(Diagnostic::error(
                    &other.path,
                    other.line,
                    format!(
                        "{} = {} hari kerja, tetapi {} menyebut {} hari kerja untuk formulir yang sama ({}); samakan angkanya",
                        other.key,
                        other.term.days,
                        first.path.display(),
                        first.term.days,
                        page.url
                    ),
                ));
                continue;
            }
            terms.by_kind.insert(kind.as_str(), first.term);
            diags.extend(text_disagreements(page, first));
        }
        (terms, diags)
    }
}

fn missing_term_message(kind: FormKind, url: &str) -> String {
    match kind {
        FormKind::Permohonan => format!(
            "formulir {url} tidak punya batas waktu: halaman layanannya harus memuat `service.form: \"{url}\"` dan `service.working_days`"
        ),
        FormKind::PengaduanLayanan => format!(
            "formulir {url} tidak punya batas waktu tanggapan: tambahkan `service.complaint_days` (hari kerja untuk menanggapi pengaduan) pada halaman layanan"
        ),
    }
}

/// Every "N hari kerja" in a form page's text that is not its term.
fn text_disagreements(page: &Page, source: &Source) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for (i, line) in page.body.as_deref().unwrap_or_default().lines().enumerate() {
        for days in days_mentioned(line) {
            if days != source.term.days {
                diags.push(Diagnostic::error(
                    &page.source,
                    Some(page.body_line + i),
                    format!(
                        "teks halaman menyebut {days} hari kerja, tetapi {} di {} menetapkan {} hari kerja; samakan angkanya",
                        source.key,
                        source.path.display(),
                        source.term.days
                    ),
                ));
            }
        }
    }
    diags
}

/// The numbers written right before "hari kerja" in a line of text.
fn days_mentioned(line: &str) -> Vec<u32> {
    let lower = line.to_lowercase();
    lower
        .match_indices("hari kerja")
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
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn finds_the_numbers_before_hari_kerja() {
        assert_eq!(days_mentioned("Waktu penyelesaian: 5 hari kerja."), vec![5]);
        assert_eq!(
            days_mentioned("paling lambat 3 Hari Kerja, atau 10 hari kerja"),
            vec![3, 10]
        );
        assert!(days_mentioned("hari kerja saja").is_empty());
        assert!(days_mentioned("lima hari kerja").is_empty());
    }

    #[test]
    fn deadlines_follow_the_step() {
        let calendar = Calendar::from_holidays([2026], &[]);
        let terms = Terms::of(&[
            (
                FormKind::Permohonan,
                Term {
                    days: 5,
                    step: Step::Completion,
                },
            ),
            (
                FormKind::PengaduanLayanan,
                Term {
                    days: 3,
                    step: Step::Response,
                },
            ),
        ]);
        let friday = date!(2026 - 11 - 27);
        let request = terms
            .deadlines(FormKind::Permohonan, friday, &calendar)
            .unwrap();
        assert_eq!(request.response.date, date!(2026 - 12 - 04));
        assert_eq!(request.completion.unwrap().date, date!(2026 - 12 - 04));
        let complaint = terms
            .deadlines(FormKind::PengaduanLayanan, friday, &calendar)
            .unwrap();
        assert_eq!(complaint.response.date, date!(2026 - 12 - 02));
        assert_eq!(complaint.completion, None);
        assert_eq!(
            Terms::default().deadlines(FormKind::Permohonan, friday, &calendar),
            None
        );
    }
}
