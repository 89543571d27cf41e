//! The index file, an SQLite database: one row per record file with its
//! stamp and its [`Summary`], and one with its search key in a table of its
//! own (a listing does not read the keys, a search reads nothing else). Rows are written as records
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

use rusqlite::{Connection, ErrorCode, Row, TransactionBehavior, ffi, params};
use time::{Date, OffsetDateTime};

use super::{Entry, Summary};
use crate::cases::Record;
use crate::core::dates::WIB;
use crate::forms::FormSpec;
use crate::forms::spec::{FieldType, Role};

/// The index's file in its folder.
pub(super) const FILE: &str = "records.sqlite";
/// The schema's version (`PRAGMA user_version`); another is an index to
/// make anew, as is one made for other forms (`PRAGMA application_id`).
const SCHEMA: i32 = 7;

const CREATE: &str = "CREATE TABLE records (
    rel BLOB PRIMARY KEY, ino, size, mtime_s, mtime_ns, ctime_s, ctime_ns, listed_s, listed_ns,
    ticket, kind, breakdown, name, nik, received, status, closed, response_due, completion_due,
    due_note, first_response, completed, result, channel, waiting, new_reply, confidential, outcome
) WITHOUT ROWID;
CREATE TABLE search (rel BLOB PRIMARY KEY, ticket, key) WITHOUT ROWID;
PRAGMA user_version = 7;";
/// The columns a listing reads.
const COLUMNS: &str = "rel, ino, size, mtime_s, mtime_ns, ctime_s, ctime_ns, listed_s, listed_ns, \
    ticket, kind, breakdown, name, nik, received, status, closed, response_due, completion_due, \
    due_note, first_response, completed, result, channel, waiting, new_reply, confidential, \
    outcome";
const INSERT: &str = "INSERT OR REPLACE INTO records VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

/// The index in `dir` made for the forms of `forms_key`. One that is
/// missing, damaged, of another schema or for other forms is made anew;
/// `None`: it cannot be opened at all, and every record is read from its file.
pub(super) fn load(dir: &Path, forms_key: i32) -> Option<Connection> {
    let path = dir.join(FILE);
    // The hand-made index of earlier versions, with names in it.
    let _ = fs::remove_file(dir.join("records.bin"));
    match open(&path, forms_key) {
        Ok(db) => Some(db),
        Err(e) if damaged(&e) => {
            remove(dir);
            open(&path, forms_key).ok()
        }
        Err(_) => None,
    }
}

/// Removes the index in `dir` (a damaged one, to make anew).
pub(super) fn remove(dir: &Path) {
    for file in [dir.join(FILE), dir.join(format!("{FILE}-journal"))] {
        let _ = fs::remove_file(file);
    }
}

pub(super) fn damaged(e: &rusqlite::Error) -> bool {
    use rusqlite::Error::{FromSqlConversionFailure, InvalidColumnType};
    let code = e.sqlite_error_code();
    matches!(
        code,
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    ) || matches!(e, FromSqlConversionFailure(..) | InvalidColumnType(..))
}

fn corrupt(why: &str) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(ffi::Error::new(ffi::SQLITE_CORRUPT), Some(why.into()))
}

fn open(path: &Path, forms_key: i32) -> rusqlite::Result<Connection> {
    let cannot = |e: std::io::Error| rusqlite::Error::ToSqlConversionFailure(e.into());
    crate::core::fs::create_private_dir(path.parent().unwrap_or(path)).map_err(cannot)?;
    // Created private before SQLite opens it (its journal takes the same
    // mode); when it cannot be, SQLite says why.
    let private = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path);
    drop(private);
    let mut db = Connection::open(path)?;
    db.busy_timeout(Duration::from_secs(10))?;
    db.pragma_update(None, "secure_delete", true)?;
    let pragma = |db: &Connection, name| db.pragma_query_value(None, name, |r| r.get(0));
    if pragma(&db, "user_version")? == 0 {
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if pragma(&tx, "user_version")? == 0 {
            // Fails on tables of a file that is not one of ours.
            tx.execute_batch(CREATE)
                .map_err(|_| corrupt("not an index"))?;
            tx.pragma_update(None, "application_id", forms_key)?;
        }
        tx.commit()?;
    }
    match (pragma(&db, "user_version")?, pragma(&db, "application_id")?) {
        (SCHEMA, key) if key == forms_key => Ok(db),
        _ => Err(corrupt("another version, or other forms")),
    }
}

