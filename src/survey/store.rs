//! Where the survey keeps its invitations, answers and plans, in the data
//! folder:
//!
//! ```text
//! survei/undangan/<hash>.yaml     an invitation: a finished or rejected case, or a walk-in code
//! survei/jawaban/<hash>.yaml      one answer, holding no ticket, no name, no code
//! survei/periode/2026-Q4.yaml     staff's follow-up plan for a period
//! survei/.tmp/                    an answer being written
//! ```
//!
//! An invitation and its answer are found by the **key** the citizen holds:
//! for a case the token [`crate::cases::access::AccessKey::survey_token`]
//! derives from the ticket (so `/cek-status/` and the final mail can show
//! the link again without storing it), for a walk-in citizen the code staff
//! made. File names are SHA-256 hashes of the key, a different one for the
//! invitation and for the answer, so neither folder names a key, and the
//! answers folder says nothing of which case an answer came from: only the
//! server's lookup key and a ticket together find a case's answer (that is
//! how `/cek-status/` says "already answered"). Reports read only
//! `jawaban/`.
//!
//! One answer per key: the answer is written to a temp file, made durable,
//! and renamed into place without replacing, so of two posts at once one
//! lands and the other is told the survey was already answered. Population
//! is what was invited: cases finished or rejected, and walk-in codes made.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::Date;

use super::Range;
use super::answer::Answer;
use super::summary::Summary;
use crate::cases::report::Period;
use crate::core::fs::{create_private_dir, if_exists, rename_noreplace, replace_private, sync_dir};
use crate::core::yaml;

/// The survey's folder in the data folder.
pub const DIR: &str = "survei";

/// Who was invited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The citizen of a finished or rejected case.
    Case,
    /// A citizen served in person, with a code staff made.
    WalkIn,
}

/// An invitation to answer, one per key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    #[serde(with = "crate::core::dates::day")]
    pub issued: Date,
    pub kind: Kind,
    /// The form (service) of the case, or the one staff chose for a code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
}

/// Staff's follow-up plan (rencana tindak lanjut) for a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub text: String,
    /// The login of who wrote it last.
    #[serde(default)]
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    /// No invitation for the key: a wrong or made-up link or code.
    #[error("no survey invitation for this key")]
    Unknown,
    #[error("this survey was already answered")]
    AlreadyAnswered,
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
}

/// What a period's files hold: the answers in it, and the files that could
/// not be read (named, never skipped silently).
#[derive(Debug, Default)]
pub struct Answers {
    pub answers: Vec<Answer>,
    pub unreadable: Vec<(PathBuf, String)>,
}

/// The survey's files in one data folder.
#[derive(Debug, Clone)]
pub struct Surveys {
    root: PathBuf,
}

fn hashed(kind: &str, key: &str) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_bytes());
    h.update(b"\n");
    h.update(key.as_bytes());
    hex::encode(h.finalize())
}

