//! What a staff member typed when their session had ended: the step form
//! or the message form of a case posted with the cookie of a session that
//! ended by time ([`super::session::Sessions::ended`]) is kept here, in
//! memory, for that staff member's name, and the answer sends them to sign
//! in again. The case page then comes back with the text filled in, saying
//! so; nothing is taken until they send it again.
//!
//! Only a post that carries the ended session's own CSRF token is kept (so
//! another site cannot plant text), at most one per staff member and form,
//! at most [`MAX_KEPT`] in all (the oldest go), for [`LIFETIME`]; a restart
//! forgets them, like the sessions. Never written to disk or logged.

use std::sync::Mutex;
use std::time::Instant;

use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};

use super::http::{self, redirect};
use super::session::{LIFETIME, Session};
use super::{Body, CASE_PREFIX, Desk, Peer, SESSION_COOKIE, SIGN_IN_PATH, Staff};
use crate::core::secret::same_secret;

/// Forms kept at most (each at most the desk's 64 KB form limit).
const MAX_KEPT: usize = 200;

/// The forms whose text is kept: the paths under `/kasus/TICKET/`.
pub const KEPT_FORMS: [&str; 2] = ["", "pesan/"];

#[derive(Default)]
pub struct KeptPosts(Mutex<Vec<Kept>>);

struct Kept {
    name: String,
    path: String,
    fields: Vec<(String, String)>,
    at: Instant,
}

impl KeptPosts {
    /// Keeps `fields` posted to `path` by `name` (replacing what they had
    /// kept for it).
    pub fn keep(&self, name: &str, path: &str, fields: Vec<(String, String)>, now: Instant) {
        let mut kept = self.lock();
        kept.retain(|k| {
            now.saturating_duration_since(k.at) < LIFETIME && !(k.name == name && k.path == path)
        });
        if kept.len() >= MAX_KEPT {
            kept.remove(0);
        }
        kept.push(Kept {
            name: name.to_string(),
            path: path.to_string(),
            fields,
            at: now,
        });
    }

    /// What `name` posted to `path`, taken (it is shown once).
    pub fn take(&self, name: &str, path: &str, now: Instant) -> Option<Vec<(String, String)>> {
        let mut kept = self.lock();
        let at = kept.iter().position(|k| k.name == name && k.path == path)?;
        let found = kept.remove(at);
        (now.saturating_duration_since(found.at) < LIFETIME).then_some(found.fields)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Kept>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The case page a kept form belongs to (`/kasus/TICKET/`), if `path` is
/// one of [`KEPT_FORMS`].
pub fn case_of(path: &str) -> Option<String> {
    let rest = path.strip_prefix(CASE_PREFIX)?;
    let (ticket, tail) = rest.split_once('/')?;
    (!ticket.is_empty() && KEPT_FORMS.contains(&tail)).then(|| format!("{CASE_PREFIX}{ticket}/"))
}

/// The ended session of a form posted to one of [`KEPT_FORMS`], if it
/// ended by time.
pub(super) fn ended_session<B>(
    desk: &Desk,
    req: &Request<B>,
    path: &str,
    peer: Peer,
) -> Option<Session> {
    if req.method() != Method::POST || case_of(path).is_none() {
        return None;
    }
    let token = http::cookie(req, &desk.cookie_name(SESSION_COOKIE, peer))?;
    desk.sessions.ended(&token, Instant::now())
}

/// Keeps the form posted to `path` under an ended session (if it carries
/// that session's token) and sends its staff member to sign in again.
pub(super) async fn keep(
    desk: &Desk,
    req: Request<Incoming>,
    ended: Session,
    path: &str,
) -> Response<Body> {
    let posted = match http::read_form(req).await {
        Ok(f) => f,
        Err(e) => return desk.form_error(None, e),
    };
    if !same_secret(&posted.get("csrf"), &ended.csrf) {
        return desk.error_page(None, super::messages::SIGN_IN_FIRST);
    }
    let fields: Vec<(String, String)> = posted
        .into_pairs()
        .into_iter()
        .filter(|(k, _)| k != "csrf" && k != "versi")
        .collect();
    desk.kept.keep(&ended.name, path, fields, Instant::now());
    let case = case_of(path).unwrap_or_default();
    redirect(&format!(
        "{SIGN_IN_PATH}?lanjut={}&tersimpan=1",
        form_urlencoded::byte_serialize(case.as_bytes()).collect::<String>()
    ))
}

/// `POST /sesi/`: the session goes on (the request itself renewed it);
/// 204 for the script that asked.
pub(super) async fn extend(desk: &Desk, req: Request<Incoming>, staff: &Staff) -> Response<Body> {
    if req.method() != Method::POST {
        return desk.not_allowed(Some(staff));
    }
    if let Err(refused) = desk.posted(req, staff).await {
        return refused;
    }
    http::bytes(
        StatusCode::NO_CONTENT,
        "text/plain; charset=utf-8",
        Vec::new(),
    )
}

/// What `staff` typed into a form of the case page `case` before their
/// session ended, taken: the form's path and its fields.
pub(super) fn take_for(
    desk: &Desk,
    staff: &Staff,
    case: &str,
) -> Option<(&'static str, http::Form)> {
    KEPT_FORMS.iter().find_map(|tail| {
        desk.kept
            .take(
                &staff.session.name,
                &format!("{case}{tail}"),
                Instant::now(),
            )
            .map(|fields| (*tail, http::Form::from_pairs(fields)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_text_goes_back_to_its_staff_member_once() {
        let kept = KeptPosts::default();
        let now = Instant::now();
        let fields = vec![("pesan".to_string(), "Mohon datang".to_string())];
        kept.keep("Ani", "/kasus/KP-1/pesan/", fields.clone(), now);
        assert_eq!(kept.take("Budi", "/kasus/KP-1/pesan/", now), None);
        assert_eq!(kept.take("Ani", "/kasus/KP-1/", now), None);
        assert_eq!(kept.take("Ani", "/kasus/KP-1/pesan/", now), Some(fields));
        assert_eq!(kept.take("Ani", "/kasus/KP-1/pesan/", now), None, "once");
        for i in 0..MAX_KEPT + 5 {
            kept.keep("Ani", &format!("/kasus/KP-{i}/"), vec![], now);
        }
        assert_eq!(kept.lock().len(), MAX_KEPT);
        assert_eq!(kept.take("Ani", "/kasus/KP-0/", now), None, "oldest gone");
    }

    #[test]
    fn only_the_step_and_message_forms_are_kept() {
        assert_eq!(case_of("/kasus/KP-1/").as_deref(), Some("/kasus/KP-1/"));
        assert_eq!(
            case_of("/kasus/KP-1/pesan/").as_deref(),
            Some("/kasus/KP-1/")
        );
        for other in ["/kasus/KP-1/kode/", "/kasus//", "/keluar/", "/kasus/KP-1"] {
            assert_eq!(case_of(other), None, "{other}");
        }
    }
}
