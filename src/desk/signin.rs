//! Signing in and out.
//!
//! The sign-in form is protected against cross-site posts like every other
//! form, before there is a session: `GET /masuk/` sets a short-lived random
//! cookie (`Path=/masuk/`) and puts the same value in the form; a post
//! whose field and cookie differ is refused (double submit).
//!
//! A wrong password and an unknown name get the same page, status and
//! audit action, and cost one argon2id verification each
//! ([`accounts::verify`]); a name or address locked by [`super::limiter`]
//! gets 429 whatever the password.

use std::sync::Arc;
use std::time::Instant;

use hyper::body::Incoming;
use hyper::header::{HeaderValue, RETRY_AFTER};
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::audit::Action;
use super::http::{self, redirect, set_cookie};
use super::session::{random_hex, same_secret};
use super::{Body, Desk, Peer, SESSION_COOKIE, SIGN_IN_PATH, Staff, accounts, html_page, views};

/// The sign-in form's own cookie.
const FORM_COOKIE: &str = "loket_meja_masuk";

#[derive(Serialize, Default)]
struct SignInView {
    name: String,
    /// Where to go after signing in.
    next: String,
    error: String,
    signed_out: bool,
}

pub async fn handle(desk: &Arc<Desk>, req: Request<Incoming>, peer: Peer) -> Response<Body> {
    if http::is_read(&req) {
        if desk.signed_in(&req).is_some() {
            return redirect("/");
        }
        let query = http::query(&req);
        let value = |k: &str| {
            query
                .iter()
                .find(|(q, _)| q == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let view = SignInView {
            next: http::local_path(&value("lanjut")).unwrap_or("").to_string(),
            signed_out: value("keluar") == "1",
            ..SignInView::default()
        };
        let token = http::cookie(&req, FORM_COOKIE);
        return form(desk, StatusCode::OK, view, peer, token);
    }
    if req.method() != hyper::Method::POST {
        return desk.not_allowed(None);
    }
    let cookie = http::cookie(&req, FORM_COOKIE).unwrap_or_default();
    let posted = match http::read_form(req).await {
        Ok(f) => f,
        Err(e) => return desk.form_error(None, e),
    };
    let name = posted.get("nama");
    let password = posted.get("sandi");
    let view = SignInView {
        name: name.trim().to_string(),
        next: http::local_path(&posted.get("lanjut"))
            .unwrap_or("")
            .to_string(),
        ..SignInView::default()
    };
    if cookie.is_empty() || !same_secret(&cookie, &posted.get("csrf")) {
        let view = SignInView {
            error: "Formulir masuk sudah kedaluwarsa. Tidak ada yang dikirim; isi lagi lalu tekan Masuk."
                .to_string(),
            ..view
        };
        return form(desk, StatusCode::FORBIDDEN, view, peer, None);
    }
    let key = accounts::name_key(&name);
    if let Err(wait) = desk.limiter.check(&key, peer.ip, Instant::now()) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        let view = SignInView {
            error: format!(
                "Terlalu banyak percobaan masuk yang gagal. Demi keamanan, coba lagi sekitar {minutes} menit lagi, atau minta pengelola server mengatur ulang kata sandi Anda."
            ),
            ..view
        };
        let mut response = form(
            desk,
            StatusCode::TOO_MANY_REQUESTS,
            view,
            peer,
            Some(cookie),
        );
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(wait.as_secs().max(1)));
        return response;
    }
    let checked = {
        let Ok(_permit) = desk.hashing.acquire().await else {
            return http::plain_error();
        };
        let data = desk.data.clone();
        let (name, password) = (name.clone(), password.clone());
        tokio::task::spawn_blocking(move || {
            let accounts = accounts::load(&data)?;
            let known = accounts::find(&accounts, &name).map(|a| a.name.clone());
            Ok::<_, accounts::AccountError>((accounts::verify(&accounts, &name, &password), known))
        })
        .await
    };
    let (account, known) = match checked {
        Ok(Ok(found)) => found,
        Ok(Err(e)) => {
            tracing::error!(target: "loket::desk", "cannot read the staff accounts: {e}");
            return http::plain_error();
        }
        Err(e) => {
            tracing::error!(target: "loket::desk", "the password check failed: {e}");
            return http::plain_error();
        }
    };
    let Some(account) = account else {
        desk.limiter.failed(&key, peer.ip, Instant::now());
        // The name only when it is an account's: a password typed into the
        // name field must not end up in the log.
        let who = known.unwrap_or_default();
        if let Err(e) = desk.audit(&who, Action::SignInFailed, None, "").await {
            tracing::error!(target: "loket::desk", "cannot write the audit log: {e}");
        }
        let view = SignInView {
            error: "Nama atau kata sandi salah. Periksa keduanya lalu coba lagi.".to_string(),
            ..view
        };
        return form(desk, StatusCode::FORBIDDEN, view, peer, Some(cookie));
    };
    desk.limiter.succeeded(&key);
    let Ok((token, _)) = desk
        .sessions
        .create(&account.name, &account.stamp(), Instant::now())
    else {
        return http::plain_error();
    };
    if let Err(e) = desk.audit(&account.name, Action::SignIn, None, "").await {
        tracing::error!(target: "loket::desk", "cannot write the audit log: {e}");
    }
    let next = match view.next.as_str() {
        "" => "/",
        next => next,
    };
    let mut response = redirect(next);
    let attributes = desk.cookie_attributes(peer);
    set_cookie(
        &mut response,
        &format!("{SESSION_COOKIE}={token}; {attributes}"),
    );
    set_cookie(&mut response, &expired_form_cookie(desk, peer));
    response
}

