//! The task that sends what the outbox holds, through SMTP (lettre, tokio,
//! STARTTLS or TLS with rustls and the system's trusted certificates).
//!
//! It goes through the outbox oldest first whenever a message is queued,
//! and every few seconds in any case (staff commands queue from another
//! process). A message the relay takes is removed. When the relay cannot
//! be reached (connection, TLS, time-out), the pass stops and the relay is
//! tried again after 2 s, then 4, 8, … up to an hour between tries; a
//! restart tries at once. A message the relay refuses for itself (a 4xx or
//! 5xx answer to it) waits on its own schedule, the same doubling; a
//! citizen's address refused for good (5xx) is given up, and logged with
//! the ticket. Every failure is written into the message (attempts, time,
//! error without addresses) so `loket inbox`, the desk and `/healthz` can
//! say what is stuck.
//!
//! A message is removed after the relay has accepted it, so a crash between
//! the two sends it again at the next start; its `Message-ID` stays the
//! same, so a receiving server can tell. Otherwise each message goes once.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use time::OffsetDateTime;
use tokio::sync::Notify;

use super::outbox::{Message, Outbox, Queued, Recipient};
use super::settings::MailSettings;
use crate::core::dates::WIB;

/// How often the outbox is looked at without being woken.
const POLL: Duration = Duration::from_secs(5);
/// The longest wait between two tries.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// How long one SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// The wait after the `n`th failure in a row: 2 s, 4 s, … one hour.
pub fn backoff(n: u32) -> Duration {
    Duration::from_secs(1u64 << n.clamp(1, 12)).min(MAX_BACKOFF)
}

/// What became of one message.
enum Outcome {
    Sent,
    /// Never to be sent: removed, with why (for the log).
    GiveUp(String),
    /// Not sent this time. `relay` when the relay itself could not be
    /// reached: then nothing else is tried before the relay's next try.
    Failed {
        error: String,
        relay: bool,
    },
}

/// Where the sender asks for the site's forms.
pub type FormsSource = Arc<dyn Fn() -> Option<crate::forms::Forms> + Send + Sync>;

pub struct Sender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    settings: Arc<MailSettings>,
    outbox: Outbox,
    data: PathBuf,
    /// The site's forms of the moment: which field of a record is the email.
    forms: FormsSource,
    /// Messages already reported as unreadable.
    unreadable: HashSet<String>,
}

impl Sender {
    pub fn new(
        settings: Arc<MailSettings>,
        data: PathBuf,
        forms: FormsSource,
    ) -> Result<Sender, String> {
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(settings.smtp.as_str())
            .map_err(|e| format!("smtp_url: {e}"))?;
        if let Some(password) = &settings.password {
            let user = settings
                .smtp
                .username()
                .ok_or("a password is set but smtp_url names no user: write smtp://USER@relay…")?;
            builder = builder.credentials(Credentials::new(user, password.clone()));
        }
        let transport = builder.timeout(Some(SMTP_TIMEOUT)).build();
        Ok(Sender {
            transport,
            settings,
            outbox: Outbox::at(&data),
            data,
            forms,
            unreadable: HashSet::new(),
        })
    }

