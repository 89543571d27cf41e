//! The numbers of the report: which cases belong to the period, how each
//! measures against its deadline, the figures of each form
//! ([`super::figures`]), the weeks (or months). The rules are in
//! [`super`]'s docs.

use std::sync::Arc;

use time::{Date, Month};

use crate::cases::Channel;
use crate::cases::index::Summary;
use crate::core::calendar::Calendar;
use crate::core::dates;
use crate::core::text::capitalized;
use crate::forms::Forms;
use crate::forms::spec::Until;
use crate::office::terms::{Terms, Unit};

use super::figures::FormFigures;
use super::period::{Period, Span};

/// What a case is counted as: its form and, for a form with `report_by`,
/// the value of that field ("permohonan/konsultasi").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Group {
    pub form: String,
    /// The `report_by` value ("" for a form without one).
    pub value: String,
    /// How the report names it: the option's `report` (or label), else the
    /// form's title.
    pub label: String,
}

impl Group {
    fn of(r: &Summary, forms: &Forms) -> Group {
        let form = forms.get(&r.kind);
        let value = r.breakdown.trim().to_string();
        let title = form.map_or_else(|| r.kind.clone(), |f| f.title.clone());
        let split = form
            .and_then(|f| f.report_by.as_deref())
            .and_then(|by| form?.field(by));
        let label = match split {
            Some(field) => match field.options.iter().find(|c| c.value == value) {
                Some(c) => c.report.clone().unwrap_or_else(|| c.label.clone()),
                None => format!("{title}: {} tidak dikenal", field.error_label()),
            },
            None => title,
        };
        Group {
            form: r.kind.clone(),
            value,
            label,
        }
    }

    /// The groups every form has, zeros included: one per option of its
    /// `report_by` field, or the form itself.
    fn all(forms: &Forms) -> Vec<Group> {
        let mut groups = Vec::new();
        for f in forms.iter() {
            let split = f.report_by.as_deref().and_then(|by| f.field(by));
            match split {
                Some(field) => groups.extend(field.options.iter().map(|c| Group {
                    form: f.id.to_string(),
                    value: c.value.clone(),
                    label: c.report.clone().unwrap_or_else(|| c.label.clone()),
                })),
                None => groups.push(Group {
                    form: f.id.to_string(),
                    value: String::new(),
                    label: f.title.clone(),
                }),
            }
        }
        groups
    }
}

/// How a case measures against its standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    Within,
    Late,
    /// Not done yet, and the deadline has not passed.
    NotYetDue,
}

impl Timeliness {
    pub fn label(self) -> &'static str {
        match self {
            Timeliness::Within => "ya",
            Timeliness::Late => "tidak",
            Timeliness::NotYetDue => "belum jatuh tempo",
        }
    }
}

/// Judges one step: done on `done`, within the working days from
/// `received` to `due` (for a term in working days: a step taken on the
/// weekend after a Friday deadline is on time), or by `due` itself (a term
/// in calendar days or hours, whose deadline is a day the count reached);
/// or not done and late once `due` is before `today`.
pub fn judge(
    calendar: &Calendar,
    unit: Unit,
    received: Date,
    done: Option<Date>,
    due: Date,
    today: Date,
) -> Timeliness {
    let within = |d: Date| match unit {
        Unit::WorkingDays => {
            calendar.working_days_between(received, d)
                <= calendar.working_days_between(received, due)
        }
        Unit::CalendarDays | Unit::Hours => d <= due,
    };
    match done {
        Some(d) if within(d) => Timeliness::Within,
        Some(_) => Timeliness::Late,
        None if today > due => Timeliness::Late,
        None => Timeliness::NotYetDue,
    }
}

/// "x dari y": cases on time out of cases that could be judged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Share {
    pub within: usize,
    /// On time plus late: the denominator.
    pub judged: usize,
    pub not_yet_due: usize,
}

impl Share {
    pub(super) fn add(&mut self, t: Timeliness) {
        match t {
            Timeliness::Within => {
                self.within += 1;
                self.judged += 1;
            }
            Timeliness::Late => self.judged += 1,
            Timeliness::NotYetDue => self.not_yet_due += 1,
        }
    }

