//! `/cek-status/`: a citizen looks a case up with its ticket and access
//! code. GET shows the form; the form is POSTed (the code is never in a
//! URL) and the answer is the case: its status in plain words, the steps
//! with their dates, the deadline, a meeting's schedule, staff's public
//! messages, and the result or reason once it is closed. Nothing personal
//! but the name the citizen typed; staff's internal notes never.
//!
//! An unknown ticket and a wrong code get the same page and status, after
//! the same work (the code is always checked against a hash, a dummy one
//! when there is no record: [`AccessKey::verify`]). Answers are `noindex`
//! and `no-store`; nothing typed is logged.
//!
//! Guessing is bounded twice (issue 24; docs/security.md says why):
//!
//! - per ticket, from anywhere: [`TICKET_FAILURES`] wrong codes for one
//!   ticket within `--rate-window-secs` close that ticket's lookup until
//!   the first of them is a window old, even with the right code (429,
//!   saying what to do).
//!   This is what bounds guessing one citizen's code from many addresses.
//!   The count is kept whether the ticket exists or not, so a closed lookup
//!   says nothing about that; an attempt counts before its code is checked
//!   (a right code gives it back), so guesses sent at once are bounded too.
//! - per client address: past `--lookup-rate-limit` wrong lookups in the
//!   window, a wrong code gets 429 instead of "no match", but the right
//!   code still opens its case, so one person's typos do not lock out
//!   everyone behind the same carrier address. Past [`HARD_FACTOR`] times
//!   that limit the address is refused outright: this bounds one address
//!   scanning many tickets.
//!
//! Successful lookups are never counted.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};

use super::messages;
use super::shown_once::ShownOnce;
use super::{
    AppState, Body, Published, RateLimiter, method_not_allowed, refused, rendered, status_page,
};
use crate::cases::access::{self, AccessKey};
use crate::cases::ticket::Ticket;
use crate::cases::{self, Record};
use crate::core::dates::{self, WIB};
use crate::core::limit::Limiter;
use crate::core::web;
use crate::forms::Forms;
use crate::forms::spec::{Need, StepSpec};
use crate::site::render::{LookupCase, LookupError, LookupStep, LookupView};

pub mod reply;

pub const PATH: &str = "/cek-status/";

/// Largest lookup form accepted.
const MAX_BODY: usize = 4096;
/// Longest a lookup form may take to arrive.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// Wrong codes for one ticket, from anywhere, before its lookup closes
/// for the rest of the window.
pub const TICKET_FAILURES: u32 = 5;
/// An address is refused outright past this many times its limit of
/// failed lookups.
pub const HARD_FACTOR: u32 = 10;
/// Tickets whose wrong codes are remembered at most (a few MB). Expired
/// ones go first (looked for at most once a second); while every one is
/// live, a ticket not yet counted is refused like a closed one: forgetting
/// a count, or not counting, would let a guesser who filled the table go
/// unbounded.
const MAX_TICKETS: usize = 100_000;

/// What citizens' access to their cases needs while the server runs.
pub struct Lookups {
    pub key: AccessKey,
    /// Failed lookups per client address: past it only the right code opens
    /// (unknown survey codes count here too: `server::survey`).
    pub(super) limiter: RateLimiter,
    /// The same at [`HARD_FACTOR`] times the limit: past it, nothing does.
    hard_limiter: RateLimiter,
    /// Wrong codes per ticket (at most [`MAX_TICKETS`] tickets).
    tickets: Limiter<String>,
    /// Receipts (`/terkirim/`) of tickets that do not exist, per address.
    pub receipts: RateLimiter,
    /// Codes waiting to be shown on the confirmation page.
    pub once: Arc<ShownOnce>,
}

impl Lookups {
    pub fn new(key: AccessKey, failures: u32, window: Duration) -> Lookups {
        Lookups {
            key,
            limiter: RateLimiter::new(failures, window),
            hard_limiter: RateLimiter::new(failures.saturating_mul(HARD_FACTOR), window),
            tickets: Limiter::new(TICKET_FAILURES, window).at_most(MAX_TICKETS),
            receipts: RateLimiter::new(failures, window),
            once: Arc::default(),
        }
    }
}

