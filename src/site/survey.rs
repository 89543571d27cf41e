//! `/survei/hasil/`, the survey results staff published, built with the
//! site from `survei/hasil.yaml` ([`crate::survey::published`]): per period
//! the index, its quality, the nine elements, respondents against the
//! population and the minimum sample, and the follow-up plan. Never a
//! suggestion: the file has none. Built even when nothing is published (it
//! says so), so a link to it never ends on a 404.

use std::path::Path;

use serde::Serialize;

use crate::core::dates;
use crate::core::diagnostic::{Diagnostic, display_path};
use crate::core::yaml;
use crate::site::content::Site;
use crate::site::render::Templates;
use crate::survey::ELEMENTS;
use crate::survey::published::{self, Published, PublishedError, PublishedPeriod};
use crate::survey::view::SummaryView;

/// Where the page is.
pub const RESULTS_URL: &str = "/survei/hasil/";
/// Its template (loket's copy stands in for a site without one).
pub const RESULTS_TEMPLATE: &str = "survei-hasil.html";

/// What the template sees as `survey`.
#[derive(Debug, Clone, Serialize)]
pub struct ResultsView {
    pub periods: Vec<PeriodView>,
    /// When the newest period was published ("8 Januari 2027"); "" when none.
    pub updated: String,
    pub updated_iso: String,
}

/// One published period.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodView {
    #[serde(flatten)]
    pub figures: SummaryView,
    /// The follow-up plan, one entry per paragraph.
    pub rencana: Vec<String>,
    /// "7 Desember 2026".
    pub diterbitkan: String,
    pub diterbitkan_iso: String,
    /// The period heading's id: "periode-2026-q4".
    pub anchor: String,
}

/// What a build makes of survei/hasil.yaml.
pub struct ResultsPage {
    /// The page's view, or why it cannot be made.
    pub view: Result<ResultsView, Diagnostic>,
    /// Whether the site can render it: its template, or a `base.html`
    /// for loket's copy.
    pub built: bool,
}

impl ResultsPage {
    pub fn of(site: &Site, templates: &Templates) -> ResultsPage {
        ResultsPage {
            view: match url_taken(site) {
                Some(taken) => Err(taken),
                None => results(&site.root),
            },
            built: templates.contains(RESULTS_TEMPLATE) || templates.contains("base.html"),
        }
    }

    /// Whether any period is published.
    pub fn published(&self) -> bool {
        self.view.as_ref().is_ok_and(|v| !v.periods.is_empty())
    }

    /// The sitemap's entry for the page, once something is published on it.
    pub fn sitemap_entries(&self) -> Vec<(&'static str, String)> {
        match &self.view {
            Ok(v) if self.built && !v.periods.is_empty() => {
                vec![(RESULTS_URL, v.updated_iso.clone())]
            }
            _ => Vec::new(),
        }
    }
}

/// The published results of the site folder `root`, ready to render, or
/// what is wrong with its file (path:line).
pub fn results(root: &Path) -> Result<ResultsView, Diagnostic> {
    let published = Published::read(root).map_err(|e| match e {
        PublishedError::Io { path, source } => Diagnostic::error(
            display_path(root, &path),
            None,
            format!("hasil survei tidak dapat dibaca: {source}"),
        ),
        PublishedError::Yaml {
            path,
            line,
            message,
        } => Diagnostic::error(
            display_path(root, &path),
            line.map(|at| line_of_bad_value(&path, at, &message)),
            format!("hasil survei tidak sah: {message}"),
        ),
    })?;
    let text = || std::fs::read_to_string(root.join(published::FILE)).unwrap_or_default();
    let periods = published
        .periode
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let twice = published.periode[..i]
                .iter()
                .any(|q| q.summary.periode == p.summary.periode);
            if twice {
                return Err((
                    p,
                    format!(
                        "periode {} diumumkan dua kali; hapus salah satunya",
                        p.summary.periode
                    ),
                ));
            }
            period_view(p).map_err(|message| (p, message))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|(p, message)| {
            Diagnostic::error(
                published::FILE,
                yaml::line_of_value(&text(), &p.diterbitkan).or(Some(1)),
                message,
            )
        })?;
    let newest = periods.iter().map(|p| p.diterbitkan_iso.clone()).max();
    let updated = newest
        .as_deref()
        .and_then(|iso| dates::parse_iso(iso).ok())
        .map(dates::format_long)
        .unwrap_or_default();
    Ok(ResultsView {
        periods,
        updated,
        updated_iso: newest.unwrap_or_default(),
    })
}

