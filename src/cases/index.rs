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
//! change time. Files are still listed and their times taken on every run;
//! only new and changed ones are parsed (in parallel).
//! A run that read anything again writes a new index beside the old one and
//! renames it into place, so readers never see half an index, and two tools
//! running at once each write a complete one (the last rename wins, and its
//! entries are checked like any others).
//!
//! It holds only what the inbox and report show: ticket, kind and jenis,
//! name, the NIK masked as the report prints it, status, dates and deadlines,
//! the deadlines' note and the result; no address, contact, NIK or text of
//! the case.

use std::fs;
use std::io::Read;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime, UtcOffset};

use crate::cases::layout::SUBMISSIONS_DIR;
use crate::cases::{Record, Status};
use crate::core::dates;
use crate::core::diagnostic::Diagnostic;
use crate::forms::FormKind;

/// The index's folder in the data folder, and its file.
pub const INDEX_DIR: &str = ".index";
const INDEX_FILE: &str = "records.bin";
/// The format's name and version; another value is an index to rebuild.
const MAGIC: &[u8; 8] = b"LOKETIX2";
/// Records changed this close to the listing that stamped them are read again.
const RACY: Duration = Duration::from_secs(2);

/// A record as the inbox and the report see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub ticket: String,
    pub kind: FormKind,
    /// `fields.jenis` as written ("" when absent).
    pub jenis: String,
    /// `fields.nama`.
    pub name: String,
    /// A request's NIK as the report prints it ("3517 **** **** 0001");
    /// `None` when it is not 16 digits, and for complaints about the service.
    pub nik: Option<String>,
    pub received_at: OffsetDateTime,
    pub status: Status,
    pub response_due: Date,
    pub completion_due: Option<Date>,
    pub due_note: Option<String>,
    pub first_response_at: Option<OffsetDateTime>,
    pub completed_at: Option<OffsetDateTime>,
    pub result: Option<String>,
}

