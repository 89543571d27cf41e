//! A complaint referred to another body by a step with `referral:` in its
//! form file (issue 28), as the history stores it and as `loket status
//! --referral` reads it.

use serde::{Deserialize, Serialize};
use time::Date;

use super::{day, text};
use crate::core::dates;

/// A complaint referred to the body that handles it (the Inspektorat, the
/// UPP Saber Pungli): to whom, by which letter, on which day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    /// One of the step's `referral.to`.
    pub to: String,
    /// The letter's number, when there is one.
    #[serde(default, with = "text", skip_serializing_if = "Option::is_none")]
    pub letter: Option<String>,
    /// The day it was referred (the letter's date).
    #[serde(with = "day")]
    pub date: Date,
}

impl Referral {
    /// Parses "TUJUAN; NOMOR SURAT; YYYY-MM-DD" or "TUJUAN; YYYY-MM-DD"
    /// (`loket status --referral`).
    pub fn parse(text: &str) -> Result<Referral, String> {
        let parts: Vec<&str> = text.split(';').map(str::trim).collect();
        let (to, letter, date) = match parts.as_slice() {
            [to, date] => (*to, "", *date),
            [to, letter, date] => (*to, *letter, *date),
            _ => {
                return Err(
                    "tulis rujukan sebagai \"TUJUAN; NOMOR SURAT; YYYY-MM-DD\" (nomor surat boleh kosong)"
                        .into(),
                );
            }
        };
        if to.is_empty() {
            return Err("rujukan perlu tujuan".into());
        }
        Ok(Referral {
            to: to.to_string(),
            letter: Some(letter.to_string()).filter(|l| !l.is_empty()),
            date: dates::parse_iso(date).map_err(|e| format!("tanggal rujukan: {e}"))?,
        })
    }
}
