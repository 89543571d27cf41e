//! Finding stored records: every one under `data/submissions` (a broken
//! one reported as `path:line: message` and skipped), or one by its ticket.

use std::path::{Path, PathBuf};

use super::record::Record;
use crate::cases::layout::{self, Layout};
use crate::core::diagnostic::Diagnostic;

/// Every record under `data/submissions` ([`layout::records`]), oldest
/// first, with a diagnostic for each file or folder that could not be read
/// (those are skipped).
pub fn load_all(data: &Path) -> (Vec<Record>, Vec<Diagnostic>) {
    let (files, unreadable) = layout::records(data);
    let mut diags: Vec<_> = unreadable.iter().map(|(p, e)| cannot_read(p, e)).collect();
    let mut records = Vec::with_capacity(files.len());
    for path in &files {
        match load(path) {
            Ok(r) => records.push(r),
            Err(d) => diags.push(d),
        }
    }
    records.sort_by(|a, b| (a.received_at, &a.ticket).cmp(&(b.received_at, &b.ticket)));
    (records, diags)
}

/// The record file at `path`, or why it cannot be read.
pub fn load(path: &Path) -> Result<Record, Diagnostic> {
    let text = std::fs::read_to_string(path).map_err(|e| cannot_read(path, &e))?;
    Record::parse(path, &text)
}

fn cannot_read(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(path, None, format!("cannot read: {e}"))
}

/// Finds one record by ticket (the ticket says which day folder it is in).
pub fn find(data: &Path, ticket: &str) -> Result<(Record, String), RecordError> {
    let (path, text) = find_text(data, ticket)?;
    let record = Record::parse(&path, &text).map_err(RecordError::Invalid)?;
    Ok((record, text))
}

/// The path and text of the record of `ticket`, not parsed (for a reader
/// that looks for a word before it pays for parsing).
pub fn find_text(data: &Path, ticket: &str) -> Result<(PathBuf, String), RecordError> {
    let parsed = crate::cases::ticket::Ticket::parse(ticket)
        .ok_or_else(|| RecordError::BadTicket(ticket.to_string()))?;
    let path = Layout::new(data)
        .record_path(&parsed)
        .ok_or_else(|| RecordError::BadTicket(ticket.to_string()))?;
    let text = read_record(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => RecordError::NotFound(parsed.to_string()),
        _ => RecordError::Io {
            path: path.clone(),
            source: e,
        },
    })?;
    Ok((path, text))
}

/// A record's text, never through a symbolic link: a link in the tree is
/// not a record, and following it would show another file's contents.
fn read_record(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
                std::io::Error::other("a symbolic link, not a record; loket does not follow it")
            } else {
                e
            }
        })?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    Ok(text)
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("{0:?} bukan nomor tiket (contoh nomor tiket: KP-20261127-7KX4)")]
    BadTicket(String),
    #[error("tidak ada kasus dengan nomor tiket {0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(Diagnostic),
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{ticket} berstatus {from}; tidak dapat menjadi {to} (yang boleh berikutnya: {allowed})"
    )]
    Transition {
        ticket: String,
        from: String,
        to: String,
        allowed: String,
    },
    #[error("{0}")]
    Missing(String),
    /// The step asks for something the change does not give.
    #[error("{}", super::workflow::need_message(*.need, .step))]
    Needs {
        need: crate::forms::spec::Need,
        step: String,
    },
    /// A step that closes a case past its deadline (`due`) without a
    /// reason for the citizen.
    #[error(
        "{ticket} melewati batas waktunya ({}); langkah yang menutupnya perlu alasan keterlambatan untuk pemohon (--late-reason)",
        crate::core::dates::format_long(*.due)
    )]
    LateReason { ticket: String, due: time::Date },
    #[error("{} tidak dapat diubah: {message}", .path.display())]
    Edit { path: PathBuf, message: String },
    #[error(
        "kasus {ticket} baru saja diubah oleh {by}; muat ulang untuk melihat keadaannya sekarang"
    )]
    Stale { ticket: String, by: String },
}