pub(super) async fn handle(
    state: &AppState,
    published: &Published,
    req: Request<Incoming>,
    ip: IpAddr,
) -> Response<Body> {
    match *req.method() {
        Method::GET | Method::HEAD => page(
            published,
            StatusCode::OK,
            &LookupView {
                state: "form",
                ..LookupView::default()
            },
        ),
        Method::POST => post(state, published, req, ip).await,
        _ => method_not_allowed(published, "GET, HEAD, POST"),
    }
}

async fn post(
    state: &AppState,
    published: &Published,
    req: Request<Incoming>,
    ip: IpAddr,
) -> Response<Body> {
    let client = super::proxy::client_ip(&req, ip, &state.limits.trust_proxy);
    // Taken before anything is read; kept only if the lookup fails. Past
    // the soft limit the lookup goes on: only a wrong code is refused.
    let soft = state.lookups.limiter.reserve_ip(client);
    let hard = match state.lookups.hard_limiter.reserve_ip(client) {
        Ok(reservation) => reservation,
        Err(wait) => {
            return refused(published, messages::LOOKUPS_TOO_FREQUENT, Some(wait), PATH);
        }
    };
    if web::media_type(req.headers()) != web::URLENCODED {
        return refused(published, messages::LOOKUP_NOT_FORM, None, PATH);
    }
    let body = Limited::new(req.into_body(), MAX_BODY).collect();
    let body = match tokio::time::timeout(BODY_TIMEOUT, body).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(_)) => {
            return refused(published, messages::LOOKUP_TOO_LONG, None, PATH);
        }
        Err(_) => {
            return refused(published, messages::LOOKUP_TOO_SLOW, None, PATH);
        }
    };
    let (mut typed_ticket, mut typed_code) = (String::new(), String::new());
    for (name, value) in form_urlencoded::parse(&body) {
        match name.as_ref() {
            "tiket" if typed_ticket.is_empty() => typed_ticket = value.chars().take(64).collect(),
            "kode" if typed_code.is_empty() => typed_code = value.chars().take(64).collect(),
            _ => {}
        }
    }
    let ticket = Ticket::parse(&typed_ticket);
    let code = access::normalize(&typed_code);
    let mut view = LookupView {
        state: "form",
        ticket: typed_ticket.trim().to_string(),
        ..LookupView::default()
    };
    let (Some(ticket), Some(code)) = (ticket.as_ref(), code.as_deref()) else {
        // Not a ticket or code at all: said plainly, and not counted
        // (it tells nothing about any case).
        if ticket.is_none() {
            view.tiket_error = if typed_ticket.trim().is_empty() {
                messages::TICKET_MISSING.into()
            } else {
                messages::TICKET_MALFORMED.into()
            };
            view.errors.push(LookupError {
                field: "tiket",
                message: view.tiket_error.clone(),
            });
        }
        if code.is_none() {
            let unused = access::unused_symbols(&typed_code);
            view.kode_error = if typed_code.trim().is_empty() {
                messages::CODE_MISSING.into()
            } else if !unused.is_empty() {
                // The letters named, and the length too when it is wrong.
                let length = access::typed_len(&typed_code) != access::CODE_LEN;
                let shape = if length { messages::CODE_MALFORMED } else { "" };
                format!("{shape} {}", messages::code_unused_symbols(&unused))
                    .trim()
                    .to_string()
            } else {
                messages::CODE_MALFORMED.into()
            };
            view.errors.push(LookupError {
                field: "kode",
                message: view.kode_error.clone(),
            });
        }
        return page(published, StatusCode::UNPROCESSABLE_ENTITY, &view);
    };
    // Counted before the code is checked, so that attempts sent at once are
    // counted one by one; a right code gives it back.
    let attempt = match state
        .lookups
        .tickets
        .reserve(ticket.to_string(), Instant::now())
    {
        Ok(attempt) => attempt,
        // Not counted against the address: nothing was tried.
        Err(wait) => {
            return status_page(published, messages::TICKET_GUESSED, Some(wait), PATH);
        }
    };
    let record = read(state, ticket).await;
    let stored = record.as_ref().and_then(|r| r.access_code_hash.as_deref());
    if !state.lookups.key.verify(ticket.as_str(), code, stored) {
        attempt.confirm();
        hard.confirm();
        return match soft {
            Ok(reservation) => {
                reservation.confirm();
                view.no_match = true;
                page(published, StatusCode::UNPROCESSABLE_ENTITY, &view)
            }
            Err(wait) => status_page(published, messages::LOOKUPS_TOO_FREQUENT, Some(wait), PATH),
        };
    }
    let Some(record) = record else {
        // verify() is false without a record.
        return page(published, StatusCode::UNPROCESSABLE_ENTITY, &view);
    };
    drop((soft, hard, attempt));
    let mut case = opened(state, published, &record);
    super::survey::offer(&mut case, &record, state);
    found(published, StatusCode::OK, case)
}