/// The sign-in page with its form token (and its cookie): the one the
/// browser already has, if it is one of ours, so that two tabs (or a
/// favicon fetched through the sign-in redirect) do not spoil each other's
/// form; a new one otherwise.
fn form(
    desk: &Desk,
    status: StatusCode,
    view: SignInView,
    peer: Peer,
    token: Option<String>,
) -> Response<Body> {
    let token = match token.filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())) {
        Some(t) => t,
        None => match random_hex(32) {
            Ok(t) => t,
            Err(_) => return http::plain_error(),
        },
    };
    let mut chrome = desk.chrome(None, "masuk");
    chrome.csrf = token.clone();
    let mut response = html_page(status, views::render("masuk.html", &chrome, &view));
    let secure = match desk.secure_cookies || peer.https {
        true => "; Secure",
        false => "",
    };
    set_cookie(
        &mut response,
        &format!(
            "{FORM_COOKIE}={token}; Path={SIGN_IN_PATH}; Max-Age=3600; HttpOnly; SameSite=Strict{secure}"
        ),
    );
    response
}

fn expired_form_cookie(desk: &Desk, peer: Peer) -> String {
    let secure = match desk.secure_cookies || peer.https {
        true => "; Secure",
        false => "",
    };
    format!("{FORM_COOKIE}=; Path={SIGN_IN_PATH}; Max-Age=0; HttpOnly; SameSite=Strict{secure}")
}

/// `POST /keluar/`: ends the session (with a valid CSRF token).
pub async fn sign_out(
    desk: &Arc<Desk>,
    req: Request<Incoming>,
    staff: Staff,
    peer: Peer,
) -> Response<Body> {
    let posted = match http::read_form(req).await {
        Ok(f) => f,
        Err(e) => return desk.form_error(Some(&staff), e),
    };
    if !Desk::csrf_ok(&staff, &posted) {
        return desk.csrf_refused(Some(&staff));
    }
    desk.sessions.remove(&staff.token);
    if let Err(e) = desk
        .audit(&staff.session.name, Action::SignOut, None, "")
        .await
    {
        tracing::error!(target: "loket::desk", "cannot write the audit log: {e}");
    }
    let mut response = redirect(&format!("{SIGN_IN_PATH}?keluar=1"));
    let attributes = desk.cookie_attributes(peer);
    set_cookie(
        &mut response,
        &format!("{SESSION_COOKIE}=; Max-Age=0; {attributes}"),
    );
    response
}
