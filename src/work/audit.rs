//! The audit log: who did what to which case, one line per action, in
//! `data/audit/YYYY-MM.log` (folder 0700, files 0600), appended and made
//! durable before the action's answer is sent.
//!
//! A line is `TIME<TAB>STAFF<TAB>ACTION<TAB>TICKET<TAB>DETAIL`: the time in
//! WIB, the staff member's name (`-` when unknown), one of [`Action`], the
//! ticket (`-` for none) and a detail from loket's own words (a status, an
//! attachment's field, a month). Never a citizen's name, NIK, contact or
//! anything they typed.
//!
//! The command line writes here too (`loket show`, `status`, `purge`, …):
//! its lines name the person who ran the command (their login, or
//! `SUDO_USER`) and their detail starts with `cli`. A file or folder root
//! creates here (`loket show` run as root) is given to the data folder's
//! owner, so the server can go on appending.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::cases::record::format_timestamp;
use crate::core::dates::WIB;
use crate::core::fs::{FILE_MODE, create_private_dir};

/// The folder in the data folder.
pub const AUDIT_DIR: &str = "audit";

/// Written in a line by its name in kebab-case (`sign-in-failed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::Display)]
#[strum(serialize_all = "kebab-case")]
pub enum Action {
    SignIn,
    SignInFailed,
    SignOut,
    /// A status change (the detail is the new status).
    Status,
    /// A message to the citizen without a step (the detail: the status it
    /// stayed in; never the message).
    Message,
    /// A case recorded on the desk (the detail: its channel and the date
    /// received).
    Recorded,
    /// A new access code issued for a case (never the code).
    AccessCode,
    /// A case marked confidential by staff (never the reason).
    Confidential,
    /// An attachment opened (the detail is its field).
    Attachment,
    /// A case's document opened to print (the detail: which).
    Print,
    /// The values of a case's documents set (the detail: which, never
    /// the values).
    Documents,
    /// Files staff attached to a case (the detail: their stored names).
    AttachmentAdded,
    /// The monthly report viewed or downloaded (the detail: month and format).
    Report,
    AccountAdded,
    PasswordChanged,
    AccountRemoved,
    /// An account's roles or forms changed (the detail: the login and
    /// the roles and forms it has now).
    RolesChanged,
    /// An account's full name, NIP or position changed (the detail: the
    /// login and which of them; never their values).
    ProfileChanged,
    /// The command line's `inbox`: the list of cases.
    Inbox,
    /// The command line's `show`: one case in full.
    Show,
    /// The satisfaction survey on the desk: a walk-in code made (never the
    /// code), a period's follow-up plan saved, its results published or
    /// withdrawn (the detail says which, and the period).
    Survey,
    /// A site page published from the desk's editor (the detail: its
    /// file and version).
    PagePublished,
    /// An older version of a page published again (the detail: its file,
    /// the version restored and the new one).
    PageRestored,
    /// A page removed (the detail: its file and the version that keeps its
    /// last text).
    PageRemoved,
    /// A file uploaded into the site's static/ (the detail: its path).
    FileUploaded,
    /// A purge of data past its retention.
    Purge,
    Backup,
    Restore,
}

/// The file a moment's lines go to.
pub fn file_for(data: &Path, at: OffsetDateTime) -> PathBuf {
    let at = at.to_offset(WIB);
    data.join(AUDIT_DIR)
        .join(format!("{:04}-{:02}.log", at.year(), u8::from(at.month())))
}

/// One field of a line: no tabs, line breaks or other control characters.
fn field(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match clean.trim() {
        "" => "-".to_string(),
        t => t.to_string(),
    }
}

/// The line for one action, with its newline.
pub fn line(
    at: OffsetDateTime,
    staff: &str,
    action: Action,
    ticket: Option<&str>,
    detail: &str,
) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\n",
        format_timestamp(at),
        field(staff),
        action,
        field(ticket.unwrap_or("")),
        field(detail)
    )
}