/// The case of `record` as its citizen reads it today: whether it is late
/// and, while it waits for them, the form to answer.
fn opened(state: &AppState, published: &Published, record: &Record) -> LookupCase {
    let mut case = case_view(record, &published.specs);
    let pauses = published.site.config.office.pause_while_waiting;
    add_lateness(
        &mut case,
        record,
        &published.specs,
        (dates::today(), pauses),
    );
    reply::offer(&mut case, record, state, published);
    case
}

fn found(published: &Published, status: StatusCode, case: LookupCase) -> Response<Body> {
    let view = LookupView {
        state: "found",
        case: Some(case),
        ..LookupView::default()
    };
    page(published, status, &view)
}

/// A record of a usual size, parsed when there is none, so that both
/// answers cost about the same.
const STAND_IN: &str = "# KP-20261127-CDFH · Konsultasi dan pengaduan masalah usaha\n# Diterima 2026-11-27T10:15:03+07:00. Jangan ubah ticket, kind, received_at dan attachments.\nticket: KP-20261127-CDFH\nkind: permohonan\nreceived_at: 2026-11-27T10:15:03+07:00\nstatus: baru\nresponse_due: 2026-12-04\ncompletion_due: 2026-12-04\nfields:\n  jenis: konsultasi\n  nama: Nama Contoh Panjang\n  nik: 3517 0152 0590 0001\n  alamat: Jl. Contoh No. 1, RT 02/RW 03, Kelurahan Contoh, Kecamatan Contoh\n  telepon: 0812 3456 7890\n  email: nama@contoh.id\n  nama_usaha: Usaha Contoh\n  bidang_usaha: Makanan ringan\n  alamat_usaha: Pasar Contoh Blok B-12\n  uraian: Uraian masalah usaha yang cukup panjang untuk menyamai kiriman biasa, dua atau tiga kalimat.\n  termohon_nama: ''\n  termohon_kontak: ''\n  persetujuan: ya\nnormalized:\n  nik: '3517015205900001'\n  telepon: '+6281234567890'\nattachments:\n- field: ktp\n  stored_name: ktp.jpg\n  original_name: foto ktp.jpg\n  size: 183204\n  type: image/jpeg\n  sha256: 5f1c0000000000000000000000000000000000000000000000000000000000aa\naccess_code_hash: hmac-sha256:0000000000000000000000000000000000000000000000000000000000000000\nhistory: []\n";

/// The record of `ticket`, or `None` for every reason there is none to show.
async fn read(state: &AppState, ticket: &Ticket) -> Option<Record> {
    let data = state.store.root().to_path_buf();
    let ticket = ticket.to_string();
    let found = tokio::task::spawn_blocking(move || cases::find(&data, &ticket))
        .await
        .ok()?;
    match found {
        Ok((record, _)) => Some(record),
        Err(cases::RecordError::NotFound(_) | cases::RecordError::BadTicket(_)) => {
            // As much work as reading a record: an unknown ticket should
            // not answer faster than a known one with a wrong code.
            let _ = std::hint::black_box(Record::parse(
                std::path::Path::new("-"),
                std::hint::black_box(STAND_IN),
            ));
            None
        }
        Err(cases::RecordError::Invalid(d)) => {
            tracing::error!("lookup: unreadable record {}", d.path.display());
            None
        }
        Err(e) => {
            tracing::error!("lookup: {e}");
            None
        }
    }
}

