//! The index file: written whole and renamed into place, read as a stream
//! and checked against its checksum.

use std::fs;
use std::io::Read;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime, UtcOffset};

use super::{Entry, MAGIC, Stamp, State, Summary};

/// The index's entries, in path order, and when the run that wrote it
/// started listing the records (its entries' stamps are from then); `None`
/// when it is missing, damaged or of another format. Read as a stream (the
/// checksum at the end is checked before anything read is used), so the
/// whole file is never in memory beside what it decodes to.
pub(super) fn read_index(path: &Path, forms_key: &[u8; 32]) -> Option<State> {
    let file = fs::File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    let body_len = meta.len().checked_sub(32)?;
    let hashing = Hashing(file.take(body_len), Sha256::new());
    let mut r = Reader(std::io::BufReader::with_capacity(64 * 1024, hashing));
    if r.array::<8>()? != *MAGIC || r.array::<32>()? != *forms_key {
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
        folders: Default::default(),
        forms_key: *forms_key,
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
pub(super) fn write_index(
    path: &Path,
    entries: &[Entry],
    listed_at: (i64, i64),
    forms_key: &[u8; 32],
) -> std::io::Result<()> {
    let mut w = Writer(Vec::with_capacity(entries.len() * 200 + 96));
    w.0.extend_from_slice(MAGIC);
    w.0.extend_from_slice(forms_key);
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
        self.str(&s.kind);
        self.str(&s.breakdown);
        self.str(&s.name);
        self.opt_str(s.nik.as_deref());
        self.moment(Some(s.received_at));
        self.str(&s.status);
        self.0.push(u8::from(s.closed));
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
            kind: self.str()?,
            breakdown: self.str()?,
            name: self.str()?,
            nik: self.opt_str()?,
            received_at: self.moment()??,
            status: self.str()?,
            closed: self.u8()? == 1,
            response_due: self.date()??,
            completion_due: self.date()?,
            due_note: self.opt_str()?,
            first_response_at: self.moment()?,
            completed_at: self.moment()?,
            result: self.opt_str()?,
        })
    }
}
