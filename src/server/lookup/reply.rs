//! The citizen's answer to a request (a step with `asks_citizen`): while a
//! case waits, `/cek-status/` says what staff asked for and offers a form
//! to send the missing files and a short reply ([`offer`]); the form posts
//! to `/cek-status/balas/FORM/` ([`handle`]), FORM the id of the case's form
//! (whose file fields the post is read by).
//!
//! The page of an opened case carries a token instead of the access code
//! ([`AccessKey::reply_token`]: bound to the ticket and the code, good for
//! [`TOKEN_SECS`]); a post whose token does not verify counts as a failed
//! lookup against the same per-address limits as `/cek-status/`, and a
//! post with files against the upload limit of the forms. The files are
//! read exactly as a submission's (the form's own file fields, their types
//! and sizes, multer's limits; [`read_multipart`]), sanitized, and only
//! then added to the case ([`Draft::add_to_case`]) with a history entry;
//! staff get a mail. Anything wrong sends the page back (422) with what was
//! wrong, and nothing is written.

use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use time::OffsetDateTime;

use super::{found, opened, read};
use crate::cases::record::{AddedFrom, HistoryEntry, Record};
use crate::cases::store::Addition;
use crate::cases::ticket::Ticket;
use crate::cases::waiting;
use crate::cases::{RecordError, store::AddedToCase};
use crate::core::web;
use crate::forms::spec::{FieldSpec, FieldType, FormFile, FormSpec, Required, Roles};
use crate::forms::validate::{FieldError, format_size, validate};
use crate::server::forms::{multipart, read_error, storage_error};
use crate::server::{
    AppState, Body, Published, declared_over, messages, method_not_allowed, refused, status_page,
};
use crate::site::render::{LookupCase, ReplyFile, ReplyForm, SummaryError};
use crate::work::intake::{ReadError, max_body};

/// Where replies are posted: this, the case's form id, and `/`.
pub const PREFIX: &str = "/cek-status/balas/";
/// How long the page of an opened case may send a reply.
pub const TOKEN_SECS: i64 = 60 * 60;
/// Longest reply, in characters.
pub const MAX_REPLY_CHARS: usize = 1000;

const TICKET: &str = "tiket";
const TOKEN: &str = "izin";
const REPLY: &str = "balasan";
/// Who the history and the attachments name for the citizen.
const CITIZEN: &str = "pemohon";

/// Whether the citizen's list of steps shows the history entry `entry`:
/// not the files staff attached (internal).
pub(super) fn shown(entry: &HistoryEntry) -> bool {
    entry
        .added
        .as_ref()
        .is_none_or(|a| a.from == AddedFrom::Pemohon)
}

/// How the citizen's list of steps words their own answer; `None` for a
/// step (worded by its form).
pub(super) fn words(entry: &HistoryEntry) -> Option<String> {
    let added = entry.added.as_ref()?;
    Some(match (entry.by == CITIZEN, added.files.len()) {
        (true, 0) => "Anda mengirim balasan".into(),
        (true, n) => format!("Anda mengirim balasan dan {n} berkas"),
        (false, n) => format!("Petugas menerima {n} berkas yang Anda serahkan"),
    })
}

/// Fills in what the citizen of `record` reads while it waits for them:
/// what staff asked for, whether the clock stops, and the form to answer.
pub(super) fn offer(
    case: &mut LookupCase,
    record: &Record,
    state: &AppState,
    published: &Published,
) {
    let Some(form) = published.specs.of(record) else {
        return;
    };
    if !form.step(&record.status).is_some_and(|s| s.asks_citizen) {
        return;
    }
    case.asks = record
        .history
        .iter()
        .rev()
        .find(|h| h.is_step())
        .and_then(|h| h.public_note.clone())
        .unwrap_or_default();
    case.pauses = published.site.config.office.pause_while_waiting;
    let Some(stored) = record.access_code_hash.as_deref() else {
        return;
    };
    let max_file_bytes = state.limits.intake().max_file_bytes;
    let expires = OffsetDateTime::now_utc().unix_timestamp() + TOKEN_SECS;
    case.reply = Some(ReplyForm {
        action: format!("{PREFIX}{}/", form.id),
        ticket: record.ticket.clone(),
        token: state
            .lookups
            .key
            .reply_token(&record.ticket, stored, expires),
        max_chars: MAX_REPLY_CHARS,
        files: file_fields(form)
            .map(|f| ReplyFile {
                name: f.name.clone(),
                label: f.label.clone(),
                accept: f.accept_attribute(),
                hint: format!(
                    "{}; paling besar {}.",
                    f.accept_words(),
                    format_size(f.max_file_bytes(max_file_bytes))
                ),
                error: String::new(),
            })
            .collect(),
        ..ReplyForm::default()
    });
}

