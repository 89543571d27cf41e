//! PDFs: kept byte for byte unless they can make a reader run or open
//! something. A PDF is never rewritten: a rewrite could lose what staff
//! need to see, and a PDF that passes is the citizen's file as sent.
//!
//! What is refused:
//! - **Not a PDF** ([`Refused::BrokenPdf`]): no `%PDF-d.d` header line, the
//!   header followed by something other than a comment or an object (an
//!   ELF, PE or ZIP body), no `startxref` and `%%EOF` in the last 1024
//!   bytes (where readers look for them), no object at all, or a stream
//!   without `endstream`.
//! - **Encrypted** ([`Refused::LockedPdf`], an `/Encrypt` name): strings
//!   and streams cannot be read, including object streams where scripts
//!   could hide, and staff may not be able to open it. A citizen re-saves
//!   it through Print, which drops the encryption.
//! - **Active content** ([`Refused::ActivePdf`]): any of the names in
//!   [`ACTIVE`] (scripts, launching programs, attached or embedded files,
//!   rich media, XFA forms, submitting or importing form data, links into
//!   other files, which can leak a Windows password hash through a UNC
//!   path); `/AA` with a non-empty value (actions run on opening a page,
//!   focusing a field and so on); `/OpenAction` with a dictionary (an
//!   action run on opening; an array or reference is where to open, and an
//!   action it points to is caught by its own type's name). Names are
//!   compared after undoing `#xx` escapes (`/J#61vaScript`).
//! - **Uncheckable** ([`Refused::UncheckablePdf`]): an object stream
//!   (`/Type /ObjStm`, where PDF 1.5 writers pack dictionaries) compressed
//!   other than with one plain FlateDecode, or inflating to more than the
//!   budget all together. A deflate stream inflates at most about 1000
//!   times, so the budget also bounds the work per compressed byte.
//!
//! How: two checks, and a PDF must pass both.
//! - **Tokens** (`lexer.rs`): the file is read as a reader's lexer reads
//!   it, so `stream`, `endstream`, names and `%` inside literal strings,
//!   hex strings and comments are text and hide nothing; stream data is
//!   skipped by its `/Length` or up to `endstream`, as readers do; object
//!   streams (by `/ObjStm` or `/First`) are inflated and read as tokens.
//! - **Names** (below, the older check, kept as a second line): every name
//!   outside what looks like stream data, strings and comments included,
//!   so an object a cross-reference table points to inside a string (where
//!   the token check sees text) is judged too. Object streams are inflated
//!   and scanned too. Other streams (page content, images, fonts) are
//!   skipped, since a binary stream would otherwise match a short name
//!   like `/JS` by chance in a few percent of large files; they cannot hold
//!   dictionaries. A "stream" whose data holds an object header (`12 0 obj`)
//!   is not skipped by either check, so an object cannot be hidden where a
//!   reader that follows the cross-reference table would find it.
//!
//! Each check inflates at most `max_inflated` bytes; both are linear in
//! the file's size.
//!
//! What this cannot catch: exploits of bugs in a reader's font, image or
//! content-stream parsing (only a rewrite would address those, and staff's
//! reader should be kept updated); a PDF that is also valid
//! as another format (a polyglot) if staff open it as that format rather
//! than as `.pdf`. `/URI` links are allowed: they are in most PDFs, and
//! readers ask before opening them. A literal string or comment that
//! contains `/JS` and the like refuses a harmless PDF; that is rare.
#![deny(clippy::indexing_slicing)]

mod lexer;

use super::Refused;

/// Names that make a PDF reader run or open something, and what they are
/// (for logs).
const ACTIVE: [(&[u8], &str); 14] = [
    (b"JavaScript", "JavaScript"),
    (b"JS", "JavaScript"),
    (b"Launch", "launch action"),
    (b"EmbeddedFile", "embedded file"),
    (b"EmbeddedFiles", "embedded file"),
    (b"EF", "embedded file"),
    (b"FileAttachment", "file attachment"),
    (b"RichMedia", "rich media"),
    (b"RichMediaExecute", "rich media"),
    (b"XFA", "XFA form"),
    (b"SubmitForm", "form submission"),
    (b"ImportData", "form data import"),
    (b"GoToR", "link to another file"),
    (b"GoToE", "link into an embedded file"),
];

/// The only names an object stream's dictionary may have for us to read
/// its objects.
const OBJECT_STREAM_NAMES: [&[u8]; 9] = [
    b"Type",
    b"ObjStm",
    b"N",
    b"First",
    b"Length",
    b"Filter",
    b"FlateDecode",
    b"Fl",
    b"Extends",
];

/// Checks a whole PDF; `max_inflated` bounds the bytes inflated from its
/// object streams.
pub(super) fn check(data: &[u8], max_inflated: usize) -> Result<(), Refused> {
    check_frame(data)?;
    lexer::check(data, &mut max_inflated.clone(), true)?;
    Walk {
        data,
        budget: max_inflated,
    }
    .run()
}

