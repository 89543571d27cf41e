//! Recently accepted submissions, by fingerprint, so that a resend of the
//! same submission (a second press of the send button, a retry after a slow
//! answer) gets the first one's ticket instead of making a second record.
//!
//! The form pages are static, so a resend carries nothing that tells it
//! apart but its content: the fingerprint is a SHA-256 over the form, every
//! text field and every file's SHA-256. An accepted submission is
//! remembered for [`REMEMBER_FOR`] (at most [`MAX_REMEMBERED`] of them, in
//! memory). While one is being committed, an identical post waits for its
//! outcome and then answers with the same ticket; if the first fails, the
//! one waiting commits its own copy. Nothing is remembered of a submission
//! that was not committed.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::sync::watch;

use super::record::Attachment;
use super::ticket::Ticket;
use crate::forms::spec::{FieldType, FormSpec};

/// How long an accepted submission is remembered.
pub const REMEMBER_FOR: Duration = Duration::from_secs(30 * 60);
/// Accepted submissions remembered at most; the oldest are forgotten first.
/// A fingerprint with its ticket takes about a hundred bytes.
pub const MAX_REMEMBERED: usize = 10_000;

pub type Fingerprint = [u8; 32];

/// The fingerprint of a submission of `kind`: each of its fields in form
/// order, text as typed and files by their SHA-256.
pub fn fingerprint(
    form: impl AsRef<FormSpec>,
    text: &BTreeMap<String, String>,
    attachments: &[Attachment],
) -> Fingerprint {
    let mut hasher = Sha256::new();
    let mut put = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    let form = form.as_ref();
    put(form.id.as_bytes());
    for field in &form.fields {
        put(field.name.as_bytes());
        let value = match field.kind {
            FieldType::File => attachments
                .iter()
                .find(|a| a.field == field.name)
                .map_or("", |a| a.sha256.as_str()),
            _ => text.get(&field.name).map_or("", String::as_str),
        };
        put(value.as_bytes());
    }
    hasher.finalize().into()
}

#[derive(Debug, Default)]
pub struct Recent {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<Fingerprint, Entry>,
    /// Accepted fingerprints in the order they were accepted, to forget.
    accepted: VecDeque<(Fingerprint, Instant)>,
}

#[derive(Debug)]
enum Entry {
    /// Being committed; the ticket comes through the channel.
    Committing(watch::Receiver<Option<Ticket>>),
    Accepted(Ticket, Instant),
}

/// What to do with a submission, given those before it.
pub enum Claim {
    /// Accepted already: answer with this ticket.
    Accepted(Ticket),
    /// Being committed by another request: [`Claim::outcome`] waits for it.
    Committing(watch::Receiver<Option<Ticket>>),
    /// Commit it, and say how that went through the [`Lead`].
    Lead(Lead),
}

impl Claim {
    /// The ticket of the submission being committed, or `None` if its
    /// commit failed (then claim again).
    pub async fn outcome(mut committing: watch::Receiver<Option<Ticket>>) -> Option<Ticket> {
        let seen = committing.wait_for(Option::is_some).await.ok()?;
        seen.clone()
    }
}

/// The right and duty to commit a submission. Dropped without
/// [`Lead::accepted`], it lets the requests waiting for it try themselves.
#[must_use]
pub struct Lead {
    recent: Arc<Recent>,
    fingerprint: Fingerprint,
    /// `None` once accepted.
    sender: Option<watch::Sender<Option<Ticket>>>,
}

impl Lead {
    /// The submission is committed under `ticket`: remember it, and tell
    /// the requests waiting for it.
    pub fn accepted(mut self, ticket: &Ticket) {
        self.accepted_at(ticket, Instant::now());
    }

    fn accepted_at(&mut self, ticket: &Ticket, now: Instant) {
        let mut inner = self.recent.lock();
        inner
            .entries
            .insert(self.fingerprint, Entry::Accepted(ticket.clone(), now));
        inner.accepted.push_back((self.fingerprint, now));
        drop(inner);
        if let Some(sender) = self.sender.take() {
            sender.send_replace(Some(ticket.clone()));
        }
    }
}

impl Drop for Lead {
    fn drop(&mut self) {
        if self.sender.is_some() {
            // Not committed: forget it; the waiting requests see the
            // channel close and claim again.
            let mut inner = self.recent.lock();
            if matches!(
                inner.entries.get(&self.fingerprint),
                Some(Entry::Committing(_))
            ) {
                inner.entries.remove(&self.fingerprint);
            }
        }
    }
}

impl Recent {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What to do with a submission of this fingerprint.
    pub fn claim(self: &Arc<Self>, fingerprint: Fingerprint) -> Claim {
        self.claim_at(fingerprint, Instant::now())
    }

    fn claim_at(self: &Arc<Self>, fingerprint: Fingerprint, now: Instant) -> Claim {
        let mut inner = self.lock();
        inner.forget(now);
        match inner.entries.get(&fingerprint) {
            Some(Entry::Accepted(ticket, _)) => Claim::Accepted(ticket.clone()),
            Some(Entry::Committing(receiver)) => Claim::Committing(receiver.clone()),
            None => {
                let (sender, receiver) = watch::channel(None);
                inner
                    .entries
                    .insert(fingerprint, Entry::Committing(receiver));
                Claim::Lead(Lead {
                    recent: self.clone(),
                    fingerprint,
                    sender: Some(sender),
                })
            }
        }
    }
}

