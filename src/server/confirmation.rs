//! `GET /terkirim/?tiket=…`: the receipt a citizen sees after sending a
//! form. It is read from the stored record, so it shows only tickets that
//! were issued, with the deadline the record holds and the case's state
//! (a rejected case does not say it will be handled). It holds no personal
//! data: ticket, kind, date of receipt, deadline, state; and, once, to the
//! browser that sent the form, the access code ([`super::shown_once`]);
//! that browser's reloads say it was shown and whom to ask.
//!
//! A 404 says a ticket was never issued, so receipts of tickets that do not
//! exist are counted per client address (`--lookup-rate-limit` per
//! `--rate-window-secs`, like failed status lookups). Past that, the
//! address gets 429 for every receipt, existing or not (so the answer
//! tells nothing), except the one its browser holds the one-time cookie
//! for: a citizen just redirected there from the form always sees it.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::Mutex;

use hyper::{Request, Response, StatusCode};

use super::shown_once::Seen;
use super::{AppState, Body, Published, html, messages, shown_once, status_page};
use crate::cases::access;
use crate::cases::ticket::Ticket;
use crate::cases::waiting;
use crate::cases::{self, Record, RecordError};
use crate::core::dates;
use crate::forms::spec::FormSpec;
use crate::site::render::ConfirmationView;
use crate::site::terms::Unit;

/// Tickets shown to robots that filled in the honeypot: they get a receipt
/// like everyone else, though nothing was stored. Bounded: the oldest go.
#[derive(Debug, Default)]
pub struct Decoys(Mutex<VecDeque<String>>);

const DECOYS_KEPT: usize = 256;

impl Decoys {
    pub fn remember(&self, ticket: &Ticket) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() == DECOYS_KEPT {
            kept.pop_front();
        }
        kept.push_back(ticket.to_string());
    }

    fn contains(&self, ticket: &Ticket) -> bool {
        let kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter().any(|t| t == ticket.as_str())
    }
}

pub(super) async fn page<B>(
    state: &AppState,
    published: &Published,
    req: &Request<B>,
    ip: IpAddr,
) -> Response<Body> {
    let ticket = req
        .uri()
        .query()
        .and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "tiket")
                .map(|(_, v)| v.into_owned())
        })
        .and_then(|t| Ticket::parse(&t));
    let Some(ticket) = ticket else {
        return not_found(published);
    };
    // The code, if this browser holds it: it goes with the page below.
    let token = shown_once::token_of(req.headers());
    let seen = token
        .as_deref()
        .and_then(|t| state.lookups.once.take(t, ticket.as_str()));
    let counted = match seen {
        Some(_) => None,
        None => {
            let client = super::proxy::client_ip(req, ip, &state.limits.trust_proxy);
            match state.lookups.receipts.reserve_ip(client) {
                Ok(reservation) => Some(reservation),
                Err(wait) => {
                    return status_page(published, messages::RECEIPTS_TOO_FREQUENT, Some(wait), "");
                }
            }
        }
    };
    let view = if state.decoys.contains(&ticket) {
        decoy_view(state, published, &ticket)
    } else {
        match cases::find(state.store.root(), ticket.as_str()) {
            Ok((record, _)) => Some(view_of(published, &record)),
            Err(RecordError::NotFound(_) | RecordError::BadTicket(_)) => None,
            // A record that exists but cannot be read is for staff to
            // fix; the citizen sees "not found" rather than our troubles.
            // Logged without the parser's message, which may quote values.
            Err(RecordError::Invalid(d)) => {
                tracing::error!("receipt: unreadable record {}", d.path.display());
                None
            }
            Err(e) => {
                tracing::error!("receipt: {e}");
                None
            }
        }
    };
    let Some(mut view) = view else {
        if let Some(reservation) = counted {
            reservation.confirm();
        }
        return not_found(published);
    };
    drop(counted);
    match &seen {
        Some(Seen::Code(code)) => view.access_code = access::display(code),
        Some(Seen::Before) => view.code_shown_before = true,
        None => {}
    }
    let mut out = Vec::new();
    match published.renderer().render_confirmation(&view, &mut out) {
        Ok(()) => {
            let mut response = html(StatusCode::OK, out);
            match (token.as_deref(), &seen) {
                // Kept, so that a reload says the code was shown.
                (Some(token), Some(_)) => {
                    shown_once::keep_shown_cookie(&mut response, token, published)
                }
                (Some(_), None) => shown_once::set_cookie(&mut response, None, published),
                (None, _) => {}
            }
            response
        }
        Err(d) => {
            tracing::error!("{d}");
            status_page(published, messages::RECEIPT_FAILED, None, "")
        }
    }
}