/// `merge` given the index's entries in path order, each read as it takes
/// it (all at once, 100,000 would be 12 MB more). SQLite keeps no checksum
/// of its pages; a file cut short (a copy or a disk that filled up) is
/// caught by its size, before `merge` is called. An entry that does not
/// read ends the entries, and is the error.
pub(super) fn read<T>(
    db: &Connection,
    dir: &Path,
    merge: impl FnOnce(&mut dyn Iterator<Item = Entry>) -> T,
) -> rusqlite::Result<T> {
    // In one read transaction: no writer changes the file meanwhile.
    let db = db.unchecked_transaction()?;
    let pragma = |name| db.pragma_query_value(None, name, |r| r.get::<_, u64>(0));
    let pages = pragma("page_count")? * pragma("page_size")?;
    if fs::metadata(dir.join(FILE)).map_or(true, |m| m.len() != pages) {
        return Err(corrupt("cut short"));
    }
    let mut query = db.prepare(&format!("SELECT {COLUMNS} FROM records ORDER BY rel"))?;
    let mut failed = None;
    let mut entries = query
        .query_map([], entry)?
        .map_while(|e| e.map_err(|e| failed = Some(e)).ok());
    let merged = merge(&mut entries);
    drop(entries);
    failed.map_or(Ok(merged), Err)
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
            received_at: moment(r.get(14)?)?,
            status: r.get(15)?,
            closed: r.get(16)?,
            response_due: date(r.get(17)?)?,
            completion_due: r.get::<_, Option<i32>>(18)?.map(date).transpose()?,
            due_note: r.get(19)?,
            first_response_at: r.get::<_, Option<i64>>(20)?.map(moment).transpose()?,
            completed_at: r.get::<_, Option<i64>>(21)?.map(moment).transpose()?,
            result: r.get(22)?,
            channel: r.get::<_, String>(23)?.parse().map_err(bad)?,
            waiting: r.get(24)?,
            new_reply: r.get(25)?,
            confidential: r.get(26)?,
            outcome: r.get(27)?,
        })),
        search: None,
    })
}

fn bad(e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Integer, Box::new(e))
}

fn date(julian_day: i32) -> rusqlite::Result<Date> {
    Date::from_julian_day(julian_day).map_err(bad)
}

/// A moment stored as nanoseconds since 1970, read in WIB (every reader
/// of a summary's moments takes them in WIB).
fn moment(nanos: i64) -> rusqlite::Result<OffsetDateTime> {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos)).map_err(bad)?;
    Ok(at.to_offset(WIB))
}

fn nanos(m: OffsetDateTime) -> i64 {
    m.unix_timestamp_nanos() as i64
}

/// Writes what a run changed, in one transaction: the rows of records
/// `gone`, and the entries read again (those with a search key, which is
/// then dropped from memory).
pub(super) fn write(
    db: &mut Connection,
    gone: &[PathBuf],
    entries: &mut [Entry],
) -> rusqlite::Result<()> {
    let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut delete = tx.prepare("DELETE FROM records WHERE rel = ?1")?;
    let mut unsearch = tx.prepare("DELETE FROM search WHERE rel = ?1")?;
    for rel in gone {
        delete.execute([rel.as_os_str().as_bytes()])?;
        unsearch.execute([rel.as_os_str().as_bytes()])?;
    }
    let mut insert = tx.prepare(INSERT)?;
    let mut searched = tx.prepare("INSERT OR REPLACE INTO search VALUES (?1, ?2, ?3)")?;
    for e in entries.iter() {
        let (Some(s), Some(search)) = (&e.summary, &e.search) else {
            continue;
        };
        let (stamp, listed) = (&e.stamp, e.listed_at);
        insert.execute(params![
            e.rel.as_os_str().as_bytes(),
            stamp.ino as i64,
            stamp.size as i64,
            stamp.mtime.0,
            stamp.mtime.1,
            stamp.ctime.0,
            stamp.ctime.1,
            listed.0,
            listed.1,
            s.ticket,
            s.kind,
            s.breakdown,
            s.name,
            s.nik,
            nanos(s.received_at),
            s.status,
            s.closed,
            s.response_due.to_julian_day(),
            s.completion_due.map(Date::to_julian_day),
            s.due_note,
            s.first_response_at.map(nanos),
            s.completed_at.map(nanos),
            s.result,
            s.channel.id(),
            s.waiting,
            s.new_reply,
            s.confidential,
            s.outcome,
        ])?;
        searched.execute(params![e.rel.as_os_str().as_bytes(), s.ticket, search])?;
    }
    drop((delete, unsearch, insert, searched));
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
    // The first words of the other text fields, the longest kind first (the
    // description before the addresses): for a citizen who phones without
    // their ticket.
    let mut text: Vec<_> = form
        .into_iter()
        .flat_map(|f| &f.fields)
        .filter(|f| {
            matches!(f.kind, FieldType::Text | FieldType::Textarea) && !f.role.has(Role::Name)
        })
        .collect();
    text.sort_by_key(|f| std::cmp::Reverse(f.max_chars()));
    let said = text
        .iter()
        .filter_map(|f| r.fields.get(&f.name))
        .collect::<Vec<_>>();
    let said: String = words(&said.join(" ")).chars().take(SAID_MAX).collect();
    [r.ticket.to_lowercase(), name, nik, phone, other, said].join("\t")
}

