//! Held uploads: when a form comes back with errors, the files it carried
//! that were accepted are kept for an hour under a random token, which the
//! form sends again in a hidden field. The citizen, often on a slow
//! connection, need not send them a second time.
//!
//! ```text
//! .tmp/held/<token>/ktp.jpg       the files, under their stored names
//! .tmp/held/<token>/.raw-foto_ktp uploads not yet sanitized, as they came
//! .tmp/held/<token>/berkas.yaml   their entries and when they were held
//! ```
//!
//! A form sent back for its text never decodes its uploads (decoding a
//! photo is the costly part of a post): they are held raw and sanitized in
//! the first round whose text is right.
//!
//! A held folder is the draft folder of the post that came back with
//! errors, renamed into `held/` once its list is written, so it is always
//! whole. A later post with the token gets hard links to the files it does
//! not replace in its own draft folder, which then is committed (or held)
//! like any other: the store's commit steps do not change, and the held
//! folder stays as it was until it expires, so a second press of the send
//! button, or another error round, finds it too. Links cost no space, and a
//! file's data is made durable by the `syncfs` of the commit that uses it.
//!
//! Held files are never served (the data folder never is) and never made
//! durable: `.tmp/` is emptied when the store is opened, so a restart
//! forgets them and the form asks for the file again. A held folder expires
//! [`HOLD_FOR`] after it was made; it is then not used, and removed when a
//! post names it or by the sweep that runs every [`SWEEP_EVERY`].
//!
//! Forms sent back with errors do not count towards the rate limit, so what
//! is held has limits of its own ([`MAX_HELD_BYTES`], [`MAX_HELD_FOLDERS`]):
//! past them a form's files are not kept and the form asks for them again,
//! as it did before files were held.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read};
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::upload::{Unchecked, raw_path};
use super::{Draft, Store, create_private_dir, rename_noreplace, write_private};
use crate::cases::layout::{Layout, is_plain_name};
use crate::cases::record::Attachment;
use crate::core::fs::if_exists;
use crate::core::secret::random_hex;
use crate::forms::validate::{FileCheck, FileKind};
use crate::forms::{FieldType, FormSpec};

/// How long held files are kept.
pub const HOLD_FOR: Duration = Duration::from_secs(60 * 60);
/// How often expired held folders are looked for.
pub const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// Not a stored name (those are `field.jpg`, `field.png`, `field.pdf`).
const MANIFEST: &str = "berkas.yaml";
/// 128 bits: a token cannot be guessed.
const TOKEN_BYTES: usize = 16;
/// Bytes of held files at most (counted once per held folder, so a file
/// held over several rounds counts several times).
pub const MAX_HELD_BYTES: u64 = 512 * 1024 * 1024;
/// Held folders at most.
pub const MAX_HELD_FOLDERS: u64 = 10_000;

/// What the held folders take, counted as they are made and recounted by
/// each sweep.
#[derive(Debug)]
pub(super) struct Usage {
    max_bytes: u64,
    max_folders: u64,
    /// Bytes and folders.
    used: Mutex<(u64, u64)>,
}

impl Default for Usage {
    fn default() -> Self {
        Usage {
            max_bytes: MAX_HELD_BYTES,
            max_folders: MAX_HELD_FOLDERS,
            used: Mutex::new((0, 0)),
        }
    }
}

impl Usage {
    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, u64)> {
        self.used.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts one more folder of `bytes`, if there is room for it.
    fn take(&self, bytes: u64) -> bool {
        let mut used = self.lock();
        let room = used.0.saturating_add(bytes) <= self.max_bytes && used.1 < self.max_folders;
        if room {
            *used = (used.0 + bytes, used.1 + 1);
        }
        room
    }
}

/// What a held folder's manifest says.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    /// When the folder was made, in seconds since the Unix epoch.
    held_at: u64,
    /// The store's failed syncs before the oldest of these files was
    /// written: a commit that uses them must not count a sync failed since
    /// as someone else's.
    failures_before: u64,
    attachments: Vec<Attachment>,
    /// The bytes the sender sent for each of `attachments`, by field
    /// (older manifests have none: then the kept size stands in).
    #[serde(default)]
    sent_sizes: BTreeMap<String, u64>,
    /// Uploads held raw, not yet sanitized (`.raw-<field>`): the form came
    /// back for its text before they were decoded.
    #[serde(default)]
    unchecked: Vec<HeldUpload>,
}

/// An upload held raw, as it came.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeldUpload {
    pub field: String,
    pub original_name: String,
    pub size: u64,
}

