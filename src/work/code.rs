//! A new access code for a case: for a citizen who lost theirs, after
//! staff checked the caller's identity (the desk asks them to confirm it;
//! `loket code` is run by someone who did). The record keeps only the new
//! code's hash ([`AccessKey::hash`]), so the old code stops working at
//! once; the new code is handed back once, for staff to read out or send
//! by WhatsApp, and mailed to the citizen when mail is on and they gave an
//! email. One audit line says who issued it (never the code).

use std::io;

use super::Work;
use super::audit::{self, Action, Actor};
use crate::cases::access::{self, AccessKey};
use crate::cases::{self, Record, RecordError, yaml_edit};

/// The audit line's detail.
pub const AUDIT_DETAIL: &str = "kode akses baru";

#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    #[error(transparent)]
    Record(#[from] RecordError),
    /// The lookup key or a random code could not be had (or the task
    /// that sought them ended without an answer).
    #[error("{0}")]
    Key(String),
    /// A case from an anonymous form has no code: nobody can prove it is
    /// theirs.
    #[error(
        "kasus {0} dikirim tanpa identitas (formulir anonim); kasus ini tidak punya kode akses"
    )]
    Anonymous(String),
}

/// A code issued: the record as it is now and its text, the code (to show
/// once), and how the audit line and the mail went (the code stands either
/// way).
#[derive(Debug)]
pub struct CodeIssued {
    pub record: Record,
    pub text: String,
    pub code: String,
    pub audit: io::Result<()>,
    /// Whether the code was queued for the citizen's email.
    pub mailed: Result<bool, String>,
}

/// Gives the case `ticket` a new access code in place of the old one.
pub fn reissue_code(w: &Work, ticket: &str, actor: &Actor) -> Result<CodeIssued, CodeError> {
    let (found, _) = cases::find(&w.data, ticket)?;
    if found
        .confidential
        .as_ref()
        .is_some_and(|c| c.is_anonymous())
    {
        return Err(CodeError::Anonymous(found.ticket));
    }
    let key = AccessKey::load_or_create(&w.data).map_err(|e| CodeError::Key(e.to_string()))?;
    let code = access::new_code().map_err(|e| CodeError::Key(e.to_string()))?;
    let updated = cases::update(&w.data, ticket, None, |record, text| {
        let hash = key.hash(&record.ticket, &code);
        yaml_edit::set_key(text, "access_code_hash", &hash).map_err(|m| record.edit_error(m))
    })?;
    let (record, text) = (updated.after, updated.text);
    let audit = audit::record(
        &w.data,
        actor,
        Action::AccessCode,
        Some(&record.ticket),
        AUDIT_DETAIL,
    );
    let mailed = match &w.composer {
        Some(composer) => crate::notify::queue_new_code(&w.data, composer, &record, &code),
        None => Ok(false),
    };
    Ok(CodeIssued {
        record,
        text,
        code,
        audit,
        mailed,
    })
}
