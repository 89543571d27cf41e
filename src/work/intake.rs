//! Reading a submitted form into its fields, with uploads streamed into a
//! draft on disk: multipart/form-data (multer, with size limits on every
//! part and on the whole body) or urlencoded. A file over its limit does not
//! stop the reading: it is no longer written, the rest of it is counted and
//! thrown away, and validation then says how large it was, so the form comes
//! back with everything else the citizen typed. Nothing here knows about
//! HTTP responses; the server turns a [`ReadError`] into a status page.
//!
//! The body is read through [`Body`]: pieces gathered whatever size the
//! client cut them, and its time limits.
//!
//! What one post can make the server hold is bounded, whatever it sends:
//! - the body's gathering buffer: under 72 KB ([`Body`]);
//! - the multipart parser's buffer: while a part's boundary and headers are
//!   awaited, [`PART_ROOM`] and one read more (two pieces of the body, at
//!   most 144 KB); otherwise one read;
//! - text: each field up to `max_text_bytes` (64 KB), once per field of the
//!   form and the two hidden ones (a second one is refused);
//! - names: only the form's own; a part the form does not have is read and
//!   dropped, and a post may have [`MAX_EXTRA_PARTS`] of them;
//! - each upload's last bytes until the submission is stored (the store
//!   keeps less than 256 KB of a file).
//!
//! For the permohonan (13 text and 4 file fields): under 4 MB, against the
//! whole body limit (21 MB) before.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use multer::{Constraints, Multipart, SizeLimit};

use super::body::{Body, BodyError, Delivered};
use crate::cases::store::held;
use crate::cases::store::{Draft, FileWriter, Store};
use crate::forms::spec::{FieldType, FormSpec};
use crate::forms::validate::{FieldError, FileCheck, Normalized, validate};
use crate::forms::view::FormView;
use crate::forms::{HELD_TOKEN, HONEYPOT};

/// Limits on reading one submission.
#[derive(Debug, Clone)]
pub struct IntakeLimits {
    /// Largest upload, per file.
    pub max_file_bytes: u64,
    /// Largest text field, in bytes.
    pub max_text_bytes: u64,
    /// Longest pause while the body arrives.
    pub idle: Duration,
    /// Longest the whole body may take.
    pub total: Duration,
}

/// Room for the text fields of a form, on top of its files.
pub const TEXT_ALLOWANCE: u64 = 1024 * 1024;
/// Room in the body, counted in file limits, for files over their limit: a
/// file up to twice the limit is still read to its end (and thrown
/// away), so the form can come back with what was typed.
pub const OVERSIZE_ROOM: u64 = 1;
/// Bytes of part headers a browser never comes near.
const MAX_PART_HEADERS: usize = 8 * 1024;
/// Fields a post may carry beyond its form's own and the two hidden ones
/// (a browser sends none; an extension that adds an input to the page may).
/// They are read and thrown away; one more is a bad request.
pub const MAX_EXTRA_PARTS: usize = 8;
/// Bytes that may arrive while the next part's boundary and headers are
/// awaited: the headers themselves (at most [`MAX_PART_HEADERS`]) and
/// whatever comes with them in the same reads. The multipart parser holds
/// everything until the headers end, so this bounds what it holds.
pub const PART_ROOM: u64 = 1024 * 1024;

/// What a form post carried.
pub struct Input {
    pub text: BTreeMap<String, String>,
    pub files: BTreeMap<String, FileCheck>,
    pub draft: Draft,
    /// The hidden field a person never fills in was filled: a robot.
    pub honeypot: bool,
    /// The token of uploads held from an earlier round, if one was sent
    /// in the right shape.
    pub held_token: Option<String>,
    /// The fields the reader asked for beyond the form's own (the desk's
    /// CSRF token, channel, date received), as typed.
    pub extra: BTreeMap<String, String>,
}

impl Input {
    /// Nothing read yet, with a fresh draft to stream files into.
    fn new(store: &Store) -> io::Result<Input> {
        Ok(Input {
            text: BTreeMap::new(),
            files: BTreeMap::new(),
            draft: store.draft()?,
            honeypot: false,
            held_token: None,
            extra: BTreeMap::new(),
        })
    }