/// A content page at [`RESULTS_URL`] would be written over by the results
/// (or write over them): said at the page.
pub fn url_taken(site: &Site) -> Option<Diagnostic> {
    let &index = site.by_url.get(RESULTS_URL)?;
    Some(Diagnostic::error(
        &site.pages[index].source,
        None,
        format!(
            "alamat {RESULTS_URL} dipakai loket untuk hasil survei yang diumumkan (dari {}); pindahkan halaman ini ke alamat lain",
            published::FILE
        ),
    ))
}

/// The parser reads a period as one piece and names the line it starts
/// on; when it says which text it could not take (`string "tiga"`), the
/// first line from there that holds it.
fn line_of_bad_value(path: &Path, entry: usize, message: &str) -> usize {
    let Some(value) = message
        .split_once("string \"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(value, _)| value)
        .filter(|v| !v.is_empty())
    else {
        return entry;
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .enumerate()
        .skip(entry.saturating_sub(1))
        .find(|(_, l)| l.contains(value))
        .map_or(entry, |(i, _)| i + 1)
}

fn period_view(p: &PublishedPeriod) -> Result<PeriodView, String> {
    if p.summary.unsur.len() != ELEMENTS {
        return Err(format!(
            "periode {} memuat {} unsur; hasil survei memuat tepat {ELEMENTS} unsur",
            p.summary.periode,
            p.summary.unsur.len()
        ));
    }
    let day = dates::parse_iso(p.diterbitkan.trim()).map_err(|_| {
        format!(
            "`diterbitkan: {}` pada periode {} bukan tanggal YYYY-MM-DD",
            p.diterbitkan, p.summary.periode
        )
    })?;
    let anchor: String = p
        .summary
        .periode
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Ok(PeriodView {
        figures: SummaryView::of(&p.summary),
        rencana: p
            .rencana_tindak_lanjut
            .split("\n\n")
            .map(|para| para.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|para| !para.is_empty())
            .collect(),
        diterbitkan: dates::format_long(day),
        diterbitkan_iso: dates::format_iso(day),
        anchor: format!("periode-{anchor}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::report::Period;
    use crate::survey::summary::Summary;

    #[test]
    fn a_published_period_as_the_page_shows_it() {
        let dir = tempfile::tempdir().unwrap();
        assert!(results(dir.path()).unwrap().periods.is_empty());
        let q4 = Period::parse("2026-Q4").unwrap();
        let mut p = Published::default();
        p.put(PublishedPeriod {
            summary: Summary::of(&(&q4).into(), &[], 4),
            rencana_tindak_lanjut: "Menambah kursi.\n\nMelatih  petugas\nloket.".into(),
            diterbitkan: "2027-01-05".into(),
        });
        p.write(dir.path()).unwrap();
        let view = results(dir.path()).unwrap();
        let period = &view.periods[0];
        assert_eq!(period.anchor, "periode-2026-q4");
        assert_eq!(
            period.rencana,
            ["Menambah kursi.", "Melatih petugas loket."]
        );
        assert_eq!(period.diterbitkan, "5 Januari 2027");
        assert_eq!(period.figures.populasi, 4);
        assert_eq!(
            (view.updated.as_str(), view.updated_iso.as_str()),
            ("5 Januari 2027", "2027-01-05")
        );
        let file = dir.path().join(published::FILE);
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, text.replace("2027-01-05", "kemarin")).unwrap();
        let err = results(dir.path()).unwrap_err();
        assert!(err.message.contains("bukan tanggal"), "{err}");
        assert!(err.line.is_some_and(|l| l > 1), "{err}");
        let mut twice = p.clone();
        twice.periode.push(twice.periode[0].clone());
        twice.write(dir.path()).unwrap();
        let err = results(dir.path()).unwrap_err();
        assert!(err.message.contains("diumumkan dua kali"), "{err}");
        let mut short = p.clone();
        short.periode[0].summary.unsur.pop();
        short.write(dir.path()).unwrap();
        let err = results(dir.path()).unwrap_err();
        assert!(err.message.contains("memuat 8 unsur"), "{err}");
    }
}
