//! Working days (hari kerja): Monday to Friday, minus national holidays and
//! cuti bersama, read from the editable lists in `hari-libur/*.yaml`.
//!
//! The holidays fixed by date in law (1 January, 1 May, 1 June, 17 August,
//! 25 December) are days off in every year, listed or not. The others move
//! with the lunar calendars and are set each year by the SKB of three
//! ministers, so a year without a list counts weekends and those five days
//! only: a deadline computed through such a year is still given, but marked
//! provisional ([`Due::unlisted_year`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use time::{Date, Duration, Month, PrimitiveDateTime, Time, Weekday};

use crate::core::diagnostic::{Diagnostic, display_path};
use crate::core::yaml;

/// Folder in the site root holding one holiday list per year.
pub const HOLIDAYS_DIR: &str = "hari-libur";

/// National holidays on the same date every year (UU and Keppres on
/// national holidays): Tahun Baru Masehi, Hari Buruh, Hari Lahir Pancasila,
/// Hari Kemerdekaan, Hari Raya Natal.
const FIXED_HOLIDAYS: [(Month, u8); 5] = [
    (Month::January, 1),
    (Month::May, 1),
    (Month::June, 1),
    (Month::August, 17),
    (Month::December, 25),
];

/// The month from which `loket check` and the server also want next year's
/// list: the SKB usually appears in September or October, and deadlines of
/// late December reach into January.
const NEXT_YEAR_FROM: Month = Month::October;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    year: i32,
    #[serde(default)]
    source: String,
    #[serde(default)]
    libur_nasional: Vec<Holiday>,
    #[serde(default)]
    cuti_bersama: Vec<Holiday>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Holiday {
    #[serde(deserialize_with = "deserialize_date")]
    date: Date,
    name: String,
}

fn deserialize_date<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Date, D::Error> {
    let text = String::deserialize(de)?;
    crate::core::dates::parse_iso(&text).map_err(serde::de::Error::custom)
}

/// The office calendar.
#[derive(Debug, Default, Clone)]
pub struct Calendar {
    /// Days off from the lists, with their names.
    holidays: BTreeMap<Date, String>,
    /// Years that have a holiday list.
    years: BTreeSet<i32>,
}

/// A deadline: the date, and whether it could be computed exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub date: Date,
    /// A year the count went through that has no holiday list: the date is
    /// an estimate ("perkiraan") until that list is added.
    pub unlisted_year: Option<i32>,
}

impl Due {
    /// What a provisional deadline says next to its date, for citizens and
    /// staff alike: "perkiraan; daftar libur 2027 belum ditetapkan".
    pub fn note(&self) -> Option<String> {
        self.unlisted_year.map(provisional_note)
    }
}

/// "perkiraan; daftar libur 2027 belum ditetapkan".
pub fn provisional_note(year: i32) -> String {
    format!("perkiraan; daftar libur {year} belum ditetapkan")
}

/// The hours the office serves on a working day, for terms counted in
/// hours (`term: { hours: 2 }`): from `office.service_hours` in site.yaml,
/// written "08.00-15.30".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficeHours {
    pub open: Time,
    pub close: Time,
}

impl OfficeHours {
    /// Reads "08.00-15.30" (a dot or a colon between hours and minutes, a
    /// hyphen or an en dash between the times). The message is for staff.
    pub fn parse(text: &str) -> Result<OfficeHours, String> {
        let wrong = || {
            format!(
                "jam layanan `{text}` tidak dapat dibaca; tulis jam buka dan jam tutup, misalnya \"08.00-15.30\""
            )
        };
        let (open, close) = text.split_once(['-', '–']).ok_or_else(wrong)?;
        let time = |t: &str| -> Option<Time> {
            let (h, m) = t.trim().split_once(['.', ':'])?;
            if h.is_empty() || h.len() > 2 || m.len() != 2 {
                return None;
            }
            Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
        };
        let (open, close) = (
            time(open).ok_or_else(wrong)?,
            time(close).ok_or_else(wrong)?,
        );
        if open >= close {
            return Err(format!(
                "jam layanan `{text}`: jam buka harus lebih awal daripada jam tutup"
            ));
        }
        Ok(OfficeHours { open, close })
    }
}

