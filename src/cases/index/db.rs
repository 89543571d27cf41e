//! The index file, an SQLite database: one row per record file with its
//! stamp, its [`Summary`] and its search key. Rows are written as records
//! are read again, in one transaction per run; deleted content is
//! overwritten with zeros (`secure_delete`), so a purged name does not stay
//! in the file's free pages.

use std::collections::HashSet;
use std::fs;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::types::Type;
use rusqlite::{Connection, ErrorCode, Row, TransactionBehavior, params};
use time::{Date, OffsetDateTime, UtcOffset};

use super::{Entry, Summary};
use crate::cases::Record;
use crate::forms::FormSpec;
use crate::forms::spec::Role;

/// The index's file in its folder.
pub(super) const FILE: &str = "records.sqlite";
/// The schema's version (`PRAGMA user_version`); another is an index to rebuild.
const SCHEMA: i32 = 1;

const CREATE: &str = "
CREATE TABLE meta (forms_key BLOB NOT NULL);
CREATE TABLE records (
    rel BLOB PRIMARY KEY, ino, size, mtime_s, mtime_ns, ctime_s, ctime_ns, listed_s, listed_ns,
    ticket, kind, breakdown, name, nik, received, received_off, status, closed, response_due,
    completion_due, due_note, first_response, first_response_off, completed, completed_off,
    result, search
) WITHOUT ROWID;
PRAGMA user_version = 1;";

/// The index in `dir` with its entries in path order, and whether it is to
/// be emptied at the next write (it was made for other forms: `forms_key`).
/// An index that is missing, damaged or of another schema is made anew; one
/// that cannot be opened at all (no connection) is read from the records.
pub(super) fn load(dir: &Path, forms_key: &[u8; 32]) -> (Option<Connection>, Vec<Entry>, bool) {
    let path = dir.join(FILE);
    // The hand-made index of earlier versions, with names in it.
    let _ = fs::remove_file(dir.join("records.bin"));
    let opened = open(&path).and_then(|db| read(&db, &path, forms_key).map(|e| (db, e)));
    match opened {
        Ok((db, Some(entries))) => (Some(db), entries, false),
        Ok((db, None)) => (Some(db), Vec::new(), true),
        Err(e) if damaged(&e) => {
            for file in [path.clone(), dir.join(format!("{FILE}-journal"))] {
                let _ = fs::remove_file(file);
            }
            (open(&path).ok(), Vec::new(), true)
        }
        Err(_) => (None, Vec::new(), true),
    }
}

fn damaged(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    ) || matches!(
        e,
        rusqlite::Error::FromSqlConversionFailure(..) | rusqlite::Error::InvalidColumnType(..)
    )
}

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let cannot = |e: std::io::Error| rusqlite::Error::ToSqlConversionFailure(e.into());
    crate::core::fs::create_private_dir(path.parent().unwrap_or(path)).map_err(cannot)?;
    // Created private before SQLite opens it (its journal takes the same
    // mode); when it cannot be, SQLite says why.
    let _ = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path);
    let mut db = Connection::open(path)?;
    db.busy_timeout(Duration::from_secs(10))?;
    db.pragma_update(None, "secure_delete", true)?;
    let version = |db: &Connection| db.pragma_query_value(None, "user_version", |r| r.get(0));
    if version(&db)? == 0 {
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if version(&tx)? == 0 {
            tx.execute_batch(CREATE)?;
        }
        tx.commit()?;
    }
    match version(&db)? {
        SCHEMA => Ok(db),
        _ => Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOTADB),
            Some("another schema".into()),
        )),
    }
}

/// Every entry, in path order; `None` when the index was made for other
/// forms. SQLite keeps no checksum of its pages; a file cut short (a copy or
/// a disk that filled up) is caught by its size.
fn read(
    db: &Connection,
    path: &Path,
    forms_key: &[u8; 32],
) -> rusqlite::Result<Option<Vec<Entry>>> {
    // In one read transaction: no writer changes the file meanwhile.
    let db = db.unchecked_transaction()?;
    let pragma = |name| db.pragma_query_value(None, name, |r| r.get::<_, u64>(0));
    let pages = pragma("page_count")? * pragma("page_size")?;
    if fs::metadata(path).map_or(true, |m| m.len() != pages) {
        let corrupt = rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT);
        return Err(rusqlite::Error::SqliteFailure(
            corrupt,
            Some("cut short".into()),
        ));
    }
    let key: Option<Vec<u8>> = db
        .query_row("SELECT forms_key FROM meta", [], |r| r.get(0))
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    if key.as_deref() != Some(forms_key.as_slice()) {
        return Ok(None);
    }
    let mut query = db.prepare("SELECT * FROM records ORDER BY rel")?;
    let rows = query.query_map([], entry)?;
    rows.collect::<rusqlite::Result<_>>().map(Some)
}

fn entry(r: &Row) -> rusqlite::Result<Entry> {
    let int = |i| r.get::<_, i64>(i);
    Ok(Entry {
        rel: PathBuf::from(std::ffi::OsString::from_vec(r.get(0)?)),
        stamp: super::Stamp {
            ino: int(1)? as u64,
            size: int(2)? as u64,
            mtime: (int(3)?, int(4)?),
            ctime: (int(5)?, int(6)?),
        },
        listed_at: (int(7)?, int(8)?),
        summary: Some(Arc::new(Summary {
            ticket: r.get(9)?,
            kind: r.get(10)?,
            breakdown: r.get(11)?,
            name: r.get(12)?,
            nik: r.get(13)?,
            received_at: moment(r, 14)?.ok_or(rusqlite::Error::InvalidColumnType(
                14,
                "received".into(),
                Type::Null,
            ))?,
            status: r.get(16)?,
            closed: r.get(17)?,
            response_due: date(r.get(18)?)?,
            completion_due: r.get::<_, Option<i32>>(19)?.map(date).transpose()?,
            due_note: r.get(20)?,
            first_response_at: moment(r, 21)?,
            completed_at: moment(r, 23)?,
            result: r.get(25)?,
        })),
        search: None,
    })
}

