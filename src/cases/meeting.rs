//! A meeting between the parties of a business complaint, as staff type it
//! ("2026-12-02 10:00, Kantor Dinkopum") and as the record and the
//! citizen's messages show it.

use serde::{Deserialize, Serialize};

use crate::core::dates;

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
