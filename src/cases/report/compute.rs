//! The numbers of the monthly report: which cases belong to the month, how
//! each measures against its deadline, the shares, the average, the weeks.
//! The rules are in [`super`]'s docs.

use time::{Date, Month};

use crate::cases::Status;
use crate::cases::index::Summary;
use crate::core::calendar::Calendar;
use crate::core::dates;
use crate::forms::FormKind;
use crate::site::terms::{Term, Terms, Unit};

/// What a case is, for counting: its kind and, for a request, its jenis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseKind {
    Konsultasi,
    PengaduanMasalah,
    /// A request whose `jenis` was edited to something else or removed.
    PermohonanLain,
    PengaduanLayanan,
}

impl CaseKind {
    pub const ALL: [CaseKind; 4] = [
        CaseKind::Konsultasi,
        CaseKind::PengaduanMasalah,
        CaseKind::PermohonanLain,
        CaseKind::PengaduanLayanan,
    ];

    pub fn of(record: &Summary) -> CaseKind {
        match record.kind {
            FormKind::PengaduanLayanan => CaseKind::PengaduanLayanan,
            FormKind::Permohonan => match record.jenis.trim() {
                "konsultasi" => CaseKind::Konsultasi,
                "pengaduan" => CaseKind::PengaduanMasalah,
                _ => CaseKind::PermohonanLain,
            },
        }
    }

    /// As in `loket inbox`: "permohonan/konsultasi".
    pub fn code(self) -> &'static str {
        match self {
            CaseKind::Konsultasi => "permohonan/konsultasi",
            CaseKind::PengaduanMasalah => "permohonan/pengaduan",
            CaseKind::PermohonanLain => "permohonan",
            CaseKind::PengaduanLayanan => "pengaduan-layanan",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseKind::Konsultasi => "Konsultasi masalah usaha",
            CaseKind::PengaduanMasalah => "Pengaduan masalah usaha",
            CaseKind::PermohonanLain => "Permohonan tanpa jenis yang dikenal",
            CaseKind::PengaduanLayanan => "Keluhan, saran, dan masukan tentang pelayanan",
        }
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
    fn add(&mut self, t: Timeliness) {
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
    pub kind: CaseKind,
    pub status: Status,
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
    pub year: i32,
    pub month: Month,
    pub today: Date,
    pub rows: Vec<CaseRow>,
    /// Every kind with its count; `PermohonanLain` only when there are some.
    pub by_kind: Vec<(CaseKind, usize)>,
    /// All six statuses, zeros included.
    pub by_status: Vec<(Status, usize)>,
    /// Complaints about the service responded to by their deadline.
    pub response: Share,
    /// Requests completed by their deadline.
    pub completion: Share,
    /// The terms the site sets today, for the labels (`None`: not set).
    pub response_term: Option<Term>,
    pub completion_term: Option<Term>,
    /// Working days to completion summed over completed cases, and how many.
    pub completion_days_total: u32,
    pub completed: usize,
    pub weeks: Vec<Week>,
    /// Unreadable record files in this month's folder (not counted).
    pub unreadable: usize,
    /// Years the counted days fall in that have no holiday list.
    pub missing_holiday_years: Vec<i32>,
}

impl MonthReport {
    /// The report for `year`/`month` from every loaded record, judged by
    /// the unit of each kind's term in `terms`.
    pub fn compute(
        records: &[Summary],
        calendar: &Calendar,
        terms: &Terms,
        year: i32,
        month: Month,
        today: Date,
    ) -> MonthReport {
        let rows: Vec<CaseRow> = records
            .iter()
            .filter(|r| {
                let d = r.received_date();
                d.year() == year && d.month() == month
            })
            .map(|r| case_row(r, calendar, terms, today))
            .collect();
        let mut response = Share::default();
        let mut completion = Share::default();
        for row in &rows {
            match row.kind {
                CaseKind::PengaduanLayanan => response.add(row.timeliness),
                _ => completion.add(row.timeliness),
            }
        }
        let done: Vec<u32> = rows.iter().filter_map(|r| r.days_to_completion).collect();
        MonthReport {
            year,
            month,
            today,
            by_kind: count_kinds(&rows),
            by_status: count_statuses(&rows),
            response,
            completion,
            response_term: terms.get(FormKind::PengaduanLayanan),
            completion_term: terms.get(FormKind::Permohonan),
            completion_days_total: done.iter().sum(),
            completed: done.len(),
            weeks: weeks(year, month, rows.iter().map(|r| r.received.day())),
            unreadable: 0,
            missing_holiday_years: missing_years(&rows, calendar),
            rows,
        }
    }

