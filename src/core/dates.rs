//! Dates as the office uses them: Western Indonesia Time (UTC+7) and
//! Indonesian month names ("27 November 2026").

use std::time::SystemTime;

use serde::{Deserialize, Deserializer};
use time::{Date, Month, OffsetDateTime, UtcOffset, macros::format_description};

/// WIB, the office's time zone. Indonesia has no daylight saving time.
pub const WIB: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("UTC+7 is a valid offset"),
};

const MONTHS: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// The Indonesian name of a month ("Agustus").
pub fn month_name(month: Month) -> &'static str {
    MONTHS[usize::from(u8::from(month)) - 1]
}

/// "27 November 2026".
pub fn format_long(date: Date) -> String {
    format!(
        "{} {} {}",
        date.day(),
        month_name(date.month()),
        date.year()
    )
}

/// The Indonesian name of a weekday ("Jumat").
pub fn weekday_name(day: time::Weekday) -> &'static str {
    use time::Weekday::*;
    match day {
        Monday => "Senin",
        Tuesday => "Selasa",
        Wednesday => "Rabu",
        Thursday => "Kamis",
        Friday => "Jumat",
        Saturday => "Sabtu",
        Sunday => "Minggu",
    }
}

/// "Jumat, 4 Desember 2026": how a deadline is told.
pub fn format_with_weekday(date: Date) -> String {
    format!("{}, {}", weekday_name(date.weekday()), format_long(date))
}

/// "2026-11-27".
pub fn format_iso(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Parses "YYYY-MM-DD".
pub fn parse_iso(text: &str) -> Result<Date, String> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|e| format!("invalid date {text:?} (expected YYYY-MM-DD): {e}"))
}

/// The calendar date in WIB of a moment such as a file's modification time.
pub fn date_in_wib(moment: SystemTime) -> Date {
    OffsetDateTime::from(moment).to_offset(WIB).date()
}

/// Today's date in WIB.
pub fn today() -> Date {
    OffsetDateTime::now_utc().to_offset(WIB).date()
}

/// Serde helper for optional `YYYY-MM-DD` fields in front matter.
pub fn deserialize_opt_date<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Date>, D::Error> {
    let text: Option<String> = Option::deserialize(de)?;
    text.map(|t| parse_iso(&t).map_err(serde::de::Error::custom))
        .transpose()
}

/// Serde for a `YYYY-MM-DD` field: `#[serde(with = "crate::core::dates::day")]`.
pub mod day {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_iso(*date))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Date, D::Error> {
        let text = String::deserialize(de)?;
        super::parse_iso(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn formats_the_indonesian_way() {
        assert_eq!(format_long(date!(2026 - 11 - 27)), "27 November 2026");
        assert_eq!(format_long(date!(2026 - 08 - 01)), "1 Agustus 2026");
        assert_eq!(
            format_with_weekday(date!(2026 - 12 - 04)),
            "Jumat, 4 Desember 2026"
        );
        assert_eq!(format_iso(date!(2026 - 08 - 01)), "2026-08-01");
        assert_eq!(parse_iso("2026-02-03"), Ok(date!(2026 - 02 - 03)));
        assert!(parse_iso("2026-02-30").is_err());
    }

    #[test]
    fn wib_is_seven_hours_ahead() {
        // 2026-11-27 18:00 UTC is already the 28th in Jombang.
        let utc = OffsetDateTime::new_utc(date!(2026 - 11 - 27), time::macros::time!(18:00));
        assert_eq!(date_in_wib(utc.into()), date!(2026 - 11 - 28));
    }
}
