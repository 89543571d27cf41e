//! Form posts: request -> limits -> parse (files streamed to a draft on disk,
//! files held from an earlier round taken in) -> validate the text -> decode
//! the files -> validate them -> durable store -> 303 to the confirmation
//! page. A post whose text is wrong does not decode its files: they are held
//! raw. A post with files is counted against the upload budget
//! (`AppState::uploads`) whatever comes of it. A form with mistakes comes
//! back (422) with everything typed and its accepted files held for the next
//! round; anything else wrong gets a page in Bahasa Indonesia. Nothing is
//! stored but an accepted submission.

use std::io;
use std::net::IpAddr;
use std::sync::Arc;

use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};

use super::messages;
use super::{
    AppState, Body, CONFIRMATION_PATH, Published, close_connection, declared_over, html, refused,
    shown_once, status_page,
};
use crate::cases::access;
use crate::cases::recent::Claim;
use crate::cases::ticket::Ticket;
use crate::core::limit::Reservation;
use crate::core::{dates, web};
use crate::forms::spec::FormSpec;
use crate::forms::validate::{FieldError, Normalized};
use crate::forms::view::FormView;
use crate::server::intake::{
    self, Input, IntakeLimits, ReadError, max_body, read_multipart, read_urlencoded,
};
use crate::site::markdown;
use crate::work::submit::Submission;

pub(super) async fn submit(
    state: &AppState,
    published: &Published,
    req: Request<Incoming>,
    index: usize,
    form: Arc<FormSpec>,
    ip: IpAddr,
) -> Response<Body> {
    let back = published.site.pages[index].url.clone();
    // Taken before the body is read, given back unless the post is accepted.
    let reservation = match state.limiter.reserve_ip(ip) {
        Ok(reservation) => reservation,
        Err(wait) => {
            return refused(
                published,
                messages::SUBMISSIONS_TOO_FREQUENT,
                Some(wait),
                &back,
            );
        }
    };
    let limits = state.limits.intake();
    let max_body = max_body(&*form, &limits);
    if declared_over(&req, max_body) {
        return read_error(state, published, ReadError::TooLarge, &back);
    }
    let parsed = match web::media_type(req.headers()).as_str() {
        "multipart/form-data" => multipart(state, &limits, &form, req).await,
        web::URLENCODED => {
            let body = req.into_body().into_data_stream();
            read_urlencoded(&state.store, &limits, &form, body).await
        }
        _ => {
            return refused(published, messages::FORM_NOT_MULTIPART, None, &back);
        }
    };
    let mut input = match parsed {
        Ok(input) => input,
        Err(e) => return read_error(state, published, e, &back),
    };
    if input.honeypot {
        // A robot: looks accepted (and counts as such), is not stored.
        return match Ticket::new(&form.ticket_prefix, dates::today())
            .and_then(|t| Ok((access::new_code()?, t)))
        {
            Ok((code, ticket)) => {
                reservation.confirm();
                state.decoys.remember(&ticket);
                let token = match form.anonymous {
                    true => None,
                    false => state.lookups.once.hold(ticket.as_str(), &code),
                };
                see_confirmation(published, &ticket, token.as_deref())
            }
            Err(e) => storage_error(published, e, &back),
        };
    }
    if let Some(token) = input.held_token.take() {
        input = match intake::take_held(&state.store, form.clone(), input, token).await {
            Ok(input) => input,
            Err(e) => return storage_error(published, e, &back),
        };
    }
    if input.draft.has_unchecked() {
        // Counted whatever comes of it, sent back or not: each post with
        // files costs a decode or a held copy.
        match state.uploads.reserve_ip(ip) {
            Ok(counted) => counted.confirm(),
            Err(wait) => {
                return refused(published, messages::UPLOADS_TOO_FREQUENT, Some(wait), &back);
            }
        }
    }
    // The text first: when it is wrong, the uploads are held as they came,
    // not decoded.
    let checked = match intake::check(&form, &mut input, limits.max_file_bytes).await {
        Ok(checked) => checked,
        Err(e) => return storage_error(published, e, &back),
    };
    match checked {
        Err(errors) => send_back(state, published, index, &form, input, &errors).await,
        Ok(normalized) => {
            accept(
                state,
                published,
                form,
                input,
                normalized,
                reservation,
                &back,
            )
            .await
        }
    }
}

