//! Mail: staff are told of new and overdue cases, citizens who gave an
//! email get a receipt and the steps that change what they should expect.
//!
//! - [`settings`]: the operator's mail settings (`smtp_url`, `mail_from`,
//!   `notify_to`, `digest_at`, `desk_url`; the password only from a
//!   private file, and sent only over TLS unless the relay is this machine).
//! - [`outbox`]: every message is first a file in `data/outbox/`, written
//!   like records are; sent messages are removed.
//! - [`compose`]: what each message says (templates in `templates/`), with
//!   no personal data in any.
//! - [`sender`]: the task that sends the outbox through SMTP, with retries
//!   and backoff; a submission never waits on it.
//! - [`digest`]: the staff's digest each working day.
//! - [`receipts`]: at most 3 receipts a day to one address, whatever
//!   forms name it.
//! - [`contact`]: WhatsApp and `mailto:` links for staff's replies.
//!
//! Without `smtp_url` none of this runs: loket says so once at start, and
//! staff commands queue nothing (they queue only while `data/outbox/`
//! exists, which the server makes when mail is on).

pub mod compose;
pub mod contact;
pub mod digest;
pub mod outbox;
pub mod receipts;
pub mod sender;
pub mod settings;

use std::path::Path;
use std::sync::Arc;

use tokio::sync::Notify;

use crate::cases::store::AfterCommit;
use crate::cases::ticket::Ticket;
use crate::core::calendar::Calendar;
use crate::forms::Forms;
use crate::office::config::SiteConfig;
use crate::office::templates::Templates;

pub use compose::{CaseFacts, Composer};
pub use outbox::{Durability, Outbox, Stuck, stuck};
pub use settings::{DigestAt, MailSettings, MailSettingsError, SmtpUrl};

/// Mail while the server runs: the outbox, and the tasks that send it and
/// make the digest.
#[derive(Clone)]
pub struct Mail {
    settings: Arc<MailSettings>,
    outbox: Outbox,
    wake: Arc<Notify>,
    receipts: Arc<receipts::ReceiptLimit>,
}

impl Mail {
    /// Opens the outbox in `data` and starts the sender and, unless it is
    /// off, the digest (on the current tokio runtime). `source` gives the
    /// calendar and the site's settings as they are at the moment (`None`
    /// once the server is going away), and its templates.
    pub fn start(
        data: &Path,
        settings: MailSettings,
        source: impl Fn() -> Option<(Arc<Calendar>, SiteConfig, Arc<Templates>, Forms)>
        + Send
        + Sync
        + 'static,
    ) -> Result<Mail, String> {
        let outbox = Outbox::at(data);
        outbox
            .open()
            .map_err(|e| format!("cannot open the outbox {}: {e}", outbox.dir().display()))?;
        let settings = Arc::new(settings);
        let source = Arc::new(source);
        let forms = {
            let source = source.clone();
            Arc::new(move || source().map(|(_, _, _, forms)| forms))
        };
        let sender = sender::Sender::new(settings.clone(), data.to_path_buf(), forms)?;
        let wake = Arc::new(Notify::new());
        tokio::spawn(sender.run(wake.clone()));
        if let DigestAt::At { hour, minute } = settings.digest_at {
            if settings.notify_to.is_empty() {
                tracing::info!("no digest: notify_to names no staff");
            } else {
                let desk = settings.desk_url.clone();
                tokio::spawn(digest::run(
                    data.to_path_buf(),
                    (hour, minute),
                    wake.clone(),
                    move || {
                        let (calendar, config, templates, forms) = source()?;
                        let composer = Composer::new(&config, (templates, forms), Some(&desk));
                        Some((calendar, composer))
                    },
                ));
            }
        }
        let waiting = outbox.list().map(|l| l.len()).unwrap_or(0);
        tracing::info!(
            "mail on: through {}, from {}, to {} staff address(es){}",
            settings.smtp.server(),
            settings.from.email,
            settings.notify_to.len(),
            if waiting > 0 {
                format!("; {waiting} message(s) waiting in the outbox")
            } else {
                String::new()
            }
        );
        Ok(Mail {
            settings,
            outbox,
            wake,
            receipts: Arc::default(),
        })
    }

    pub fn settings(&self) -> &MailSettings {
        &self.settings
    }

    /// A composer for the site as it is now.
    pub fn composer(
        &self,
        config: &SiteConfig,
        (templates, forms): (Arc<Templates>, Forms),
    ) -> Composer {
        Composer::new(config, (templates, forms), Some(&self.settings.desk_url))
    }

