//! The components of a service standard (PermenPANRB 15/2014) a service
//! page publishes as its headings.

use crate::core::diagnostic::Diagnostic;
use crate::site::content::{Page, Site};
use crate::site::markdown::TocEntry;

/// The six components of a service standard that must be published
/// (PermenPANRB 15/2014, service delivery part), each with the words that
/// identify its heading.
const COMPONENTS: [(&str, &[&str]); 6] = [
    ("persyaratan", &["persyaratan"]),
    ("sistem, mekanisme dan prosedur", &["prosedur", "mekanisme"]),
    (
        "jangka waktu",
        &["jangka waktu", "waktu penyelesaian", "waktu pelayanan"],
    ),
    ("biaya/tarif", &["biaya", "tarif"]),
    ("produk pelayanan", &["produk"]),
    (
        "penanganan pengaduan, saran, dan masukan",
        &["pengaduan", "keluhan", "saran"],
    ),
];

/// The fourteen components of a service standard (PermenPANRB 15/2014): the
/// six above, which a service page must publish, and eight about how the
/// service is produced, which an office may publish too. With the words that
/// identify each one's heading.
const ALL_COMPONENTS: [(&str, &[&str]); 14] = [
    COMPONENTS[0],
    COMPONENTS[1],
    COMPONENTS[2],
    COMPONENTS[3],
    COMPONENTS[4],
    COMPONENTS[5],
    ("dasar hukum", &["dasar hukum"]),
    (
        "sarana dan prasarana, dan/atau fasilitas",
        &["sarana", "prasarana", "fasilitas"],
    ),
    ("kompetensi pelaksana", &["kompetensi"]),
    ("pengawasan internal", &["pengawasan"]),
    ("jumlah pelaksana", &["jumlah pelaksana"]),
    ("jaminan pelayanan", &["jaminan pelayanan", "maklumat"]),
    (
        "jaminan keamanan dan keselamatan pelayanan",
        &["keamanan", "keselamatan"],
    ),
    ("evaluasi kinerja pelaksana", &["evaluasi"]),
];

/// How [`standard_coverage`]'s message begins, and where its missing
/// components follow.
const COVERAGE: &str = "standar pelayanan memuat";
const MISSING: &str = "; belum dimuat: ";

/// The fourteen components' names, in the regulation's order.
pub fn component_names() -> impl Iterator<Item = &'static str> {
    ALL_COMPONENTS.iter().map(|(name, _)| *name)
}

/// For the desk: the components a [`standard_coverage`] diagnostic says a
/// service page has not published yet (`None`: not such a diagnostic).
pub fn missing_components(d: &Diagnostic) -> Option<Vec<&'static str>> {
    if d.severity != crate::core::diagnostic::Severity::Info || !d.message.starts_with(COVERAGE) {
        return None;
    }
    let Some((_, listed)) = d.message.split_once(MISSING) else {
        return Some(Vec::new());
    };
    let listed: Vec<&str> = listed.split("; ").collect();
    Some(component_names().filter(|n| listed.contains(n)).collect())
}

/// For `loket check`: which of the fourteen components a service page
/// publishes and which the office has not supplied yet. The maklumat
/// pelayanan in `site.yaml` counts as the jaminan pelayanan, and survey
/// results published on `/survei/hasil/` (`evaluated`) as the evaluasi
/// kinerja pelaksana (issue 29: the published Survei Kepuasan Masyarakat is
/// part of the office's "evaluasi kinerja").
pub fn standard_coverage(
    site: &Site,
    page: &Page,
    toc: &[TocEntry],
    evaluated: bool,
) -> Option<Diagnostic> {
    page.front.service.as_ref()?;
    let headings: Vec<String> = toc.iter().map(|t| normalize(&t.title)).collect();
    let missing: Vec<&str> = ALL_COMPONENTS
        .iter()
        .filter(|(name, words)| {
            let maklumat = *name == "jaminan pelayanan" && !site.config.publish.maklumat.is_empty();
            let survey = *name == "evaluasi kinerja pelaksana" && evaluated;
            !maklumat && !survey && !headings.iter().any(|h| words.iter().any(|w| h.contains(w)))
        })
        .map(|(name, _)| *name)
        .collect();
    let published = ALL_COMPONENTS.len() - missing.len();
    let message = if missing.is_empty() {
        format!("{COVERAGE} ke-14 komponen (PermenPANRB 15/2014)")
    } else {
        format!(
            "{COVERAGE} {published} dari 14 komponen (PermenPANRB 15/2014){MISSING}{}",
            missing.join("; ")
        )
    };
    Some(Diagnostic::info(
        &page.source,
        Some(page.body_line),
        message,
    ))
}

/// A service page must publish all six components as headings.
pub fn service_components(page: &Page, toc: &[TocEntry]) -> Vec<Diagnostic> {
    if page.front.service.is_none() {
        return Vec::new();
    }
    let headings: Vec<String> = toc.iter().map(|t| normalize(&t.title)).collect();
    COMPONENTS
        .iter()
        .filter(|(_, words)| {
            !headings
                .iter()
                .any(|h| words.iter().any(|w| h.contains(w)))
        })
        .map(|(name, _)| {
            Diagnostic::error(
                &page.source,
                Some(page.body_line),
                format!(
                    "halaman layanan belum memuat komponen \"{name}\": tambahkan judul bagian untuknya (standar pelayanan memuat persyaratan; sistem, mekanisme, dan prosedur; jangka waktu; biaya/tarif; produk pelayanan; penanganan pengaduan, saran, dan masukan)"
                ),
            )
        })
        .collect()
}

/// Lowercase words separated by single spaces ("Biaya / Tarif" -> "biaya tarif").
fn normalize(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_missing_components_are_read_back_from_the_coverage() {
        let missing = vec!["sistem, mekanisme dan prosedur", "biaya/tarif"];
        let d = Diagnostic::info(
            "content/a.md",
            Some(3),
            format!(
                "{COVERAGE} 12 dari 14 komponen (PermenPANRB 15/2014){MISSING}sistem, mekanisme dan prosedur; biaya/tarif"
            ),
        );
        assert_eq!(missing_components(&d), Some(missing));
        let all = Diagnostic::info("a", None, format!("{COVERAGE} ke-14 komponen"));
        assert_eq!(missing_components(&all), Some(Vec::new()));
        let other = Diagnostic::warning("a", None, format!("{COVERAGE} x"));
        assert_eq!(missing_components(&other), None);
        assert_eq!(component_names().count(), 14);
    }

    #[test]
    fn normalizes_headings() {
        assert_eq!(normalize("Biaya / Tarif"), "biaya tarif");
        assert_eq!(
            normalize("Sistem, Mekanisme dan  Prosedur"),
            "sistem mekanisme dan prosedur"
        );
    }
}
