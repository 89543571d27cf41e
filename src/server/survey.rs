//! `/survei/`: the Survei Kepuasan Masyarakat on the public site
//! ([`crate::survey`]). GET without a key shows a box for a walk-in code
//! (a GET form, so the code lands in `?kode=`); GET `?kode=KEY` shows the
//! questionnaire of a key that was given and not answered yet. The key is
//! a case's token (32 hex digits, from the final mail or `/cek-status/`)
//! or a walk-in code (8 symbols, typed with or without a dash or space).
//! POST `/survei/` stores the one answer of the key ([`Surveys::answer`])
//! and sends the browser on (303) to [`THANKS_PATH`].
//!
//! - An unknown key: 404, the box again. Counted as a failed lookup of the
//!   address (the `/cek-status/` limiter): past its limit an unknown key
//!   gets 429, a known one still opens, as on `/cek-status/`.
//! - A key answered already: GET 200 with the thank-you words (the citizen
//!   opening their link again did nothing wrong); POST 409 with the same
//!   words, and nothing stored (a refused request, which a client and a
//!   test can tell from an accepted one).
//! - Nothing rated: 422 with the questionnaire again, what was chosen kept.
//!
//! Posts count against the submissions' limiter (reserved before the body
//! is read, kept only for a stored answer) and are read within the form
//! intake's body limits. The access log records the path only, never the
//! query, so no key reaches the log.

use std::net::IpAddr;

use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::forms::read_error;
use super::{
    AppState, Body, Published, declared_over, html, messages, method_not_allowed, proxy, refused,
    rendered, status_page,
};
use crate::cases::Record;
use crate::cases::access;
use crate::core::{dates, web};
use crate::site::render::{
    LookupCase, MAX_SUGGESTION_CHARS, SummaryError, SurveyState, SurveyView,
};
use crate::survey::Element;
use crate::survey::answer::{Answer, PROFILE, Profile};
use crate::survey::index::Scores;
use crate::survey::store::{AnswerError, Invitation, Surveys};
use crate::work::intake::{self, ReadError, TEXT_ALLOWANCE};

pub const PATH: &str = "/survei/";
/// Where a stored answer is thanked for (no key in it).
pub const THANKS_PATH: &str = "/survei/terima-kasih/";

/// The key typed or linked: a case's token, or a walk-in code as
/// [`access::normalize`] writes it; `None` if it is neither.
pub fn key_of(typed: &str) -> Option<String> {
    let token = typed.trim().to_ascii_lowercase();
    if access::is_survey_token(&token) {
        return Some(token);
    }
    access::normalize(typed)
}

/// What a key opens.
enum Found {
    Unknown,
    Answered,
    Open(Invitation),
}

async fn find(state: &AppState, key: &str) -> std::io::Result<Found> {
    let surveys = Surveys::new(state.store.root());
    let key = key.to_string();
    tokio::task::spawn_blocking(move || {
        Ok(match surveys.invitation(&key)? {
            None => Found::Unknown,
            Some(_) if surveys.answered(&key) => Found::Answered,
            Some(invitation) => Found::Open(invitation),
        })
    })
    .await
    .map_err(std::io::Error::other)?
}

pub(super) async fn handle(
    state: &AppState,
    published: &Published,
    req: Request<Incoming>,
    ip: IpAddr,
) -> Response<Body> {
    let client = proxy::client_ip(&req, ip, &state.limits.trust_proxy);
    match *req.method() {
        Method::GET | Method::HEAD => get(state, published, &req, client).await,
        Method::POST => post(state, published, req, client).await,
        _ => method_not_allowed(published, "GET, HEAD, POST"),
    }
}

/// `/survei/terima-kasih/`: the thanks after an answer was stored.
pub(super) fn thanks(published: &Published, req: &Request<Incoming>) -> Response<Body> {
    match *req.method() {
        Method::GET | Method::HEAD => page(
            published,
            StatusCode::OK,
            SurveyView::state(SurveyState::Thanks),
        ),
        _ => method_not_allowed(published, "GET, HEAD"),
    }
}

async fn get(
    state: &AppState,
    published: &Published,
    req: &Request<Incoming>,
    client: IpAddr,
) -> Response<Body> {
    let typed: String = form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
        .find(|(name, _)| name == "kode")
        .map(|(_, value)| value.chars().take(64).collect())
        .unwrap_or_default();
    if typed.trim().is_empty() {
        return page(published, StatusCode::OK, SurveyView::default());
    }
    let Some(key) = key_of(&typed) else {
        // Not a code at all: said plainly, and not counted.
        let view = SurveyView {
            kode_error: messages::SURVEY_CODE_MALFORMED.into(),
            ..SurveyView::default()
        };
        return page(published, StatusCode::UNPROCESSABLE_ENTITY, view);
    };
    match find(state, &key).await {
        Ok(Found::Open(_)) => page(
            published,
            StatusCode::OK,
            SurveyView::form(&key, &published.questionnaire),
        ),
        Ok(Found::Answered) => page(
            published,
            StatusCode::OK,
            SurveyView::state(SurveyState::Answered),
        ),
        Ok(Found::Unknown) => unknown(state, published, client),
        Err(e) => failed(published, e),
    }
}