    /// "2 dari 4 (50%)", or "tidak ada …" when nothing could be judged.
    pub fn describe(&self, none: &str) -> String {
        if self.judged == 0 {
            return format!("tidak ada {none}");
        }
        format!(
            "{} dari {} ({})",
            self.within,
            self.judged,
            percent(self.within, self.judged)
        )
    }
}

/// One case in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub ticket: String,
    pub received: Date,
    pub kind: Group,
    /// The step id.
    pub status: String,
    /// The step as staff read it ("Pertemuan dijadwalkan").
    pub step: String,
    /// Date (WIB) of the first response.
    pub responded: Option<Date>,
    /// Date (WIB) of completion; only for cases that are selesai or ditolak.
    pub completed: Option<Date>,
    pub days_to_completion: Option<u32>,
    /// Against the standard of its kind (response for a complaint about the
    /// service, completion for a request).
    pub timeliness: Timeliness,
    pub result: String,
    pub name: String,
    /// "3517 **** **** 0001" ("(tidak sah)" when the record's NIK is not 16
    /// digits); `None` for kinds without a NIK.
    pub nik: Option<String>,
    /// Set when the case's deadline is provisional.
    pub due_note: Option<String>,
    /// Working days the case waited for its citizen (a step with
    /// `asks_citizen`, until the answer or the next step): not the
    /// office's own time.
    pub waited_days: u32,
    pub channel: Channel,
    /// Not closed on the report date; and past a deadline
    /// ([`Summary::is_overdue`]).
    pub open: bool,
    pub overdue: bool,
    /// Counted, never listed ([`Summary::confidential`]).
    pub confidential: bool,
    /// The outcome category's id ([`crate::cases::Record::outcome`]).
    pub outcome: Option<String>,
    /// How the report names it (its label in the form file; the id of one
    /// the form no longer has).
    pub outcome_label: Option<String>,
}

/// Submissions in one week of the month (Minggu 1 = days 1–7, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    pub number: u8,
    pub first_day: u8,
    pub last_day: u8,
    pub count: usize,
}

/// Everything the report shows, computed once.
#[derive(Debug, Clone)]
pub struct MonthReport {
    /// The month, quarter or year it covers.
    pub period: Period,
    pub today: Date,
    pub rows: Vec<CaseRow>,
    /// Every group of every form with its count, zeros included; a value
    /// or form the site does not know only when there are some.
    pub by_kind: Vec<(Group, usize)>,
    /// Every step of every form ("Permohonan: Diperiksa"), zeros included;
    /// a step the form does not know only when there are some.
    pub by_status: Vec<(String, usize)>,
    /// Every channel ([`Channel::ALL`]) with its count, zeros included.
    pub by_channel: Vec<(Channel, usize)>,
    /// Per form, under its own term: received, channels, the cases that
    /// kept its term (completed, or first answered, by the deadline, as
    /// its `until` says), time to completion, open, overdue, outcomes.
    pub forms: Vec<FormFigures>,
    /// Confidential cases: in every count, never in the list.
    pub confidential: usize,
    /// A month's weeks (none for a quarter or a year).
    pub weeks: Vec<Week>,
    /// A quarter's or a year's months with their counts (none for a month).
    pub by_month: Vec<(Month, usize)>,
    /// Unreadable record files in this month's folder (not counted).
    pub unreadable: usize,
    /// Years the counted days fall in that have no holiday list.
    pub missing_holiday_years: Vec<i32>,
    /// Cases that waited for their citizen, and the working days they
    /// waited in all ([`MonthReport::add_waiting`]).
    pub waited: usize,
    pub waiting_days_total: u32,
}

