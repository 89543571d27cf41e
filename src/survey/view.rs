//! A [`Summary`] as people read it: numbers with the decimal comma of
//! Indonesian ("83,33"), each category with its words. The command line's
//! printable report and the published page render this, so they show the
//! same figures the same way.

use serde::Serialize;

use super::index::Mutu;
use super::summary::Summary;

/// One element's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ElementRow {
    pub nama: String,
    pub jawaban: u32,
    /// "3,33", or "–" when nobody rated it.
    pub nrr: String,
    /// NRR × 25: "83,33", or "–".
    pub nilai: String,
    /// "B", or "–".
    pub mutu: String,
    /// "Baik", or "".
    pub mutu_kata: String,
}

/// A period's figures, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SummaryView {
    pub periode: String,
    pub nama_periode: String,
    pub responden: u32,
    pub populasi: u32,
    pub sampel_minimum: u32,
    pub sampel_kurang: bool,
    /// "83,33", or "–" while an element has no answer.
    pub ikm: String,
    pub mutu: String,
    pub mutu_kata: String,
    pub unsur: Vec<ElementRow>,
}

/// A figure at two decimals with a decimal comma; "–" for none.
pub fn decimal(value: Option<f64>) -> String {
    match value {
        Some(v) => format!("{v:.2}").replace('.', ","),
        None => "–".to_string(),
    }
}

/// The words of a category letter ("B" → "Baik"); "" for none or a letter
/// that is not one.
pub fn mutu_words(letter: Option<&str>) -> String {
    let mutu = match letter {
        Some("A") => Mutu::A,
        Some("B") => Mutu::B,
        Some("C") => Mutu::C,
        Some("D") => Mutu::D,
        _ => return String::new(),
    };
    mutu.words().to_string()
}

impl SummaryView {
    pub fn of(s: &Summary) -> SummaryView {
        SummaryView {
            periode: s.periode.clone(),
            nama_periode: s.nama_periode.clone(),
            responden: s.responden,
            populasi: s.populasi,
            sampel_minimum: s.sampel_minimum,
            sampel_kurang: s.sampel_kurang,
            ikm: decimal(s.ikm),
            mutu: s.mutu.clone().unwrap_or_else(|| "–".into()),
            mutu_kata: s
                .mutu_kata
                .clone()
                .unwrap_or_else(|| mutu_words(s.mutu.as_deref())),
            unsur: s
                .unsur
                .iter()
                .map(|e| ElementRow {
                    nama: e.nama.clone(),
                    jawaban: e.jawaban,
                    nrr: decimal(e.nrr),
                    nilai: decimal(e.nilai),
                    mutu: e.mutu.clone().unwrap_or_else(|| "–".into()),
                    mutu_kata: mutu_words(e.mutu.as_deref()),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_comma_and_words() {
        assert_eq!(decimal(Some(83.333)), "83,33");
        assert_eq!(decimal(Some(100.0)), "100,00");
        assert_eq!(decimal(None), "–");
        assert_eq!(mutu_words(Some("C")), "Kurang Baik");
        assert_eq!(mutu_words(Some("E")), "");
    }
}