/// Commits an accepted submission and answers 303 with its ticket; a
/// resend of one accepted (or being committed) gets that one's ticket and
/// is neither stored nor counted again.
async fn accept(
    state: &AppState,
    published: &Published,
    form: Arc<FormSpec>,
    input: Input,
    normalized: Normalized,
    reservation: Reservation<u128>,
    back: &str,
) -> Response<Body> {
    let received = time::OffsetDateTime::now_utc().to_offset(dates::WIB);
    let Input { text, draft, .. } = input;
    let calendar = state.calendar();
    let terms = (&published.terms, &*calendar);
    let submission = match Submission::new(form, received, (text, normalized), draft, terms) {
        Ok(submission) => submission,
        Err(e) => {
            tracing::error!("{e}");
            return internal_error(published, back);
        }
    };
    let recent = state.store.recent().clone();
    let fingerprint = submission.fingerprint();
    // A resend is answered with the first ticket, and with its code while
    // that is still unseen.
    let again = |ticket: &Ticket| {
        let token = state.lookups.once.again(ticket.as_str());
        see_confirmation(published, ticket, token.as_deref())
    };
    loop {
        match recent.claim(fingerprint) {
            Claim::Accepted(ticket) => return again(&ticket),
            Claim::Committing(first) => {
                if let Some(ticket) = Claim::outcome(first).await {
                    return again(&ticket);
                }
                // The first one failed: this one tries.
            }
            Claim::Lead(lead) => {
                let code = match submission.takes_code().then(access::new_code).transpose() {
                    Ok(code) => code,
                    Err(e) => return storage_error(published, e, back),
                };
                let store = state.store.clone();
                let key = state.lookups.key.clone();
                let once = state.lookups.once.clone();
                let mail = state.mail().map(|mail| {
                    (
                        mail.clone(),
                        mail.composer(
                            &published.site.config,
                            (published.templates.clone(), published.specs.clone()),
                        ),
                    )
                });
                // A task of its own, so that the outcome is remembered (and
                // counted) even if the citizen's browser stops waiting, as
                // it does when the button is pressed again.
                let committing = tokio::spawn(async move {
                    let mail = mail.as_ref().map(|(m, c)| (m, c.clone()));
                    let committed = submission.commit(&store, key, code.clone(), mail).await;
                    let token = match &committed {
                        Ok(ticket) => {
                            // Held before a resend can find the ticket.
                            let token = code.and_then(|code| once.hold(ticket.as_str(), &code));
                            reservation.confirm();
                            lead.accepted(ticket);
                            token
                        }
                        Err(_) => None,
                    };
                    committed.map(|ticket| (ticket, token))
                });
                return match committing.await.map_err(io::Error::other) {
                    Ok(Ok((ticket, token))) => {
                        see_confirmation(published, &ticket, token.as_deref())
                    }
                    Ok(Err(e)) | Err(e) => storage_error(published, e, back),
                };
            }
        }
    }
}