    /// "3,8", or "—" when no case was completed.
    pub fn average_text(&self) -> String {
        if self.completed == 0 {
            "—".to_string()
        } else {
            decimal_one(self.completion_days_total, self.completed)
        }
    }

    /// "November 2026".
    pub fn period(&self) -> String {
        format!("{} {}", dates::month_name(self.month), self.year)
    }
}

fn case_row(r: &Summary, calendar: &Calendar, terms: &Terms, today: Date) -> CaseRow {
    let unit = terms.get(r.kind).map_or(Unit::WorkingDays, |t| t.unit);
    let received = r.received_date();
    let in_wib = |t: time::OffsetDateTime| t.to_offset(dates::WIB).date();
    let responded = r.first_response_at.map(in_wib);
    let completed = r.completed_at.filter(|_| r.status.is_closed()).map(in_wib);
    let kind = CaseKind::of(r);
    let timeliness = match r.kind {
        FormKind::PengaduanLayanan => {
            judge(calendar, unit, received, responded, r.response_due, today)
        }
        FormKind::Permohonan => {
            let due = r.completion_due.unwrap_or(r.response_due);
            judge(calendar, unit, received, completed, due, today)
        }
    };
    CaseRow {
        ticket: r.ticket.clone(),
        received,
        kind,
        status: r.status,
        responded,
        completed,
        days_to_completion: completed.map(|d| calendar.working_days_between(received, d)),
        timeliness,
        result: r.result.clone().unwrap_or_default(),
        name: r.name().to_string(),
        nik: match r.kind {
            FormKind::PengaduanLayanan => None,
            FormKind::Permohonan => {
                Some(r.nik.clone().unwrap_or_else(|| "(tidak sah)".to_string()))
            }
        },
        due_note: r.due_note.clone(),
    }
}

fn count_kinds(rows: &[CaseRow]) -> Vec<(CaseKind, usize)> {
    CaseKind::ALL
        .into_iter()
        .map(|k| (k, rows.iter().filter(|r| r.kind == k).count()))
        .filter(|&(k, n)| k != CaseKind::PermohonanLain || n > 0)
        .collect()
}

fn count_statuses(rows: &[CaseRow]) -> Vec<(Status, usize)> {
    Status::ALL
        .into_iter()
        .map(|s| (s, rows.iter().filter(|r| r.status == s).count()))
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
mod tests {
    use super::*;
    use crate::cases::report::render_csv;
    use time::macros::date;

    /// A fixture calendar: 2026 listed, with the cuti bersama of 24 December.
    fn fixture() -> Calendar {
        Calendar::from_holidays([2026], &[date!(2026 - 12 - 24)])
    }

    #[test]
    fn judges_by_working_days_up_to_the_records_deadline() {
        let cal = fixture();
        let today = date!(2026 - 12 - 10);
        // Friday 27 Nov → Wednesday 2 Dec is 3 working days across a weekend.
        let fri = date!(2026 - 11 - 27);
        let due = date!(2026 - 12 - 02);
        let j = |done| judge(&cal, Unit::WorkingDays, fri, done, due, today);
        assert_eq!(j(Some(date!(2026 - 12 - 02))), Timeliness::Within);
        assert_eq!(j(Some(date!(2026 - 12 - 03))), Timeliness::Late);
        // Not done: late once the due date is before the report date.
        assert_eq!(j(None), Timeliness::Late);
        assert_eq!(
            judge(
                &cal,
                Unit::WorkingDays,
                fri,
                None,
                due,
                date!(2026 - 12 - 02)
            ),
            Timeliness::NotYetDue
        );
        // Tue 22 Dec, due Tue 29 Dec (23, 28, 29: 24 is cuti bersama, 25 Natal).
        let tue = date!(2026 - 12 - 22);
        let due = cal.add_working_days(tue, 3);
        assert_eq!(due, date!(2026 - 12 - 29));
        assert_eq!(cal.working_days_between(tue, date!(2026 - 12 - 28)), 2);
        assert_eq!(
            judge(
                &cal,
                Unit::WorkingDays,
                tue,
                Some(date!(2026 - 12 - 29)),
                due,
                today
            ),
            Timeliness::Within
        );
        assert_eq!(
            judge(
                &cal,
                Unit::WorkingDays,
                tue,
                Some(date!(2026 - 12 - 30)),
                due,
                today
            ),
            Timeliness::Late
        );
    }

    #[test]
    fn a_calendar_days_term_is_judged_by_its_date() {
        let cal = fixture();
        let today = date!(2026 - 12 - 10);
        // Received Friday 27 Nov, 8 calendar days: due Saturday 5 Dec.
        let fri = date!(2026 - 11 - 27);
        let due = cal.add_calendar_days(fri, 8).date;
        assert_eq!(due, date!(2026 - 12 - 05));
        let j = |unit, done| judge(&cal, unit, fri, Some(done), due, today);
        assert_eq!(
            j(Unit::CalendarDays, date!(2026 - 12 - 05)),
            Timeliness::Within
        );
        // Sunday is a day late in calendar days; counted in working days it
        // would pass, as nobody works on the weekend.
        assert_eq!(
            j(Unit::CalendarDays, date!(2026 - 12 - 06)),
            Timeliness::Late
        );
        assert_eq!(
            j(Unit::WorkingDays, date!(2026 - 12 - 06)),
            Timeliness::Within
        );
        assert_eq!(j(Unit::Hours, date!(2026 - 12 - 06)), Timeliness::Late);
    }

    #[test]
    fn shares_and_numbers_in_indonesian() {
        let mut s = Share::default();
        assert_eq!(s.describe("pengaduan"), "tidak ada pengaduan");
        for t in [
            Timeliness::Within,
            Timeliness::Late,
            Timeliness::NotYetDue,
            Timeliness::Within,
            Timeliness::Late,
            Timeliness::Within,
            Timeliness::Late,
            Timeliness::Within,
        ] {
            s.add(t);
        }
        assert_eq!((s.within, s.judged, s.not_yet_due), (4, 7, 1));
        assert_eq!(s.describe("x"), "4 dari 7 (57,1%)");
        assert_eq!(percent(2, 4), "50%");
        assert_eq!(percent(1, 1), "100%");
        assert_eq!(percent(2, 3), "66,7%");
        assert_eq!(percent(1, 3), "33,3%");
        assert_eq!(decimal_one(5, 2), "2,5");
        assert_eq!(decimal_one(23, 6), "3,8");
        assert_eq!(decimal_one(4, 1), "4,0");
        assert_eq!(decimal_one(1, 20), "0,1"); // 0.05 rounds up
    }

    #[test]
    fn masks_the_nik() {
        assert_eq!(
            mask_nik("3517 0152 0590 0001").as_deref(),
            Some("3517 **** **** 0001")
        );
        assert_eq!(
            mask_nik("3517.0152.0590.0001").as_deref(),
            Some("3517 **** **** 0001")
        );
        assert_eq!(
            mask_nik("3517015205900001").as_deref(),
            Some("3517 **** **** 0001")
        );
        assert_eq!(mask_nik("3517 0152 0590 001"), None);
        assert_eq!(mask_nik("3517-0152-0590-0001"), None);
        assert_eq!(mask_nik("３５１７０１５２０５９０００01"), None);
    }

    #[test]
    fn splits_the_month_into_weeks() {
        assert_eq!(
            [1, 7, 8, 14, 15, 21, 22, 28, 29, 31].map(week_of),
            [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
        );
        let nov = weeks(2026, Month::November, [1, 2, 7, 8, 30].into_iter());
        assert_eq!(nov.len(), 5);
        assert_eq!(
            nov.iter().map(|w| w.count).collect::<Vec<_>>(),
            [3, 1, 0, 0, 1]
        );
        assert_eq!((nov[4].first_day, nov[4].last_day), (29, 30));
        // A 28-day February has four weeks; a leap one a fifth with one day.
        assert_eq!(weeks(2026, Month::February, std::iter::empty()).len(), 4);
        let feb = weeks(2028, Month::February, [29].into_iter());
        assert_eq!(
            feb[4],
            Week {
                number: 5,
                first_day: 29,
                last_day: 29,
                count: 1
            }
        );
    }

    fn record(text: &str) -> Summary {
        let path = std::path::Path::new("r.yaml");
        Summary::of(&crate::cases::Record::parse(path, text).unwrap())
    }

    #[test]
    fn computes_a_month_from_records() {
        let base = |ticket: &str, kind: &str, at: &str, extra: &str| {
            format!("ticket: {ticket}\nkind: {kind}\nreceived_at: {at}\n{extra}")
        };
        let records = vec![
            // 1 Nov 03:30 WIB although 31 Oct in UTC.
            record(&base(
                "KP-20261101-CDFH",
                "permohonan",
                "2026-10-31T20:30:00Z",
                "status: selesai\nresponse_due: 2026-11-06\ncompletion_due: 2026-11-06\nfirst_response_at: 2026-11-02T09:00:00+07:00\ncompleted_at: 2026-11-04T10:00:00+07:00\nresult: Selesai\nfields:\n  jenis: konsultasi\n  nik: 3517 0152 0590 0001\n",
            )),
            // Completed but reopened by hand: no completion counted.
            record(&base(
                "KP-20261130-JKMN",
                "permohonan",
                "2026-11-30T08:00:00+07:00",
                "status: diperiksa\nresponse_due: 2026-12-07\ncompletion_due: 2026-12-07\ncompleted_at: 2026-12-01T10:00:00+07:00\nfields:\n  jenis: pengaduan\n  nik: '123'\n",
            )),
            record(&base(
                "PL-20261105-PRTV",
                "pengaduan-layanan",
                "2026-11-05T08:00:00+07:00",
                "status: baru\nresponse_due: 2026-11-10\n",
            )),
            // December in WIB.
            record(&base(
                "PL-20261201-MNRT",
                "pengaduan-layanan",
                "2026-11-30T18:30:00+00:00",
                "status: baru\nresponse_due: 2026-12-04\n",
            )),
        ];
        let cal = fixture();
        let r = MonthReport::compute(
            &records,
            &cal,
            &Terms::default(),
            2026,
            Month::November,
            date!(2026 - 12 - 03),
        );
        assert_eq!(r.rows.len(), 3);
        assert_eq!(r.rows[0].received, date!(2026 - 11 - 01));
        assert_eq!(r.rows[0].days_to_completion, Some(3));
        assert_eq!(r.rows[0].nik.as_deref(), Some("3517 **** **** 0001"));
        assert_eq!(r.rows[1].completed, None);
        assert_eq!(r.rows[1].nik.as_deref(), Some("(tidak sah)"));
        assert_eq!(r.rows[1].timeliness, Timeliness::NotYetDue);
        assert_eq!(r.rows[2].nik, None);
        assert_eq!(r.rows[2].timeliness, Timeliness::Late);
        assert_eq!(
            r.by_kind,
            [
                (CaseKind::Konsultasi, 1),
                (CaseKind::PengaduanMasalah, 1),
                (CaseKind::PengaduanLayanan, 1)
            ]
        );
        assert_eq!(r.by_status.len(), 6);
        assert_eq!(r.response.describe("-"), "0 dari 1 (0%)");
        assert_eq!(
            (
                r.completion.within,
                r.completion.judged,
                r.completion.not_yet_due
            ),
            (1, 1, 1)
        );
        assert_eq!(r.average_text(), "3,0");
        assert_eq!(
            r.weeks.iter().map(|w| w.count).collect::<Vec<_>>(),
            [2, 0, 0, 0, 1]
        );
        assert!(r.missing_holiday_years.is_empty());
        let csv = render_csv(&r);
        assert_eq!(csv.lines().count(), 4);
        assert!(csv.contains("KP-20261101-CDFH;2026-11-01;permohonan/konsultasi;selesai;2026-11-02;2026-11-04;3;ya;Selesai;;3517 **** **** 0001;\r\n"), "{csv}");
    }

    #[test]
    fn empty_month_has_no_average() {
        let r = MonthReport::compute(
            &[],
            &fixture(),
            &Terms::default(),
            2026,
            Month::October,
            date!(2026 - 12 - 10),
        );
        assert_eq!(r.average_text(), "—");
        assert_eq!(r.completion.describe("permohonan"), "tidak ada permohonan");
        assert_eq!(render_csv(&r).lines().count(), 1);
    }
}
