//! What the inbox and the monthly report show of each stored record
//! ([`Summary`]), read through an index so that tens of thousands of
//! records do not each have to be parsed as YAML on every run, and searched
//! through it by ticket, name, NIK or phone ([`Memo::find`]).
//!
//! The index, `data/.index/records.sqlite` (folder 0700, file 0600 like the
//! records), is an SQLite database ([`db`]), derived: never the source of
//! truth, and made anew from the records when it is missing, damaged, of
//! another schema, or was made for forms that read a summary differently
//! ([`forms_key`]). Each entry is trusted only while its record file has the
//! same inode, size, modification and change times as when it was read, so a
//! record changed by `loket status`, `loket purge` or by hand is read again.
//! An entry whose change time was within [`RACY`] of the listing that
//! stamped it is not trusted at all (the file's clock ticks in steps of
//! milliseconds: a hand edit of the same size within the same tick would
//! leave every time as it was); once older, any later change moves its
//! change time. Files are still listed and their times taken on every run
//! (a process that keeps a [`Memo`] lists again only the folders that
//! changed: [`listing`]); only new and changed ones are parsed (in parallel)
//! and written, in one transaction, so tools running at once each see a
//! whole index.
//!
//! It holds what the inbox, report and search need: ticket, kind and jenis,
//! name, the NIK masked as the report prints it, status, dates and deadlines,
//! the deadlines' note and the result, whether it waits for its citizen and
//! has a new reply, and the search key (the NIK's and the
//! phone's digits); no address, email or text of the case.

use std::collections::HashSet;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;
use rusqlite::Connection;
use time::{Date, OffsetDateTime};

use crate::cases::Record;
use crate::cases::layout::SUBMISSIONS_DIR;
use crate::cases::records::load;
use crate::core::dates;
use crate::core::diagnostic::Diagnostic;
use crate::forms::{FormSpec, Forms};

mod db;
mod listing;

use listing::{Folders, Listing, Stamp, list, racy_from};

/// The index's folder in the data folder.
pub const INDEX_DIR: &str = ".index";
/// Records changed this close to the listing that stamped them are read again.
pub(super) const RACY: Duration = Duration::from_secs(2);
/// How often a [`Memo`] takes every record file's stamp: in between, only
/// the folders that changed (what loket writes), so a record edited in
/// place by hand shows in the desk's inbox within this time.
const STAMPS_EVERY: Duration = Duration::from_secs(5);

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
    /// The outcome category's id ([`Record::outcome`]).
    pub outcome: Option<String>,
    /// How the case came in.
    pub channel: crate::cases::Channel,
    /// In a step that asks its citizen for something
    /// ([`crate::cases::waiting::asks`]).
    pub waiting: bool,
    /// The citizen answered since the last step, while it still asks
    /// ([`crate::cases::waiting::new_reply`]).
    pub new_reply: bool,
    /// Seen only by complaint handlers ([`Record::confidential`]).
    pub confidential: bool,
}

impl Summary {
    /// The summary of `r`, read through its form (`None`: a form the site
    /// does not have, whose record still lists, with no name).
    pub fn of(r: &Record, form: Option<&FormSpec>) -> Summary {
        let value = |name: Option<&str>| name.and_then(|n| r.fields.get(n));
        let step = form.and_then(|f| f.step(&r.status));
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
            status: step.map_or_else(|| r.status.clone(), |s| s.id.clone()),
            closed: r.is_closed(form),
            response_due: r.response_due,
            completion_due: r.completion_due,
            due_note: r.due_note.clone(),
            first_response_at: r.first_response_at,
            completed_at: r.completed_at,
            result: r.result.clone(),
            outcome: r.outcome.clone(),
            channel: r.channel,
            waiting: step.is_some_and(|s| s.asks_citizen),
            new_reply: crate::cases::waiting::new_reply(r, step),
            confidential: r.confidential.is_some(),
        }
    }

    pub fn received_date(&self) -> Date {
        self.received_at.to_offset(dates::WIB).date()
    }

    /// Its next deadline while open ([`crate::cases::record::next_due`]).
    pub fn next_due(&self) -> Date {
        crate::cases::record::next_due(
            self.first_response_at,
            self.response_due,
            self.completion_due,
        )
    }

    /// Where it stands against its next deadline on `today` (`None`: closed,
    /// or due after tomorrow, or waiting for its citizen while the office
    /// `pauses` the clock: its deadlines move when the wait ends).
    pub fn due_on(&self, today: Date, pauses: bool) -> Option<Due> {
        let due = self.next_due();
        match () {
            _ if self.closed || (pauses && self.waiting) => None,
            _ if self.is_overdue(today, pauses) => Some(Due::Late),
            _ if due == today => Some(Due::Today),
            _ if Some(due) == today.next_day() => Some(Due::Tomorrow),
            _ => None,
        }
    }

    /// Whether a deadline passed on `today` without the step it asks for
    /// ([`crate::cases::record::is_overdue`]).
    pub fn is_overdue(&self, today: Date, pauses: bool) -> bool {
        crate::cases::record::is_overdue(
            self.closed,
            pauses && self.waiting,
            self.first_response_at,
            self.response_due,
            self.completion_due,
            today,
        )
    }
}

