//! The narrative staff write for a report's period (the problems met and
//! their follow-up), kept with the report as
//! `laporan/narasi-2026-11.yaml` in the data folder (0600, replaced whole)
//! and printed in it. The desk writes it ([`crate::desk::report`]); both
//! the desk and `loket report` read it.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Period;

/// The data folder's folder of report narratives.
pub const DIR: &str = "laporan";

/// The longest text of each part, in characters.
pub const MAX_CHARS: usize = 10_000;

/// What staff wrote for a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Narrative {
    /// Permasalahan: what went wrong this period.
    #[serde(default)]
    pub problems: String,
    /// Tindak lanjut: what is being done about it.
    #[serde(default)]
    pub follow_up: String,
    /// Who saved it last, and when ("5 Desember 2026 14.02 WIB").
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub at: String,
}

impl Narrative {
    pub fn is_empty(&self) -> bool {
        self.problems.trim().is_empty() && self.follow_up.trim().is_empty()
    }
}

/// Where the narrative of `period` is kept.
pub fn path(data: &Path, period: &Period) -> PathBuf {
    data.join(DIR)
        .join(format!("narasi-{}.yaml", period.code()))
}

/// The narrative of `period`; `None` when none was written. A file that
/// does not read is an error (never silently an empty narrative).
pub fn read(data: &Path, period: &Period) -> io::Result<Option<Narrative>> {
    crate::core::yaml::read_if_exists(&path(data, period))
}

/// Keeps `narrative` as the narrative of `period`: the folder 0700, the
/// file 0600, replaced atomically.
pub fn write(data: &Path, period: &Period, narrative: &Narrative) -> io::Result<()> {
    let path = path(data, period);
    crate::core::fs::create_private_dir(&data.join(DIR))?;
    let text = crate::core::yaml::to_string(narrative).map_err(|e| io::Error::other(e.message))?;
    crate::core::fs::replace_private(&path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn written_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let period = Period::parse("2026-Q4").unwrap();
        assert_eq!(read(dir.path(), &period).unwrap(), None);
        let n = Narrative {
            problems: "Antrean: \"panjang\"\nbaris dua".into(),
            follow_up: "Tambah petugas".into(),
            by: "rina".into(),
            at: "5 Desember 2026".into(),
        };
        write(dir.path(), &period, &n).unwrap();
        assert_eq!(read(dir.path(), &period).unwrap(), Some(n));
        let file = path(dir.path(), &period);
        assert!(file.ends_with("laporan/narasi-2026-Q4.yaml"));
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(file.parent().unwrap()), 0o700);
        std::fs::write(&file, "problems: [1, 2\n").unwrap();
        assert!(read(dir.path(), &period).is_err());
    }
}
