//! What the service standard promises each form's submissions: how long,
//! in which unit, and until which step ([`Term`]), and the deadlines a
//! submission gets from it ([`Terms::deadlines`]). The numbers come from
//! the office's files (a form's `term`, or the service pages of a site
//! without `forms/`: [`crate::office::terms`] reads and checks them), never
//! from the code, so the page, the receipt, the record's deadlines and the
//! report all say the same thing.

use std::collections::BTreeMap;

use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::core::calendar::{Calendar, Due, OfficeHours};
use crate::core::dates::WIB;
use crate::forms::spec::{self, Until};

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
    pub(crate) by_kind: BTreeMap<String, Term>,
    /// The office hours an hours term runs within.
    pub(crate) office_hours: Option<OfficeHours>,
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
}