impl Inner {
    /// Forgets accepted submissions older than [`REMEMBER_FOR`], and the
    /// oldest past [`MAX_REMEMBERED`].
    fn forget(&mut self, now: Instant) {
        while let Some(&(fingerprint, at)) = self.accepted.front() {
            if now.duration_since(at) < REMEMBER_FOR && self.accepted.len() <= MAX_REMEMBERED {
                break;
            }
            self.accepted.pop_front();
            // Only this acceptance: a later one of the same fingerprint has its own turn.
            if matches!(self.entries.get(&fingerprint), Some(Entry::Accepted(_, t)) if *t == at) {
                self.entries.remove(&fingerprint);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::Forms;

    fn ticket(suffix: &str) -> Ticket {
        Ticket::parse(&format!("KP-20261127-{suffix}")).unwrap()
    }

    fn lead(claim: Claim) -> Lead {
        match claim {
            Claim::Lead(lead) => lead,
            _ => panic!("expected to lead"),
        }
    }

    fn text(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn fingerprints_tell_apart_every_field_and_file() {
        let kind = &**Forms::builtin().get("pengaduan-layanan").unwrap();
        let base = text(&[("nama", "Budi"), ("kontak", "0812"), ("isi", "Lambat")]);
        let file = |sha: &str| Attachment {
            field: "lampiran".into(),
            stored_name: "lampiran.jpg".into(),
            original_name: "a.jpg".into(),
            size: 1,
            mime: "image/jpeg".into(),
            sha256: sha.into(),
            added_by: None,
            added_at: None,
        };
        let one = fingerprint(kind, &base, &[file("aa")]);
        assert_eq!(one, fingerprint(kind, &base, &[file("aa")]));
        assert_ne!(one, fingerprint(kind, &base, &[file("ab")]));
        assert_ne!(one, fingerprint(kind, &base, &[]));
        assert_ne!(
            one,
            fingerprint(
                &**Forms::builtin().get("permohonan").unwrap(),
                &base,
                &[file("aa")]
            )
        );
        // Moving text between fields is another submission.
        let moved = text(&[("nama", "Budi0"), ("kontak", "812"), ("isi", "Lambat")]);
        assert_ne!(
            fingerprint(kind, &base, &[]),
            fingerprint(kind, &moved, &[])
        );
        // The name a file had on the phone does not matter.
        let mut renamed = file("aa");
        renamed.original_name = "b.jpg".into();
        assert_eq!(one, fingerprint(kind, &base, &[renamed]));
    }

    #[tokio::test]
    async fn a_resend_waits_for_the_first_and_gets_its_ticket() {
        let recent = Arc::new(Recent::default());
        let first = lead(recent.claim([1; 32]));
        let Claim::Committing(waiting) = recent.claim([1; 32]) else {
            panic!("the second waits");
        };
        let waiter = tokio::spawn(Claim::outcome(waiting));
        first.accepted(&ticket("CDFH"));
        assert_eq!(waiter.await.unwrap(), Some(ticket("CDFH")));
        let Claim::Accepted(again) = recent.claim([1; 32]) else {
            panic!("remembered");
        };
        assert_eq!(again, ticket("CDFH"));
        // Another submission is its own.
        let _other = lead(recent.claim([2; 32]));
    }

    #[tokio::test]
    async fn when_the_first_fails_the_one_waiting_commits_its_own() {
        let recent = Arc::new(Recent::default());
        let first = lead(recent.claim([1; 32]));
        let Claim::Committing(waiting) = recent.claim([1; 32]) else {
            panic!("the second waits");
        };
        drop(first);
        assert_eq!(Claim::outcome(waiting).await, None);
        let second = lead(recent.claim([1; 32]));
        second.accepted(&ticket("HJKM"));
        assert!(matches!(recent.claim([1; 32]), Claim::Accepted(t) if t == ticket("HJKM")));
    }

    #[test]
    fn accepted_ones_are_forgotten_after_half_an_hour_or_past_the_cap() {
        let recent = Arc::new(Recent::default());
        let t0 = Instant::now();
        let mut first = lead(recent.claim_at([1; 32], t0));
        first.accepted_at(&ticket("CDFH"), t0);
        drop(first);
        let later = t0 + REMEMBER_FOR - Duration::from_secs(1);
        assert!(matches!(
            recent.claim_at([1; 32], later),
            Claim::Accepted(_)
        ));
        let much_later = t0 + REMEMBER_FOR;
        let _fresh = lead(recent.claim_at([1; 32], much_later));

        let recent = Arc::new(Recent::default());
        for i in 0..=MAX_REMEMBERED as u32 {
            let mut fp = [0; 32];
            fp[..4].copy_from_slice(&i.to_le_bytes());
            let mut l = lead(recent.claim_at(fp, t0));
            l.accepted_at(&ticket("CDFH"), t0);
        }
        let _ = lead(recent.claim_at([0xff; 32], t0));
        let inner = recent.lock();
        assert_eq!(inner.accepted.len(), MAX_REMEMBERED);
        assert!(!inner.entries.contains_key(&[0; 32]), "the oldest went");
    }
}