fn page(published: &Published, status: StatusCode, view: &LookupView) -> Response<Body> {
    // The empty form is a public page search engines may list; what a
    // lookup answers is not.
    let listed = status == StatusCode::OK && view.state == "form";
    rendered(
        published,
        (status, listed),
        messages::LOOKUP_FAILED,
        |out| published.renderer().render_lookup(view, out),
    )
}

/// The case as its citizen sees it, in the words of its form (of a form the
/// site no longer has: its ids); each step in the words of the form it was
/// taken in.
pub fn case_view(record: &Record, forms: &Forms) -> LookupCase {
    let form = forms.of(record).map(|f| &**f);
    let closed = record.is_closed(form);
    let step_of = |id: &str| form.and_then(|f| f.step(id));
    let words = |step: Option<&StepSpec>, id: &str| {
        step.map_or_else(|| id.to_string(), |s| s.status.clone())
    };
    let taken = record.history_forms();
    let steps = record
        .history
        .iter()
        .zip(taken)
        .filter(|(h, _)| reply::shown(h))
        .map(|(h, taken_in)| {
            let step = forms.get(taken_in).and_then(|f| f.step(&h.status));
            let label = step.and_then(|s| s.outcome());
            LookupStep {
                date: dates::format_long(h.at.to_offset(WIB).date()),
                words: reply::words(h).unwrap_or_else(|| words(step, &h.status)),
                berkas: h.berkas.clone().unwrap_or_default(),
                outcome_label: label.unwrap_or(""),
                outcome: match label {
                    Some(_) => h.note.clone().unwrap_or_default(),
                    None => String::new(),
                },
                public_note: h.public_note.clone().unwrap_or_default(),
                message: h.message,
                late_reason: h.late_reason.clone().unwrap_or_default(),
            }
        })
        .collect();
    let now = step_of(&record.status);
    let meeting = now
        .is_some_and(|s| s.needs(Need::Meeting))
        .then(|| record.history.iter().rev().find_map(|h| h.meeting.as_ref()))
        .flatten();
    let due = record.promised_due();
    // A term until the first response is kept once there is one.
    let answered = form.is_some_and(|f| f.term.until == crate::forms::spec::Until::Tanggapan)
        && record.first_response_at.is_some();
    let capitalized = crate::core::text::capitalized;
    LookupCase {
        ticket: record.ticket.clone(),
        noun: form.map_or_else(|| "Formulir".to_string(), |f| capitalized(&f.noun)),
        kind_label: form.map_or_else(|| record.kind.clone(), |f| f.title.clone()),
        name: record.name(form).to_string(),
        status: now.map_or_else(|| record.status.clone(), |s| s.id.clone()),
        status_words: words(now, &record.status),
        closed,
        received: dates::format_long(record.received_date()),
        verb: form.map_or("diselesaikan", |f| f.verb().0),
        due: if answered {
            String::new()
        } else {
            dates::format_with_weekday(due)
        },
        due_iso: dates::format_iso(due),
        due_note: record.due_note.clone().unwrap_or_default(),
        meeting_when: meeting.map(|m| m.when()).unwrap_or_default(),
        meeting_place: meeting.map(|m| m.place.clone()).unwrap_or_default(),
        outcome_label: if closed {
            now.and_then(|s| s.outcome()).unwrap_or("")
        } else {
            ""
        },
        outcome: if closed {
            record.result.clone().unwrap_or_default()
        } else {
            String::new()
        },
        steps,
        ..LookupCase::default()
    }
}