    /// Keeps the text `value` of the field `name` ([`known_name`]; a form
    /// never has a field of a hidden one's name): a field of `form` (a file
    /// field's text is dropped), a hidden one, or an extra one.
    fn keep_text(&mut self, form: &FormSpec, name: &str, value: String) {
        match form.field(name) {
            Some(field) if field.kind == FieldType::File => {}
            Some(_) => {
                self.text
                    .insert(name.to_string(), normalize_newlines(value));
            }
            None if name == HONEYPOT => self.honeypot = !value.trim().is_empty(),
            None if name == HELD_TOKEN => self.held_token = held::parse_token(&value),
            None => {
                self.extra
                    .insert(name.to_string(), normalize_newlines(value));
            }
        }
    }
}

/// Why a post could not be read.
pub enum ReadError {
    BadRequest(&'static str),
    /// The whole body over its limit.
    TooLarge,
    /// A text field over its limit.
    TextTooLong,
    Timeout,
    Storage(io::Error),
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Storage(e)
    }
}

impl From<BodyError> for ReadError {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::Timeout => ReadError::Timeout,
            BodyError::Broken(_) => ReadError::BadRequest("connection broke off"),
        }
    }
}

/// A multipart error as a [`ReadError`]: a field over its size limit is a
/// text too long, unless it is one of `form`'s files (whose limit is the
/// whole body's).
fn from_multer(form: &FormSpec, e: multer::Error) -> ReadError {
    match e {
        multer::Error::FieldSizeExceeded {
            field_name: Some(name),
            ..
        } if !is_file_field(form, &name) => ReadError::TextTooLong,
        multer::Error::FieldSizeExceeded { .. } | multer::Error::StreamSizeExceeded { .. } => {
            ReadError::TooLarge
        }
        multer::Error::StreamReadFailed(e) => match e.downcast::<BodyError>() {
            Ok(e) => ReadError::from(*e),
            Err(_) => ReadError::BadRequest("connection broke off"),
        },
        multer::Error::IncompleteStream | multer::Error::IncompleteFieldData { .. } => {
            ReadError::BadRequest("truncated body")
        }
        _ => ReadError::BadRequest("malformed multipart body"),
    }
}

/// Whether `form` has a file field of this name (the per-field size
/// limits of multer are set by name).
fn is_file_field(form: &FormSpec, name: &str) -> bool {
    form.field(name).is_some_and(|f| f.kind == FieldType::File)
}

/// The largest body a form may send: its files, room for files over their
/// limit, and the text.
pub fn max_body(form: impl AsRef<FormSpec>, limits: &IntakeLimits) -> u64 {
    let files = form.as_ref().file_fields().count() as u64;
    (files + OVERSIZE_ROOM) * limits.max_file_bytes + TEXT_ALLOWANCE
}

/// The most fields a post for a form may carry.
pub fn max_parts(form: impl AsRef<FormSpec>) -> usize {
    form.as_ref().fields.len() + 2 + MAX_EXTRA_PARTS
}

/// The field names of `form`, the two hidden ones and the `extra` ones the
/// reader asked for, as they are spelled there (so that nothing kept is a
/// name a client made up).
fn known_name<'f>(form: &'f FormSpec, extra: &[&'static str], name: &str) -> Option<&'f str> {
    match form.field(name) {
        Some(field) => Some(field.name.as_str()),
        None => [HONEYPOT, HELD_TOKEN]
            .iter()
            .chain(extra)
            .copied()
            .find(|n| *n == name),
    }
}

/// The next part of a multipart body, if its boundary and headers come
/// within [`PART_ROOM`] bytes.
async fn next_part<'r>(
    form: &FormSpec,
    multipart: &mut Multipart<'r>,
    delivered: &Delivered,
) -> Result<Option<multer::Field<'r>>, ReadError> {
    let start = delivered.get();
    std::future::poll_fn(|cx| match multipart.poll_next_field(cx) {
        Poll::Pending if delivered.get() - start > PART_ROOM => {
            Poll::Ready(Err(ReadError::BadRequest("part headers too large")))
        }
        polled => polled.map_err(|e| from_multer(form, e)),
    })
    .await
}

/// Browsers send CRLF line ends; records keep `\n`.
fn normalize_newlines(text: String) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    }
}