impl Manifest {
    fn bytes(&self) -> u64 {
        let kept: u64 = self.attachments.iter().map(|a| a.size).sum();
        kept + self.unchecked.iter().map(|u| u.size).sum::<u64>()
    }
}

/// A draft's accepted files, held under `token`.
#[derive(Debug, Clone)]
pub struct Held {
    pub token: String,
    pub attachments: Vec<Attachment>,
    /// The bytes sent for each of `attachments`, by field.
    pub sent_sizes: BTreeMap<String, u64>,
    pub unchecked: Vec<HeldUpload>,
}

/// A token as the form sends it back: exactly 32 lowercase hex digits, or
/// nothing (anything else is ignored, never an error).
pub fn parse_token(text: &str) -> Option<String> {
    let text = text.trim();
    (text.len() == 2 * TOKEN_BYTES && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .then(|| text.to_string())
}

fn seconds(moment: SystemTime) -> u64 {
    moment.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Manifest {
    /// Expired, or from the future (the clock was put back): not used.
    fn expired(&self, now: SystemTime) -> bool {
        let now = seconds(now);
        now >= self.held_at.saturating_add(HOLD_FOR.as_secs())
            || self.held_at > now.saturating_add(SWEEP_EVERY.as_secs())
    }

    fn read(folder: &Path) -> io::Result<Manifest> {
        let text = fs::read_to_string(folder.join(MANIFEST))?;
        crate::core::yaml::from_str(&text).map_err(io::Error::other)
    }
}

/// Removes a held folder; gone already is fine.
fn remove(folder: &Path) -> io::Result<()> {
    if_exists(fs::remove_dir_all(folder)).map(drop)
}

/// What validation needs to know of a held file, if it is still the size
/// its entry says and of a type we accept (told from its first bytes).
/// A held file linked into the draft at `to` and checked, or `None` when
/// it was swept a moment ago or is not the size the manifest says (then
/// nothing is left at `to`).
fn link_checked(from: &Path, to: &Path, size: u64) -> io::Result<Option<FileCheck>> {
    if if_exists(fs::hard_link(from, to))?.is_none() {
        return Ok(None);
    }
    match check_file(to, size) {
        Ok(Some(check)) => Ok(Some(check)),
        Ok(None) => fs::remove_file(to).map(|()| None),
        Err(e) => {
            let _ = fs::remove_file(to);
            Err(e)
        }
    }
}

fn check_file(path: &Path, size: u64) -> io::Result<Option<FileCheck>> {
    let file = fs::File::open(path)?;
    if file.metadata()?.len() != size {
        return Ok(None);
    }
    let mut head = Vec::with_capacity(8);
    file.take(8).read_to_end(&mut head)?;
    Ok(FileKind::sniff(&head).map(|kind| FileCheck {
        size,
        detected: Some(kind),
        refused: None,
    }))
}

/// Removes the held folders that have expired at `now`, and recounts the
/// room the others take; returns how many were removed.
fn sweep(layout: &Layout, usage: &Usage, now: SystemTime) -> io::Result<usize> {
    let Some(entries) = if_exists(fs::read_dir(layout.held_dir()))? else {
        return Ok(0);
    };
    let mut removed = 0;
    let mut kept = (0, 0);
    for entry in entries {
        let folder = entry?.path();
        match Manifest::read(&folder) {
            Ok(m) if !m.expired(now) => {
                kept = (kept.0 + m.bytes(), kept.1 + 1);
            }
            _ => {
                remove(&folder)?;
                removed += 1;
            }
        }
    }
    *usage.lock() = kept;
    Ok(removed)
}

/// Starts the thread that sweeps the held folders in `layout` every
/// [`SWEEP_EVERY`]; it stops once the returned sender (and every clone of
/// it) is gone.
pub(super) fn start_sweeper(layout: Layout, usage: Arc<Usage>) -> io::Result<mpsc::Sender<()>> {
    let (keep, gone) = mpsc::channel::<()>();
    thread::Builder::new()
        .name("loket-held".into())
        .spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) = gone.recv_timeout(SWEEP_EVERY) {
                if let Err(e) = sweep(&layout, &usage, SystemTime::now()) {
                    tracing::error!("could not remove expired held uploads: {e}");
                }
            }
        })?;
    Ok(keep)
}

impl Draft {
    /// Holds the draft's accepted files under a new token, or returns
    /// `None` if it has none or there is no room for them (and leaves
    /// nothing). Blocking.
    pub fn hold(self, store: &Store) -> io::Result<Option<Held>> {
        self.hold_at(store, SystemTime::now())
    }

