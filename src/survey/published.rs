//! The results staff chose to publish, kept in the site folder
//! (`survei/hasil.yaml`) so that the site's build renders `/survei/hasil/`
//! from the site alone, like any page: public figures and the follow-up
//! plan, never a suggestion. loket writes this file when staff publish a
//! period on the desk; a person may also edit or remove an entry.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::summary::Summary;
use crate::core::yaml;

/// The file, relative to the site folder.
pub const FILE: &str = "survei/hasil.yaml";

/// One published period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedPeriod {
    #[serde(flatten)]
    pub summary: Summary,
    /// The follow-up plan (rencana tindak lanjut) staff wrote.
    #[serde(default)]
    pub rencana_tindak_lanjut: String,
    /// When it was published, `YYYY-MM-DD`.
    pub diterbitkan: String,
}

/// Every published period, newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Published {
    #[serde(default)]
    pub periode: Vec<PublishedPeriod>,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishedError {
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}:{}: {message}", .path.display(), .line.map(|l| l.to_string()).unwrap_or_default())]
    Yaml {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
}

impl Published {
    /// What the site folder `site` has published (nothing if no file).
    pub fn read(site: &Path) -> Result<Published, PublishedError> {
        let path = site.join(FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => yaml::from_str(&text).map_err(|e| PublishedError::Yaml {
                line: e.line,
                message: e.message,
                path,
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Published::default()),
            Err(source) => Err(PublishedError::Io { path, source }),
        }
    }

    /// Adds or replaces the period of `period` (keeping newest first).
    pub fn put(&mut self, period: PublishedPeriod) {
        self.periode
            .retain(|p| p.summary.periode != period.summary.periode);
        self.periode.push(period);
        self.periode.sort_by(|a, b| {
            b.diterbitkan
                .cmp(&a.diterbitkan)
                .then(b.summary.periode.cmp(&a.summary.periode))
        });
    }

    /// Withdraws a period; whether it was there.
    pub fn remove(&mut self, code: &str) -> bool {
        let before = self.periode.len();
        self.periode.retain(|p| p.summary.periode != code);
        before != self.periode.len()
    }

    /// Writes it to the site folder `site`, atomically.
    pub fn write(&self, site: &Path) -> Result<(), PublishedError> {
        let path = site.join(FILE);
        let io = |source| PublishedError::Io {
            path: path.clone(),
            source,
        };
        let text = yaml::to_string(self).map_err(|e| io(io::Error::other(e)))?;
        let header = "# Hasil Survei Kepuasan Masyarakat yang diterbitkan (ditulis oleh loket).\n";
        // A site file like the pages: the loket-editor group's to edit too
        // (public figures, never personal data).
        crate::edit::replace_site_file(&path, format!("{header}{text}").as_bytes()).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::report::Period;

    #[test]
    fn round_trips_and_replaces_a_period() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Published::read(dir.path()).unwrap(), Published::default());
        let q4 = Period::parse("2026-Q4").unwrap();
        let entry = |plan: &str| PublishedPeriod {
            summary: Summary::of(&(&q4).into(), &[], 0),
            rencana_tindak_lanjut: plan.into(),
            diterbitkan: "2026-12-07".into(),
        };
        let mut p = Published::default();
        p.put(entry("a"));
        p.put(entry("b"));
        p.write(dir.path()).unwrap();
        let back = Published::read(dir.path()).unwrap();
        assert_eq!(back.periode.len(), 1);
        assert_eq!(back.periode[0].rencana_tindak_lanjut, "b");
        std::fs::write(dir.path().join(FILE), "periode: [\n").unwrap();
        let err = Published::read(dir.path()).unwrap_err().to_string();
        assert!(err.contains("survei/hasil.yaml:"), "{err}");
    }
}
