//! The figures of one form, each under its own term: what came in and by
//! which channel, how many kept the term, how long completion took (average
//! and median), what is still open or overdue, and the outcome categories
//! its final steps declare. Requests and complaints are never mixed.

use crate::cases::Channel;
use crate::core::text::capitalized;
use crate::forms::FormSpec;
use crate::office::terms::{Term, Terms};

use super::compute::{CaseRow, Share, decimal_one};

/// One form's figures for the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormFigures {
    /// The form's id.
    pub form: String,
    /// The form's title ("Konsultasi dan pengaduan masalah usaha").
    pub title: String,
    /// "Permohonan diselesaikan", "Pengaduan ditanggapi".
    pub what: String,
    /// "permohonan yang sudah selesai", for "tidak ada …".
    pub none: String,
    /// The term the site sets today (`None`: not set).
    pub term: Option<Term>,
    pub share: Share,
    /// Cases received (confidential ones included).
    pub received: usize,
    /// Every channel ([`Channel::ALL`]), zeros included.
    pub by_channel: Vec<(Channel, usize)>,
    /// Working days to completion of each completed case (final step).
    pub days: Vec<u32>,
    /// Working days those completed cases waited for their citizen.
    pub completed_waiting_days: u32,
    /// Not closed on the report date, and of those past a deadline.
    pub open: usize,
    pub overdue: usize,
    /// Every outcome category its final steps declare (label, count),
    /// zeros included; then cases closed in such a step without one, and
    /// any category the form no longer has.
    pub outcomes: Vec<(String, usize)>,
}

/// What a case closed without a category (before the form had them) is
/// counted as.
pub const NO_OUTCOME: &str = "Tanpa kategori";

impl FormFigures {
    pub fn of(form: &FormSpec, rows: &[CaseRow], terms: &Terms) -> FormFigures {
        let rows: Vec<&CaseRow> = rows.iter().filter(|r| *r.kind.form == *form.id).collect();
        let mut share = Share::default();
        for row in &rows {
            share.add(row.timeliness);
        }
        let (verb, done) = form.verb();
        // A category counts for a closed case (one reopened by hand keeps
        // its record's `outcome` but is open again).
        let closed: Vec<&CaseRow> = rows.iter().copied().filter(|r| !r.open).collect();
        let mut outcomes: Vec<(String, usize)> = form
            .steps
            .iter()
            .flat_map(|s| &s.outcomes)
            .map(|o| {
                let n = closed
                    .iter()
                    .filter(|r| r.outcome.as_deref() == Some(o.id.as_str()))
                    .count();
                (o.label.clone(), n)
            })
            .collect();
        let with_outcomes = |step: &str| form.step(step).is_some_and(|s| !s.outcomes.is_empty());
        let without = closed
            .iter()
            .filter(|r| r.outcome.is_none() && with_outcomes(&r.status))
            .count();
        if without > 0 {
            outcomes.push((NO_OUTCOME.to_string(), without));
        }
        let known = |id: &str| form.steps.iter().any(|s| s.outcome_of(id).is_some());
        let mut unknown: Vec<&str> = closed
            .iter()
            .filter_map(|r| r.outcome.as_deref())
            .filter(|id| !known(id))
            .collect();
        unknown.sort_unstable();
        unknown.dedup();
        for id in unknown {
            let n = closed
                .iter()
                .filter(|r| r.outcome.as_deref() == Some(id))
                .count();
            outcomes.push((format!("{id} (kategori tidak dikenal)"), n));
        }
        FormFigures {
            form: form.id.to_string(),
            title: form.title.clone(),
            what: format!("{} {verb}", capitalized(&form.noun)),
            none: format!("{} yang sudah {done}", form.noun),
            term: terms.get(&form.id),
            share,
            received: rows.len(),
            by_channel: Channel::ALL
                .map(|c| (c, rows.iter().filter(|r| r.channel == c).count()))
                .to_vec(),
            days: rows.iter().filter_map(|r| r.days_to_completion).collect(),
            completed_waiting_days: 0,
            open: rows.iter().filter(|r| r.open).count(),
            overdue: rows.iter().filter(|r| r.overdue).count(),
            outcomes,
        }
    }

    /// Cases judged late: past the deadline, done or not.
    pub fn late(&self) -> usize {
        self.share.judged - self.share.within
    }

    /// "3,8", or `None` when no case was completed.
    pub fn average(&self) -> Option<String> {
        (!self.days.is_empty()).then(|| decimal_one(self.days.iter().sum(), self.days.len()))
    }

    /// The middle of the completed cases' days ("4,0"; between the two
    /// middle ones for an even count), or `None`.
    pub fn median(&self) -> Option<String> {
        let mut days = self.days.clone();
        days.sort_unstable();
        let n = days.len();
        match n {
            0 => None,
            _ if n % 2 == 1 => Some(decimal_one(days[n / 2], 1)),
            _ => Some(decimal_one(days[n / 2 - 1] + days[n / 2], 2)),
        }
    }

    /// The average without the days waited for the citizen, or `None`
    /// when none waited.
    pub fn office_average(&self) -> Option<String> {
        let total: u32 = self.days.iter().sum();
        (!self.days.is_empty() && self.completed_waiting_days > 0)
            .then(|| decimal_one(total - self.completed_waiting_days, self.days.len()))
    }
}