fn io_at(path: &Path) -> impl Fn(io::Error) -> AnswerError + '_ {
    move |source| AnswerError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Surveys {
    /// The survey of the data folder `data` (nothing is made until written).
    pub fn new(data: &Path) -> Surveys {
        Surveys {
            root: data.join(DIR),
        }
    }

    fn invitation_path(&self, key: &str) -> PathBuf {
        self.root
            .join("undangan")
            .join(format!("{}.yaml", hashed("undangan", key)))
    }

    fn answer_path(&self, key: &str) -> PathBuf {
        self.root
            .join("jawaban")
            .join(format!("{}.yaml", hashed("jawaban", key)))
    }

    fn plan_path(&self, period: &Period) -> PathBuf {
        self.root
            .join("periode")
            .join(format!("{}.yaml", period.code()))
    }

    /// Records an invitation for `key`, durably; `false` if there was one
    /// already (a case finished twice keeps its first invitation).
    pub fn invite(&self, key: &str, invitation: &Invitation) -> io::Result<bool> {
        let path = self.invitation_path(key);
        let text = yaml::to_string(invitation).map_err(io::Error::other)?;
        match self.create_durably(&path, text.as_bytes()) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The invitation of `key`, if there is one.
    pub fn invitation(&self, key: &str) -> io::Result<Option<Invitation>> {
        yaml::read_if_exists(&self.invitation_path(key))
    }

    /// Whether `key`'s survey was answered.
    pub fn answered(&self, key: &str) -> bool {
        self.answer_path(key).exists()
    }

    /// Stores `answer` as the one answer of `key`: on disk when this
    /// returns `Ok`.
    pub fn answer(&self, key: &str, answer: &Answer) -> Result<(), AnswerError> {
        match self.invitation(key) {
            Ok(Some(_)) => {}
            Ok(None) => return Err(AnswerError::Unknown),
            Err(source) => {
                return Err(AnswerError::Io {
                    path: self.invitation_path(key),
                    source,
                });
            }
        }
        let path = self.answer_path(key);
        if path.exists() {
            return Err(AnswerError::AlreadyAnswered);
        }
        let text = yaml::to_string(answer).map_err(|e| AnswerError::Io {
            path: path.clone(),
            source: io::Error::other(e),
        })?;
        match self.create_durably(&path, text.as_bytes()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(AnswerError::AlreadyAnswered),
            Err(e) => Err(io_at(&path)(e)),
        }
    }

    /// Writes a new file at `path` (0600) in one step a crash cannot leave
    /// half-done, failing with `AlreadyExists` if it is there.
    fn create_durably(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let dir = path.parent().unwrap_or(&self.root);
        let tmp_dir = self.root.join(".tmp");
        create_private_dir(dir)?;
        create_private_dir(&tmp_dir)?;
        let mut tmp = tempfile::Builder::new().tempfile_in(&tmp_dir)?; // 0600
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        let (_, tmp_path) = tmp.keep().map_err(|e| e.error)?;
        let renamed = rename_noreplace(&tmp_path, path);
        if renamed.is_err() {
            let _ = fs::remove_file(&tmp_path);
        }
        renamed?;
        sync_dir(dir)
    }

    /// The results of `range`, and its answers (for the suggestions, and the
    /// files that could not be read).
    pub fn summary(&self, range: &Range) -> io::Result<(Summary, Answers)> {
        let answers = self.answers(range)?;
        let population = self.population(range)?;
        Ok((Summary::of(range, &answers.answers, population), answers))
    }

    /// Every answer given in `range`.
    pub fn answers(&self, period: &Range) -> io::Result<Answers> {
        let mut out = Answers::default();
        for (path, text) in read_folder(&self.root.join("jawaban"))? {
            match yaml::from_str::<Answer>(&text) {
                Ok(a) if period.contains(a.answered) => out.answers.push(a),
                Ok(_) => {}
                Err(e) => out.unreadable.push((path, e.to_string())),
            }
        }
        Ok(out)
    }

    /// How many were invited in `period`: cases finished or rejected, and
    /// walk-in codes made. Unreadable invitations are not counted.
    pub fn population(&self, period: &Range) -> io::Result<u32> {
        let invited = read_folder(&self.root.join("undangan"))?
            .into_iter()
            .filter_map(|(_, text)| yaml::from_str::<Invitation>(&text).ok())
            .filter(|i| period.contains(i.issued))
            .count();
        Ok(u32::try_from(invited).unwrap_or(u32::MAX))
    }

    /// The follow-up plan written for `period`, if any.
    pub fn plan(&self, period: &Period) -> io::Result<Option<Plan>> {
        yaml::read_if_exists(&self.plan_path(period))
    }

    /// Replaces the follow-up plan of `period`, durably.
    pub fn write_plan(&self, period: &Period, plan: &Plan) -> io::Result<()> {
        let path = self.plan_path(period);
        create_private_dir(path.parent().unwrap_or(&self.root))?;
        let text = yaml::to_string(plan).map_err(io::Error::other)?;
        replace_private(&path, text.as_bytes())
    }

    /// Every answer file, for the purge: path and contents.
    pub fn answer_files(&self) -> io::Result<Vec<(PathBuf, String)>> {
        read_folder(&self.root.join("jawaban"))
    }

    /// Empties the suggestion of every answer given on a day `due` says is
    /// past its retention: the free text may hold personal data a citizen
    /// typed, while the scores stay for the reports. Each file is replaced
    /// whole. With `dry_run`, only counts. How many, and the files that
    /// could not be read (named, left as they are).
    pub fn purge_suggestions(
        &self,
        due: impl Fn(Date) -> bool,
        dry_run: bool,
    ) -> io::Result<PurgedSuggestions> {
        let mut out = PurgedSuggestions::default();
        for (path, text) in self.answer_files()? {
            let mut answer = match yaml::from_str::<Answer>(&text) {
                Ok(a) => a,
                Err(e) => {
                    out.unreadable.push((path, e.to_string()));
                    continue;
                }
            };
            if answer.suggestion.is_none() || !due(answer.answered) {
                continue;
            }
            answer.suggestion = None;
            if !dry_run {
                let text = yaml::to_string(&answer).map_err(io::Error::other)?;
                replace_private(&path, text.as_bytes())?;
            }
            out.emptied += 1;
        }
        Ok(out)
    }
}

/// What [`Surveys::purge_suggestions`] did.
#[derive(Debug, Default)]
pub struct PurgedSuggestions {
    /// Answers whose suggestion was emptied (or would be).
    pub emptied: usize,
    pub unreadable: Vec<(PathBuf, String)>,
}

/// The `.yaml` files of `dir` with their text (none if it does not exist).
fn read_folder(dir: &Path) -> io::Result<Vec<(PathBuf, String)>> {
    let Some(entries) = if_exists(fs::read_dir(dir))? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = fs::read_to_string(&path)?;
            out.push((path, text));
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::answer::Profile;
    use std::os::unix::fs::PermissionsExt;
    use time::macros::date;

    fn answer(day: Date, v: u8) -> Answer {
        Answer {
            answered: day,
            kind: Kind::Case,
            form: Some("konsultasi".into()),
            scores: [Some(v); 9],
            profile: Profile::default(),
            suggestion: None,
        }
    }

    fn month(code: &str) -> Range {
        Range::from(&Period::parse(code).unwrap())
    }

    fn invitation(day: Date, kind: Kind) -> Invitation {
        Invitation {
            issued: day,
            kind,
            form: None,
        }
    }

    #[test]
    fn one_answer_per_invited_key() {
        let dir = tempfile::tempdir().unwrap();
        let s = Surveys::new(dir.path());
        let day = date!(2026 - 12 - 07);
        assert!(matches!(
            s.answer("nokey", &answer(day, 4)),
            Err(AnswerError::Unknown)
        ));
        assert!(s.invite("k1", &invitation(day, Kind::Case)).unwrap());
        assert!(!s.invite("k1", &invitation(day, Kind::Case)).unwrap());
        assert!(!s.answered("k1"));
        s.answer("k1", &answer(day, 4)).unwrap();
        assert!(s.answered("k1"));
        assert!(matches!(
            s.answer("k1", &answer(day, 1)),
            Err(AnswerError::AlreadyAnswered)
        ));
        let got = s.answers(&month("2026-12")).unwrap();
        assert_eq!(got.answers, vec![answer(day, 4)]);
        // Private, and no file name is the key or its ticket.
        let folder = dir.path().join(DIR);
        assert_eq!(
            fs::metadata(&folder).unwrap().permissions().mode() & 0o777,
            0o700
        );
        for sub in ["undangan", "jawaban"] {
            for e in fs::read_dir(folder.join(sub)).unwrap() {
                let e = e.unwrap();
                assert!(!e.file_name().to_string_lossy().contains("k1"));
                assert_eq!(e.metadata().unwrap().permissions().mode() & 0o777, 0o600);
            }
        }
        assert_eq!(fs::read_dir(folder.join(".tmp")).unwrap().count(), 0);
    }

    #[test]
    fn concurrent_answers_one_lands() {
        let dir = tempfile::tempdir().unwrap();
        let s = Surveys::new(dir.path());
        let day = date!(2026 - 12 - 07);
        s.invite("k", &invitation(day, Kind::WalkIn)).unwrap();
        let landed = std::thread::scope(|scope| {
            let handles: Vec<_> = (1..=8u8)
                .map(|v| {
                    let s = &s;
                    scope.spawn(move || s.answer("k", &answer(day, v % 4 + 1)))
                })
                .collect();
            let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
            for r in &results {
                assert!(
                    matches!(r, Ok(()) | Err(AnswerError::AlreadyAnswered)),
                    "{r:?}"
                );
            }
            results.iter().filter(|r| r.is_ok()).count()
        });
        assert_eq!(landed, 1);
        let got = s.answers(&month("2026")).unwrap();
        assert_eq!(got.answers.len(), 1);
    }

    #[test]
    fn population_counts_invitations_in_the_period() {
        let dir = tempfile::tempdir().unwrap();
        let s = Surveys::new(dir.path());
        s.invite("a", &invitation(date!(2026 - 11 - 30), Kind::Case))
            .unwrap();
        s.invite("b", &invitation(date!(2026 - 12 - 01), Kind::Case))
            .unwrap();
        s.invite("c", &invitation(date!(2026 - 12 - 02), Kind::WalkIn))
            .unwrap();
        assert_eq!(s.population(&month("2026-12")).unwrap(), 2);
        assert_eq!(s.population(&month("2026-Q4")).unwrap(), 3);
        assert_eq!(s.population(&month("2026-S1")).unwrap(), 0);
    }

    #[test]
    fn suggestions_past_their_retention_are_emptied() {
        let dir = tempfile::tempdir().unwrap();
        let s = Surveys::new(dir.path());
        for (key, day) in [
            ("old", date!(2020 - 01 - 10)),
            ("new", date!(2026 - 12 - 01)),
        ] {
            s.invite(key, &invitation(day, Kind::Case)).unwrap();
            let mut a = answer(day, 3);
            a.suggestion = Some(format!("Saya Budi, 0812 ({key})"));
            s.answer(key, &a).unwrap();
        }
        let due = |d: Date| d < date!(2021 - 01 - 01);
        assert_eq!(s.purge_suggestions(due, true).unwrap().emptied, 1);
        let texts = |s: &Surveys| -> String {
            s.answer_files()
                .unwrap()
                .into_iter()
                .map(|(_, t)| t)
                .collect()
        };
        assert!(texts(&s).contains("(old)"), "a dry run changes nothing");
        assert_eq!(s.purge_suggestions(due, false).unwrap().emptied, 1);
        let after = texts(&s);
        assert!(
            !after.contains("(old)") && after.contains("(new)"),
            "{after}"
        );
        let all = s.answers(&month("2020")).unwrap();
        assert_eq!(all.answers.len(), 1, "the scores stay");
        assert_eq!(all.answers[0].scores, [Some(3); 9]);
        assert_eq!(s.purge_suggestions(due, false).unwrap().emptied, 0);
    }

    #[test]
    fn plans_are_kept_per_period() {
        let dir = tempfile::tempdir().unwrap();
        let s = Surveys::new(dir.path());
        let q4 = Period::parse("2026-Q4").unwrap();
        assert_eq!(s.plan(&q4).unwrap(), None);
        let plan = Plan {
            text: "Menambah kursi ruang tunggu.".into(),
            by: "sari".into(),
            at: Some("2026-12-07T10:00:00+07:00".into()),
        };
        s.write_plan(&q4, &plan).unwrap();
        assert_eq!(s.plan(&q4).unwrap(), Some(plan));
    }
}
