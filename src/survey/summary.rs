//! A period's results, as every reader of them sees the figures: the
//! command line (`loket survei --format json`), the desk's report and the
//! published page. One struct, so the three cannot disagree. Suggestions are
//! not in it: they are staff's only, read from the answers.

use serde::{Deserialize, Serialize};

use super::Element;
use super::Range;
use super::answer::Answer;
use super::index::{Index, Mutu, minimum_sample};

/// One element's line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElementLine {
    /// Its name in the regulation.
    pub nama: String,
    /// How many rated it.
    pub jawaban: u32,
    /// Its average (1–4) at two decimals; `None` when nobody rated it.
    pub nrr: Option<f64>,
    /// Its NRR × 25 at two decimals.
    pub nilai: Option<f64>,
    /// Its category ("A"–"D").
    pub mutu: Option<String>,
}

/// A period's survey results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// "2026-Q4".
    pub periode: String,
    /// "Triwulan IV 2026".
    pub nama_periode: String,
    pub responden: u32,
    /// Cases finished or rejected in the period plus walk-in codes made.
    pub populasi: u32,
    /// Krejcie and Morgan's minimum for `populasi`.
    pub sampel_minimum: u32,
    /// Whether `responden` is below `sampel_minimum`.
    pub sampel_kurang: bool,
    /// The index converted to 25–100, two decimals; `None` while an
    /// element has no answer.
    pub ikm: Option<f64>,
    /// "A"–"D".
    pub mutu: Option<String>,
    /// "Sangat Baik", "Baik", "Kurang Baik", "Tidak Baik".
    pub mutu_kata: Option<String>,
    pub unsur: Vec<ElementLine>,
}

/// Rounded to two decimals, as shown.
fn two(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn letter(m: Mutu) -> String {
    format!("{m:?}")
}

impl Summary {
    /// The results of `answers` (all in `period`) against `population`.
    pub fn of(period: &Range, answers: &[Answer], population: u32) -> Summary {
        let scores: Vec<_> = answers.iter().map(|a| a.scores).collect();
        let index = Index::of(&scores);
        let responden = index.respondents;
        // Those who answered were invited: the population is at least them
        // (cases finished before the survey existed had no invitation).
        let populasi = population.max(responden);
        let sampel_minimum = minimum_sample(populasi);
        Summary {
            periode: period.code.clone(),
            nama_periode: period.name.clone(),
            responden,
            populasi,
            sampel_minimum,
            sampel_kurang: responden < sampel_minimum,
            ikm: index.ikm.map(two),
            mutu: index.mutu.map(letter),
            mutu_kata: index.mutu.map(|m| m.words().to_string()),
            unsur: index
                .elements
                .iter()
                .zip(Element::ALL)
                .map(|(e, element)| ElementLine {
                    nama: element.name().to_string(),
                    jawaban: e.answers,
                    nrr: e.nrr.map(two),
                    nilai: e.nrr.map(|n| two(n * 25.0)),
                    mutu: e.mutu.map(letter),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::answer::Profile;
    use crate::survey::store::Kind;
    use time::macros::date;

    #[test]
    fn figures_as_the_command_line_prints_them() {
        let a = |v: u8| Answer {
            answered: date!(2026 - 12 - 01),
            kind: Kind::Case,
            form: None,
            scores: [Some(v); 9],
            profile: Profile::default(),
            suggestion: Some("tidak terbit".into()),
        };
        let s = Summary::of(
            &Range::from(&crate::cases::report::Period::parse("2026-12").unwrap()),
            &[a(4), a(3), a(3)],
            10,
        );
        assert_eq!((s.responden, s.populasi, s.sampel_minimum), (3, 10, 10));
        assert!(s.sampel_kurang);
        // (4 + 3 + 3) / 3 = 3.333… → 83.33, B.
        assert_eq!(s.ikm, Some(83.33));
        assert_eq!(s.mutu.as_deref(), Some("B"));
        assert_eq!(s.unsur.len(), 9);
        assert_eq!(s.unsur[0].nrr, Some(3.33));
        assert_eq!(s.unsur[0].nama, "Persyaratan");
        let json = serde_json_like(&s);
        assert!(!json.contains("tidak terbit"));
    }

    fn serde_json_like(s: &Summary) -> String {
        crate::core::yaml::to_string(s).unwrap()
    }
}