impl MonthReport {
    /// The report for `period` from every loaded record, judged by the
    /// unit of each kind's term in `terms`.
    pub fn compute(
        records: &[Arc<Summary>],
        (calendar, terms, forms): (&Calendar, &Terms, &Forms),
        period: Period,
        today: Date,
    ) -> MonthReport {
        let rows: Vec<CaseRow> = records
            .iter()
            .filter(|r| period.contains(r.received_date()))
            .map(|r| case_row(r, (calendar, terms, forms), today))
            .collect();
        let (weeks, by_month) = match period.span {
            Span::Month(month) => (
                weeks(period.year, month, rows.iter().map(|r| r.received.day())),
                Vec::new(),
            ),
            _ => (
                Vec::new(),
                period
                    .months()
                    .into_iter()
                    .map(|m| (m, rows.iter().filter(|r| r.received.month() == m).count()))
                    .collect(),
            ),
        };
        MonthReport {
            period,
            today,
            by_kind: count_kinds(&rows, forms),
            by_status: count_statuses(&rows, forms),
            by_channel: Channel::ALL
                .map(|c| (c, rows.iter().filter(|r| r.channel == c).count()))
                .to_vec(),
            forms: forms
                .iter()
                .map(|f| FormFigures::of(f, &rows, terms))
                .collect(),
            confidential: rows.iter().filter(|r| r.confidential).count(),
            weeks,
            by_month,
            unreadable: 0,
            missing_holiday_years: missing_years(&rows, calendar),
            rows,
            waited: 0,
            waiting_days_total: 0,
        }
    }

    /// The cases the list shows: every one but the confidential.
    pub fn listed(&self) -> impl Iterator<Item = &CaseRow> {
        self.rows.iter().filter(|r| !r.confidential)
    }

    /// Adds the working days each case waited for its citizen
    /// (`waited_days` by ticket), kept apart from the office's own time.
    pub fn add_waiting(&mut self, waited_days: impl Fn(&str) -> u32) {
        for row in &mut self.rows {
            row.waited_days = waited_days(&row.ticket);
            if row.waited_days > 0 {
                self.waited += 1;
                self.waiting_days_total += row.waited_days;
                if let Some(days) = row.days_to_completion
                    && let Some(f) = self.forms.iter_mut().find(|f| f.form == row.kind.form)
                {
                    f.completed_waiting_days += row.waited_days.min(days);
                }
            }
        }
    }

    /// "November 2026", "Triwulan IV 2026", "Tahun 2026".
    pub fn period(&self) -> String {
        self.period.name()
    }
}

fn case_row(
    r: &Summary,
    (calendar, terms, forms): (&Calendar, &Terms, &Forms),
    today: Date,
) -> CaseRow {
    let form = forms.get(&r.kind);
    let unit = terms.get(&r.kind).map_or(Unit::WorkingDays, |t| t.unit);
    let received = r.received_date();
    let in_wib = |t: time::OffsetDateTime| t.to_offset(dates::WIB).date();
    let responded = r.first_response_at.map(in_wib);
    let completed = r.completed_at.filter(|_| r.closed).map(in_wib);
    // A term until the first response is judged by it; any other, by
    // completion (a form the site no longer has: completion).
    let timeliness = match form.map(|f| f.term.until) {
        Some(Until::Tanggapan) => judge(calendar, unit, received, responded, r.response_due, today),
        _ => {
            let due = r.completion_due.unwrap_or(r.response_due);
            judge(calendar, unit, received, completed, due, today)
        }
    };
    let step = match form.and_then(|f| f.step(&r.status)) {
        Some(s) => s.name(),
        None => format!("{} (langkah tidak dikenal)", r.status),
    };
    CaseRow {
        ticket: r.ticket.clone(),
        received,
        kind: Group::of(r, forms),
        status: r.status.clone(),
        step,
        responded,
        completed,
        days_to_completion: completed.map(|d| calendar.working_days_between(received, d)),
        timeliness,
        result: r.result.clone().unwrap_or_default(),
        name: r.name.clone(),
        nik: form
            .and_then(|f| f.nik_field())
            .map(|_| r.nik.clone().unwrap_or_else(|| "(tidak sah)".to_string())),
        due_note: r.due_note.clone(),
        waited_days: 0,
        channel: r.channel,
        open: !r.closed,
        overdue: r.is_overdue(today, false),
        confidential: r.confidential,
        outcome: r.outcome.clone(),
        outcome_label: r.outcome.as_ref().map(|id| {
            form.and_then(|f| f.steps.iter().find_map(|s| s.outcome_of(id)))
                .map_or_else(|| id.clone(), |o| o.label.clone())
        }),
    }
}