    /// Sends until the runtime stops; `wake` is notified when a message is
    /// queued.
    pub async fn run(mut self, wake: Arc<Notify>) {
        let mut relay_failures: u32 = 0;
        let mut relay_retry: Option<Instant> = None;
        loop {
            let mut next = Instant::now() + POLL;
            if relay_retry.is_none_or(|at| Instant::now() >= at) {
                relay_retry = None;
                match self.pass(&mut next).await {
                    Ok(()) => relay_failures = 0,
                    Err(()) => {
                        relay_failures += 1;
                        let wait = backoff(relay_failures);
                        relay_retry = Some(Instant::now() + wait);
                    }
                }
            }
            if let Some(at) = relay_retry {
                next = at;
            }
            let sleep = next.saturating_duration_since(Instant::now());
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                _ = wake.notified() => {}
            }
        }
    }

    /// One pass over the outbox; `Err` when the relay could not be
    /// reached. Lowers `next` to the time a waiting message is due.
    async fn pass(&mut self, next: &mut Instant) -> Result<(), ()> {
        let outbox = self.outbox.clone();
        let queued = match tokio::task::spawn_blocking(move || outbox.list()).await {
            Ok(Ok(queued)) => queued,
            Ok(Err(e)) => {
                tracing::error!("cannot read the outbox: {e}");
                return Ok(());
            }
            Err(_) => return Ok(()),
        };
        let now = OffsetDateTime::now_utc();
        for Queued { name, message } in queued {
            let mut message = match message {
                Ok(m) => m,
                Err(e) => {
                    if self.unreadable.insert(name.clone()) {
                        tracing::error!("outbox/{name} cannot be read, so it is not sent: {e}");
                    }
                    continue;
                }
            };
            if let Some(wait) = waiting(&message, now) {
                *next = (*next).min(Instant::now() + wait);
                continue;
            }
            let ticket = message.ticket.clone().unwrap_or_default();
            match self.send(&name, &message).await {
                Outcome::Sent => {
                    tracing::info!(
                        "mail sent: {name}{}",
                        if ticket.is_empty() {
                            String::new()
                        } else {
                            format!(" ({ticket})")
                        }
                    );
                    self.blocking(move |o| o.remove(&name)).await;
                }
                Outcome::GiveUp(why) => {
                    tracing::warn!("mail {name} ({ticket}) given up: {why}");
                    self.blocking(move |o| o.remove(&name)).await;
                }
                Outcome::Failed { error, relay } => {
                    message.attempts += 1;
                    message.last_attempt_at = Some(now.to_offset(WIB));
                    message.last_error = Some(error.clone());
                    let wait = backoff(message.attempts);
                    message.retry_after = (!relay).then(|| {
                        (now + time::Duration::try_from(wait).unwrap_or(time::Duration::HOUR))
                            .to_offset(WIB)
                    });
                    tracing::warn!(
                        "mail {name} not sent (attempt {}): {error}",
                        message.attempts
                    );
                    self.blocking(move |o| o.update(&name, &message)).await;
                    if relay {
                        return Err(());
                    }
                }
            }
        }
        Ok(())
    }

    /// Runs an outbox change off the async threads; a failure is logged.
    async fn blocking(&self, change: impl FnOnce(&Outbox) -> std::io::Result<()> + Send + 'static) {
        let outbox = self.outbox.clone();
        match tokio::task::spawn_blocking(move || change(&outbox)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!("cannot change the outbox: {e}"),
            Err(e) => tracing::error!("cannot change the outbox: {e}"),
        }
    }

    async fn send(&self, name: &str, message: &Message) -> Outcome {
        let to = match self.recipients(message).await {
            Ok(to) => to,
            Err(why) => return Outcome::GiveUp(why),
        };
        let id = name.trim_end_matches(".yaml");
        let domain = self.settings.from.email.domain().to_string();
        let mut builder = lettre::Message::builder()
            .from(self.settings.from.clone())
            .subject(message.subject.clone())
            .message_id(Some(format!("<{id}@{domain}>")))
            .date_now()
            .header(ContentType::TEXT_PLAIN);
        for mailbox in to {
            builder = builder.to(mailbox);
        }
        if let Some(reply) = message
            .reply_to
            .as_deref()
            .and_then(|r| r.parse::<Mailbox>().ok())
        {
            builder = builder.reply_to(reply);
        }
        let email = match builder.body(message.body.clone()) {
            Ok(email) => email,
            Err(e) => return Outcome::GiveUp(format!("cannot be written as mail: {e}")),
        };
        match self.transport.send(email).await {
            Ok(_) => Outcome::Sent,
            Err(e) if e.is_permanent() && message.to == Recipient::Citizen => {
                Outcome::GiveUp(format!(
                    "the relay refused the citizen's address for good: {}",
                    scrub(&e.to_string())
                ))
            }
            Err(e) => Outcome::Failed {
                relay: !(e.is_permanent() || e.is_transient()),
                error: scrub(&e.to_string()),
            },
        }
    }

    /// The addresses a message goes to now: the staff's from the settings,
    /// the citizen's from the case's record.
    async fn recipients(&self, message: &Message) -> Result<Vec<Mailbox>, String> {
        match message.to {
            Recipient::Staff if self.settings.notify_to.is_empty() => {
                Err("no staff addresses (notify_to)".into())
            }
            Recipient::Staff => Ok(self.settings.notify_to.clone()),
            Recipient::Citizen => {
                let ticket = message.ticket.clone().ok_or("no ticket")?;
                let data = self.data.clone();
                let forms = (self.forms)().ok_or("the site is not published")?;
                let email = tokio::task::spawn_blocking(move || {
                    let (record, _) = crate::cases::find(&data, &ticket).ok()?;
                    let form = forms.of(&record)?;
                    record.email(form).map(str::to_string)
                })
                .await
                .ok()
                .flatten()
                .ok_or("the case's record holds no email (any more)")?;
                let mailbox = email
                    .parse::<lettre::Address>()
                    .map_err(|_| "the email in the case's record is not an address")?;
                Ok(vec![Mailbox::new(None, mailbox)])
            }
        }
    }
}

/// How long `message` still waits after a failure of its own; `None` when
/// it is due.
fn waiting(message: &Message, now: OffsetDateTime) -> Option<Duration> {
    let at = message.retry_after?;
    (at > now).then(|| Duration::try_from(at - now).unwrap_or_default())
}

/// An error as it may be logged and kept: anything that looks like an
/// address replaced, and bounded.
pub fn scrub(text: &str) -> String {
    let scrubbed: Vec<String> = text
        .split_whitespace()
        .map(|word| {
            if word.contains('@') {
                "[alamat]".to_string()
            } else {
                word.to_string()
            }
        })
        .collect();
    scrubbed.join(" ").chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::from_secs(2));
        assert_eq!(backoff(2), Duration::from_secs(4));
        assert_eq!(backoff(11), Duration::from_secs(2048));
        assert_eq!(backoff(12), Duration::from_secs(3600));
        assert_eq!(backoff(40), Duration::from_secs(3600));
    }

    #[test]
    fn errors_lose_their_addresses() {
        assert_eq!(
            scrub("permanent error (550): 5.1.1 <siti@contoh.id>: Recipient address rejected"),
            "permanent error (550): 5.1.1 [alamat] Recipient address rejected"
        );
    }
}