/// 404 for a key nobody was given, counted against the address; past its
/// limit, 429.
fn unknown(state: &AppState, published: &Published, client: IpAddr) -> Response<Body> {
    match state.lookups.limiter.reserve_ip(client) {
        Ok(failed) => {
            failed.confirm();
            page(
                published,
                StatusCode::NOT_FOUND,
                SurveyView::state(SurveyState::Unknown),
            )
        }
        Err(wait) => status_page(
            published,
            messages::SURVEY_CODES_TOO_FREQUENT,
            Some(wait),
            PATH,
        ),
    }
}

fn failed(published: &Published, e: impl std::fmt::Display) -> Response<Body> {
    // The error names a hashed file name at most, never the key.
    tracing::error!("survey: {e}");
    status_page(published, messages::SURVEY_FAILED, None, "")
}

/// What a post says, as typed.
#[derive(Default)]
struct Posted {
    kode: String,
    scores: Scores,
    profile: Profile,
    suggestion: String,
}

/// The fields of the questionnaire; the first of a repeated one counts. A
/// score that is not 1–4 or a profile code not offered is no answer the
/// form gives: the post is refused.
fn parse(body: &[u8]) -> Result<Posted, &'static str> {
    let mut posted = Posted::default();
    let mut seen = std::collections::HashSet::new();
    for (name, value) in form_urlencoded::parse(body) {
        if !seen.insert(name.clone()) {
            continue;
        }
        let value = value.trim();
        if name == "kode" {
            posted.kode = value.chars().take(64).collect();
        } else if name == "saran" {
            posted.suggestion = value.replace("\r\n", "\n");
        } else if let Some(i) = Element::ALL.iter().position(|e| e.id() == name) {
            posted.scores[i] = match value {
                "" => None,
                "1" | "2" | "3" | "4" => value.parse().ok(),
                _ => return Err("survey score out of range"),
            };
        } else if let Some(q) = PROFILE.iter().find(|q| q.name == name) {
            if value.is_empty() {
                continue;
            }
            let Some(&(code, _)) = q.choices.iter().find(|(c, _)| *c == value) else {
                return Err("survey profile choice unknown");
            };
            let slot = match q.name {
                "umur" => &mut posted.profile.age,
                "jenis_kelamin" => &mut posted.profile.sex,
                "pendidikan" => &mut posted.profile.education,
                _ => &mut posted.profile.occupation,
            };
            *slot = Some(code.to_string());
        }
    }
    Ok(posted)
}

async fn post(
    state: &AppState,
    published: &Published,
    req: Request<Incoming>,
    client: IpAddr,
) -> Response<Body> {
    // Taken before the body is read, given back unless an answer is stored.
    let reservation = match state.limiter.reserve_ip(client) {
        Ok(reservation) => reservation,
        Err(wait) => {
            return refused(
                published,
                messages::SUBMISSIONS_TOO_FREQUENT,
                Some(wait),
                PATH,
            );
        }
    };
    if web::media_type(req.headers()) != web::URLENCODED {
        return refused(published, messages::FORM_NOT_MULTIPART, None, PATH);
    }
    if declared_over(&req, TEXT_ALLOWANCE) {
        return read_error(state, published, ReadError::TextTooLong, PATH);
    }
    let limits = state.limits.intake();
    let body = match intake::read_small(&limits, req.into_body().into_data_stream()).await {
        Ok(body) => body,
        Err(ReadError::TooLarge) => {
            return read_error(state, published, ReadError::TextTooLong, PATH);
        }
        Err(e) => return read_error(state, published, e, PATH),
    };
    let posted = match parse(&body) {
        Ok(posted) => posted,
        Err(why) => return read_error(state, published, ReadError::BadRequest(why), PATH),
    };
    let Some(key) = key_of(&posted.kode) else {
        return unknown(state, published, client);
    };
    let invitation = match find(state, &key).await {
        Ok(Found::Open(invitation)) => invitation,
        Ok(Found::Answered) => return already_answered(published),
        Ok(Found::Unknown) => return unknown(state, published, client),
        Err(e) => return failed(published, e),
    };
    let mut errors = Vec::new();
    if posted.scores.iter().all(Option::is_none) {
        errors.push(SummaryError {
            id: format!("f-{}", Element::ALL[0].id()),
            message: messages::SURVEY_NOTHING_RATED.into(),
        });
    }
    if posted.suggestion.chars().count() > MAX_SUGGESTION_CHARS {
        errors.push(SummaryError {
            id: "f-saran".into(),
            message: messages::survey_suggestion_too_long(MAX_SUGGESTION_CHARS),
        });
    }
    if !errors.is_empty() {
        let view = sent_back(&key, published, &posted, errors);
        return page(published, StatusCode::UNPROCESSABLE_ENTITY, view);
    }
    let answer = Answer {
        answered: dates::today(),
        kind: invitation.kind,
        form: invitation.form,
        scores: posted.scores,
        profile: posted.profile,
        suggestion: Some(posted.suggestion).filter(|s| !s.is_empty()),
    };
    let surveys = Surveys::new(state.store.root());
    let stored = tokio::task::spawn_blocking(move || surveys.answer(&key, &answer)).await;
    match stored {
        Ok(Ok(())) => {
            reservation.confirm();
            see_thanks()
        }
        Ok(Err(AnswerError::AlreadyAnswered)) => already_answered(published),
        Ok(Err(AnswerError::Unknown)) => unknown(state, published, client),
        Ok(Err(e)) => failed(published, e),
        Err(e) => failed(published, e),
    }
}