fn count_kinds(rows: &[CaseRow], forms: &Forms) -> Vec<(Group, usize)> {
    let mut groups = Group::all(forms);
    for row in rows {
        if !groups.contains(&row.kind) {
            groups.push(row.kind.clone());
        }
    }
    groups
        .into_iter()
        .map(|g| {
            let n = rows.iter().filter(|r| r.kind == g).count();
            (g, n)
        })
        .collect()
}

fn count_statuses(rows: &[CaseRow], forms: &Forms) -> Vec<(String, usize)> {
    let mut steps: Vec<(String, String, String)> = forms
        .iter()
        .flat_map(|f| {
            f.steps.iter().map(|s| {
                let label = format!("{}: {}", capitalized(&f.noun), s.name());
                (f.id.to_string(), s.id.clone(), label)
            })
        })
        .collect();
    for row in rows {
        if !steps
            .iter()
            .any(|(f, s, _)| *f == row.kind.form && *s == row.status)
        {
            let label = format!("{}: {} (langkah tidak dikenal)", row.kind.form, row.status);
            steps.push((row.kind.form.clone(), row.status.clone(), label));
        }
    }
    steps
        .into_iter()
        .map(|(form, step, label)| {
            let n = rows
                .iter()
                .filter(|r| r.kind.form == form && r.status == step)
                .count();
            (label, n)
        })
        .collect()
}

/// The week of the month a day falls in: 1–7 is week 1, 29–31 week 5.
pub fn week_of(day: u8) -> u8 {
    (day.max(1) - 1) / 7 + 1
}

/// The weeks of the month (4 for a 28-day February, else 5) with how many
/// of `days` fall in each.
pub fn weeks(year: i32, month: Month, days: impl Iterator<Item = u8>) -> Vec<Week> {
    let length = month.length(year);
    let mut weeks: Vec<Week> = (1..=week_of(length))
        .map(|n| Week {
            number: n,
            first_day: (n - 1) * 7 + 1,
            last_day: (n * 7).min(length),
            count: 0,
        })
        .collect();
    for day in days {
        if let Some(w) = weeks.get_mut(usize::from(week_of(day)) - 1) {
            w.count += 1;
        }
    }
    weeks
}

fn missing_years(rows: &[CaseRow], calendar: &Calendar) -> Vec<i32> {
    let mut years: Vec<i32> = rows
        .iter()
        .flat_map(|r| [Some(r.received), r.responded, r.completed])
        .flatten()
        .map(|d| d.year())
        .filter(|y| !calendar.has_year(*y))
        .collect();
    years.sort_unstable();
    years.dedup();
    years
}

/// "3517 **** **** 0001" from a NIK as typed (spaces and dots allowed);
/// `None` unless it is 16 digits.
pub fn mask_nik(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '.')).collect();
    let valid = digits.len() == 16 && digits.bytes().all(|b| b.is_ascii_digit());
    valid.then(|| format!("{} **** **** {}", &digits[..4], &digits[12..]))
}

/// `total / count` to one decimal, rounded half up, with a decimal comma.
pub fn decimal_one(total: u32, count: usize) -> String {
    let (total, count) = (u64::from(total), count.max(1) as u64);
    let tenths = (total * 20 + count) / (2 * count);
    format!("{},{}", tenths / 10, tenths % 10)
}

/// "50%", "57,1%" (one decimal when it is not whole).
pub fn percent(part: usize, whole: usize) -> String {
    let (part, whole) = (part as u64, whole.max(1) as u64);
    let tenths = (part * 2000 + whole) / (2 * whole);
    if tenths % 10 == 0 {
        format!("{}%", tenths / 10)
    } else {
        format!("{},{}%", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests;