/// Says on `case` whether `record` is past its deadline on `today` (open;
/// never while it waits for its citizen when the office `pauses` the
/// clock), or was closed after it, and staff's last reason for the delay.
pub fn add_lateness(
    case: &mut LookupCase,
    record: &Record,
    forms: &Forms,
    (today, pauses): (time::Date, bool),
) {
    let form = forms.of(record).map(|f| &**f);
    let due = dates::format_with_weekday(record.promised_due());
    if record.is_overdue(form, today, pauses) {
        case.late_since = due;
    } else if record.is_closed(form) {
        let day = |at: time::OffsetDateTime| at.to_offset(WIB).date();
        let responded_late = record
            .first_response_at
            .is_some_and(|at| day(at) > record.response_due);
        let completed_late = record
            .completion_due
            .zip(record.completed_at)
            .is_some_and(|(due, at)| day(at) > due);
        if responded_late || completed_late {
            case.closed_late = due;
        }
    }
    case.late_reason = record
        .history
        .iter()
        .rev()
        .find_map(|h| h.late_reason.clone())
        .unwrap_or_default();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_wrong_codes_close_a_ticket_until_the_window_ends() {
        let window = Duration::from_secs(600);
        let lookups = Lookups::new(AccessKey::from_bytes([7; 32]).unwrap(), 10, window);
        let guesses = &lookups.tickets;
        let start = Instant::now();
        let ticket = || "KP-20261127-CDFH".to_string();
        // A right code gives its attempt back.
        for _ in 0..10 {
            drop(guesses.reserve(ticket(), start).unwrap());
        }
        for i in 0..TICKET_FAILURES {
            let at = start + Duration::from_secs(u64::from(i));
            assert!(guesses.count(ticket(), at).is_ok(), "{i}");
        }
        let later = start + Duration::from_secs(100);
        assert_eq!(
            guesses.count(ticket(), later),
            Err(Duration::from_secs(500))
        );
        assert!(
            guesses.count("KP-20261127-CDFJ".into(), later).is_ok(),
            "another ticket"
        );
        // Each wrong code is forgotten a window after it was tried.
        assert!(guesses.count(ticket(), start + window).is_ok());
        assert!(guesses.count(ticket(), start + window).is_err());
    }

    #[test]
    fn a_full_table_refuses_new_tickets_until_some_expire() {
        let window = Duration::from_secs(600);
        let lookups = Lookups::new(AccessKey::from_bytes([7; 32]).unwrap(), 10, window);
        let guesses = &lookups.tickets;
        let start = Instant::now();
        for i in 0..MAX_TICKETS {
            assert!(guesses.count(format!("T{i}"), start).is_ok());
        }
        let soon = start + Duration::from_secs(5);
        assert!(guesses.count("KP-20261127-CDFH".into(), soon).is_err());
        assert!(
            guesses.count("T1".into(), soon).is_ok(),
            "counted ones go on"
        );
        assert!(
            guesses
                .count("KP-20261127-CDFH".into(), start + window)
                .is_ok()
        );
    }

    /// A complaint answered within its term: /cek-status/ no longer says by
    /// when it will be answered; a request keeps its completion date.
    #[test]
    fn an_answered_complaint_shows_no_response_deadline() {
        let forms = Forms::builtin();
        let text = "ticket: PL-20261127-CDFH\nkind: pengaduan-layanan\nreceived_at: 2026-11-27T10:00:00+07:00\nstatus: ditanggapi\nresponse_due: 2026-12-02\nfirst_response_at: 2026-11-30T09:00:00+07:00\nhistory:\n- at: 2026-11-30T09:00:00+07:00\n  status: ditanggapi\n  by: budi\n  note: Petugas sudah ditegur.\n";
        let record = Record::parse(std::path::Path::new("r.yaml"), text).unwrap();
        let case = case_view(&record, forms);
        assert_eq!(case.due, "");
        assert_eq!(case.status_words, "Sudah ditanggapi");
        assert_eq!(case.steps[0].outcome_label, "Tanggapan");
        assert_eq!(case.steps[0].outcome, "Petugas sudah ditegur.");
        let request = text
            .replace("PL-", "KP-")
            .replace("kind: pengaduan-layanan", "kind: permohonan")
            .replace("ditanggapi", "diperiksa");
        let record = Record::parse(std::path::Path::new("r.yaml"), &request).unwrap();
        assert_ne!(case_view(&record, forms).due, "");
    }
}