/// The most of a record's text its search key holds (characters): a long
/// description is found by its first words.
const SAID_MAX: usize = 300;

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
    let digits = (number && !digits.is_empty()).then_some(digits);
    // LIKE rather than instr, which is twice as slow (both are lowercase,
    // so LIKE's ignoring the case of ASCII letters changes nothing).
    let mut query = db.prepare_cached(
        r"SELECT ticket FROM search WHERE key LIKE ?1 ESCAPE '\' OR key LIKE ?2 ESCAPE '\'",
    )?;
    let pattern = |text: &str| {
        let text = text
            .replace('\\', r"\\")
            .replace('%', r"\%")
            .replace('_', r"\_");
        format!("%{text}%")
    };
    let found = query.query_map(
        params![pattern(&wanted), digits.as_deref().map(pattern)],
        |r| r.get(0),
    )?;
    found.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An entry of the record `ticket`, with the search key `key`.
    fn entry(ticket: &str, key: &str) -> Entry {
        let text = format!(
            "ticket: {ticket}\nkind: permohonan\nreceived_at: 2026-11-27T10:15:03+07:00\n\
             status: baru\nresponse_due: 2026-12-04\nfields: {{}}\nattachments: []\nhistory:\n"
        );
        let record = Record::parse(Path::new("r.yaml"), &text).unwrap();
        let stamp = super::super::Stamp {
            ino: 1,
            size: 1,
            mtime: (0, 0),
            ctime: (0, 0),
        };
        Entry {
            rel: PathBuf::from(format!("2026/11/27/{ticket}.yaml")),
            stamp,
            listed_at: (0, 0),
            summary: Some(Arc::new(Summary::of(&record, None))),
            search: Some(key.into()),
        }
    }

    #[test]
    fn a_search_finds_words_and_digits_and_takes_wildcards_as_typed() {
        let tmp = tempfile::tempdir().unwrap();
        let mut db = open(&tmp.path().join(FILE), 1).unwrap();
        let mut entries = [
            entry(
                "KP-20261127-AAAA",
                "kp-20261127-aaaa\tsiti aminah\t3517015205900001\t081234567890\t6281234567890\tdiskon 50 persen",
            ),
            entry(
                "KP-20261127-BBBB",
                "kp-20261127-bbbb\tbudi\t\t\t\tbiasa 50% \\ saja",
            ),
        ];
        write(&mut db, &[], &mut entries).unwrap();
        let found = |db: &Connection, text| {
            let mut tickets: Vec<String> = find(db, text).unwrap().into_iter().collect();
            tickets.sort();
            tickets
        };
        let a = ["KP-20261127-AAAA"];
        assert_eq!(found(&db, "Siti  AMINAH"), a);
        assert_eq!(found(&db, "3517 0152"), a);
        assert_eq!(found(&db, "+62 812-3456"), a);
        assert_eq!(found(&db, "0812.3456"), a);
        assert_eq!(found(&db, "50%"), ["KP-20261127-BBBB"]);
        assert_eq!(found(&db, "\\ saja"), ["KP-20261127-BBBB"]);
        for wild in ["_", "b_di", "s%h", "%%"] {
            assert!(found(&db, wild).is_empty(), "{wild}");
        }
        // Gone from the search with its record.
        write(&mut db, &[entries[0].rel.clone()], &mut []).unwrap();
        assert!(found(&db, "siti").is_empty());
    }
}