/// The header, the end, and at least one object.
fn check_frame(data: &[u8]) -> Result<(), Refused> {
    let version_ok = matches!(data.get(5..8), Some([major, b'.', minor])
        if major.is_ascii_digit() && minor.is_ascii_digit());
    // After the header line: a comment (often of binary bytes, telling
    // transfer programs the file is binary) or the first object.
    let body = data
        .iter()
        .skip(8)
        .skip_while(|&&b| b != b'\r' && b != b'\n')
        .find(|&&b| !is_white(b));
    let body_ok = body.is_some_and(|&b| b == b'%' || b.is_ascii_digit());
    let tail = data.get(data.len().saturating_sub(1024)..).unwrap_or(data);
    let end_ok = find(tail, b"startxref", 0)
        .and_then(|at| find(tail, b"%%EOF", at))
        .is_some();
    if version_ok && body_ok && end_ok && find_object(data, 0).is_some() {
        Ok(())
    } else {
        Err(Refused::BrokenPdf)
    }
}

struct Walk<'a> {
    data: &'a [u8],
    /// Bytes that object streams may still inflate to.
    budget: usize,
}

impl Walk<'_> {
    /// Scans the file outside stream data, and inside object streams.
    fn run(&mut self) -> Result<(), Refused> {
        let data = self.data;
        // Scanned up to here.
        let mut pos = 0;
        // Where to look for the next `stream` keyword.
        let mut search = 0;
        // The latest object header before `search`, and the next one.
        let mut last_object = 0;
        let mut next_object = find_object(data, 0);
        // The next `endstream`, looked up again only once passed.
        let mut next_end: Option<usize> = None;
        while let Some(keyword) = find(data, b"stream", search) {
            search = keyword + 6;
            while let Some(at) = next_object.filter(|&at| at < keyword) {
                last_object = at;
                next_object = find_object(data, at + 3);
            }
            let Some(start) = stream_data_start(data, keyword) else {
                continue;
            };
            if next_end.is_none_or(|end| end < start) {
                next_end = find(data, b"endstream", start);
            }
            let Some(end) = next_end else {
                return Err(Refused::BrokenPdf);
            };
            if next_object.is_some_and(|at| at < end) {
                // An object inside what would be stream data: scan on
                // through it as if this were no stream.
                continue;
            }
            self.scan(data.get(pos..start).unwrap_or_default())?;
            let dictionary = data.get(last_object.max(pos)..keyword).unwrap_or_default();
            let stream = data.get(start..end).unwrap_or_default();
            self.object_stream(dictionary, stream)?;
            pos = end + b"endstream".len();
            search = pos;
        }
        self.scan(data.get(pos..).unwrap_or_default())
    }

    /// Inflates and scans a stream if `dictionary` says it is an object
    /// stream.
    fn object_stream(&mut self, dictionary: &[u8], stream: &[u8]) -> Result<(), Refused> {
        let mut is_object_stream = false;
        let mut flate = 0;
        let mut readable = true;
        for (name, _) in names(dictionary) {
            let name = name.as_slice();
            is_object_stream |= name == b"ObjStm";
            if name == b"FlateDecode" || name == b"Fl" {
                flate += 1;
            }
            readable &= OBJECT_STREAM_NAMES.contains(&name);
        }
        if !is_object_stream {
            return Ok(());
        }
        if !readable || flate > 1 {
            return Err(Refused::UncheckablePdf);
        }
        if flate == 0 {
            return self.scan(stream);
        }
        let objects = inflate(stream, &mut self.budget)?;
        self.scan(&objects)
    }

    /// Refuses `region` if it holds a name that makes a reader act.
    fn scan(&self, region: &[u8]) -> Result<(), Refused> {
        for (name, after) in names(region) {
            judge(name.as_slice(), || {
                let value = skip_white(region.get(after..).unwrap_or_default());
                match value.strip_prefix(b"<<") {
                    Some(rest) if skip_white(rest).starts_with(b">>") => Value::EmptyDictionary,
                    Some(_) => Value::Dictionary,
                    None => Value::Other,
                }
            })?;
        }
        Ok(())
    }
}

/// What follows a name, as far as [`judge`] needs it.
enum Value {
    EmptyDictionary,
    Dictionary,
    Other,
}

/// Refuses a name that makes a reader act, or that says the file is
/// encrypted. `value` tells what follows the name; asked only for `/AA`
/// and `/OpenAction`.
fn judge(name: &[u8], value: impl FnOnce() -> Value) -> Result<(), Refused> {
    if let Some((_, what)) = ACTIVE.iter().find(|(active, _)| *active == name) {
        return Err(Refused::ActivePdf { what });
    }
    let automatic = match name {
        b"AA" => !matches!(value(), Value::EmptyDictionary),
        b"OpenAction" => matches!(value(), Value::Dictionary | Value::EmptyDictionary),
        _ => false,
    };
    if automatic {
        return Err(Refused::ActivePdf {
            what: "automatic action",
        });
    }
    if name == b"Encrypt" {
        return Err(Refused::LockedPdf);
    }
    Ok(())
}

