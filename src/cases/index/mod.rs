//! What the inbox and the monthly report show of each stored record
//! ([`Summary`]), read through a small index so that tens of thousands of
//! records do not each have to be parsed as YAML on every run.
//!
//! The index, `data/.index/records.bin` (folder 0700, file 0600 like the
//! records), is derived: never the source of truth, and rebuilt from the
//! records when it is missing, unreadable or damaged (a checksum covers it
//! whole). Each entry is trusted only while its record file has the same
//! inode, size, modification and change times as when it was read, so a
//! record changed by `loket status`, `loket purge` or by hand is read again.
//! An entry whose change time was within [`RACY`] of the moment its stamp
//! was taken is not trusted at all (the file's clock ticks in steps of
//! milliseconds: a hand edit of the same size within the same tick would
//! leave every time as it was); once older, any later change moves its
//! change time. Files are still listed and their times taken on every run
//! (a process that keeps a [`Memo`] lists again only the folders that
//! changed: [`listing`]); only new and changed ones are parsed (in parallel).
//! A run that read anything again writes a new index beside the old one and
//! renames it into place, so readers never see half an index, and two tools
//! running at once each write a complete one (the last rename wins, and its
//! entries are checked like any others).
//!
//! It holds only what the inbox and report show: ticket, kind and jenis,
//! name, the NIK masked as the report prints it, status, dates and deadlines,
//! the deadlines' note and the result; no address, contact, NIK or text of
//! the case.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;
use time::{Date, OffsetDateTime};

use crate::cases::Record;
use crate::cases::layout::SUBMISSIONS_DIR;
use crate::cases::records::load;
use crate::core::dates;
use crate::core::diagnostic::Diagnostic;
use crate::forms::{FormSpec, Forms};

mod file;
mod listing;

use file::{read_index, write_index};
use listing::{Folders, Listing, Stamp, list, racy_from};

/// The index's folder in the data folder, and its file.
pub const INDEX_DIR: &str = ".index";
const INDEX_FILE: &str = "records.bin";
/// The format's name and version; another value is an index to rebuild.
const MAGIC: &[u8; 8] = b"LOKETIX3";
/// Records changed this close to the listing that stamped them are read again.
pub(super) const RACY: Duration = Duration::from_secs(2);

/// A record as the inbox and the report see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub ticket: String,
    /// The form's id.
    pub kind: String,
    /// The value of the form's `report_by` field ("" when none).
    pub breakdown: String,
    /// The value of the field with `role: name`.
    pub name: String,
    /// The NIK as the report prints it ("3517 **** **** 0001"); `None`
    /// when it is not 16 digits, or the form asks for none.
    pub nik: Option<String>,
    pub received_at: OffsetDateTime,
    /// The step id (an alias read as its step).
    pub status: String,
    /// In a final step ([`Record::is_closed`]).
    pub closed: bool,
    pub response_due: Date,
    pub completion_due: Option<Date>,
    pub due_note: Option<String>,
    pub first_response_at: Option<OffsetDateTime>,
    pub completed_at: Option<OffsetDateTime>,
    pub result: Option<String>,
}

impl Summary {
    /// The summary of `r`, read through its form (`None`: a form the site
    /// does not have, whose record still lists, with no name).
    pub fn of(r: &Record, form: Option<&FormSpec>) -> Summary {
        let value = |name: Option<&str>| name.and_then(|n| r.fields.get(n));
        Summary {
            ticket: r.ticket.clone(),
            kind: r.kind.clone(),
            breakdown: value(form.and_then(|f| f.report_by.as_deref()))
                .unwrap_or_default()
                .to_string(),
            name: r.name(form).to_string(),
            nik: value(form.and_then(|f| f.nik_field()).map(|f| f.name.as_str()))
                .and_then(crate::cases::report::mask_nik),
            received_at: r.received_at,
            // An alias (an older name of the step) is listed as the step.
            status: form
                .and_then(|f| f.step(&r.status))
                .map_or_else(|| r.status.clone(), |s| s.id.clone()),
            closed: r.is_closed(form),
            response_due: r.response_due,
            completion_due: r.completion_due,
            due_note: r.due_note.clone(),
            first_response_at: r.first_response_at,
            completed_at: r.completed_at,
            result: r.result.clone(),
        }
    }

    pub fn received_date(&self) -> Date {
        self.received_at.to_offset(dates::WIB).date()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether a deadline has passed on `today` without the step it asks for.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    pub fn is_overdue(&self, today: Date) -> bool {
        crate::cases::record::is_overdue(
            self.is_closed(),
            self.first_response_at,
            self.response_due,
            self.completion_due,
            today,
        )
    }
}

/// Seconds and nanoseconds since 1970 (before it: negative seconds).
fn unix_time(t: SystemTime) -> (i64, i64) {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, i64::from(d.subsec_nanos())),
        Err(e) => (-(e.duration().as_secs() as i64) - 1, 0),
    }
}

/// Every record under `data/submissions` as the inbox and report see it,
/// oldest first, with a diagnostic for each file that could not be read
/// (those are skipped), as [`crate::cases::load_all`] gives them. Reads and
/// refreshes the index (module docs).
pub fn summaries(data: &Path, forms: &Forms) -> (Vec<Summary>, Vec<Diagnostic>) {
    let (state, diags) = refresh(data, forms, None, false);
    // Sized at once (a collect would grow it by doubling: at 100,000
    // records, 6 MB more at the moment memory use peaks).
    let mut summaries = Vec::with_capacity(state.entries.len());
    let readable = state.entries.into_iter().filter_map(|e| e.summary);
    summaries.extend(readable.map(Arc::unwrap_or_clone));
    (in_order(summaries), diags)
}

