//! Signing in and out.
//!
//! The sign-in form is protected against cross-site posts like every other
//! form, before there is a session: `GET /masuk/` sets a short-lived cookie
//! and puts the same value in the form; a post whose field and cookie
//! differ is refused (double submit). The value is signed: a random nonce
//! and an HMAC-SHA256 of it and the client's address (as the limiter counts
//! it) under a key made at each start, so a value loket did not issue to
//! that address is refused however it reached the browser (login CSRF by
//! cookie tossing: a sibling subdomain can set a cookie for this host, but
//! cannot make one loket signed for the staff PC's address). Over HTTPS the
//! cookie is `__Host-loket_meja_masuk` ([`Desk::cookie_name`]), which no
//! other host can set at all; on plain HTTP it is `loket_meja_masuk`, path
//! `/masuk/`. A restart makes open sign-in forms expire (the key is new).
//!
//! A wrong password and an unknown name get the same page, status and
//! audit action, and cost one argon2id verification each
//! ([`accounts::verify`]); a sign-in refused by [`super::limiter`] gets 429
//! whatever the password. Sign-ins, failures and lockouts are written to
//! the audit log and the log with the client's address (a staff PC, after
//! `--trust-proxy`): `sign-in failed from ADDRESS` is what fail2ban reads
//! (docs/deploy.md).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use hyper::body::Incoming;
use hyper::header::{HeaderValue, RETRY_AFTER};
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::http::{self, redirect, set_cookie};
use super::limiter::{Failed, Refusal};
use super::{Body, Desk, Peer, SESSION_COOKIE, SIGN_IN_PATH, Staff, accounts, html_page, views};
use crate::core::limit;
use crate::core::secret::{random_hex, same_secret};
use crate::work::audit::Action;

/// The sign-in form's own cookie (with `__Host-` over HTTPS).
const FORM_COOKIE: &str = "loket_meja_masuk";
/// Hex digits of a form token's nonce.
const NONCE_HEX: usize = 32;