fn not_found(published: &Published) -> Response<Body> {
    status_page(published, messages::TICKET_UNKNOWN, None, "")
}

/// The receipt of a stored record (of a form the site no longer has: in
/// general words).
fn view_of(published: &Published, record: &Record) -> ConfirmationView {
    let form = published.specs.of(record);
    let term = published.terms.get(&record.kind);
    let due = record.promised_due();
    let verb = match form {
        Some(f) => f.verb().0,
        None if record.completion_due.is_some() => "diselesaikan",
        None => "ditanggapi",
    };
    let state = match form.and_then(|f| f.step(&record.status)) {
        Some(step) => step.state(),
        // A form the site no longer has: closed as /cek-status/ says.
        None if record.is_closed(None) => "selesai",
        None => "proses",
    };
    ConfirmationView {
        ticket: record.ticket.clone(),
        noun: form.map_or_else(|| "formulir".to_string(), |f| f.noun.clone()),
        kind_label: form.map_or_else(|| record.kind.clone(), |f| f.title.clone()),
        next_steps: form
            .map(|f| f.next_steps_for(|name| record.fields.get(name)))
            .unwrap_or_default(),
        received: dates::format_long(record.received_date()),
        verb,
        due: dates::format_with_weekday(due),
        due_iso: dates::format_iso(due),
        due_days: term.map_or(0, |t| t.count),
        due_unit: term.map_or(Unit::WorkingDays, |t| t.unit).words(),
        due_note: record.due_note.clone().unwrap_or_default(),
        state,
        access_code: String::new(),
        code_shown_before: false,
        anonymous: record
            .confidential
            .as_ref()
            .is_some_and(|c| c.is_anonymous()),
        waiting: form
            .map(|f| waiting_words(published, f))
            .unwrap_or_default(),
    }
}

/// The next steps a decoy shows: one branch, as a real receipt does, picked
/// by the ticket so that a reload shows the same.
fn decoy_steps(form: &FormSpec, ticket: &Ticket) -> Vec<String> {
    let pick = ticket.to_string().bytes().fold(0usize, |n, b| {
        n.wrapping_mul(31).wrapping_add(usize::from(b))
    });
    form.next_steps_for(|name| {
        let values: Vec<&str> = form.field(name)?.values().collect();
        values.get(pick % values.len().max(1)).copied()
    })
}

/// The receipt's words on waiting for the citizen ([`waiting::receipt_words`]).
fn waiting_words(published: &Published, form: &FormSpec) -> String {
    waiting::receipt_words(form, published.site.config.office.pause_while_waiting)
}

/// The receipt a robot sees: deadlines as a real submission of that day
/// would get.
fn decoy_view(
    state: &AppState,
    published: &Published,
    ticket: &Ticket,
) -> Option<ConfirmationView> {
    let form = published.specs.by_prefix(ticket.prefix())?;
    let received = ticket.date()?;
    let deadlines = published
        .terms
        .deadlines_on(&form.id, received, &state.calendar())?;
    let due = deadlines.completion.unwrap_or(deadlines.response);
    let term = published.terms.get(&form.id)?;
    Some(ConfirmationView {
        ticket: ticket.to_string(),
        noun: form.noun.clone(),
        kind_label: form.title.clone(),
        next_steps: decoy_steps(form, ticket),
        received: dates::format_long(received),
        verb: term.verb(),
        due: dates::format_with_weekday(due.date),
        due_iso: dates::format_iso(due.date),
        due_days: term.count,
        due_unit: term.unit.words(),
        due_note: due.note().unwrap_or_default(),
        state: "proses",
        access_code: String::new(),
        code_shown_before: false,
        anonymous: form.anonymous,
        waiting: waiting_words(published, form),
    })
}