/// The index kept in memory by a process that lists the records again and
/// again (the staff desk, once per page): every record file's stamp is
/// still compared each time (a folder is read again only when it changed:
/// [`listing`]), but the index file is read only once and written only
/// when something changed.
#[derive(Default)]
pub struct Memo(Mutex<Option<State>>);

impl Memo {
    /// [`summaries`], sharing what did not change with earlier calls, in
    /// no particular order (the desk sorts what it selects).
    pub fn summaries(&self, data: &Path, forms: &Forms) -> (Vec<Arc<Summary>>, Vec<Diagnostic>) {
        // Two listings at once: the second reads the index file.
        let previous = self.0.lock().ok().and_then(|mut m| m.take());
        let (state, diags) = refresh(data, forms, previous, true);
        let summaries = state
            .entries
            .iter()
            .filter_map(|e| e.summary.clone())
            .collect();
        if let Ok(mut memo) = self.0.lock() {
            *memo = Some(state);
        }
        (summaries, diags)
    }
}

/// Oldest first; listed day by day, so nearly in order already.
fn in_order(mut summaries: Vec<Summary>) -> Vec<Summary> {
    summaries.sort_by(|a, b| (a.received_at, &a.ticket).cmp(&(b.received_at, &b.ticket)));
    summaries
}

/// The index's entries, in path order, and when the listing that stamped
/// them began; and, in a process that keeps it, the folders as last listed.
struct State {
    entries: Vec<Entry>,
    indexed_at: (i64, i64),
    folders: Folders,
    /// [`forms_key`] of the forms the summaries were read through.
    forms_key: [u8; 32],
}

/// What of the forms a summary depends on (which fields hold the name, the
/// NIK and the report's split): when an office changes one, every record
/// is read again.
fn forms_key(forms: &Forms) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for f in forms.iter() {
        let name = f
            .role(crate::forms::spec::Role::Name)
            .map(|f| f.name.as_str());
        let nik = f.nik_field().map(|f| f.name.as_str());
        hash.update(format!("{}\0{name:?}\0{nik:?}\0{:?}\n", f.id, f.report_by));
    }
    hash.finalize().into()
}

/// Lists the records, takes from `previous` (or else the index file) every
/// entry whose file is unchanged, reads the others, and writes the index
/// file if anything changed. With `memo`, the state keeps the folders'
/// names for the next call.
fn refresh(
    data: &Path,
    forms: &Forms,
    previous: Option<State>,
    memo: bool,
) -> (State, Vec<Diagnostic>) {
    let key = forms_key(forms);
    let previous = previous.filter(|p| p.forms_key == key);
    let root = data.join(SUBMISSIONS_DIR);
    let index_path = data.join(INDEX_DIR).join(INDEX_FILE);
    let listed_at = unix_time(SystemTime::now());
    let no_folders = Folders::new();
    let known = previous.as_ref().map_or(&no_folders, |p| &p.folders);
    let Listing {
        files: found,
        mut diags,
        folders,
    } = list(&root, listed_at, memo.then_some(known));
    // Read after listing: memory the listing let go of is used again.
    let State {
        entries: index,
        indexed_at,
        ..
    } = previous
        .or_else(|| read_index(&index_path, &key))
        .unwrap_or(State {
            entries: Vec::new(),
            indexed_at: (i64::MIN, 0),
            folders: Folders::new(),
            forms_key: key,
        });
    let racy_from = racy_from(indexed_at);
    // Both in path order: each file meets its entry, if the index has one.
    let mut index = index.into_iter().peekable();
    let mut changed = false;
    let mut entries = Vec::with_capacity(found.iter().map(Vec::len).sum());
    let mut stale = Vec::new();
    for (rel, stamp) in found.into_iter().flatten() {
        let key = rel.as_os_str().as_bytes();
        while index
            .next_if(|e| e.rel.as_os_str().as_bytes() < key)
            .is_some()
        {
            changed = true; // a record that is gone
        }
        match index.next_if(|e| e.rel.as_os_str().as_bytes() == key) {
            Some(e) if e.stamp == stamp && !stamp.changed_since(racy_from) => entries.push(e),
            known => {
                // Read again, and the index rewritten: an entry that was in
                // it has changed or was too fresh to trust (once stamped
                // anew it is trusted, instead of being read on every run).
                changed |= known.is_some();
                stale.push(entries.len());
                entries.push(Entry {
                    rel,
                    stamp,
                    summary: None,
                });
            }
        }
    }
    changed |= index.next().is_some();
    drop(index);
    let read: Vec<_> = stale
        .into_par_iter()
        .map(|i| {
            let path = root.join(&entries[i].rel);
            let summary = |r: Record| Arc::new(Summary::of(&r, forms.of(&r).map(|f| &**f)));
            (i, load(&path).map(summary))
        })
        .collect();
    for (i, read) in read {
        match read {
            Ok(summary) => {
                changed = true; // a new record
                entries[i].summary = Some(summary);
            }
            Err(d) => diags.push(d),
        }
    }
    entries.retain(|e| e.summary.is_some());
    // Derived data: when it cannot be written, the next run reads the
    // records again (their stamps are judged against the old index's time),
    // and nothing else changes.
    let written = changed && write_index(&index_path, &entries, listed_at, &key).is_ok();
    diags.sort_by(|a, b| a.path.cmp(&b.path));
    let indexed_at = if written { listed_at } else { indexed_at };
    (
        State {
            entries,
            indexed_at,
            folders,
            forms_key: key,
        },
        diags,
    )
}

/// A record file as the index has it.
struct Entry {
    /// Under `submissions/`.
    rel: PathBuf,
    stamp: Stamp,
    /// `None` while it is to be read.
    summary: Option<Arc<Summary>>,
}