/// Reads a `multipart/form-data` body: `form`'s fields, the two hidden
/// ones, and the `extra` fields the reader names (text, into
/// [`Input::extra`]).
pub async fn read_multipart<S, E>(
    store: &Store,
    limits: &IntakeLimits,
    (form, extra): (&FormSpec, &[&'static str]),
    body: S,
    boundary: String,
) -> Result<Input, ReadError>
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    let max_body = max_body(form, limits);
    let mut size_limit = SizeLimit::new()
        .whole_stream(max_body)
        .per_field(limits.max_text_bytes);
    // A file's own limit is checked below, so that one over it does not
    // end the reading.
    for field in form.file_fields() {
        size_limit = size_limit.for_field(field.name.as_str(), max_body);
    }
    let body = Body::new(body, limits.idle, limits.total);
    let delivered = body.delivered();
    let mut multipart =
        Multipart::with_constraints(body, boundary, Constraints::new().size_limit(size_limit));
    let mut input = Input::new(store)?;
    let mut seen = HashSet::new();
    let mut parts = 0;
    // A write the disk refused (full, or the data folder gone): the rest of
    // the body is still read and thrown away, within its limits, so that
    // the browser, still sending, gets the answer instead of a broken
    // connection.
    let mut failed: Option<io::Error> = None;
    while let Some(mut field) = next_part(form, &mut multipart, &delivered).await? {
        parts += 1;
        if parts > max_parts(form) + extra.len() {
            return Err(ReadError::BadRequest("too many parts"));
        }
        let header_bytes: usize = field
            .headers()
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len())
            .sum();
        if header_bytes > MAX_PART_HEADERS {
            return Err(ReadError::BadRequest("part headers too large"));
        }
        let Some(name) = field.name() else {
            return Err(ReadError::BadRequest("part without a name"));
        };
        let Some(name) = known_name(form, extra, name) else {
            // A field the form does not have: read (within limits) and dropped.
            while field
                .chunk()
                .await
                .map_err(|e| from_multer(form, e))?
                .is_some()
            {}
            continue;
        };
        if !seen.insert(name) {
            return Err(ReadError::BadRequest("duplicate field"));
        }
        match form.field(name) {
            Some(spec) if spec.kind == FieldType::File => {
                let original = field.file_name().unwrap_or("").to_string();
                let mut writer = None;
                let mut size = 0u64;
                while let Some(chunk) = field.chunk().await.map_err(|e| from_multer(form, e))? {
                    size += chunk.len() as u64;
                    if size > limits.max_file_bytes {
                        // Over its limit: what was written goes, the rest
                        // is only counted.
                        if let Some(w) = writer.take() {
                            FileWriter::discard(w).await?;
                        }
                        continue;
                    }
                    if chunk.is_empty() || failed.is_some() {
                        continue;
                    }
                    let written = writer
                        .get_or_insert_with(|| input.draft.file_writer(name))
                        .write(chunk)
                        .await;
                    if let Err(e) = written {
                        if let Some(w) = writer.take() {
                            let _ = FileWriter::discard(w).await;
                        }
                        failed = Some(e);
                    }
                }
                if failed.is_some() {
                    continue;
                }
                if size > limits.max_file_bytes {
                    input.files.insert(
                        name.to_string(),
                        FileCheck {
                            size,
                            detected: None,
                            refused: None,
                        },
                    );
                    continue;
                }
                match writer {
                    // Decoded only once the text is valid (server::forms).
                    Some(w) => match input.draft.receive_file(w, &original).await {
                        Ok(check) => {
                            input.files.insert(name.to_string(), check);
                        }
                        Err(e) => failed = Some(e),
                    },
                    // An empty file input: the browser sends no name and no bytes.
                    None if original.is_empty() => {}
                    None => {
                        input.files.insert(
                            name.to_string(),
                            FileCheck {
                                size: 0,
                                detected: None,
                                refused: None,
                            },
                        );
                    }
                }
            }
            _ => {
                let value = field.text().await.map_err(|e| from_multer(form, e))?;
                input.keep_text(form, name, value);
            }
        }
    }
    match failed {
        Some(e) => Err(ReadError::Storage(e)),
        None => Ok(input),
    }
}