/// The questionnaire again with what was chosen and what is wrong.
fn sent_back(
    key: &str,
    published: &Published,
    posted: &Posted,
    errors: Vec<SummaryError>,
) -> SurveyView {
    let mut view = SurveyView::form(key, &published.questionnaire);
    for q in &mut view.questions {
        let i = Element::ALL.iter().position(|e| e.id() == q.name);
        q.chosen = i.and_then(|i| posted.scores[i]).unwrap_or(0);
    }
    let p = &posted.profile;
    for field in &mut view.profile {
        let chosen = match field.name {
            "umur" => &p.age,
            "jenis_kelamin" => &p.sex,
            "pendidikan" => &p.education,
            _ => &p.occupation,
        };
        for c in &mut field.choices {
            c.chosen = chosen.as_deref() == Some(c.code);
        }
    }
    view.suggestion = posted.suggestion.clone();
    view.errors = errors;
    view
}

/// 409: the key's answer is in; this one is not stored.
fn already_answered(published: &Published) -> Response<Body> {
    page(
        published,
        StatusCode::CONFLICT,
        SurveyView::state(SurveyState::Answered),
    )
}

fn see_thanks() -> Response<Body> {
    let body = format!(
        "<!DOCTYPE html><html lang=\"id\"><meta charset=\"utf-8\"><title>Terima kasih</title><p><a href=\"{THANKS_PATH}\">Lanjut</a></p>"
    );
    let mut response = html(StatusCode::SEE_OTHER, body.into_bytes());
    response
        .headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(THANKS_PATH));
    response
}

fn page(published: &Published, status: StatusCode, view: SurveyView) -> Response<Body> {
    // The code box and the thanks are public pages search engines may
    // list; a page opened with a key or refused is not.
    let listed = status == StatusCode::OK
        && matches!(view.state, SurveyState::Enter | SurveyState::Thanks)
        && view.kode_error.is_empty();
    let view = SurveyView { listed, ..view };
    rendered(
        published,
        (status, listed),
        messages::SURVEY_FAILED,
        |out| published.renderer().render_survey(&view, out),
    )
}

/// On `/cek-status/`'s page of a closed case whose citizen was invited:
/// the survey's one-time link, or that it was answered.
pub(super) fn offer(case: &mut LookupCase, record: &Record, state: &AppState) {
    if !case.closed {
        return;
    }
    let token = state.lookups.key.survey_token(&record.ticket);
    let surveys = Surveys::new(state.store.root());
    if !matches!(surveys.invitation(&token), Ok(Some(_))) {
        return;
    }
    if surveys.answered(&token) {
        case.survey_answered = true;
    } else {
        case.survey_url = format!("{PATH}?kode={token}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_tokens_or_codes_as_typed() {
        let token = "0123456789abcdef0123456789abcdef";
        assert_eq!(key_of(token).as_deref(), Some(token));
        assert_eq!(key_of(&token.to_uppercase()).as_deref(), Some(token));
        assert_eq!(key_of(" kxm4-7prt ").as_deref(), Some("KXM47PRT"));
        assert_eq!(key_of("KXM4 7PRT").as_deref(), Some("KXM47PRT"));
        assert_eq!(key_of("KXM4"), None);
        assert_eq!(key_of("../../etc/passwd"), None);
    }

    #[test]
    fn a_post_is_read_strictly() {
        let p = parse(b"kode=K&persyaratan=4&waktu=1&umur=26-35&saran=+Bagus+").unwrap();
        assert_eq!(p.scores[0], Some(4));
        assert_eq!(p.scores[2], Some(1));
        assert_eq!(p.scores.iter().flatten().count(), 2);
        assert_eq!(p.profile.age.as_deref(), Some("26-35"));
        assert_eq!(p.suggestion, "Bagus");
        assert!(parse(b"persyaratan=5").is_err());
        assert!(parse(b"umur=99").is_err());
        // The first of a repeated field counts.
        let p = parse(b"sarana=2&sarana=3").unwrap();
        assert_eq!(p.scores[crate::survey::ELEMENTS - 1], Some(2));
    }
}
