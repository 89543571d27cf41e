//! A meeting between the parties of a business complaint, as staff type it
//! ("2026-12-02 10:00, Kantor Dinkopum") and as the record and the
//! citizen's messages show it.

use serde::{Deserialize, Serialize};

use time::{Date, OffsetDateTime, Time};

use crate::core::calendar::{Calendar, OfficeHours};
use crate::core::dates;

/// The hours a meeting is expected within when site.yaml gives no
/// `office.service_hours` (docs/formulir.md).
pub const DEFAULT_MEETING_HOURS: OfficeHours = OfficeHours {
    open: time::macros::time!(08:00),
    close: time::macros::time!(15:30),
};

/// A meeting between the parties (for complaints about a business problem).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// "2026-12-02 10:00"
    pub at: String,
    pub place: String,
}

impl Meeting {
    /// Parses "2026-12-02 10:00, Kantor Dinkopum".
    pub fn parse(text: &str) -> Result<Meeting, String> {
        let (when, place) = text
            .split_once(',')
            .ok_or("tulis pertemuan sebagai \"YYYY-MM-DD HH:MM, tempat\"")?;
        let when = when.trim();
        let (day, clock) = when
            .split_once(' ')
            .ok_or("pertemuan perlu tanggal dan jam: \"2026-12-02 10:00, tempat\"")?;
        dates::parse_iso(day)?;
        let valid_clock = clock.len() == 5
            && clock.as_bytes()[2] == b':'
            && clock[0..2].parse::<u8>().is_ok_and(|h| h < 24)
            && clock[3..5].parse::<u8>().is_ok_and(|m| m < 60);
        if !valid_clock {
            return Err(format!("jam pertemuan {clock:?} tidak sah (tulis JJ:MM)"));
        }
        let place = place.trim();
        if place.is_empty() {
            return Err("pertemuan perlu tempat setelah tanda koma".to_string());
        }
        Ok(Meeting {
            at: when.to_string(),
            place: place.to_string(),
        })
    }

    /// The day and time, when they read as such.
    fn moment(&self) -> Option<(Date, Time)> {
        let (day, clock) = self.at.trim().split_once(' ')?;
        let (h, m) = clock.trim().split_once(':')?;
        let time = Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()?;
        Some((dates::parse_iso(day).ok()?, time))
    }

    /// Why staff should look at this meeting again before it is sent (it
    /// is not refused: real meetings happen on Saturdays): in the past (as
    /// of `now`), on a day the office does not work, outside its `hours`,
    /// or after the case's deadline `due`. In the staff's words.
    pub fn doubts(
        &self,
        calendar: &Calendar,
        hours: OfficeHours,
        now: OffsetDateTime,
        due: Date,
    ) -> Vec<String> {
        let Some((day, clock)) = self.moment() else {
            return Vec::new();
        };
        let mut doubts = Vec::new();
        let now = now.to_offset(dates::WIB);
        if (day, clock) < (now.date(), now.time()) {
            doubts.push("Waktu pertemuan sudah lewat.".to_string());
        }
        if !calendar.is_working_day(day) {
            doubts.push(format!(
                "{} bukan hari kerja kantor (akhir pekan atau hari libur).",
                dates::format_with_weekday(day)
            ));
        }
        if clock < hours.open || clock > hours.close {
            let hm = |t: Time| format!("{:02}.{:02}", t.hour(), t.minute());
            doubts.push(format!(
                "Pukul {} di luar jam layanan kantor ({}–{} WIB).",
                hm(clock),
                hm(hours.open),
                hm(hours.close)
            ));
        }
        if day > due {
            doubts.push(format!(
                "Tanggal pertemuan melewati batas waktu kasus ini ({}).",
                dates::format_with_weekday(due)
            ));
        }
        doubts
    }

    /// "Rabu, 2 Desember 2026 pukul 10.00 WIB" (as stored if it does not
    /// read as a date and time: a hand edit).
    pub fn when(&self) -> String {
        let Some((day, clock)) = self.at.trim().split_once(' ') else {
            return self.at.clone();
        };
        match dates::parse_iso(day) {
            Ok(date) => format!(
                "{} pukul {} WIB",
                dates::format_with_weekday(date),
                clock.trim().replace(':', ".")
            ),
            Err(_) => self.at.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_meeting_off_hours_on_a_saturday_in_the_past_or_late_is_doubted() {
        let calendar = Calendar::from_holidays([2026], &[date!(2026 - 12 - 25)]);
        let now = crate::cases::parse_local_time("2026-12-07 09:00").unwrap();
        let due = date!(2026 - 12 - 11);
        let doubts = |at: &str| {
            Meeting::parse(&format!("{at}, Kantor")).unwrap().doubts(
                &calendar,
                DEFAULT_MEETING_HOURS,
                now,
                due,
            )
        };
        assert!(doubts("2026-12-10 09:00").is_empty());
        let saturday = doubts("2026-12-12 09:00");
        assert_eq!(saturday.len(), 2, "{saturday:?}");
        assert!(saturday[0].contains("Sabtu, 12 Desember 2026 bukan hari kerja"));
        assert!(saturday[1].contains("melewati batas waktu"));
        assert_eq!(doubts("2026-12-04 10:00"), ["Waktu pertemuan sudah lewat."]);
        assert_eq!(
            doubts("2026-12-10 16:00"),
            ["Pukul 16.00 di luar jam layanan kantor (08.00–15.30 WIB)."]
        );
        assert!(doubts("2026-12-10 15:30").is_empty(), "closing time is in");
    }
}
