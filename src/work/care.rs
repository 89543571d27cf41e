//! The operator's care of the data folder, audited once: purge (with the
//! queued mail of a redacted case), backup, restore and verify. The command
//! line parses its arguments and prints what these return.

use std::io;
use std::path::Path;

use time::Date;

use super::audit::{self, Action, Actor};
use crate::cases::backup::{self, BackedUp, BackupError};
use crate::cases::purge::{self, Purge, Purged};
use crate::cases::verify::{self, Verified};
use crate::forms::Forms;
use crate::notify::Outbox;
use crate::office::config::Retention;
use crate::survey::store::{PurgedSuggestions, Surveys};

/// A purge, and what came of its side effects.
#[derive(Debug)]
pub struct PurgeDone {
    pub purge: Purge,
    /// Per redacted case: its queued mail deleted (how many), or why not.
    pub forgotten: Vec<(String, io::Result<usize>)>,
    /// Survey answers whose suggestion was emptied (`records_years` after
    /// the answer), or why not.
    pub suggestions: io::Result<PurgedSuggestions>,
    /// The audit line (none for a dry run: it changes nothing and shows no
    /// personal data).
    pub audit: Option<io::Result<()>>,
}

/// Purges what is past `retention` as of `today` (only says what, with
/// `dry_run`); the queued mail about a redacted case goes with its
/// personal data.
pub fn purge(
    (data, forms): (&Path, &Forms),
    retention: Retention,
    today: Date,
    dry_run: bool,
    actor: &Actor,
) -> PurgeDone {
    let purged = purge::purge(data, forms, retention, today, dry_run);
    // A survey answer's free text may hold what a citizen typed about
    // themselves: kept as long as a record's personal data.
    let suggestions = Surveys::new(data).purge_suggestions(
        |answered| today >= purge::add_years(answered, retention.records_years),
        dry_run,
    );
    if dry_run {
        return PurgeDone {
            purge: purged,
            forgotten: Vec::new(),
            suggestions,
            audit: None,
        };
    }
    let outbox = Outbox::at(data);
    let forgotten = purged
        .done
        .iter()
        .filter_map(|done| match done {
            Purged::Redacted { ticket } => Some((ticket.clone(), outbox.forget_ticket(ticket))),
            _ => None,
        })
        .collect();
    let emptied = suggestions.as_ref().map_or(0, |s| s.emptied);
    let detail = format!(
        "{} case(s), {} problem(s), {emptied} survey suggestion(s)",
        purged.done.len(),
        purged.problems.len()
    );
    let audit = audit::record(data, actor, Action::Purge, None, &detail);
    PurgeDone {
        purge: purged,
        forgotten,
        suggestions,
        audit: Some(audit),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CareError {
    /// The audit line was not written: nothing was read.
    #[error("{0}")]
    Audit(io::Error),
    #[error(transparent)]
    Backup(#[from] BackupError),
}

/// Writes the archive `to` of the data folder, audited first (it reads
/// personal data: no line, no archive).
pub fn backup(data: &Path, to: &Path, actor: &Actor) -> Result<BackedUp, CareError> {
    audit::record(data, actor, Action::Backup, None, "").map_err(CareError::Audit)?;
    Ok(backup::backup(data, to)?)
}

/// Restores the archive `from` into the new or empty folder `data`; the
/// audit line goes into the restored folder's log.
pub fn restore(
    from: &Path,
    data: &Path,
    actor: &Actor,
) -> Result<(usize, io::Result<()>), BackupError> {
    let files = backup::restore(from, data)?;
    let detail = format!("{files} file(s)");
    Ok((
        files,
        audit::record(data, actor, Action::Restore, None, &detail),
    ))
}

/// Checks every record and attachment in the data folder.
pub fn verify(data: &Path, forms: &Forms) -> Verified {
    verify::verify(data, forms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dry_run_is_not_audited_and_a_purge_is_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("submissions")).unwrap();
        let today = crate::core::dates::parse_iso("2026-12-01").unwrap();
        let actor = Actor::cli("budi");
        let dry = purge(
            (dir.path(), Forms::builtin()),
            Retention::default(),
            today,
            true,
            &actor,
        );
        assert!(dry.audit.is_none());
        assert!(!dir.path().join(audit::AUDIT_DIR).exists());
        let done = purge(
            (dir.path(), Forms::builtin()),
            Retention::default(),
            today,
            false,
            &actor,
        );
        done.audit.unwrap().unwrap();
        let log = std::fs::read_dir(dir.path().join(audit::AUDIT_DIR))
            .unwrap()
            .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
            .collect::<String>();
        assert_eq!(log.lines().count(), 1, "{log}");
        assert!(
            log.contains("\tbudi\tpurge\t-\tcli 0 case(s), 0 problem(s)"),
            "{log}"
        );
    }
}