/// Where an open case stands against its next deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// A deadline passed without the step it asks for.
    Late,
    Today,
    Tomorrow,
}

impl Due {
    /// Its id in the desk's filter (`?batas=`).
    pub fn id(self) -> &'static str {
        match self {
            Due::Late => "lewat",
            Due::Today => "hari-ini",
            Due::Tomorrow => "besok",
        }
    }

    pub fn parse(id: &str) -> Option<Due> {
        [Due::Late, Due::Today, Due::Tomorrow]
            .into_iter()
            .find(|d| d.id() == id)
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
pub fn summaries(data: &Path, forms: &Forms) -> (Vec<Arc<Summary>>, Vec<Diagnostic>) {
    let (state, diags) = refresh(data, forms, None, false, Index::Read);
    // Shared, not copied out: a copy of 100,000 summaries would be 26 MB
    // more at the moment memory use peaks. Into a list of their own size
    // (collected in place, they would keep the entries' 12 MB).
    let mut summaries = Vec::with_capacity(state.entries.len());
    summaries.extend(state.entries.into_iter().filter_map(|e| e.summary));
    (in_order(summaries), diags)
}

/// The index kept in memory by a process that lists the records again and
/// again (the staff desk, once per page): a folder is read again only when
/// it changed, every record file's stamp is taken again at most every
/// [`STAMPS_EVERY`] (in between, those of the folders that changed:
/// [`listing`]), the index is read only once and written only when
/// something changed. A page of 100,000 records lists 1,100 folders, not
/// 100,000 files.
#[derive(Default)]
pub struct Memo(Mutex<Option<State>>);

/// The summaries a [`Memo`] holds, shared with the pages that show them.
pub type Shared = Arc<[Arc<Summary>]>;

impl Memo {
    /// [`summaries`], sharing what did not change with earlier calls, in
    /// no particular order (the desk sorts what it selects).
    pub fn summaries(&self, data: &Path, forms: &Forms) -> (Shared, Vec<Diagnostic>) {
        // Two listings at once: the second reads the index file.
        let previous = self.0.lock().ok().and_then(|mut m| m.take());
        let (mut state, diags) = refresh(data, forms, previous, true, Index::Read);
        // Made once per change, not once per page.
        let summaries = state
            .shared
            .get_or_insert_with(|| {
                state
                    .entries
                    .iter()
                    .filter_map(|e| e.summary.clone())
                    .collect()
            })
            .clone();
        if let Ok(mut memo) = self.0.lock() {
            *memo = Some(state);
        }
        (summaries, diags)
    }

    /// The tickets of the records whose ticket, name, NIK or phone number
    /// holds `text` (any case, runs of spaces as one; a number also as its
    /// digits), as of the last [`Memo::summaries`]; `None` when the index
    /// could not be opened or read.
    pub fn find(&self, text: &str) -> Option<HashSet<String>> {
        let memo = self.0.lock().ok()?;
        let found = db::find(memo.as_ref()?.db.as_ref()?, text);
        found
            .inspect_err(|e| tracing::warn!(target: "loket::index", "search failed: {e}"))
            .ok()
    }
}

/// Oldest first; listed day by day, so nearly in order already.
fn in_order(mut summaries: Vec<Arc<Summary>>) -> Vec<Arc<Summary>> {
    summaries.sort_by(|a, b| (a.received_at, &a.ticket).cmp(&(b.received_at, &b.ticket)));
    summaries
}

/// The index's entries, in path order, the open index, and, in a process
/// that keeps it, the folders as last listed.
struct State {
    entries: Vec<Entry>,
    db: Option<Connection>,
    folders: Folders,
    /// [`forms_key`] of the forms the summaries were read through.
    forms_key: i32,
    /// When every record file's stamp was last taken.
    stamped_at: (i64, i64),
    /// The files that could not be read, as last listed.
    diags: Vec<Diagnostic>,
    /// The summaries of `entries`, once a [`Memo`] asked for them.
    shared: Option<Shared>,
}

/// What of the forms a summary and a search key depend on (which fields
/// hold the name, the NIK, the phone and the report's split), hashed: when
/// an office changes one, the index is made anew.
fn forms_key(forms: &Forms) -> i32 {
    use crate::forms::spec::Role;
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for f in forms.iter() {
        let role = |r| f.role(r).map(|f| f.name.as_str());
        let (name, phone) = (role(Role::Name), role(Role::Phone));
        let nik = f.nik_field().map(|f| f.name.as_str());
        // The steps too: a summary holds the step an alias names, and
        // whether it is final or asks the citizen.
        let steps: Vec<(&str, &[String], (bool, bool))> = f
            .steps
            .iter()
            .map(|s| {
                let how = (s.is_final, s.asks_citizen);
                (s.id.as_str(), s.aliases.as_slice(), how)
            })
            .collect();
        let line = format!(
            "{}\0{name:?}\0{nik:?}\0{phone:?}\0{:?}\0{steps:?}\n",
            f.id, f.report_by
        );
        hash.update(line);
    }
    let hash: [u8; 32] = hash.finalize().into();
    i32::from_le_bytes([hash[0], hash[1], hash[2], hash[3]])
}

/// Lists the records, takes from `previous` (or else the index) every entry
/// whose file is unchanged, reads the others, and writes what changed to the
/// index. With `memo`, the state keeps the folders' names for the next call.
fn refresh(
    data: &Path,
    forms: &Forms,
    previous: Option<State>,
    memo: bool,
    index: Index,
) -> (State, Vec<Diagnostic>) {
    let key = forms_key(forms);
    let previous = previous.filter(|p| p.forms_key == key);
    let root = data.join(SUBMISSIONS_DIR);
    let listed_at = unix_time(SystemTime::now());
    let no_folders = Folders::new();
    let known = previous.as_ref().map_or(&no_folders, |p| &p.folders);
    let stamped_at = previous
        .as_ref()
        .map(|p| p.stamped_at)
        // (A clock set back takes them all too.)
        .filter(|at| (0..STAMPS_EVERY.as_secs() as i64).contains(&(listed_at.0 - at.0)));
    let Listing {
        files: found,
        mut diags,
        folders,
    } = list(
        &root,
        listed_at,
        memo.then_some(known),
        stamped_at.is_none(),
    );
    // Nothing read anew and no stamp taken: what the last run had stands.
    let previous = match previous {
        Some(p) if stamped_at.is_some() && listing::same(&p.folders, &folders) => {
            let diags = p.diags.clone();
            return (p, diags);
        }
        other => other,
    };
    // Read after listing: memory the listing let go of is used again.
    let dir = data.join(INDEX_DIR);
    let (mut db, kept) = match previous {
        Some(p) if p.db.is_some() => (p.db, Some(p.entries)),
        _ if index == Index::Without => (None, None),
        _ => (db::load(&dir, key), None),
    };
    let count = listing::count(&found);
    let merge = move |index: &mut dyn Iterator<Item = Entry>| {
        merge(listing::paths(found), (index, count), listed_at)
    };
    let merged = match (kept, &db) {
        (Some(kept), _) => Ok(merge(&mut kept.into_iter())),
        (None, Some(conn)) if index == Index::Read => db::read(conn, &dir, merge),
        (None, _) => Ok(merge(&mut std::iter::empty())),
    };
    let (mut entries, stale, mut gone) = match merged {
        Ok(merged) => merged,
        // Read again without it: a damaged one made anew.
        Err(e) => {
            tracing::warn!(target: "loket::index", "the record index could not be read: {e}");
            let again = match db::damaged(&e) {
                true => Index::Fresh,
                false => Index::Without,
            };
            drop(db);
            if again == Index::Fresh {
                db::remove(&dir);
            }
            return refresh(data, forms, None, memo, again);
        }
    };
    let read: Vec<_> = stale
        .into_par_iter()
        .map(|i| {
            let path = root.join(&entries[i].rel);
            let summary = |r: Record| {
                let form = forms.of(&r).map(|f| &**f);
                (Arc::new(Summary::of(&r, form)), db::search_key(&r, form))
            };
            (i, load(&path).map(summary))
        })
        .collect();
    for (i, read) in read {
        match read {
            Ok((summary, search)) => {
                entries[i].summary = Some(summary);
                entries[i].search = Some(search);
            }
            Err(d) => {
                diags.push(d);
                gone.push(entries[i].rel.clone());
            }
        }
    }
    entries.retain(|e| e.summary.is_some());
    // Derived data: when it cannot be written, what was read stays marked
    // to write (a process that keeps its state tries again), and the next
    // run reads those records again.
    let changed = !gone.is_empty() || entries.iter().any(|e| e.search.is_some());
    if let Some(db) = db.as_mut().filter(|_| changed)
        && let Err(e) = db::write(db, &gone, &mut entries)
    {
        tracing::warn!(target: "loket::index", "the record index was not written: {e}");
    }
    diags.sort_by(|a, b| a.path.cmp(&b.path));
    let state = State {
        entries,
        db,
        folders,
        forms_key: key,
        stamped_at: stamped_at.unwrap_or(listed_at),
        diags: diags.clone(),
        shared: None,
    };
    (state, diags)
}

/// The `count` files `listed` (in path order) as entries, each taken from
/// the `index` (in path order) when its file has the same stamp; which of
/// them are to be read (changed, new, or too fresh to trust); and the paths
/// of the index's entries whose files are gone.
fn merge(
    listed: impl Iterator<Item = (PathBuf, Stamp)>,
    (index, count): (&mut dyn Iterator<Item = Entry>, usize),
    listed_at: (i64, i64),
) -> (Vec<Entry>, Vec<usize>, Vec<PathBuf>) {
    let mut index = index.peekable();
    let mut gone = Vec::new();
    let mut entries = Vec::with_capacity(count);
    let mut stale = Vec::new();
    for (rel, stamp) in listed {
        let key = rel.as_os_str().as_bytes();
        while let Some(e) = index.next_if(|e| e.rel.as_os_str().as_bytes() < key) {
            gone.push(e.rel);
        }
        match index.next_if(|e| e.rel.as_os_str().as_bytes() == key) {
            Some(e) if e.stamp == stamp && !stamp.changed_since(racy_from(e.listed_at)) => {
                entries.push(e)
            }
            // Read again: changed, or too fresh to trust (once stamped anew
            // it is trusted, instead of being read on every run).
            _ => {
                stale.push(entries.len());
                entries.push(Entry {
                    rel,
                    stamp,
                    listed_at,
                    summary: None,
                    search: None,
                });
            }
        }
    }
    gone.extend(index.map(|e| e.rel));
    (entries, stale, gone)
}

/// How a run takes the index file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Index {
    Read,
    /// Made anew (it was damaged): nothing to read in it.
    Fresh,
    /// Not at all: it could not be read.
    Without,
}

/// A record file as the index has it.
struct Entry {
    /// Under `submissions/`.
    rel: PathBuf,
    stamp: Stamp,
    /// When the listing that took its stamp began.
    listed_at: (i64, i64),
    /// `None` while it is to be read.
    summary: Option<Arc<Summary>>,
    /// Its search key, while it is to be written to the index.
    search: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A summary holds the step an alias names and whether it is final:
    /// another alias or `final` is another index.
    #[test]
    fn the_forms_key_follows_the_steps() {
        let text = include_str!("../../../forms/pengaduan-layanan.yaml");
        let key = |text: &str| forms_key(&Forms::from_texts([("pengaduan-layanan", text)]).0);
        let base = key(text);
        assert_eq!(base, key(text));
        assert_ne!(
            base,
            key(&text.replace("aliases: [diperiksa]", "aliases: [dicek]"))
        );
        let unfinal = text.replace(
            "needs: [reason], final: true }",
            "needs: [reason], final: true, name: \"Tolak\" }",
        );
        assert_eq!(base, key(&unfinal), "a name is not in a summary");
    }
}