    fn hold_at(mut self, store: &Store, now: SystemTime) -> io::Result<Option<Held>> {
        if self.attachments.is_empty() && self.unchecked.is_empty() {
            return Ok(None);
        }
        let manifest = Manifest {
            held_at: seconds(now),
            failures_before: self.failures_before,
            sent_sizes: std::mem::take(&mut self.sent_sizes),
            attachments: std::mem::take(&mut self.attachments),
            unchecked: std::mem::take(&mut self.unchecked)
                .into_iter()
                .map(|u| HeldUpload {
                    field: u.field,
                    original_name: u.original_name,
                    size: u.size,
                })
                .collect(),
        };
        if !store.held_usage.take(manifest.bytes()) {
            tracing::warn!("held uploads are at their limit: a form's files were not kept");
            return Ok(None);
        }
        let yaml = crate::core::yaml::to_string(&manifest).map_err(io::Error::other)?;
        write_private(&self.dir.join(MANIFEST), yaml.as_bytes())?;
        let held = store.layout().held_dir();
        create_private_dir(&held)?;
        let token = random_hex(TOKEN_BYTES)?;
        rename_noreplace(&self.dir, &held.join(&token))?;
        // Moved away whole: nothing of the draft is left to remove.
        self.committed = true;
        Ok(Some(Held {
            token,
            attachments: manifest.attachments,
            sent_sizes: manifest.sent_sizes,
            unchecked: manifest.unchecked,
        }))
    }

    /// Takes into this draft the files held under `token` for the fields
    /// of `form` that `keep_own` does not claim (those this post sent a file
    /// for), and returns what validation needs to know of each. An unknown
    /// or expired token gives nothing. Blocking.
    pub fn adopt_held(
        &mut self,
        store: &Store,
        form: &FormSpec,
        token: &str,
        keep_own: impl Fn(&str) -> bool,
    ) -> io::Result<BTreeMap<String, FileCheck>> {
        self.adopt_held_at(store, form, token, keep_own, SystemTime::now())
    }

    fn adopt_held_at(
        &mut self,
        store: &Store,
        form: &FormSpec,
        token: &str,
        keep_own: impl Fn(&str) -> bool,
        now: SystemTime,
    ) -> io::Result<BTreeMap<String, FileCheck>> {
        let mut adopted = BTreeMap::new();
        let Some(token) = parse_token(token) else {
            return Ok(adopted);
        };
        let folder = store.layout().held_dir().join(token);
        let Some(manifest) = if_exists(Manifest::read(&folder))? else {
            return Ok(adopted);
        };
        if manifest.expired(now) {
            remove(&folder)?;
            return Ok(adopted);
        }
        for attachment in manifest.attachments {
            let is_file_field = form
                .field(&attachment.field)
                .is_some_and(|f| f.kind == FieldType::File);
            if !is_file_field
                || keep_own(&attachment.field)
                || !is_plain_name(&attachment.stored_name)
                || self.attachments.iter().any(|a| a.field == attachment.field)
            {
                continue;
            }
            create_private_dir(&self.dir)?;
            let from = folder.join(&attachment.stored_name);
            let to = self.dir.join(&attachment.stored_name);
            let Some(check) = link_checked(&from, &to, attachment.size)? else {
                continue;
            };
            self.failures_before = self.failures_before.min(manifest.failures_before);
            adopted.insert(attachment.field.clone(), check);
            if let Some(&sent) = manifest.sent_sizes.get(&attachment.field) {
                self.sent_sizes.insert(attachment.field.clone(), sent);
            }
            self.attachments.push(attachment);
        }
        for upload in manifest.unchecked {
            let is_file_field = form
                .field(&upload.field)
                .is_some_and(|f| f.kind == FieldType::File);
            if !is_file_field
                || keep_own(&upload.field)
                || self.attachments.iter().any(|a| a.field == upload.field)
                || self.unchecked.iter().any(|u| u.field == upload.field)
            {
                continue;
            }
            create_private_dir(&self.dir)?;
            // The name comes from the form's field, not from the manifest.
            let (from, to) = (
                raw_path(&folder, &upload.field),
                raw_path(&self.dir, &upload.field),
            );
            let Some(check) = link_checked(&from, &to, upload.size)? else {
                continue;
            };
            let Some(detected) = check.detected else {
                continue;
            };
            self.failures_before = self.failures_before.min(manifest.failures_before);
            adopted.insert(upload.field.clone(), check);
            self.unchecked.push(Unchecked {
                field: upload.field,
                original_name: upload.original_name,
                size: upload.size,
                detected,
            });
        }
        // The record lists attachments in form order.
        let order = |a: &Attachment| form.fields.iter().position(|f| f.name == a.field);
        self.attachments.sort_by_key(order);
        Ok(adopted)
    }
}

#[cfg(test)]
mod tests;