fn bad(e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, Type::Integer, Box::new(e))
}

fn date(julian_day: i32) -> rusqlite::Result<Date> {
    Date::from_julian_day(julian_day).map_err(bad)
}

/// A moment stored as nanoseconds since 1970 and the offset it was written with.
fn moment(r: &Row, i: usize) -> rusqlite::Result<Option<OffsetDateTime>> {
    let (Some(nanos), Some(offset)) = (r.get::<_, Option<i64>>(i)?, r.get(i + 1)?) else {
        return Ok(None);
    };
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos)).map_err(bad)?;
    Ok(Some(at.to_offset(
        UtcOffset::from_whole_seconds(offset).map_err(bad)?,
    )))
}

fn moment_parts(m: Option<OffsetDateTime>) -> (Option<i64>, Option<i32>) {
    m.map(|m| (m.unix_timestamp_nanos() as i64, m.offset().whole_seconds()))
        .unzip()
}

/// Writes what a run changed, in one transaction: every row when `reset`
/// (the forms changed), the rows of records `gone`, and the entries read
/// again (those with a search key, which is then dropped from memory).
pub(super) fn write(
    db: &mut Connection,
    forms_key: &[u8; 32],
    reset: bool,
    gone: &[PathBuf],
    entries: &mut [Entry],
) -> rusqlite::Result<()> {
    let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if reset {
        tx.execute_batch("DELETE FROM records; DELETE FROM meta;")?;
        tx.execute("INSERT INTO meta VALUES (?1)", [forms_key.as_slice()])?;
    }
    let mut delete = tx.prepare("DELETE FROM records WHERE rel = ?1")?;
    for rel in gone {
        delete.execute([rel.as_os_str().as_bytes()])?;
    }
    let mut insert = tx.prepare(&format!("INSERT OR REPLACE INTO records VALUES ({})", {
        let marks = (1..=27).map(|i| format!("?{i}"));
        marks.collect::<Vec<_>>().join(",")
    }))?;
    for e in entries.iter().filter(|e| e.search.is_some()) {
        let (Some(s), Some(search)) = (&e.summary, &e.search) else {
            continue;
        };
        let (received, received_off) = moment_parts(Some(s.received_at));
        let (first, first_off) = moment_parts(s.first_response_at);
        let (completed, completed_off) = moment_parts(s.completed_at);
        insert.execute(params![
            e.rel.as_os_str().as_bytes(),
            e.stamp.ino as i64,
            e.stamp.size as i64,
            e.stamp.mtime.0,
            e.stamp.mtime.1,
            e.stamp.ctime.0,
            e.stamp.ctime.1,
            e.listed_at.0,
            e.listed_at.1,
            s.ticket,
            s.kind,
            s.breakdown,
            s.name,
            s.nik,
            received,
            received_off,
            s.status,
            s.closed,
            s.response_due.to_julian_day(),
            s.completion_due.map(Date::to_julian_day),
            s.due_note,
            first,
            first_off,
            completed,
            completed_off,
            s.result,
            search,
        ])?;
    }
    drop((delete, insert));
    tx.commit()?;
    for e in entries {
        e.search = None;
    }
    Ok(())
}

/// What a search finds a record by, in one lowercase string: its ticket, the
/// citizen's name (spaces as one), and the digits of the NIK and of the
/// phone number, the latter both as typed at home (`0812…`) and abroad
/// (`62812…`).
pub(super) fn search_key(r: &Record, form: Option<&FormSpec>) -> String {
    let value = |field: Option<&crate::forms::spec::FieldSpec>| {
        let typed = field.and_then(|f| r.fields.get(&f.name)).unwrap_or("");
        // A contact field may hold an email instead: no number in it.
        let number = typed.chars().filter(char::is_ascii_digit);
        let digits = if typed.contains('@') { 0 } else { 20 };
        number.take(digits).collect::<String>()
    };
    let nik = value(form.and_then(|f| f.nik_field()));
    let phone = value(form.and_then(|f| f.role(Role::Phone)));
    let other = match (phone.strip_prefix('0'), phone.strip_prefix("62")) {
        (Some(rest), _) => format!("62{rest}"),
        (_, Some(rest)) => format!("0{rest}"),
        _ => String::new(),
    };
    let name = words(r.name(form));
    [r.ticket.to_lowercase(), name, nik, phone, other].join("\t")
}

/// Lowercase, with each run of white space as one space.
fn words(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The tickets whose search key holds `text` (its words, or, when it is a
/// number as typed with spaces, dots, dashes or a `+`, its digits).
pub(super) fn find(db: &Connection, text: &str) -> rusqlite::Result<HashSet<String>> {
    let wanted = words(text);
    let number = wanted
        .chars()
        .all(|c| c.is_ascii_digit() || " .-+".contains(c));
    let digits: String = wanted.chars().filter(char::is_ascii_digit).collect();
    let digits = if number && !digits.is_empty() {
        digits
    } else {
        wanted.clone()
    };
    let mut query = db.prepare_cached(
        "SELECT ticket FROM records WHERE instr(search, ?1) > 0 OR instr(search, ?2) > 0",
    )?;
    let found = query.query_map([&wanted, &digits], |r| r.get(0))?;
    found.collect()
}
