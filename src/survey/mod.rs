//! The Survei Kepuasan Masyarakat (issue 29): the nine elements (unsur)
//! of PermenPAN-RB 14/2017, the questionnaire's default wording (the
//! regulation's example questionnaire), and the index ([`index`]).
//!
//! The office may reword a question and its four answers; it may not
//! change the nine elements or the 1–4 scale, which the index rests on.

pub mod answer;
pub mod index;
pub mod published;
pub mod store;
pub mod summary;
pub mod view;
pub mod wording;

use serde::Serialize;
use time::{Date, Month};

use crate::cases::report::Period;
use crate::core::dates;

/// The days a survey report covers, inclusive, with its code and name: a
/// report [`Period`] (month, quarter, semester, year) or any two dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    pub from: Date,
    pub to: Date,
    /// "2026-Q4", or "2026-01-01..2026-06-30".
    pub code: String,
    /// "Triwulan IV 2026", or "1 Januari 2026 – 30 Juni 2026".
    pub name: String,
}

impl Range {
    /// From `from` to `to`, both included.
    pub fn between(from: Date, to: Date) -> Range {
        Range {
            from,
            to,
            code: format!("{}..{}", dates::format_iso(from), dates::format_iso(to)),
            name: format!("{} – {}", dates::format_long(from), dates::format_long(to)),
        }
    }

    pub fn contains(&self, day: Date) -> bool {
        self.from <= day && day <= self.to
    }
}

impl From<&Period> for Range {
    fn from(period: &Period) -> Range {
        let months = period.months();
        let first = months.first().copied().unwrap_or(Month::January);
        let last = months.last().copied().unwrap_or(Month::December);
        let from = Date::from_calendar_date(period.year, first, 1).unwrap_or(Date::MIN);
        let to = Date::from_calendar_date(
            period.year,
            last,
            time::util::days_in_month(last, period.year),
        )
        .unwrap_or(Date::MAX);
        Range {
            from,
            to,
            code: period.code(),
            name: period.name(),
        }
    }
}

/// How many elements the regulation has.
pub const ELEMENTS: usize = 9;

/// One element (unsur) of the survey, in the regulation's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Element {
    Persyaratan,
    Prosedur,
    Waktu,
    Biaya,
    Produk,
    Kompetensi,
    Perilaku,
    Pengaduan,
    Sarana,
}

/// A question and its four answers, scored 1 to 4 in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wording {
    pub question: &'static str,
    pub answers: [&'static str; 4],
}

impl Element {
    pub const ALL: [Element; ELEMENTS] = [
        Element::Persyaratan,
        Element::Prosedur,
        Element::Waktu,
        Element::Biaya,
        Element::Produk,
        Element::Kompetensi,
        Element::Perilaku,
        Element::Pengaduan,
        Element::Sarana,
    ];

    /// Its name in the regulation.
    pub fn name(self) -> &'static str {
        match self {
            Element::Persyaratan => "Persyaratan",
            Element::Prosedur => "Sistem, mekanisme, dan prosedur",
            Element::Waktu => "Waktu penyelesaian",
            Element::Biaya => "Biaya/tarif",
            Element::Produk => "Produk spesifikasi jenis pelayanan",
            Element::Kompetensi => "Kompetensi pelaksana",
            Element::Perilaku => "Perilaku pelaksana",
            Element::Pengaduan => "Penanganan pengaduan, saran, dan masukan",
            Element::Sarana => "Sarana dan prasarana",
        }
    }

    /// The regulation's example question and answers.
    pub fn default_wording(self) -> Wording {
        let (question, answers) = match self {
            Element::Persyaratan => (
                "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
                ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"],
            ),
            Element::Prosedur => (
                "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
                ["Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"],
            ),
            Element::Waktu => (
                "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
                ["Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"],
            ),
            Element::Biaya => (
                "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
                ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"],
            ),
            Element::Produk => (
                "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam standar pelayanan dengan hasil yang diberikan?",
                ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"],
            ),
            Element::Kompetensi => (
                "Bagaimana pendapat Saudara tentang kompetensi atau kemampuan petugas dalam pelayanan?",
                [
                    "Tidak kompeten",
                    "Kurang kompeten",
                    "Kompeten",
                    "Sangat kompeten",
                ],
            ),
            Element::Perilaku => (
                "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
                [
                    "Tidak sopan dan ramah",
                    "Kurang sopan dan ramah",
                    "Sopan dan ramah",
                    "Sangat sopan dan ramah",
                ],
            ),
            Element::Pengaduan => (
                "Bagaimana pendapat Saudara tentang penanganan pengaduan, saran, dan masukan pengguna layanan?",
                [
                    "Tidak ada",
                    "Ada tetapi tidak berfungsi",
                    "Berfungsi kurang maksimal",
                    "Dikelola dengan baik",
                ],
            ),
            Element::Sarana => (
                "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
                ["Buruk", "Cukup", "Baik", "Sangat baik"],
            ),
        };
        Wording { question, answers }
    }
}

/// The questionnaire as the office words it: one question per element,
/// in [`Element::ALL`]'s order, each with its four answers scored 1–4.
/// The office's wording file (`survei/kuesioner.yaml` in the site folder)
/// may reword them; [`Questionnaire::default`] is the regulation's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Questionnaire {
    pub questions: Vec<Question>,
}

/// One element's question as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    pub element: Element,
    pub question: String,
    pub answers: [String; 4],
}

/// The office's wording file, relative to the site folder.
pub const WORDING_FILE: &str = "survei/kuesioner.yaml";

impl Default for Questionnaire {
    fn default() -> Questionnaire {
        Questionnaire {
            questions: Element::ALL
                .iter()
                .map(|&element| {
                    let w = element.default_wording();
                    Question {
                        element,
                        question: w.question.to_string(),
                        answers: w.answers.map(str::to_string),
                    }
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nine_elements_each_with_four_answers() {
        assert_eq!(Element::ALL.len(), 9);
        for e in Element::ALL {
            let w = e.default_wording();
            assert!(w.question.ends_with('?'), "{}", e.name());
            assert!(w.answers.iter().all(|a| !a.is_empty()));
        }
        assert_eq!(Element::Biaya.default_wording().answers[3], "Gratis");
        for e in Element::ALL {
            assert_eq!(serde_json::to_value(e).unwrap(), e.id());
        }
    }

    #[test]
    fn ranges_of_periods_and_dates() {
        use time::macros::date;
        let feb = Range::from(&Period::parse("2028-02").unwrap());
        assert_eq!(
            (feb.from, feb.to),
            (date!(2028 - 02 - 01), date!(2028 - 02 - 29))
        );
        let s2 = Range::from(&Period::parse("2026-S2").unwrap());
        assert_eq!(
            (s2.from, s2.to),
            (date!(2026 - 07 - 01), date!(2026 - 12 - 31))
        );
        assert_eq!(s2.name, "Semester II 2026");
        let r = Range::between(date!(2026 - 01 - 01), date!(2026 - 06 - 30));
        assert_eq!(r.code, "2026-01-01..2026-06-30");
        assert!(r.contains(date!(2026 - 06 - 30)) && !r.contains(date!(2026 - 07 - 01)));
    }
}
