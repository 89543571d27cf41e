//! The outbox: every message is a file in `data/outbox/` before anyone
//! tries to send it, and is removed once the relay has taken it.
//!
//! ```text
//! outbox/20261127T101503-new-case-3f9c1a2b.yaml   one message waiting (0600)
//! outbox/.new-…                                   being written (removed at start)
//! outbox/last-digest                              the day of the last digest
//! ```
//!
//! A name starts with the moment the message was made (WIB), so what has
//! waited too long is known from names alone ([`stuck`]). A message is
//! written under a hidden name and renamed into place (renames never
//! replace), so a reader never sees half a message. Messages about a new
//! submission are written by the store's committer right after the record's
//! commit, and made durable by the same `syncfs` as the record, before the
//! citizen is told (the write discipline of records); every other message
//! is made durable on its own (fsync, rename, fsync of the folder).
//!
//! A message holds what it says (subject, body: no NIK, phone, address or
//! form text) and for whom: `staff` (the addresses in the settings at the
//! time it is sent) or `citizen` (the email in the case's record, read when
//! it is sent: the outbox never holds a citizen's address, so nothing in it
//! outlives a record's redaction).

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::cases::record::moment;
use crate::core::dates::WIB;
use crate::core::fs::{
    FILE_MODE, create_private_dir, if_exists, is_replace_temp, rename_noreplace, replace_private,
    sync_dir,
};
use crate::core::yaml;

/// The outbox's folder in the data folder.
pub const DIR: &str = "outbox";
const SUFFIX: &str = ".yaml";
const WRITING: &str = ".new-";
/// The file that says which day's digest was made last.
pub const LAST_DIGEST: &str = "last-digest";

/// How a message's name starts: the moment it was made, in WIB.
const STAMP: &[time::format_description::BorrowedFormatItem] =
    time::macros::format_description!("[year][month][day]T[hour][minute][second]");

/// How long a message may wait before it is reported as stuck.
pub const STUCK_AFTER: time::Duration = time::Duration::days(1);

/// What a message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Kind {
    /// To staff: a submission arrived.
    NewCase,
    /// To staff: the day's digest.
    Digest,
    /// To the citizen: the receipt with the access code.
    Receipt,
    /// To the citizen: a step of their case.
    Step,
    /// To staff: the citizen answered a request on `/cek-status/`.
    Reply,
}

/// Who a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recipient {
    Staff,
    Citizen,
}

/// One message as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub kind: Kind,
    pub to: Recipient,
    /// The case it is about (a citizen's message is sent to the email in
    /// this case's record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    #[serde(with = "moment")]
    pub created_at: OffsetDateTime,
    pub subject: String,
    /// The office's address, for a citizen's reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    pub body: String,
    /// Failed attempts so far, the last one's time and error (no address
    /// in it).
    #[serde(default)]
    pub attempts: u32,
    #[serde(
        default,
        with = "moment::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_attempt_at: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Not to be tried before this (after a failure of the message itself,
    /// not of the relay).
    #[serde(
        default,
        with = "moment::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub retry_after: Option<OffsetDateTime>,
}

impl Message {
    pub fn new(
        kind: Kind,
        to: Recipient,
        ticket: Option<&str>,
        subject: String,
        body: String,
    ) -> Message {
        Message {
            kind,
            to,
            ticket: ticket.map(str::to_string),
            created_at: OffsetDateTime::now_utc().to_offset(WIB),
            subject,
            reply_to: None,
            body,
            attempts: 0,
            last_attempt_at: None,
            last_error: None,
            retry_after: None,
        }
    }
}

/// How durable a new message must be when [`Outbox::put`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Made durable by a sync that follows (the committer's).
    WithCommit,
    /// fsync of the file and of the folder before returning.
    Now,
}

/// A message found in the outbox, or why it could not be read.
#[derive(Debug)]
pub struct Queued {
    /// The file's name, which is also the message's id.
    pub name: String,
    pub message: Result<Message, String>,
}

/// The outbox of a data folder.
#[derive(Debug, Clone)]
pub struct Outbox {
    dir: PathBuf,
}