/// The form again (422) with what was typed, the errors, and the accepted
/// files held for the next round (raw, if the text was wrong and they were
/// not decoded).
async fn send_back(
    state: &AppState,
    published: &Published,
    index: usize,
    spec: &FormSpec,
    input: Input,
    errors: &[FieldError],
) -> Response<Body> {
    let page = &published.site.pages[index];
    let Input { text, draft, .. } = input;
    let chosen = !draft.attachments().is_empty() || draft.has_unchecked();
    let held = intake::hold(&state.store, draft).await;
    let body = markdown::render(page.body.as_deref().unwrap_or_default());
    let purpose = published
        .site
        .config
        .privacy
        .purpose_for(&spec.id, &spec.noun);
    let view =
        FormView::new(spec, &page.url, state.max_upload_mb, &purpose).with_input(&text, errors);
    let view = match &held {
        Some(held) => intake::with_held(view, held),
        None if chosen => view.asking_again(),
        None => view,
    };
    let mut out = Vec::new();
    match published
        .renderer()
        .render_page(index, &body, Some(&view), &mut out)
    {
        Ok(()) => html(StatusCode::UNPROCESSABLE_ENTITY, out),
        Err(d) => {
            tracing::error!("{d}");
            internal_error(published, &page.url)
        }
    }
}

/// 303 to the confirmation page; the URL carries the ticket and nothing else.
/// `token` (a cookie) lets that page show the access code once.
fn see_confirmation(published: &Published, ticket: &Ticket, token: Option<&str>) -> Response<Body> {
    let location = format!("{CONFIRMATION_PATH}?tiket={ticket}");
    let body = format!(
        "<!DOCTYPE html><html lang=\"id\"><meta charset=\"utf-8\"><title>Terkirim</title><p><a href=\"{location}\">Lihat tanda terima</a></p>"
    );
    let mut response = html(StatusCode::SEE_OTHER, body.into_bytes());
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    if let Some(token) = token {
        shown_once::set_cookie(&mut response, Some(token), published);
    }
    response
}

/// A multipart post read by `form`'s fields.
pub(super) async fn multipart(
    state: &AppState,
    limits: &IntakeLimits,
    form: &FormSpec,
    req: Request<Incoming>,
) -> Result<Input, ReadError> {
    let content_type = req.headers().get(header::CONTENT_TYPE);
    let content_type = content_type.and_then(|v| v.to_str().ok()).unwrap_or("");
    let boundary = multer::parse_boundary(content_type)
        .map_err(|_| ReadError::BadRequest("no multipart boundary"))?;
    let body = req.into_body().into_data_stream();
    read_multipart(&state.store, limits, (form, &[]), body, boundary).await
}

pub(super) fn read_error(
    state: &AppState,
    published: &Published,
    e: ReadError,
    back: &str,
) -> Response<Body> {
    let mut response = match e {
        ReadError::BadRequest(why) => {
            tracing::warn!("rejected form post: {why}");
            status_page(published, messages::FORM_UNREADABLE, None, back)
        }
        ReadError::TooLarge => {
            let mb = state.max_upload_mb;
            status_page(published, messages::file_too_large(mb), None, back)
        }
        ReadError::TextTooLong => status_page(published, messages::FIELD_FAR_TOO_LONG, None, back),
        ReadError::Timeout => status_page(published, messages::FORM_TOO_SLOW, None, back),
        ReadError::Storage(e) => return storage_error(published, e, back),
    };
    // We may not have read the whole body: don't reuse the connection.
    close_connection(&mut response);
    response
}

/// A storage failure that passes: a full disk, or the data folder
/// removed or replaced under the server (made again for the next one).
fn is_unavailable(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::StorageFull
        || e.kind() == io::ErrorKind::QuotaExceeded
        || e.kind() == io::ErrorKind::NotFound
        || e.raw_os_error() == Some(rustix::io::Errno::NOSPC.raw_os_error())
}

pub(super) fn storage_error(published: &Published, e: io::Error, back: &str) -> Response<Body> {
    if is_unavailable(&e) {
        tracing::error!("cannot store submission for now: {e}");
        let wait = Some(std::time::Duration::from_secs(300));
        return refused(published, messages::STORE_UNAVAILABLE, wait, back);
    }
    tracing::error!("cannot store submission: {e}");
    internal_error(published, back)
}

fn internal_error(published: &Published, back: &str) -> Response<Body> {
    status_page(published, messages::SUBMISSION_FAILED, None, back)
}