/// Inflates a zlib stream into at most `budget` bytes, and takes what it
/// used from the budget.
fn inflate(stream: &[u8], budget: &mut usize) -> Result<Vec<u8>, Refused> {
    use miniz_oxide::inflate::{TINFLStatus, decompress_to_vec_zlib_with_limit};
    match decompress_to_vec_zlib_with_limit(stream, *budget) {
        Ok(objects) => {
            *budget -= objects.len();
            Ok(objects)
        }
        Err(e) if e.status == TINFLStatus::HasMoreOutput => Err(Refused::UncheckablePdf),
        Err(_) => Err(Refused::BrokenPdf),
    }
}

/// A name, decoded, up to this many bytes: longer ones are none of ours.
const NAME_MAX: usize = 24;

/// A decoded name (or its first [`NAME_MAX`] bytes and one more, so that
/// no longer name matches).
#[derive(Debug)]
struct Name {
    bytes: [u8; NAME_MAX + 1],
    len: usize,
}

impl Name {
    fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

/// The names in `region` (`/Type`, `/J#61vaScript` decoded), each with
/// the offset just after it.
fn names(region: &[u8]) -> impl Iterator<Item = (Name, usize)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let slash = at + region.get(at..)?.iter().position(|&b| b == b'/')?;
        let (name, end) = read_name(region, slash);
        at = end;
        Some((name, at))
    })
}

/// The name whose `/` is at `slash`, decoded, and the offset just after it.
fn read_name(data: &[u8], slash: usize) -> (Name, usize) {
    let mut name = Name {
        bytes: [0; NAME_MAX + 1],
        len: 0,
    };
    let mut at = slash + 1;
    while let Some(&b) = data.get(at).filter(|&&b| is_regular(b)) {
        let escaped = match data.get(at..at + 3) {
            Some(&[b'#', high, low]) => hex_value(high).zip(hex_value(low)),
            _ => None,
        };
        let (byte, width) = escaped.map_or((b, 1), |(high, low)| (high << 4 | low, 3));
        if let Some(slot) = name.bytes.get_mut(name.len) {
            *slot = byte;
            name.len += 1;
        }
        at += width;
    }
    (name, at)
}

/// `bytes` after whitespace and comments.
fn skip_white(mut bytes: &[u8]) -> &[u8] {
    loop {
        let white = bytes.iter().take_while(|&&b| is_white(b)).count();
        bytes = bytes.get(white..).unwrap_or_default();
        if bytes.first() != Some(&b'%') {
            return bytes;
        }
        let comment = bytes
            .iter()
            .take_while(|&&b| b != b'\r' && b != b'\n')
            .count();
        bytes = bytes.get(comment..).unwrap_or_default();
    }
}

/// Where the data of a stream starts if `keyword` (the offset of
/// `stream`) is the keyword: after whitespace or a delimiter such as `>>`,
/// and followed by an end of line.
fn stream_data_start(data: &[u8], keyword: usize) -> Option<usize> {
    let before = keyword.checked_sub(1).and_then(|at| data.get(at))?;
    if is_regular(*before) {
        return None;
    }
    let after = keyword + 6;
    match data.get(after..after + 2)? {
        [b'\r', b'\n'] => Some(after + 2),
        [b'\n' | b'\r', _] => Some(after + 1),
        _ => None,
    }
}

/// The offset of the next object header's `obj` keyword (`12 0 obj`) at or
/// after `from`.
fn find_object(data: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let keyword = find(data, b"obj", at)?;
        if is_object_header(data, keyword) {
            return Some(keyword);
        }
        at = keyword + 3;
    }
}

/// Whether the `obj` at `keyword` ends an object header: digits,
/// whitespace, digits, whitespace, `obj`, and no more letters.
fn is_object_header(data: &[u8], keyword: usize) -> bool {
    if data.get(keyword + 3).is_some_and(|&b| is_regular(b)) {
        return false;
    }
    let mut before = data.get(..keyword).unwrap_or_default();
    for class in [is_white, is_digit, is_white, is_digit] {
        let kept = before
            .iter()
            .rposition(|&b| !class(b))
            .map_or(0, |at| at + 1);
        if kept == before.len() {
            return false;
        }
        before = before.get(..kept).unwrap_or_default();
    }
    before.last().is_none_or(|&b| !is_regular(b))
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    memchr::memmem::find(haystack.get(from..)?, needle).map(|at| from + at)
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b).to_digit(16).map(|v| v as u8)
}

fn is_white(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

/// Neither whitespace nor a delimiter: part of a name or keyword.
fn is_regular(b: u8) -> bool {
    !is_white(b) && !b"()<>[]{}/%".contains(&b)
}