    /// Queues the staff's message that the citizen of `facts` answered on
    /// `/cek-status/` (when there are staff addresses) and wakes the
    /// sender; returns whether one was queued.
    pub fn queue_reply(
        &self,
        composer: &Composer,
        facts: &CaseFacts,
        files: usize,
        replied: bool,
    ) -> Result<bool, String> {
        if self.settings.notify_to.is_empty() {
            return Ok(false);
        }
        let message = composer
            .reply(facts, files, replied)
            .map_err(|e| e.to_string())?;
        self.outbox
            .put(&message, Durability::Now)
            .map_err(|e| format!("cannot queue mail in {}: {e}", self.outbox.dir().display()))?;
        self.wake();
        Ok(true)
    }

    /// What the store's committer runs once a submission is committed:
    /// the staff's message (when there are staff addresses) and, when the
    /// citizen gave an email (`receipt`: the address and the code), their
    /// receipt unless that address had its share today
    /// ([`receipts::ReceiptLimit`]), both into the outbox before the
    /// commit's sync. Call [`Mail::wake`] once the commit is acknowledged.
    pub fn after_commit(
        &self,
        composer: Composer,
        facts: CaseFacts,
        receipt: Option<(String, String)>,
    ) -> AfterCommit {
        let outbox = self.outbox.clone();
        let staff = !self.settings.notify_to.is_empty();
        let receipts = self.receipts.clone();
        Box::new(move |ticket: &Ticket| {
            let facts = CaseFacts {
                ticket: ticket.to_string(),
                ..facts
            };
            let mut messages = Vec::new();
            if staff {
                messages.push(composer.new_case(&facts));
            }
            if let Some((address, code)) = receipt {
                if receipts.allow(&address) {
                    messages.push(composer.receipt(&facts, &code));
                } else {
                    tracing::warn!(
                        "no receipt mail for {ticket}: its address was sent {} receipts in the last 24 hours already (a form can name anyone's address)",
                        receipts::RECEIPTS_PER_ADDRESS
                    );
                }
            }
            for message in messages {
                let queued = message.map_err(|e| e.to_string()).and_then(|m| {
                    outbox
                        .put(&m, Durability::WithCommit)
                        .map_err(|e| e.to_string())
                });
                if let Err(e) = queued {
                    tracing::error!("no mail about {ticket}: {e}");
                }
            }
        })
    }

    /// Tells the sender there is something new in the outbox.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Queues the citizen's message about step `index` of `record` (if it is
/// news to them, they gave an email, and mail is on: the outbox exists).
/// For staff commands and the desk; returns whether a message was queued.
pub fn queue_step(
    data: &Path,
    composer: &Composer,
    record: &crate::cases::Record,
    index: usize,
) -> Result<bool, String> {
    let outbox = Outbox::at(data);
    let email = composer.forms().of(record).and_then(|f| record.email(f));
    if !outbox.exists() || email.is_none() {
        return Ok(false);
    }
    let form = composer.forms().of(record).map(|f| &**f);
    let survey = match record.is_closed(form) {
        true => survey_token(data, record),
        false => None,
    };
    let message = composer
        .step_with_survey(record, index, survey.as_deref())
        .map_err(|e| e.to_string())?;
    let Some(message) = message else {
        return Ok(false);
    };
    outbox
        .put(&message, Durability::Now)
        .map_err(|e| format!("cannot queue mail in {}: {e}", outbox.dir().display()))?;
    Ok(true)
}

/// The key of the survey `record`'s citizen was invited to, if there is an
/// invitation ([`crate::work::steps`] makes it when a step closes the case).
fn survey_token(data: &Path, record: &crate::cases::Record) -> Option<String> {
    let key = crate::cases::access::AccessKey::load_or_create(data).ok()?;
    let token = key.survey_token(&record.ticket);
    let surveys = crate::survey::store::Surveys::new(data);
    match surveys.invitation(&token) {
        Ok(Some(_)) if !surveys.answered(&token) => Some(token),
        _ => None,
    }
}

/// Queues the citizen's mail with the new access `code` of `record` (when
/// mail is on and they gave an email); returns whether one was queued.
pub fn queue_new_code(
    data: &Path,
    composer: &Composer,
    record: &crate::cases::Record,
    code: &str,
) -> Result<bool, String> {
    let outbox = Outbox::at(data);
    let email = composer.forms().of(record).and_then(|f| record.email(f));
    if !outbox.exists() || email.is_none() {
        return Ok(false);
    }
    let message = composer
        .new_code(&CaseFacts::of(record), code)
        .map_err(|e| e.to_string())?;
    outbox
        .put(&message, Durability::Now)
        .map_err(|e| format!("cannot queue mail in {}: {e}", outbox.dir().display()))?;
    Ok(true)
}