/// The form's file fields a reply offers (a name the reply uses itself is
/// left out).
fn file_fields(form: &FormSpec) -> impl Iterator<Item = &FieldSpec> {
    form.file_fields()
        .filter(|f| ![TICKET, TOKEN, REPLY].contains(&f.name.as_str()))
}

fn text_field(name: &str, label: &str, kind: FieldType, max: usize) -> FieldSpec {
    FieldSpec {
        name: name.into(),
        label: label.into(),
        hint: None,
        kind,
        required: Required::No,
        personal: true,
        role: Roles::default(),
        options: Vec::new(),
        accept: Vec::new(),
        max_mb: None,
        max: Some(max),
        missing: None,
        error_label: Some(label.to_lowercase()),
        group: None,
        rows: None,
        autocomplete: None,
    }
}

/// The reply as a form: `form`'s file fields, none required, and the
/// reply; `with_hidden` adds the ticket and the token (what is read).
fn reply_form(form: &FormSpec, with_hidden: bool) -> FormSpec {
    let mut fields: Vec<FieldSpec> = file_fields(form)
        .map(|f| FieldSpec {
            required: Required::No,
            ..f.clone()
        })
        .collect();
    fields.push(text_field(
        REPLY,
        "Balasan",
        FieldType::Textarea,
        MAX_REPLY_CHARS,
    ));
    if with_hidden {
        fields.push(text_field(TICKET, "Tiket", FieldType::Text, 64));
        fields.push(text_field(TOKEN, "Izin", FieldType::Text, 200));
    }
    FormSpec {
        id: form.id.clone(),
        path: form.path.clone(),
        file: FormFile {
            fields,
            ..form.file.clone()
        },
    }
}

/// `POST /cek-status/balas/FORM/`.
pub(in crate::server) async fn handle(
    state: &AppState,
    published: &Published,
    req: Request<Incoming>,
    ip: std::net::IpAddr,
) -> Response<Body> {
    if req.method() != Method::POST {
        return method_not_allowed(published, "POST");
    }
    let id = req.uri().path()[PREFIX.len()..].trim_end_matches('/');
    let Some(form) = published.specs.get(id).cloned() else {
        return status_page(published, messages::REPLY_EXPIRED, None, super::PATH);
    };
    let client = crate::server::proxy::client_ip(&req, ip, &state.limits.trust_proxy);
    // The lookup's limits: a post that does not prove it came from an
    // opened case counts as a failed lookup.
    let hard = match state.lookups.hard_limiter.reserve_ip(client) {
        Ok(reservation) => reservation,
        Err(wait) => {
            return refused(
                published,
                messages::LOOKUPS_TOO_FREQUENT,
                Some(wait),
                super::PATH,
            );
        }
    };
    let soft = state.lookups.limiter.reserve_ip(client);
    let reading = reply_form(&form, true);
    let limits = state.limits.intake();
    if declared_over(&req, max_body(&reading, &limits)) {
        return read_error(state, published, ReadError::TooLarge, super::PATH);
    }
    if web::media_type(req.headers()) != "multipart/form-data" {
        return refused(published, messages::FORM_NOT_MULTIPART, None, super::PATH);
    }
    let mut input = match multipart(state, &limits, &reading, req).await {
        Ok(input) => input,
        Err(e) => return read_error(state, published, e, super::PATH),
    };
    let typed = |name: &str| input.text.get(name).cloned().unwrap_or_default();
    let ticket = Ticket::parse(&typed(TICKET));
    let record = match &ticket {
        Some(ticket) => read(state, ticket).await,
        None => None,
    };
    let now = OffsetDateTime::now_utc();
    let token = typed(TOKEN);
    // The case's own form read the post (its file fields).
    let record = record.filter(|r| *r.kind == *form.id).filter(|r| {
        state.lookups.key.verify_reply_token(
            &r.ticket,
            r.access_code_hash.as_deref(),
            &token,
            now.unix_timestamp(),
        )
    });
    let Some(record) = record else {
        hard.confirm();
        if let Ok(soft) = soft {
            soft.confirm();
        }
        return status_page(published, messages::REPLY_EXPIRED, None, super::PATH);
    };
    drop((soft, hard));
    if !form.step(&record.status).is_some_and(|s| s.asks_citizen) {
        return status_page(published, messages::REPLY_NOT_WAITING, None, super::PATH);
    }
    if input.draft.has_unchecked() {
        match state.uploads.reserve_ip(client) {
            Ok(counted) => counted.confirm(),
            Err(wait) => {
                return refused(
                    published,
                    messages::UPLOADS_TOO_FREQUENT,
                    Some(wait),
                    super::PATH,
                );
            }
        }
    }
    let checking = reply_form(&form, false);
    let reply = typed(REPLY);
    // The text first: a wrong one does not decode the files.
    if let Err(errors) = validate(&checking, &input.text, &input.files, limits.max_file_bytes)
        && errors.iter().any(|e| e.field == REPLY)
    {
        return back(state, published, &record, &reply, &errors);
    }
    if input.draft.has_unchecked() {
        match input.draft.check_uploads().await {
            Ok(checks) => input.files.extend(checks),
            Err(e) => return storage_error(published, e, super::PATH),
        }
    }
    if let Err(errors) = validate(&checking, &input.text, &input.files, limits.max_file_bytes) {
        return back(state, published, &record, &reply, &errors);
    }
    let reply = Some(reply.trim().to_string()).filter(|r| !r.is_empty());
    if input.draft.attachments().is_empty() && reply.is_none() {
        let nothing = FieldError {
            field: REPLY.into(),
            message: "Unggah berkas yang diminta petugas atau tulis balasan Anda.".into(),
        };
        return back(state, published, &record, "", &[nothing]);
    }
    let addition = Addition {
        from: AddedFrom::Pemohon,
        by: CITIZEN.into(),
        at: now,
        reply: reply.clone(),
        note: None,
        field: None,
    };
    let (data, ticket) = (state.store.root().to_path_buf(), record.ticket.clone());
    let (forms, calendar) = (published.specs.clone(), state.calendar());
    let pauses = published.site.config.office.pause_while_waiting;
    let draft = input.draft;
    let added = tokio::task::spawn_blocking(move || {
        draft.add_to_case(&data, &ticket, &addition, |record, text| {
            waiting::answer(record, text, &forms, (pauses, &calendar), now)
        })
    })
    .await;
    let added = match added {
        Ok(Ok(added)) => added,
        Ok(Err(RecordError::Missing(_))) => {
            return status_page(published, messages::REPLY_NOT_WAITING, None, super::PATH);
        }
        Ok(Err(RecordError::Io { source, .. })) => {
            return storage_error(published, source, super::PATH);
        }
        Ok(Err(e)) => {
            tracing::error!("lookup: a reply to {} was not stored: {e}", record.ticket);
            return status_page(published, messages::SUBMISSION_FAILED, None, super::PATH);
        }
        Err(e) => {
            tracing::error!("lookup: a reply failed: {e}");
            return status_page(published, messages::SUBMISSION_FAILED, None, super::PATH);
        }
    };
    tell_staff(state, published, &added, reply.is_some());
    sent(state, published, &added)
}

