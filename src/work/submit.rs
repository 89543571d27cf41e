//! Submit: a citizen's checked form becomes a case. Its deadlines come from
//! the site's terms; the record is written with the hash of its access
//! code; the staff's message and the citizen's receipt go into the outbox
//! with the commit, and the sender is woken. The public server keeps what
//! is HTTP: reading the post, the limits, the resend claims and the code
//! shown once. The desk records a case from another channel through the
//! same use case ([`Submission::from`]).

use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;

use time::OffsetDateTime;

use crate::cases::access::AccessKey;
use crate::cases::channel::Channel;
use crate::cases::recent::{Fingerprint, fingerprint};
use crate::cases::record::{HistoryEntry, Record, form_fields};
use crate::cases::store::{Draft, Store};
use crate::cases::ticket::Ticket;
use crate::core::calendar::Calendar;
use crate::forms::spec::FormSpec;
use crate::forms::validate::Normalized;
use crate::notify::{CaseFacts, Composer, Mail};
use crate::office::terms::{Deadlines, Terms};

/// An accepted form, with its deadlines, ready to be committed.
#[derive(Debug)]
pub struct Submission {
    form: Arc<FormSpec>,
    received: OffsetDateTime,
    text: BTreeMap<String, String>,
    normalized: Normalized,
    draft: Draft,
    deadlines: Deadlines,
    origin: Origin,
}

/// Where a case came from: the web form (a citizen), or another channel
/// that a staff member recorded on the desk.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub channel: Channel,
    /// SP4N-LAPOR!'s tracking number (for that channel).
    pub lapor_number: Option<String>,
    /// The staff member who recorded the case, and when: the record's
    /// first history entry.
    pub recorded: Option<(String, OffsetDateTime)>,
}

/// The site gives no term for the form (the build refuses a form page
/// without one, so only a site changed under the server gets here).
#[derive(Debug, thiserror::Error)]
#[error("no term for {0} submissions in the site")]
pub struct NoTerm(pub String);

impl Submission {
    /// The submission of `form` received at `received` (WIB), its text as
    /// typed and as checked, its files in `draft`.
    pub fn new(
        form: Arc<FormSpec>,
        received: OffsetDateTime,
        (text, normalized): (BTreeMap<String, String>, Normalized),
        draft: Draft,
        (terms, calendar): (&Terms, &Calendar),
    ) -> Result<Submission, NoTerm> {
        let deadlines = terms
            .deadlines(&form.id, received, calendar)
            .ok_or_else(|| NoTerm(form.id.to_string()))?;
        Ok(Submission {
            form,
            received,
            text,
            normalized,
            draft,
            deadlines,
            origin: Origin::default(),
        })
    }

    /// The same submission, recorded by staff from another channel.
    pub fn from(mut self, origin: Origin) -> Submission {
        self.origin = origin;
        self
    }

    /// The deadlines it gets.
    pub fn deadlines(&self) -> Deadlines {
        self.deadlines
    }

    /// Whether the case gets an access code: not one from an anonymous
    /// form, which has no status lookup (docs/formulir.md).
    pub fn takes_code(&self) -> bool {
        !self.form.anonymous
    }

    /// What makes a resend the same submission.
    pub fn fingerprint(&self) -> Fingerprint {
        fingerprint(&*self.form, &self.text, self.draft.attachments())
    }

    /// Commits the case with access `code` (none for an anonymous form:
    /// [`Submission::takes_code`]); with mail on (`mail` and the site's
    /// composer), the staff's message and the citizen's receipt go into
    /// the outbox with it and the sender is woken. An anonymous case mails
    /// no citizen, whatever its fields hold.
    pub async fn commit(
        self,
        store: &Store,
        key: AccessKey,
        code: Option<String>,
        mail: Option<(&Mail, Composer)>,
    ) -> io::Result<Ticket> {
        let Submission {
            form,
            received,
            text,
            normalized,
            draft,
            deadlines,
            origin,
        } = self;
        let code = code.filter(|_| !form.anonymous);
        let after = mail.as_ref().map(|(mail, composer)| {
            let facts = CaseFacts {
                ticket: String::new(),
                kind: form.id.to_string(),
                received_at: received,
                due: deadlines.completion.unwrap_or(deadlines.response).date,
                due_note: deadlines.note(),
            };
            let email = form
                .role(crate::forms::spec::Role::Email)
                .and_then(|f| text.get(&f.name))
                .map(|v| v.trim())
                .filter(|v| v.contains('@'));
            let receipt = email.zip(code.as_ref());
            mail.after_commit(
                composer.clone(),
                facts,
                receipt.map(|(address, code)| (address.to_string(), code.clone())),
            )
        });
        let attachments = draft.attachments().to_vec();
        let fields = form_fields(&form, &text);
        let prefix = form.ticket_prefix.clone();
        let render = move |ticket: &Ticket| {
            let mut record = Record::new(
                &form,
                ticket,
                received,
                fields.clone(),
                &normalized,
                &attachments,
                deadlines,
            );
            record.access_code_hash = code.as_ref().map(|code| key.hash(ticket.as_str(), code));
            record.channel = origin.channel;
            record.lapor_number.clone_from(&origin.lapor_number);
            if let Some((by, at)) = &origin.recorded {
                record.history.push(HistoryEntry {
                    channel: Some(origin.channel),
                    ..HistoryEntry::new(*at, &record.status, by)
                });
            }
            record.to_yaml().map_err(io::Error::other)
        };
        let ticket = draft
            .commit(store, &prefix, received.date(), render, after)
            .await?;
        if let Some((mail, _)) = mail {
            mail.wake();
        }
        Ok(ticket)
    }
}