/// Who acts, and through which front end: the desk (a signed-in staff
/// member) or the command line (the person who ran it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub via: Via,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Desk,
    Cli,
}

impl Actor {
    pub fn desk(name: &str) -> Actor {
        Actor {
            name: name.to_string(),
            via: Via::Desk,
        }
    }

    pub fn cli(name: &str) -> Actor {
        Actor {
            name: name.to_string(),
            via: Via::Cli,
        }
    }

    /// The detail as the log keeps it: a command line's starts with `cli`.
    pub fn detail(&self, detail: &str) -> String {
        match (self.via, detail) {
            (Via::Desk, d) => d.to_string(),
            (Via::Cli, "") => "cli".to_string(),
            (Via::Cli, d) => format!("cli {d}"),
        }
    }
}

/// Appends `actor`'s line for `action`, now. A data folder that is not
/// there is an error (it is never made here).
pub fn record(
    data: &Path,
    actor: &Actor,
    action: Action,
    ticket: Option<&str>,
    detail: &str,
) -> io::Result<()> {
    if !data.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no data folder at {}", data.display()),
        ));
    }
    let now = OffsetDateTime::now_utc();
    append(
        data,
        now,
        &actor.name,
        action,
        ticket,
        &actor.detail(detail),
    )
}

/// Appends one line and makes it durable.
pub fn append(
    data: &Path,
    at: OffsetDateTime,
    staff: &str,
    action: Action,
    ticket: Option<&str>,
    detail: &str,
) -> io::Result<()> {
    let path = file_for(data, at);
    if let Some(dir) = path.parent() {
        create_private_dir(dir)?;
        give_to_folder_owner(data, dir)?;
    }
    let mut file = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(FILE_MODE)
        .open(&path)?;
    give_to_folder_owner(data, &path)?;
    // One write: lines from two processes never interleave.
    file.write_all(line(at, staff, action, ticket, detail).as_bytes())?;
    file.sync_data()
}

/// Run as root, makes `path` belong to the owner of the data folder `data`
/// when it does not (it was just created by root).
fn give_to_folder_owner(data: &Path, path: &Path) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    if !rustix::process::geteuid().is_root() {
        return Ok(());
    }
    let (folder, made) = (std::fs::metadata(data)?, std::fs::symlink_metadata(path)?);
    if (made.uid(), made.gid()) == (folder.uid(), folder.gid()) {
        return Ok(());
    }
    std::os::unix::fs::lchown(path, Some(folder.uid()), Some(folder.gid()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn lines_are_five_clean_fields() {
        let at = crate::cases::parse_local_time("2026-11-30 23:30").unwrap();
        let l = line(
            at,
            "Budi\tSantoso",
            Action::Status,
            Some("KP-20261127-CDFH"),
            "selesai\n",
        );
        assert_eq!(
            l,
            "2026-11-30T23:30:00+07:00\tBudi Santoso\tstatus\tKP-20261127-CDFH\tselesai\n"
        );
        assert_eq!(
            line(at, "", Action::SignInFailed, None, ""),
            "2026-11-30T23:30:00+07:00\t-\tsign-in-failed\t-\t-\n"
        );
    }

    #[test]
    fn the_command_line_says_so_in_the_detail() {
        assert_eq!(Actor::desk("Budi").detail("selesai"), "selesai");
        assert_eq!(Actor::cli("budi").detail("selesai"), "cli selesai");
        assert_eq!(Actor::cli("budi").detail(""), "cli");
    }

    #[test]
    fn appends_to_the_month_of_the_moment_in_wib() {
        let dir = tempfile::tempdir().unwrap();
        // 30 November 17:30 UTC is 1 December in WIB.
        let at = crate::cases::parse_local_time("2026-12-01 00:30").unwrap();
        append(dir.path(), at, "Budi", Action::SignIn, None, "").unwrap();
        append(dir.path(), at, "Budi", Action::SignOut, None, "").unwrap();
        let path = dir.path().join("audit/2026-12.log");
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.path().join("audit")), 0o700);
    }
}
