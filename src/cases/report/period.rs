//! What a report covers: a month (the monthly report), a quarter or a year
//! (the periodic complaint-handling report PermenPAN-RB 62/2018 asks for),
//! with the names its files, flags and pages use.

use time::{Date, Month};

use crate::core::dates;

/// The months of a report's year it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Month(Month),
    /// 1 to 4.
    Quarter(u8),
    /// 1 or 2 (the survey's periods, PermenPAN-RB 14/2017).
    Semester(u8),
    Year,
}

/// A month, quarter or year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub year: i32,
    pub span: Span,
}

const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

impl Period {
    pub fn month(year: i32, month: Month) -> Period {
        Period {
            year,
            span: Span::Month(month),
        }
    }

    /// Whether `day` falls in it.
    pub fn contains(&self, day: Date) -> bool {
        day.year() == self.year && self.months().contains(&day.month())
    }

    /// Its months, in order.
    pub fn months(&self) -> Vec<Month> {
        let numbers = match self.span {
            Span::Month(m) => u8::from(m)..=u8::from(m),
            Span::Quarter(q) => (q - 1) * 3 + 1..=q * 3,
            Span::Semester(h) => (h - 1) * 6 + 1..=h * 6,
            Span::Year => 1..=12,
        };
        numbers.filter_map(|n| Month::try_from(n).ok()).collect()
    }

    /// How the report names it: "November 2026", "Triwulan IV 2026",
    /// "Tahun 2026".
    pub fn name(&self) -> String {
        match self.span {
            Span::Month(m) => format!("{} {}", dates::month_name(m), self.year),
            Span::Quarter(q) => format!("Triwulan {} {}", ROMAN[usize::from(q) - 1], self.year),
            Span::Semester(h) => format!("Semester {} {}", ROMAN[usize::from(h) - 1], self.year),
            Span::Year => format!("Tahun {}", self.year),
        }
    }

    /// "bulan", "triwulan" or "tahun": for "Tidak ada kasus pada … ini".
    pub fn unit(&self) -> &'static str {
        match self.span {
            Span::Month(_) => "bulan",
            Span::Quarter(_) => "triwulan",
            Span::Semester(_) => "semester",
            Span::Year => "tahun",
        }
    }

    /// As typed and in file names: "2026-11", "2026-Q4", "2026-S2", "2026".
    pub fn code(&self) -> String {
        match self.span {
            Span::Month(m) => format!("{:04}-{:02}", self.year, u8::from(m)),
            Span::Quarter(q) => format!("{:04}-Q{q}", self.year),
            Span::Semester(h) => format!("{:04}-S{h}", self.year),
            Span::Year => format!("{:04}", self.year),
        }
    }

    /// `laporan-2026-11`, `laporan-2026-Q4`, `laporan-2026`: the name of
    /// its report files, without extension.
    pub fn file_stem(&self) -> String {
        format!("laporan-{}", self.code())
    }

    /// Any of [`Period::code`]'s forms.
    pub fn parse(text: &str) -> Result<Period, String> {
        let t = text.trim();
        if t.contains('Q') || t.contains('q') {
            parse_quarter(t)
        } else if t.contains('S') || t.contains('s') {
            parse_semester(t)
        } else if t.contains('-') {
            super::parse_month(t).map(|(y, m)| Period::month(y, m))
        } else {
            parse_year(t)
        }
    }
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// Parses `--quarter`: "2026-Q4".
pub fn parse_quarter(text: &str) -> Result<Period, String> {
    let bad = || format!("expected a quarter as YYYY-Qn, e.g. 2026-Q4; got {text:?}");
    let (y, q) = text.trim().split_once('-').ok_or_else(bad)?;
    let q = q.strip_prefix(['Q', 'q']).ok_or_else(bad)?;
    if !digits(y, 4) || !digits(q, 1) {
        return Err(bad());
    }
    let quarter: u8 = q.parse().map_err(|_| bad())?;
    if !(1..=4).contains(&quarter) {
        return Err(format!(
            "quarter {quarter} does not exist (Q1 to Q4); got {text:?}"
        ));
    }
    Ok(Period {
        year: y.parse().map_err(|_| bad())?,
        span: Span::Quarter(quarter),
    })
}

/// Parses a semester: "2026-S2".
pub fn parse_semester(text: &str) -> Result<Period, String> {
    let bad = || format!("expected a semester as YYYY-Sn, e.g. 2026-S2; got {text:?}");
    let (y, h) = text.trim().split_once('-').ok_or_else(bad)?;
    let h = h.strip_prefix(['S', 's']).ok_or_else(bad)?;
    if !digits(y, 4) || !matches!(h, "1" | "2") {
        return Err(bad());
    }
    Ok(Period {
        year: y.parse().map_err(|_| bad())?,
        span: Span::Semester(if h == "1" { 1 } else { 2 }),
    })
}

/// Parses `--year`: "2026".
pub fn parse_year(text: &str) -> Result<Period, String> {
    let t = text.trim();
    if !digits(t, 4) {
        return Err(format!("expected a year as YYYY, e.g. 2026; got {text:?}"));
    }
    Ok(Period {
        year: t.parse().map_err(|_| format!("bad year {text:?}"))?,
        span: Span::Year,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn quarters_and_years() {
        let q4 = parse_quarter("2026-Q4").unwrap();
        assert_eq!(q4.name(), "Triwulan IV 2026");
        assert_eq!(q4.file_stem(), "laporan-2026-Q4");
        assert!(q4.contains(date!(2026 - 10 - 01)) && q4.contains(date!(2026 - 12 - 31)));
        assert!(!q4.contains(date!(2026 - 09 - 30)) && !q4.contains(date!(2027 - 10 - 01)));
        for bad in ["2026-Q5", "2026-Q0", "2026-4", "26-Q1", "2026Q1"] {
            assert!(parse_quarter(bad).is_err(), "{bad}");
        }
        let y = parse_year("2026").unwrap();
        assert_eq!((y.name(), y.code()), ("Tahun 2026".into(), "2026".into()));
        assert_eq!(y.months().len(), 12);
        assert!(parse_year("26").is_err());
        let s2 = parse_semester("2026-S2").unwrap();
        assert_eq!(s2.name(), "Semester II 2026");
        assert!(s2.contains(date!(2026 - 07 - 01)) && !s2.contains(date!(2026 - 06 - 30)));
        for bad in ["2026-S3", "2026-S0", "2026-2"] {
            assert!(parse_semester(bad).is_err(), "{bad}");
        }
        for text in ["2026-11", "2026-Q4", "2026-S1", "2026"] {
            assert_eq!(Period::parse(text).unwrap().code(), text);
        }
    }
}