/// The HMAC of a form token's nonce for the client `ip`, as hex.
fn form_mac(key: &[u8; 32], nonce: &str, ip: IpAddr) -> String {
    // HMAC takes a key of any length: this never fails (an empty answer
    // would match no token).
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(b"loket desk sign-in form\0");
    mac.update(nonce.as_bytes());
    mac.update(&limit::address(ip).to_be_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A new form token for the client `ip`: nonce and HMAC, in hex.
fn new_form_token(key: &[u8; 32], ip: IpAddr) -> Result<String, getrandom::Error> {
    let nonce = random_hex(NONCE_HEX / 2)?;
    let mac = form_mac(key, &nonce, ip);
    Ok(format!("{nonce}{mac}"))
}

/// Whether `token` is one loket issued to the client `ip` since it started.
fn form_token_ok(key: &[u8; 32], token: &str, ip: IpAddr) -> bool {
    if token.len() != NONCE_HEX + 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let (nonce, mac) = token.split_at(NONCE_HEX);
    same_secret(&form_mac(key, nonce, ip), mac)
}

#[derive(Serialize, Default)]
struct SignInView {
    name: String,
    /// Where to go after signing in.
    next: String,
    error: String,
    signed_out: bool,
    /// A form posted after the session ended was kept.
    kept: bool,
}

pub async fn handle(desk: &Arc<Desk>, req: Request<Incoming>, peer: Peer) -> Response<Body> {
    let form_cookie = desk.cookie_name(FORM_COOKIE, peer);
    if http::is_read(&req) {
        if desk.signed_in(&req, peer).is_some() {
            return redirect("/");
        }
        let asked = http::query(&req);
        let view = SignInView {
            next: http::local_path(asked.first("lanjut").unwrap_or(""))
                .unwrap_or("")
                .to_string(),
            signed_out: asked.first("keluar") == Some("1"),
            kept: asked.first("tersimpan") == Some("1"),
            ..SignInView::default()
        };
        let token = http::cookie(&req, &form_cookie);
        return form(desk, StatusCode::OK, view, peer, token);
    }
    if req.method() != hyper::Method::POST {
        return desk.not_allowed(None);
    }
    let cookie = http::cookie(&req, &form_cookie).unwrap_or_default();
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
    if !form_token_ok(&desk.form_key, &cookie, peer.ip)
        || !same_secret(&cookie, &posted.get("csrf"))
    {
        let view = SignInView {
            error: "Formulir masuk sudah kedaluwarsa. Tidak ada yang dikirim; isi lagi lalu tekan Masuk."
                .to_string(),
            ..view
        };
        return form(desk, StatusCode::FORBIDDEN, view, peer, None);
    }
    let key = accounts::name_key(&name);
    if let Err(refusal) = desk.limiter.check(&key, peer.ip, Instant::now()) {
        return refused(desk, view, peer, cookie, refusal);
    }
    // Held until the outcome is counted, and the limits checked again once
    // it is had: attempts sent at once are counted one by one, at most as
    // many in flight as there are permits.
    let Ok(permit) = desk.hashing.acquire().await else {
        return http::plain_error();
    };
    if let Err(refusal) = desk.limiter.check(&key, peer.ip, Instant::now()) {
        return refused(desk, view, peer, cookie, refusal);
    }
    let checked = {
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
        let started = desk.limiter.failed(&key, peer.ip, Instant::now());
        // The name only when it is an account's: a password typed into the
        // name field must not end up in the log.
        let who = known.unwrap_or_default();
        let mut detail = vec![format!("from {}", peer.ip)];
        tracing::warn!(target: "loket::desk", "sign-in failed from {}", peer.ip);
        let locks = lockouts(started);
        if !locks.is_empty() {
            let locks = locks.join("; ");
            tracing::warn!(target: "loket::desk", "sign-in lockout from {}: {locks}", peer.ip);
            detail.push(locks);
        }
        let detail = detail.join("; ");
        desk.audit(&who, Action::SignInFailed, None, &detail).await;
        let view = SignInView {
            error: "Nama atau kata sandi salah. Periksa keduanya lalu coba lagi.".to_string(),
            ..view
        };
        return form(desk, StatusCode::FORBIDDEN, view, peer, Some(cookie));
    };
    desk.limiter.succeeded(&key, peer.ip);
    drop(permit);
    tracing::info!(target: "loket::desk", "sign-in from {}", peer.ip);
    let Ok((token, _)) = desk
        .sessions
        .create(&account.name, &account.stamp(), Instant::now())
    else {
        return http::plain_error();
    };
    let from = format!("from {}", peer.ip);
    desk.audit(&account.name, Action::SignIn, None, &from).await;
    let next = match view.next.as_str() {
        "" => "/",
        next => next,
    };
    let mut response = redirect(next);
    let attributes = desk.cookie_attributes(peer);
    let session_cookie = desk.cookie_name(SESSION_COOKIE, peer);
    set_cookie(
        &mut response,
        &format!("{session_cookie}={token}; {attributes}"),
    );
    set_cookie(&mut response, &expired_form_cookie(desk, peer));
    response
}

/// The answer to a sign-in the limiter refuses (429, without hashing).
fn refused(
    desk: &Desk,
    view: SignInView,
    peer: Peer,
    cookie: String,
    refusal: Refusal,
) -> Response<Body> {
    let wait = refusal.wait();
    let why = match refusal {
        Refusal::Locked(_) => "locked",
        Refusal::UnderAttack(_) => "failed before while the account is under attack",
    };
    tracing::warn!(
        target: "loket::desk",
        "sign-in refused from {} ({why}, {} s left)",
        peer.ip,
        wait.as_secs()
    );
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
    response
}

/// The lockouts a failed sign-in started, in words for the log and audit.
fn lockouts(started: Failed) -> Vec<&'static str> {
    [
        (started.pair_locked, "locked: this name from this address"),
        (
            started.address_locked,
            "locked: this address for every name",
        ),
        (
            started.under_attack,
            "account under attack: one try per address",
        ),
    ]
    .into_iter()
    .filter_map(|(yes, what)| yes.then_some(what))
    .collect()
}

/// The sign-in page with its form token (and its cookie): the one the
/// browser already has, if loket issued it to this address, so that two
/// tabs (or a favicon fetched through the sign-in redirect) do not spoil
/// each other's form; a new one otherwise.
fn form(
    desk: &Desk,
    status: StatusCode,
    view: SignInView,
    peer: Peer,
    token: Option<String>,
) -> Response<Body> {
    let token = match token.filter(|t| form_token_ok(&desk.form_key, t, peer.ip)) {
        Some(t) => t,
        None => match new_form_token(&desk.form_key, peer.ip) {
            Ok(t) => t,
            Err(_) => return http::plain_error(),
        },
    };
    let mut chrome = desk.chrome(None, "masuk");
    chrome.csrf = token.clone();
    let mut response = html_page(status, views::render("masuk.html", &chrome, &view));
    set_cookie(
        &mut response,
        &format!("{}; Max-Age=3600", form_cookie(desk, peer, &token)),
    );
    response
}

/// The form cookie holding `value`, without its age: over HTTPS
/// `__Host-…; Path=/; Secure`, else `Path=/masuk/`.
fn form_cookie(desk: &Desk, peer: Peer, value: &str) -> String {
    let name = desk.cookie_name(FORM_COOKIE, peer);
    match desk.secure(peer) {
        true => format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Secure"),
        false => format!("{name}={value}; Path={SIGN_IN_PATH}; HttpOnly; SameSite=Strict"),
    }
}

fn expired_form_cookie(desk: &Desk, peer: Peer) -> String {
    format!("{}; Max-Age=0", form_cookie(desk, peer, ""))
}

/// `POST /keluar/`: ends the session (with a valid CSRF token).
pub async fn sign_out(
    desk: &Arc<Desk>,
    req: Request<Incoming>,
    staff: Staff,
    peer: Peer,
) -> Response<Body> {
    if let Err(refused) = desk.posted(req, &staff).await {
        return refused;
    }
    desk.sessions.remove(&staff.token);
    let from = format!("from {}", peer.ip);
    desk.audit(&staff.session.name, Action::SignOut, None, &from)
        .await;
    let mut response = redirect(&format!("{SIGN_IN_PATH}?keluar=1"));
    let attributes = desk.cookie_attributes(peer);
    let session_cookie = desk.cookie_name(SESSION_COOKIE, peer);
    set_cookie(
        &mut response,
        &format!("{session_cookie}=; Max-Age=0; {attributes}"),
    );
    response
}