impl Calendar {
    /// Loads every `hari-libur/*.yaml` under `root`. A missing folder gives a
    /// calendar of weekends and fixed-date holidays only.
    pub fn load(root: &Path) -> Result<Calendar, Vec<Diagnostic>> {
        let dir = root.join(HOLIDAYS_DIR);
        let mut calendar = Calendar::default();
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(calendar);
        };
        let mut paths: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        paths.sort();
        let mut diags = Vec::new();
        for path in paths {
            let shown = display_path(root, &path);
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) => {
                    diags.push(Diagnostic::error(
                        &shown,
                        None,
                        format!("tidak dapat dibaca: {e}"),
                    ));
                    continue;
                }
            };
            let file: YearFile = match yaml::from_str(&text) {
                Ok(f) => f,
                Err(e) => {
                    diags.push(Diagnostic::error(&shown, e.line, e.message));
                    continue;
                }
            };
            if file.source.trim().is_empty() {
                diags.push(Diagnostic::warning(
                    &shown,
                    None,
                    "tidak ada `source:` yang menyebut surat keputusan (SKB) asal daftar ini",
                ));
            }
            for h in file.libur_nasional.into_iter().chain(file.cuti_bersama) {
                if h.date.year() != file.year {
                    diags.push(Diagnostic::error(
                        &shown,
                        yaml::line_of_value(&text, &crate::core::dates::format_iso(h.date)),
                        format!(
                            "{} ({}) tidak jatuh pada tahun {}",
                            crate::core::dates::format_iso(h.date),
                            h.name,
                            file.year
                        ),
                    ));
                    continue;
                }
                calendar.holidays.insert(h.date, h.name);
            }
            calendar.years.insert(file.year);
        }
        if diags.iter().any(Diagnostic::is_error) {
            Err(diags)
        } else {
            Ok(calendar)
        }
    }

    /// A calendar from explicit holidays, for tests and tools.
    pub fn from_holidays(years: impl IntoIterator<Item = i32>, days: &[Date]) -> Calendar {
        Calendar {
            holidays: days.iter().map(|&d| (d, String::new())).collect(),
            years: years.into_iter().collect(),
        }
    }

    pub fn has_year(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// Whether staff work on `date`.
    pub fn is_working_day(&self, date: Date) -> bool {
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
            && !FIXED_HOLIDAYS.contains(&(date.month(), date.day()))
            && !self.holidays.contains_key(&date)
    }

    /// The `n`th working day after `start` (the day of receipt does not count):
    /// a request received on Friday 27 November 2026 with n = 3 is due on
    /// Wednesday 2 December 2026.
    pub fn add_working_days(&self, start: Date, n: u32) -> Date {
        self.due(start, n).date
    }

    /// [`Calendar::add_working_days`], saying whether a day counted fell in a
    /// year without a holiday list.
    pub fn due(&self, start: Date, n: u32) -> Due {
        let mut date = start;
        let mut left = n;
        let mut unlisted_year = None;
        while left > 0 {
            date = date.saturating_add(Duration::days(1));
            if self.is_working_day(date) {
                left -= 1;
                if !self.has_year(date.year()) {
                    unlisted_year = unlisted_year.or(Some(date.year()));
                }
            }
        }
        Due {
            date,
            unlisted_year,
        }
    }

    /// The `n`th day after `start`, counting every day (a term in
    /// *hari kalender*). Holidays do not matter, so the date is never
    /// provisional.
    pub fn add_calendar_days(&self, start: Date, n: u32) -> Due {
        Due {
            date: start.saturating_add(Duration::days(i64::from(n))),
            unlisted_year: None,
        }
    }

    /// The moment `hours` of office hours after `start` (a term in *jam
    /// kerja*): only the time between `office.open` and `office.close` on
    /// working days counts. Received at 15.00 with the office closing at
    /// 15.30, two hours run out at 09.30 on the next working day; received
    /// after closing or on a day off, the count starts at the next opening.
    /// The second value is a year the count went through without a holiday
    /// list, as in [`Calendar::due`].
    pub fn add_office_hours(
        &self,
        start: PrimitiveDateTime,
        hours: u32,
        office: OfficeHours,
    ) -> (PrimitiveDateTime, Option<i32>) {
        let mut left = Duration::hours(i64::from(hours));
        let mut at = start;
        let mut unlisted_year = None;
        loop {
            let day = at.date();
            if !self.is_working_day(day) || at.time() >= office.close {
                at = PrimitiveDateTime::new(day.saturating_add(Duration::days(1)), office.open);
                continue;
            }
            if !self.has_year(day.year()) {
                unlisted_year = unlisted_year.or(Some(day.year()));
            }
            let from = at.time().max(office.open);
            let today = office.close - from;
            if left <= today {
                return (PrimitiveDateTime::new(day, from) + left, unlisted_year);
            }
            left -= today;
            at = PrimitiveDateTime::new(day.saturating_add(Duration::days(1)), office.open);
        }
    }

    /// Working days after `start` up to and including `end` (0 when `end` is
    /// not after `start`).
    pub fn working_days_between(&self, start: Date, end: Date) -> u32 {
        let mut count = 0;
        let mut date = start;
        while date < end {
            date = date.saturating_add(Duration::days(1));
            if self.is_working_day(date) {
                count += 1;
            }
        }
        count
    }

    /// Years without a list that deadlines computed on `today` may reach:
    /// this year, and from October on the next one too.
    pub fn missing_years(&self, today: Date) -> Vec<i32> {
        let mut years = vec![today.year()];
        if today.month() >= NEXT_YEAR_FROM {
            years.push(today.year() + 1);
        }
        years.retain(|y| !self.has_year(*y));
        years
    }

    /// Warnings for `loket check` and the server's daily log line.
    pub fn coverage_warnings(&self, today: Date) -> Vec<Diagnostic> {
        self.missing_years(today)
            .into_iter()
            .map(|y| {
                Diagnostic::warning(
                    Path::new(HOLIDAYS_DIR).join(format!("{y}.yaml")),
                    None,
                    format!(
                        "belum ada daftar hari libur {y}: batas waktu pada tahun {y} dihitung tanpa libur nasional yang bergeser dan cuti bersama, dan ditandai \"{}\"; tambahkan daftar dari SKB libur nasional dan cuti bersama {y}",
                        provisional_note(y)
                    ),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// A fixture calendar: 2026 listed with the days off of late December
    /// 2026 (cuti bersama on the 24th), nothing listed for 2027.
    fn fixture() -> Calendar {
        Calendar::from_holidays(
            [2026],
            &[
                date!(2026 - 03 - 18),
                date!(2026 - 03 - 19),
                date!(2026 - 03 - 20),
                date!(2026 - 03 - 23),
                date!(2026 - 03 - 24),
                date!(2026 - 12 - 24),
            ],
        )
    }

    #[test]
    fn skips_the_weekend() {
        let cal = fixture();
        // Friday 27 November 2026 + 3 working days = Wednesday 2 December.
        assert_eq!(
            cal.add_working_days(date!(2026 - 11 - 27), 3),
            date!(2026 - 12 - 02)
        );
        assert_eq!(
            cal.add_working_days(date!(2026 - 11 - 27), 5),
            date!(2026 - 12 - 04)
        );
        // Received on a Saturday: Monday is the first working day.
        assert_eq!(
            cal.add_working_days(date!(2026 - 11 - 28), 1),
            date!(2026 - 11 - 30)
        );
    }

    #[test]
    fn skips_listed_holidays_and_cuti_bersama() {
        let cal = fixture();
        // 18 (cuti) 19 (holiday) 20 (cuti) 21-22 (weekend) 23-24 (cuti).
        assert_eq!(
            cal.add_working_days(date!(2026 - 03 - 17), 1),
            date!(2026 - 03 - 25)
        );
        assert!(!cal.is_working_day(date!(2026 - 12 - 24)));
    }

    #[test]
    fn fixed_date_holidays_are_off_in_every_year_listed_or_not() {
        let nothing_listed = Calendar::default();
        for day in [
            date!(2027 - 01 - 01),
            date!(2030 - 05 - 01),
            date!(2029 - 06 - 01),
            date!(2028 - 08 - 17),
            date!(2031 - 12 - 25),
        ] {
            assert!(!nothing_listed.is_working_day(day), "{day}");
        }
        assert!(nothing_listed.is_working_day(date!(2027 - 01 - 04)));
    }

    /// The December bug: deadlines that reach into a year without a list.
    #[test]
    fn deadlines_into_an_unlisted_year_skip_new_year_and_are_provisional() {
        let cal = fixture();
        // Wed 23 Dec: 24 cuti, 25 Natal, 26-27 weekend; 28, 29, 30, 31 Dec,
        // 1 Jan (Tahun Baru) skipped, then Mon 4 Jan... 5 working days are
        // 28, 29, 30, 31 Dec and 4 Jan.
        for received in [
            date!(2026 - 12 - 23),
            date!(2026 - 12 - 24),
            date!(2026 - 12 - 25),
        ] {
            let due = cal.due(received, 5);
            assert_eq!(due.date, date!(2027 - 01 - 04), "received {received}");
            assert_eq!(due.unlisted_year, Some(2027));
        }
        // Mon 28 Dec: 29, 30, 31 Dec, 4, 5 Jan.
        assert_eq!(
            cal.add_working_days(date!(2026 - 12 - 28), 5),
            date!(2027 - 01 - 05)
        );
        // Thu 31 Dec: 4, 5, 6, 7, 8 Jan.
        assert_eq!(
            cal.add_working_days(date!(2026 - 12 - 31), 5),
            date!(2027 - 01 - 08)
        );
        let due = cal.due(date!(2026 - 12 - 31), 5);
        assert_eq!(
            due.note().as_deref(),
            Some("perkiraan; daftar libur 2027 belum ditetapkan")
        );
        // Within a listed year the deadline is exact.
        assert_eq!(cal.due(date!(2026 - 12 - 21), 2).unlisted_year, None);
        // Once 2027 is listed, the same deadline is exact.
        let with_2027 = Calendar::from_holidays([2026, 2027], &[date!(2026 - 12 - 24)]);
        assert_eq!(with_2027.due(date!(2026 - 12 - 28), 5).unlisted_year, None);
    }

    #[test]
    fn calendar_days_count_weekends_and_holidays() {
        let cal = fixture();
        // Friday 27 November 2026 + 7 days = Friday 4 December.
        let due = cal.add_calendar_days(date!(2026 - 11 - 27), 7);
        assert_eq!(due.date, date!(2026 - 12 - 04));
        // Over the cuti bersama and Christmas, into an unlisted year: the
        // days are counted all the same, and the date is exact.
        let due = cal.add_calendar_days(date!(2026 - 12 - 23), 10);
        assert_eq!(due.date, date!(2027 - 01 - 02));
        assert_eq!(due.unlisted_year, None);
        // Ending on a weekend or a holiday is not moved.
        assert_eq!(
            cal.add_calendar_days(date!(2026 - 12 - 20), 4).date,
            date!(2026 - 12 - 24)
        );
    }

    #[test]
    fn office_hours_parse_and_refuse_nonsense() {
        let h = OfficeHours::parse("08.00-15.30").unwrap();
        assert_eq!(h.open, time::macros::time!(08:00));
        assert_eq!(h.close, time::macros::time!(15:30));
        assert_eq!(
            OfficeHours::parse("7:30 – 16:00").unwrap().open,
            time::macros::time!(07:30)
        );
        for bad in [
            "",
            "08.00",
            "8-15",
            "15.30-08.00",
            "25.00-26.00",
            "08.00-15.3",
        ] {
            let err = OfficeHours::parse(bad).unwrap_err();
            assert!(err.starts_with("jam layanan"), "{bad}: {err}");
        }
    }

    #[test]
    fn hours_count_only_within_office_hours_on_working_days() {
        use time::macros::datetime;
        let cal = fixture();
        let office = OfficeHours::parse("08.00-15.30").unwrap();
        let add = |at, h| cal.add_office_hours(at, h, office);
        // Within one morning.
        assert_eq!(
            add(datetime!(2026-11-26 09:15), 2),
            (datetime!(2026-11-26 11:15), None)
        );
        // Running out exactly at closing time stays on that day.
        assert_eq!(
            add(datetime!(2026-11-26 13:30), 2).0,
            datetime!(2026-11-26 15:30)
        );
        // Friday 15.00: half an hour on Friday, the rest on Monday.
        assert_eq!(
            add(datetime!(2026-11-27 15:00), 2).0,
            datetime!(2026-11-30 09:30)
        );
        // After closing, on a Saturday, before opening: the count starts at
        // the next opening.
        assert_eq!(
            add(datetime!(2026-11-27 17:00), 1).0,
            datetime!(2026-11-30 09:00)
        );
        assert_eq!(
            add(datetime!(2026-11-28 10:00), 1).0,
            datetime!(2026-11-30 09:00)
        );
        assert_eq!(
            add(datetime!(2026-11-30 06:00), 1).0,
            datetime!(2026-11-30 09:00)
        );
        // A holiday (cuti bersama on 24 December, Christmas on the 25th) is
        // skipped; a count into 2027 is provisional.
        assert_eq!(
            add(datetime!(2026-12-23 15:00), 1),
            (datetime!(2026-12-28 08:30), None)
        );
        assert_eq!(
            add(datetime!(2026-12-31 15:00), 1),
            (datetime!(2027-01-04 08:30), Some(2027))
        );
        // A term longer than a day: 7.5 hours a day.
        assert_eq!(
            add(datetime!(2026-11-30 08:00), 15).0,
            datetime!(2026-12-01 15:30)
        );
        assert_eq!(
            add(datetime!(2026-11-30 08:00), 16).0,
            datetime!(2026-12-02 09:00)
        );
    }

    #[test]
    fn counts_working_days_between() {
        let cal = fixture();
        assert_eq!(
            cal.working_days_between(date!(2026 - 11 - 27), date!(2026 - 12 - 02)),
            3
        );
        assert_eq!(
            cal.working_days_between(date!(2026 - 11 - 27), date!(2026 - 11 - 27)),
            0
        );
    }

    #[test]
    fn next_years_list_is_wanted_from_october() {
        let cal = fixture();
        assert!(cal.missing_years(date!(2026 - 09 - 30)).is_empty());
        assert_eq!(cal.missing_years(date!(2026 - 10 - 01)), vec![2027]);
        assert_eq!(cal.missing_years(date!(2026 - 12 - 31)), vec![2027]);
        assert_eq!(cal.missing_years(date!(2027 - 01 - 02)), vec![2027]);
        let w = cal.coverage_warnings(date!(2026 - 10 - 01));
        assert_eq!(w.len(), 1);
        assert!(w[0].path.ends_with("hari-libur/2027.yaml"));
        assert!(w[0].message.contains("belum ada daftar hari libur 2027"));
    }

    #[test]
    fn loads_a_list_and_names_a_date_in_the_wrong_year() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(HOLIDAYS_DIR);
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(
            dir.join("2031.yaml"),
            "year: 2031\nsource: \"SKB\"\nlibur_nasional:\n  - { date: 2031-03-03, name: \"X\" }\n",
        )
        .unwrap();
        let cal = Calendar::load(tmp.path()).unwrap();
        assert!(cal.has_year(2031));
        assert!(!cal.is_working_day(date!(2031 - 03 - 03)));
        std::fs::write(
            dir.join("2032.yaml"),
            "year: 2032\nsource: \"SKB\"\nlibur_nasional:\n  - { date: 2033-03-03, name: \"X\" }\n",
        )
        .unwrap();
        let errors = Calendar::load(tmp.path()).unwrap_err();
        assert_eq!(errors[0].line, Some(4));
        assert!(errors[0].message.contains("tidak jatuh pada tahun 2032"));
    }
}