/// Reads a body without files (an urlencoded form) whole, within the
/// intake's time limits and [`TEXT_ALLOWANCE`] bytes.
pub async fn read_small<S, E>(limits: &IntakeLimits, body: S) -> Result<Vec<u8>, ReadError>
where
    S: Stream<Item = Result<Bytes, E>> + Send,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let max = TEXT_ALLOWANCE;
    let mut bytes = Vec::new();
    let mut body = Body::new(body, limits.idle, limits.total);
    while let Some(chunk) = body.next().await {
        let data = chunk?;
        if bytes.len() as u64 + data.len() as u64 > max {
            return Err(ReadError::TooLarge);
        }
        bytes.extend_from_slice(&data);
    }
    Ok(bytes)
}

/// Reads an `application/x-www-form-urlencoded` body (forms without files).
pub async fn read_urlencoded<S, E>(
    store: &Store,
    limits: &IntakeLimits,
    form: &FormSpec,
    body: S,
) -> Result<Input, ReadError>
where
    S: Stream<Item = Result<Bytes, E>> + Send,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let bytes = read_small(limits, body).await?;
    let mut input = Input::new(store)?;
    let mut seen = HashSet::new();
    for (parts, (name, value)) in form_urlencoded::parse(&bytes).enumerate() {
        if parts >= max_parts(form) {
            return Err(ReadError::BadRequest("too many parts"));
        }
        // A field the form does not have is dropped.
        let Some(name) = known_name(form, &[], &name) else {
            continue;
        };
        if !seen.insert(name) {
            return Err(ReadError::BadRequest("duplicate field"));
        }
        input.keep_text(form, name, value.into_owned());
    }
    Ok(input)
}

/// Adds to `input` the files held under `token` from an earlier round, for
/// the fields it sent no file for. An unknown or expired token adds
/// nothing; a storage failure is logged and adds what was taken so far (the
/// form then asks for the rest).
pub async fn take_held(
    store: &Store,
    form: Arc<FormSpec>,
    mut input: Input,
    token: String,
) -> io::Result<Input> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || {
        let own: BTreeSet<String> = input.files.keys().cloned().collect();
        match input
            .draft
            .adopt_held(&store, &form, &token, |field| own.contains(field))
        {
            Ok(files) => input.files.extend(files),
            Err(e) => tracing::error!("could not take held uploads into a submission: {e}"),
        }
        input
    })
    .await
    .map_err(io::Error::other)
}

/// Holds the files of a form sent back for the next round (raw, if the
/// text was wrong and they were not decoded); `None` when there were none
/// or they could not be kept (logged).
pub async fn hold(store: &Store, draft: Draft) -> Option<held::Held> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || draft.hold(&store))
        .await
        .map_err(io::Error::other)
        .and_then(|held| held)
        .unwrap_or_else(|e| {
            tracing::error!("could not hold the uploads of a form sent back: {e}");
            None
        })
}

/// The form view with the files `held` (each by the name the sender's
/// device gave it, else its stored name or field, and the size sent).
pub fn with_held(view: FormView, held: &held::Held) -> FormView {
    let kept = held.attachments.iter().map(|a| {
        let name = match a.original_name.trim() {
            "" => a.stored_name.as_str(),
            name => name,
        };
        let sent = held.sent_sizes.get(&a.field).copied();
        (a.field.as_str(), name, sent.unwrap_or(a.size))
    });
    let raw = held.unchecked.iter().map(|u| {
        let name = match u.original_name.trim() {
            "" => u.field.as_str(),
            name => name,
        };
        (u.field.as_str(), name, u.size)
    });
    view.with_held(&held.token, kept.chain(raw))
}

/// Checks `input` against `form`: the text first, and only when it is
/// right are the uploads decoded (sanitized) and checked with it. Text
/// that is wrong leaves them raw, to be held for the next round.
pub async fn check(
    form: &FormSpec,
    input: &mut Input,
    max_file_bytes: u64,
) -> io::Result<Result<Normalized, Vec<FieldError>>> {
    let first = validate(form, &input.text, &input.files, max_file_bytes);
    if let Err(errors) = &first
        && errors.iter().any(|e| !is_file_field(form, &e.field))
    {
        return Ok(first);
    }
    if !input.draft.has_unchecked() {
        return Ok(first);
    }
    let checks = input.draft.check_uploads().await?;
    input.files.extend(checks);
    Ok(validate(form, &input.text, &input.files, max_file_bytes))
}
