//! The Indeks Kepuasan Masyarakat as the annex of PermenPAN-RB 14/2017
//! computes it: for each of the nine elements the average score of the
//! answers that rated it (its NRR, nilai rata-rata), each weighted 1/9,
//! summed to the unit's index on the 1–4 scale and converted ×25 to
//! 25–100; the converted value gives the service's quality (mutu) A–D.
//!
//! The annex writes the weight as 0.111; that caps the index at 99.9, so
//! we weigh by exactly 1/9, as the annex means. Values are rounded to two
//! decimals only where they are shown or classified (the categories are
//! given to two decimals: B ends at 88.30, A starts at 88.31).

use serde::Serialize;

use super::{ELEMENTS, Element};

/// One respondent's scores, 1–4 per element, `None` for an element they
/// left out.
pub type Scores = [Option<u8>; ELEMENTS];

/// The service quality (mutu pelayanan) a converted value falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Mutu {
    A,
    B,
    C,
    D,
}

impl Mutu {
    /// The category of a converted value (25–100), taken at two decimals.
    pub fn of(converted: f64) -> Mutu {
        let hundredths = (converted * 100.0).round() as i64;
        match hundredths {
            8831.. => Mutu::A,
            7661.. => Mutu::B,
            6500.. => Mutu::C,
            _ => Mutu::D,
        }
    }

    /// "Sangat Baik", "Baik", "Kurang Baik", "Tidak Baik".
    pub fn words(self) -> &'static str {
        match self {
            Mutu::A => "Sangat Baik",
            Mutu::B => "Baik",
            Mutu::C => "Kurang Baik",
            Mutu::D => "Tidak Baik",
        }
    }
}

/// One element's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElementResult {
    pub element: Element,
    /// How many respondents rated it.
    pub answers: u32,
    /// The average score, 1–4 (`None` when nobody rated it).
    pub nrr: Option<f64>,
    /// Its own category, from `nrr` × 25.
    pub mutu: Option<Mutu>,
}

/// The index of a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Index {
    pub respondents: u32,
    pub elements: Vec<ElementResult>,
    /// The index converted to 25–100 (`None` while an element has no
    /// answer: the annex sums all nine).
    pub ikm: Option<f64>,
    pub mutu: Option<Mutu>,
}

impl Index {
    pub fn of(all: &[Scores]) -> Index {
        let elements: Vec<ElementResult> = Element::ALL
            .iter()
            .enumerate()
            .map(|(i, &element)| {
                let given: Vec<u8> = all.iter().filter_map(|s| s[i]).collect();
                let nrr = (!given.is_empty())
                    .then(|| given.iter().map(|&v| f64::from(v)).sum::<f64>() / given.len() as f64);
                ElementResult {
                    element,
                    answers: given.len() as u32,
                    nrr,
                    mutu: nrr.map(|n| Mutu::of(n * 25.0)),
                }
            })
            .collect();
        // Σ (NRR × 1/9) × 25, summed first so that the best answers give
        // exactly 100.
        let ikm = elements
            .iter()
            .map(|e| e.nrr)
            .sum::<Option<f64>>()
            .map(|sum| sum * 25.0 / ELEMENTS as f64);
        Index {
            respondents: all.len() as u32,
            elements,
            ikm,
            mutu: ikm.map(Mutu::of),
        }
    }
}

/// The least number of respondents for a population of `population`
/// (Krejcie and Morgan: χ² = 3.841, P = 0.5, d = 0.05), rounded up.
pub fn minimum_sample(population: u32) -> u32 {
    if population == 0 {
        return 0;
    }
    let (chi2, p, d) = (3.841_f64, 0.5_f64, 0.05_f64);
    let n = f64::from(population);
    let s = chi2 * n * p * (1.0 - p) / (d * d * (n - 1.0) + chi2 * p * (1.0 - p));
    (s - 1e-9).ceil() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(v: u8) -> Scores {
        [Some(v); ELEMENTS]
    }

    #[test]
    fn the_annex_example_by_hand() {
        // Three respondents; the sixth element rated by two only.
        let mut a = all(3);
        a[0] = Some(4);
        let mut b = all(4);
        b[5] = None;
        let c = all(2);
        let index = Index::of(&[a, b, c]);
        assert_eq!(index.respondents, 3);
        // U1: (4 + 4 + 2) / 3; U6: (3 + 2) / 2; the rest (3 + 4 + 2) / 3.
        let nrr: Vec<f64> = index.elements.iter().map(|e| e.nrr.unwrap()).collect();
        assert!((nrr[0] - 10.0 / 3.0).abs() < 1e-12);
        assert!((nrr[5] - 2.5).abs() < 1e-12);
        assert!((nrr[1] - 3.0).abs() < 1e-12);
        assert_eq!(index.elements[5].answers, 2);
        // Σ NRR / 9 × 25 = (10/3 + 2.5 + 7 × 3) / 9 × 25 = 74.537…
        let ikm = index.ikm.unwrap();
        assert!((ikm - (10.0 / 3.0 + 2.5 + 21.0) / 9.0 * 25.0).abs() < 1e-9);
        assert_eq!(format!("{ikm:.2}"), "74.54");
        assert_eq!(index.mutu, Some(Mutu::C));
        assert_eq!(index.elements[5].mutu, Some(Mutu::D), "2.5 × 25 = 62.5");
    }

    #[test]
    fn every_answer_the_best_is_one_hundred() {
        let index = Index::of(&[all(4), all(4)]);
        assert_eq!(index.ikm, Some(100.0));
        assert_eq!(index.mutu, Some(Mutu::A));
    }

    #[test]
    fn no_answer_for_an_element_gives_no_index() {
        let mut a = all(3);
        a[8] = None;
        let index = Index::of(&[a]);
        assert_eq!(index.ikm, None);
        assert_eq!(index.elements[8].nrr, None);
        assert_eq!(Index::of(&[]).respondents, 0);
    }

    #[test]
    fn categories_turn_at_their_boundaries() {
        assert_eq!(Mutu::of(100.0), Mutu::A);
        assert_eq!(Mutu::of(88.31), Mutu::A);
        assert_eq!(Mutu::of(88.30), Mutu::B);
        assert_eq!(Mutu::of(88.304), Mutu::B, "88.30 at two decimals");
        assert_eq!(Mutu::of(76.61), Mutu::B);
        assert_eq!(Mutu::of(76.60), Mutu::C);
        assert_eq!(Mutu::of(65.00), Mutu::C);
        assert_eq!(Mutu::of(64.99), Mutu::D);
        assert_eq!(Mutu::of(25.0), Mutu::D);
        assert_eq!(Mutu::A.words(), "Sangat Baik");
    }

    #[test]
    fn krejcie_and_morgan_as_their_table() {
        assert_eq!(minimum_sample(0), 0);
        assert_eq!(minimum_sample(10), 10);
        assert_eq!(minimum_sample(100), 80);
        assert_eq!(minimum_sample(1_000), 278);
        assert_eq!(minimum_sample(1_000_000), 384);
    }
}
