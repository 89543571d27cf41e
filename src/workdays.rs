//! Working days (hari kerja): Monday to Friday, minus national holidays and
//! cuti bersama, read from the editable lists in `hari-libur/*.yaml`.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::sync::Mutex;

use serde::Deserialize;
use time::{Date, Duration, Weekday};

use crate::diagnostic::{Diagnostic, display_path};
use crate::yaml;

/// Folder in the site root holding one holiday list per year.
pub const HOLIDAYS_DIR: &str = "hari-libur";

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
    crate::dates::parse_iso(&text).map_err(serde::de::Error::custom)
}

/// The office calendar.
#[derive(Debug, Default)]
pub struct Calendar {
    /// Days off that fall on weekdays' business, with their names.
    holidays: BTreeMap<Date, String>,
    /// Years that have a holiday list.
    years: BTreeSet<i32>,
    /// Years already warned about, so a log line is written once per year.
    warned: Mutex<HashSet<i32>>,
}

impl Calendar {
    /// Loads every `hari-libur/*.yaml` under `root`. A missing folder gives a
    /// calendar of weekends only (with warnings when used).
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
                    diags.push(Diagnostic::error(&shown, None, format!("cannot read: {e}")));
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
                    "no `source:` naming the decree this list comes from",
                ));
            }
            for h in file.libur_nasional.into_iter().chain(file.cuti_bersama) {
                if h.date.year() != file.year {
                    diags.push(Diagnostic::error(
                        &shown,
                        None,
                        format!(
                            "{} ({}) is not in year {}",
                            crate::dates::format_iso(h.date),
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
            warned: Mutex::new(HashSet::new()),
        }
    }

    pub fn has_year(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// Whether staff work on `date`.
    pub fn is_working_day(&self, date: Date) -> bool {
        if matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
            return false;
        }
        if !self.has_year(date.year()) {
            self.warn_missing_year(date.year());
        }
        !self.holidays.contains_key(&date)
    }

    /// The `n`th working day after `start` (the day of receipt does not count):
    /// a request received on Friday 27 November 2026 with n = 3 is due on
    /// Wednesday 2 December 2026.
    pub fn add_working_days(&self, start: Date, n: u32) -> Date {
        let mut date = start;
        let mut left = n;
        while left > 0 {
            date = date.saturating_add(Duration::days(1));
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date
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

    fn warn_missing_year(&self, year: i32) {
        let mut warned = self.warned.lock().unwrap_or_else(|e| e.into_inner());
        if warned.insert(year) {
            eprintln!(
                "warning: no holiday list for {year} in {HOLIDAYS_DIR}/; counting weekends only"
            );
        }
    }

    /// Warnings for `loket check`: the current year must have a list, and from
    /// December on the next one too (deadlines cross the new year).
    pub fn coverage_warnings(&self, today: Date) -> Vec<Diagnostic> {
        let mut years = vec![today.year()];
        if today.month() == time::Month::December {
            years.push(today.year() + 1);
        }
        years
            .into_iter()
            .filter(|y| !self.has_year(*y))
            .map(|y| {
                Diagnostic::warning(
                    Path::new(HOLIDAYS_DIR).join(format!("{y}.yaml")),
                    None,
                    format!(
                        "no holiday list for {y}: deadlines in {y} count weekends only; add the national holidays and cuti bersama from the SKB"
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

    fn shipped() -> Calendar {
        Calendar::load(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn skips_the_weekend() {
        let cal = shipped();
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
    fn skips_holidays_and_cuti_bersama() {
        let cal = shipped();
        // Idul Fitri 2026: 18 (cuti) 19 (Nyepi) 20 (cuti) 21-22 (weekend, holidays) 23-24 (cuti).
        assert_eq!(
            cal.add_working_days(date!(2026 - 03 - 17), 1),
            date!(2026 - 03 - 25)
        );
        assert!(!cal.is_working_day(date!(2026 - 12 - 24)));
        assert!(!cal.is_working_day(date!(2026 - 12 - 25)));
    }

    #[test]
    fn crosses_the_year_with_weekends_only_for_a_missing_year() {
        let cal = shipped();
        assert!(!cal.has_year(2027));
        // Wed 23 Dec 2026: 24 cuti, 25 holiday, 26-27 weekend; 28, 29, 30, 31 Dec, 1 Jan 2027.
        assert_eq!(
            cal.add_working_days(date!(2026 - 12 - 23), 5),
            date!(2027 - 01 - 01)
        );
        let with_2027 = Calendar::from_holidays([2026, 2027], &[date!(2027 - 01 - 01)]);
        assert_eq!(
            with_2027.add_working_days(date!(2026 - 12 - 30), 2),
            date!(2027 - 01 - 04)
        );
    }

    #[test]
    fn counts_working_days_between() {
        let cal = shipped();
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
    fn shipped_list_keeps_its_source() {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("hari-libur/2026.yaml"),
        )
        .unwrap();
        assert!(text.contains("source: \"SKB 3 Menteri No. 1497/2025, 2/2025, 5/2025\""));
        assert_eq!(shipped().holidays.len(), 25);
    }
}