/// Staff's mail about the reply, when mail is on.
fn tell_staff(state: &AppState, published: &Published, added: &AddedToCase, replied: bool) {
    let Some(mail) = state.mail() else {
        return;
    };
    let record = &added.after;
    let composer = mail.composer(
        &published.site.config,
        (published.templates.clone(), published.specs.clone()),
    );
    let facts = crate::notify::CaseFacts::of(record);
    if let Err(e) = mail.queue_reply(&composer, &facts, added.attachments.len(), replied) {
        tracing::error!("no mail to staff about the reply to {}: {e}", record.ticket);
    }
}

/// The case page after a stored reply.
fn sent(state: &AppState, published: &Published, added: &AddedToCase) -> Response<Body> {
    let mut case = opened(state, published, &added.after);
    if let Some(form) = case.reply.as_mut() {
        form.sent = match added.attachments.len() {
            0 => "Balasan Anda sudah kami terima dan diteruskan kepada petugas.".into(),
            n => format!(
                "Balasan dan {n} berkas Anda sudah kami terima dan diteruskan kepada petugas."
            ),
        };
    }
    found(published, StatusCode::OK, case)
}

/// The case page again with what was wrong with the reply (422); nothing
/// was written.
fn back(
    state: &AppState,
    published: &Published,
    record: &Record,
    typed: &str,
    errors: &[FieldError],
) -> Response<Body> {
    let mut case = opened(state, published, record);
    if let Some(form) = case.reply.as_mut() {
        form.text = typed.to_string();
        for e in errors {
            let id = format!("b-{}", e.field);
            if e.field == REPLY {
                form.text_error = e.message.clone();
            } else if let Some(f) = form.files.iter_mut().find(|f| f.name == e.field) {
                f.error = e.message.clone();
            }
            form.errors.push(SummaryError {
                id,
                message: e.message.clone(),
            });
        }
    }
    found(published, StatusCode::UNPROCESSABLE_ENTITY, case)
}

/// Whether `path` is a reply's.
pub fn is_reply_path(path: &str) -> bool {
    path.starts_with(PREFIX)
}