impl Summary {
    pub fn of(r: &Record) -> Summary {
        Summary {
            ticket: r.ticket.clone(),
            kind: r.kind,
            jenis: r.fields.get("jenis").unwrap_or_default().to_string(),
            name: r.name().to_string(),
            nik: match r.kind {
                FormKind::Permohonan => {
                    r.fields.get("nik").and_then(crate::cases::report::mask_nik)
                }
                FormKind::PengaduanLayanan => None,
            },
            received_at: r.received_at,
            status: r.status,
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
    pub fn is_overdue(&self, today: Date) -> bool {
        crate::cases::record::is_overdue(
            self.status,
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

/// What a record file looked like when it was read: any change to it
/// changes one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    ino: u64,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl Stamp {
    fn of(meta: &fs::Metadata) -> Stamp {
        Stamp {
            ino: meta.ino(),
            size: meta.size(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
        }
    }

    fn changed_since(&self, moment: (i64, i64)) -> bool {
        self.ctime >= moment
    }
}

/// Every record under `data/submissions` as the inbox and report see it,
/// oldest first, with a diagnostic for each file that could not be read
/// (those are skipped), as [`crate::cases::load_all`] gives them. Reads and
/// refreshes the index (module docs).
pub fn summaries(data: &Path) -> (Vec<Summary>, Vec<Diagnostic>) {
    let (state, diags) = refresh(data, None);
    let summaries = state
        .entries
        .into_iter()
        .filter_map(|e| e.summary)
        .map(Arc::unwrap_or_clone)
        .collect();
    (in_order(summaries), diags)
}

/// The index kept in memory by a process that lists the records again and
/// again (the staff desk, once per page): the files are still listed and
/// their stamps compared each time, but the index file is read only once
/// and written only when something changed.
#[derive(Default)]
pub struct Memo(Mutex<Option<State>>);

impl Memo {
    /// [`summaries`], sharing what did not change with earlier calls, in
    /// no particular order (the desk sorts what it selects).
    pub fn summaries(&self, data: &Path) -> (Vec<Arc<Summary>>, Vec<Diagnostic>) {
        // Two listings at once: the second reads the index file.
        let previous = self.0.lock().ok().and_then(|mut m| m.take());
        let (state, diags) = refresh(data, previous);
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
/// them began.
struct State {
    entries: Vec<Entry>,
    indexed_at: (i64, i64),
}

/// Lists the records, takes from `previous` (or else the index file) every
/// entry whose file is unchanged, reads the others, and writes the index
/// file if anything changed.
fn refresh(data: &Path, previous: Option<State>) -> (State, Vec<Diagnostic>) {
    let root = data.join(SUBMISSIONS_DIR);
    let listed_at = unix_time(SystemTime::now());
    let (found, mut diags) = list(&root);
    let index_path = data.join(INDEX_DIR).join(INDEX_FILE);
    let State {
        entries: index,
        indexed_at,
    } = previous
        .or_else(|| read_index(&index_path))
        .unwrap_or(State {
            entries: Vec::new(),
            indexed_at: (i64::MIN, 0),
        });
    let racy_from = (
        indexed_at.0.saturating_sub(RACY.as_secs() as i64),
        indexed_at.1,
    );
    // Both in path order: each file meets its entry, if the index has one.
    let mut index = index.into_iter().peekable();
    let mut changed = false;
    let mut entries = Vec::with_capacity(found.len());
    let mut stale = Vec::new();
    for (rel, stamp) in found {
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
            let read = fs::read_to_string(&path)
                .map_err(|e| Diagnostic::error(&path, None, format!("cannot read: {e}")))
                .and_then(|text| Record::parse(&path, &text))
                .map(|r| Arc::new(Summary::of(&r)));
            (i, read)
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
    let written = changed && write_index(&index_path, &entries, listed_at).is_ok();
    diags.sort_by(|a, b| a.path.cmp(&b.path));
    let indexed_at = if written { listed_at } else { indexed_at };
    (
        State {
            entries,
            indexed_at,
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

/// Record files under `root` (paths relative to it) with their stamps.
/// Like [`crate::cases::load_all`]: every `.yaml` file in the tree, hidden
/// names left out, symbolic links not followed; and a record's attachment
/// folder (`TICKET/` beside `TICKET.yaml`) is not entered.
fn list(root: &Path) -> (Vec<(PathBuf, Stamp)>, Vec<Diagnostic>) {
    let (mut files, diags) = match fs::symlink_metadata(root) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Vec::new(), Vec::new()),
        _ => list_dir(root, Path::new("")),
    };
    // By bytes: the order the index is written in, and cheap to compare.
    files.sort_unstable_by(|a, b| a.0.as_os_str().as_bytes().cmp(b.0.as_os_str().as_bytes()));
    (files, diags)
}

fn list_dir(root: &Path, rel: &Path) -> (Vec<(PathBuf, Stamp)>, Vec<Diagnostic>) {
    let dir = root.join(rel);
    let cannot =
        |e: std::io::Error, path: &Path| Diagnostic::error(path, None, format!("cannot read: {e}"));
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) => return (Vec::new(), vec![cannot(e, &dir)]),
    };
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    let mut diags = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(cannot(e, &dir));
                continue;
            }
        };
        let name = entry.file_name();
        if name.as_encoded_bytes().starts_with(b".") {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_dir() => dirs.push(name),
            Ok(t) if t.is_file() && name.as_encoded_bytes().ends_with(b".yaml") => {
                match entry.metadata() {
                    Ok(meta) => files.push((name, Stamp::of(&meta))),
                    Err(e) => diags.push(cannot(e, &entry.path())),
                }
            }
            Ok(_) => {}
            Err(e) => diags.push(cannot(e, &entry.path())),
        }
    }
    // Sorted here, so that the whole listing is nearly always in order
    // already (its final sort then only checks).
    files.sort_unstable_by(|a, b| a.0.as_encoded_bytes().cmp(b.0.as_encoded_bytes()));
    dirs.sort_unstable_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
    // A record's attachment folder is not entered.
    let is_record = |dir: &std::ffi::OsStr| {
        let yaml = [dir.as_encoded_bytes(), b".yaml"].concat();
        files
            .binary_search_by(|(f, _)| f.as_encoded_bytes().cmp(&yaml))
            .is_ok()
    };
    let subdirs: Vec<PathBuf> = dirs
        .iter()
        .filter(|d| !is_record(d))
        .map(|d| rel.join(d))
        .collect();
    let mut files: Vec<(PathBuf, Stamp)> = files
        .into_iter()
        .map(|(name, stamp)| (rel.join(name), stamp))
        .collect();
    let below: Vec<_> = subdirs.par_iter().map(|d| list_dir(root, d)).collect();
    for (f, d) in below {
        files.extend(f);
        diags.extend(d);
    }
    (files, diags)
}

/// The index's entries, in path order, and when the run that wrote it
/// started listing the records (its entries' stamps are from then); `None`
/// when it is missing, damaged or of another format. Read as a stream (the
/// checksum at the end is checked before anything read is used), so the
/// whole file is never in memory beside what it decodes to.
fn read_index(path: &Path) -> Option<State> {
    let file = fs::File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    let body_len = meta.len().checked_sub(32)?;
    let hashing = Hashing(file.take(body_len), Sha256::new());
    let mut r = Reader(std::io::BufReader::with_capacity(64 * 1024, hashing));
    if r.array::<8>()? != *MAGIC {
        return None;
    }
    let listed_at = (r.i64()?, r.i64()?);
    let count = r.u32()? as usize;
    let mut entries = Vec::with_capacity(count.min(body_len as usize / 64));
    for _ in 0..count {
        entries.push(Entry {
            rel: PathBuf::from(std::ffi::OsString::from_vec(r.bytes()?)),
            stamp: Stamp {
                ino: r.u64()?,
                size: r.u64()?,
                mtime: (r.i64()?, r.i64()?),
                ctime: (r.i64()?, r.i64()?),
            },
            summary: Some(Arc::new(r.summary()?)),
        });
    }
    let Hashing(mut rest, hasher) = r.0.into_inner();
    if rest.read(&mut [0]).ok()? != 0 {
        return None;
    }
    let mut sum = [0; 32];
    rest.into_inner().read_exact(&mut sum).ok()?;
    (hasher.finalize().as_slice() == sum).then_some(State {
        entries,
        indexed_at: listed_at,
    })
}

/// A reader that hashes what passes through it.
struct Hashing<R>(R, Sha256);

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.read(buf)?;
        self.1.update(&buf[..n]);
        Ok(n)
    }
}

/// Writes the index whole beside itself and renames it into place, private.
fn write_index(path: &Path, entries: &[Entry], listed_at: (i64, i64)) -> std::io::Result<()> {
    let mut w = Writer(Vec::with_capacity(entries.len() * 200 + 64));
    w.0.extend_from_slice(MAGIC);
    w.i64(listed_at.0);
    w.i64(listed_at.1);
    let count = entries.iter().filter(|e| e.summary.is_some()).count();
    w.u32(u32::try_from(count).unwrap_or(u32::MAX));
    for Entry {
        rel,
        stamp,
        summary,
    } in entries
    {
        let Some(summary) = summary else { continue };
        w.bytes(rel.as_os_str().as_bytes());
        w.u64(stamp.ino);
        w.u64(stamp.size);
        for v in [stamp.mtime.0, stamp.mtime.1, stamp.ctime.0, stamp.ctime.1] {
            w.i64(v);
        }
        w.summary(summary);
    }
    let sum = Sha256::digest(&w.0);
    w.0.extend_from_slice(&sum);
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::core::fs::create_private_dir(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".records-")
        .tempfile_in(dir)?; // 0600
    std::io::Write::write_all(&mut tmp, &w.0)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u32(u32::try_from(b.len()).unwrap_or(u32::MAX));
        self.0.extend_from_slice(b);
    }
    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    fn opt_str(&mut self, s: Option<&str>) {
        self.0.push(u8::from(s.is_some()));
        self.str(s.unwrap_or(""));
    }
    fn date(&mut self, d: Option<Date>) {
        self.i64(d.map_or(i64::MIN, |d| i64::from(d.to_julian_day())));
    }
    fn moment(&mut self, m: Option<OffsetDateTime>) {
        self.0.push(u8::from(m.is_some()));
        let m = m.unwrap_or(OffsetDateTime::UNIX_EPOCH);
        self.i64(m.unix_timestamp());
        self.i64(i64::from(m.nanosecond()));
        self.i64(i64::from(m.offset().whole_seconds()));
    }
    fn summary(&mut self, s: &Summary) {
        self.str(&s.ticket);
        self.0
            .push(FormKind::ALL.iter().position(|k| *k == s.kind).unwrap_or(0) as u8);
        self.str(&s.jenis);
        self.str(&s.name);
        self.opt_str(s.nik.as_deref());
        self.moment(Some(s.received_at));
        self.0
            .push(Status::ALL.iter().position(|x| *x == s.status).unwrap_or(0) as u8);
        self.date(Some(s.response_due));
        self.date(s.completion_due);
        self.opt_str(s.due_note.as_deref());
        self.moment(s.first_response_at);
        self.moment(s.completed_at);
        self.opt_str(s.result.as_deref());
    }
}

/// Reads what [`Writer`] wrote; `None` at any inconsistency.
struct Reader<R>(R);

/// Longest string the index holds (a name, a result): far beyond any.
const MAX_STRING: usize = 1 << 20;

impl<R: Read> Reader<R> {
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let mut bytes = [0; N];
        self.0.read_exact(&mut bytes).ok()?;
        Some(bytes)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.array::<1>()?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.array()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.array()?))
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.array()?))
    }
    fn bytes(&mut self) -> Option<Vec<u8>> {
        let len = usize::try_from(self.u32()?)
            .ok()
            .filter(|&n| n <= MAX_STRING)?;
        let mut bytes = vec![0; len];
        self.0.read_exact(&mut bytes).ok()?;
        Some(bytes)
    }
    fn str(&mut self) -> Option<String> {
        String::from_utf8(self.bytes()?).ok()
    }
    fn opt_str(&mut self) -> Option<Option<String>> {
        let present = self.u8()? == 1;
        let s = self.str()?;
        Some(present.then_some(s))
    }
    fn date(&mut self) -> Option<Option<Date>> {
        match self.i64()? {
            i64::MIN => Some(None),
            jd => Date::from_julian_day(i32::try_from(jd).ok()?)
                .ok()
                .map(Some),
        }
    }
    fn moment(&mut self) -> Option<Option<OffsetDateTime>> {
        let present = self.u8()? == 1;
        let (secs, nanos, offset) = (self.i64()?, self.i64()?, self.i64()?);
        let at = OffsetDateTime::from_unix_timestamp(secs)
            .ok()?
            .replace_nanosecond(u32::try_from(nanos).ok()?)
            .ok()?
            .to_offset(UtcOffset::from_whole_seconds(i32::try_from(offset).ok()?).ok()?);
        Some(present.then_some(at))
    }
    fn summary(&mut self) -> Option<Summary> {
        Some(Summary {
            ticket: self.str()?,
            kind: *FormKind::ALL.get(usize::from(self.u8()?))?,
            jenis: self.str()?,
            name: self.str()?,
            nik: self.opt_str()?,
            received_at: self.moment()??,
            status: *Status::ALL.get(usize::from(self.u8()?))?,
            response_due: self.date()??,
            completion_due: self.date()?,
            due_note: self.opt_str()?,
            first_response_at: self.moment()?,
            completed_at: self.moment()?,
            result: self.opt_str()?,
        })
    }
}