impl Outbox {
    pub fn at(data: &Path) -> Outbox {
        Outbox {
            dir: data.join(DIR),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the folder is there: the server makes it when mail is on,
    /// and staff commands queue citizens' mail only then.
    pub fn exists(&self) -> bool {
        self.dir.is_dir()
    }

    /// Makes the folder (0700) and removes what a crash left half-written.
    pub fn open(&self) -> io::Result<()> {
        create_private_dir(&self.dir)?;
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(WRITING) || is_replace_temp(&name) {
                fs::remove_file(entry.path())?;
            }
        }
        Ok(())
    }

    /// Writes a new message and returns its name.
    pub fn put(&self, message: &Message, durability: Durability) -> io::Result<String> {
        let text = to_text(message)?;
        let mut random = [0u8; 4];
        getrandom::fill(&mut random).map_err(io::Error::other)?;
        let at = message.created_at.to_offset(WIB);
        let name = format!(
            "{}-{}-{}{SUFFIX}",
            at.format(STAMP).map_err(io::Error::other)?,
            message.kind,
            hex::encode(random)
        );
        let writing = self.dir.join(format!("{WRITING}{name}"));
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(&writing)?;
        let written = file.write_all(text.as_bytes()).and_then(|()| {
            if durability == Durability::Now {
                file.sync_all()?;
            }
            rename_noreplace(&writing, &self.dir.join(&name))
        });
        if let Err(e) = written {
            let _ = fs::remove_file(&writing);
            return Err(e);
        }
        if durability == Durability::Now {
            sync_dir(&self.dir)?;
        }
        Ok(name)
    }

    /// Every message waiting, oldest first. A folder that is not there
    /// holds none.
    pub fn list(&self) -> io::Result<Vec<Queued>> {
        let mut names = self.names()?;
        names.sort();
        Ok(names
            .into_iter()
            .map(|name| {
                let message = fs::read_to_string(self.dir.join(&name))
                    .map_err(|e| e.to_string())
                    .and_then(|text| parse(&text));
                Queued { name, message }
            })
            .collect())
    }

    fn names(&self) -> io::Result<Vec<String>> {
        let Some(entries) = if_exists(fs::read_dir(&self.dir))? else {
            return Ok(Vec::new());
        };
        let mut names = Vec::new();
        for entry in entries {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if !name.starts_with('.') && name.ends_with(SUFFIX) {
                names.push(name);
            }
        }
        Ok(names)
    }

    /// Removes a message that was sent (or given up); gone already is fine.
    pub fn remove(&self, name: &str) -> io::Result<()> {
        if_exists(fs::remove_file(self.dir.join(name))).map(drop)
    }

    /// Writes a message's new state (after a failed attempt) in place.
    pub fn update(&self, name: &str, message: &Message) -> io::Result<()> {
        let path = self.dir.join(name);
        if !path.is_file() {
            // Removed meanwhile (purge): not brought back.
            return Ok(());
        }
        replace_private(&path, to_text(message)?.as_bytes())
    }

    /// Removes every message about `ticket` (its record was redacted);
    /// returns how many.
    pub fn forget_ticket(&self, ticket: &str) -> io::Result<usize> {
        let mut removed = 0;
        for queued in self.list()? {
            if let Ok(m) = &queued.message
                && m.ticket.as_deref() == Some(ticket)
            {
                self.remove(&queued.name)?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// The day of the last digest made, if any.
    pub fn last_digest(&self) -> Option<time::Date> {
        let text = fs::read_to_string(self.dir.join(LAST_DIGEST)).ok()?;
        crate::core::dates::parse_iso(text.trim()).ok()
    }

    pub fn set_last_digest(&self, day: time::Date) -> io::Result<()> {
        let text = format!("{}\n", crate::core::dates::format_iso(day));
        replace_private(&self.dir.join(LAST_DIGEST), text.as_bytes())
    }
}

fn to_text(message: &Message) -> io::Result<String> {
    let body = yaml::to_string(message).map_err(|e| io::Error::other(e.message))?;
    Ok(format!(
        "# A message loket will send (README, \"Mail\"); removed once sent.\n{body}"
    ))
}

fn parse(text: &str) -> Result<Message, String> {
    yaml::from_str(text).map_err(|e| match e.line {
        Some(line) => format!("line {line}: {}", e.message),
        None => e.message,
    })
}

/// Messages that have waited longer than [`STUCK_AFTER`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stuck {
    pub count: usize,
    /// When the oldest of them was made.
    pub oldest: OffsetDateTime,
    /// The last error of the oldest, if it says.
    pub last_error: Option<String>,
}

impl Stuck {
    /// One line for staff (Indonesian): `loket inbox` and the desk.
    pub fn describe(&self) -> String {
        let oldest = self.oldest.to_offset(WIB);
        let error = self
            .last_error
            .as_deref()
            .map(|e| format!("; kesalahan terakhir: {e}"))
            .unwrap_or_default();
        format!(
            "{} surel belum terkirim lebih dari sehari (yang terlama dibuat {} pukul {:02}.{:02} WIB{error}). Periksa pengaturan surel (smtp_url) dan log server.",
            self.count,
            crate::core::dates::format_long(oldest.date()),
            oldest.hour(),
            oldest.minute()
        )
    }
}

/// The messages in `data`'s outbox made more than a day before `now`;
/// `None` when there are none. Reads names, and one file at most.
pub fn stuck(data: &Path, now: OffsetDateTime) -> Option<Stuck> {
    let outbox = Outbox::at(data);
    let mut names = outbox.names().ok()?;
    names.sort();
    let old: Vec<(String, OffsetDateTime)> = names
        .into_iter()
        .filter_map(|n| made_at(&n).map(|t| (n, t)))
        .filter(|(_, t)| now - *t > STUCK_AFTER)
        .collect();
    let (name, oldest) = old.first()?.clone();
    let last_error = fs::read_to_string(outbox.dir.join(&name))
        .ok()
        .and_then(|text| parse(&text).ok())
        .and_then(|m| m.last_error);
    Some(Stuck {
        count: old.len(),
        oldest,
        last_error,
    })
}

/// The moment in a message's name (`20261127T101503-…`).
fn made_at(name: &str) -> Option<OffsetDateTime> {
    let stamp = time::PrimitiveDateTime::parse(name.get(..15)?, STAMP).ok()?;
    Some(stamp.assume_offset(WIB))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use time::macros::datetime;

    fn message(kind: Kind, ticket: &str) -> Message {
        let mut m = Message::new(
            kind,
            Recipient::Citizen,
            Some(ticket),
            "Subjek".into(),
            "Isi\nbaris dua\n".into(),
        );
        m.created_at = datetime!(2026-11-27 10:15:03 +07:00);
        m
    }

    #[test]
    fn messages_are_private_files_read_back_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::at(dir.path());
        assert!(!outbox.exists());
        assert!(outbox.list().unwrap().is_empty());
        outbox.open().unwrap();
        let mut later = message(Kind::Step, "KP-20261127-CDFH");
        later.created_at = datetime!(2026-11-28 08:00 +07:00);
        let b = outbox.put(&later, Durability::Now).unwrap();
        let a = outbox
            .put(
                &message(Kind::Receipt, "KP-20261127-CDFH"),
                Durability::WithCommit,
            )
            .unwrap();
        assert!(a.starts_with("20261127T101503-receipt-"), "{a}");
        let mode = fs::metadata(dir.path().join(DIR).join(&a))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let listed = outbox.list().unwrap();
        assert_eq!(
            listed.iter().map(|q| q.name.clone()).collect::<Vec<_>>(),
            [a.clone(), b.clone()]
        );
        assert_eq!(
            listed[0].message.as_ref().unwrap(),
            &message(Kind::Receipt, "KP-20261127-CDFH")
        );
        let mut failed = later.clone();
        failed.attempts = 2;
        failed.last_error = Some("connection refused".into());
        outbox.update(&b, &failed).unwrap();
        assert_eq!(outbox.list().unwrap()[1].message.as_ref().unwrap(), &failed);
        assert_eq!(outbox.forget_ticket("KP-20261127-CDFH").unwrap(), 2);
        assert!(outbox.list().unwrap().is_empty());
        outbox.update(&b, &failed).unwrap();
        assert!(outbox.list().unwrap().is_empty(), "not brought back");
    }

    #[test]
    fn half_written_messages_go_at_open_and_bad_ones_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::at(dir.path());
        outbox.open().unwrap();
        fs::write(
            outbox.dir().join(".new-20261127T101503-step-00.yaml"),
            "kin",
        )
        .unwrap();
        fs::write(outbox.dir().join("20261127T101503-step-01.yaml"), "kind: [").unwrap();
        outbox.open().unwrap();
        let listed = outbox.list().unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].message.is_err());
    }

    #[test]
    fn stuck_means_older_than_a_day_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::at(dir.path());
        assert_eq!(stuck(dir.path(), datetime!(2026-11-29 10:00 +07:00)), None);
        outbox.open().unwrap();
        let mut m = message(Kind::NewCase, "KP-20261127-CDFH");
        m.last_error = Some("connection refused".into());
        outbox.put(&m, Durability::Now).unwrap();
        assert_eq!(stuck(dir.path(), datetime!(2026-11-28 10:15 +07:00)), None);
        let found = stuck(dir.path(), datetime!(2026-11-28 10:16 +07:00)).unwrap();
        assert_eq!(found.count, 1);
        assert_eq!(found.oldest, datetime!(2026-11-27 10:15:03 +07:00));
        assert!(found.describe().starts_with("1 surel belum terkirim"));
        assert!(found.describe().contains("connection refused"));
        assert_eq!(made_at("garbage.yaml"), None);
    }
}
