//! The access code on the confirmation page: shown once, to the browser
//! that sent the form, and never in a URL.
//!
//! The form's answer is a 303 to `/terkirim/?tiket=…` (so a reload never
//! posts again); with it goes a cookie holding a random one-time token
//! (128 bits; `HttpOnly`, `SameSite=Strict`, path `/terkirim/`, ten
//! minutes; `Secure` when the site's `base_url` is `https://`, the address
//! citizens are given, whatever a proxy says about one request). The server keeps token → (ticket, code) in memory. The first
//! receipt page asked for with that token and ticket shows the code and
//! forgets it, keeping only that it was shown (for a day, with the cookie):
//! that browser's reload says the code was shown before and whom to ask if
//! it was not noted, instead of silently leaving it out. Anyone else who
//! opens the receipt URL sees the receipt without the code. A resend of the same form (the button pressed twice) is answered
//! with the first ticket and, while the code is still unseen, a fresh
//! token for it: the browser follows the second answer, not the first.
//! The codes live only in memory: after a restart the receipt page shows
//! none (the citizen who gave an email has it in the receipt mail, which
//! one address gets at most 3 times a day: `notify::receipts`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hyper::header::{self, HeaderValue};
use hyper::{HeaderMap, Response};

use super::{Body, Published};

/// The cookie's name.
pub const COOKIE: &str = "loket_kode";
/// How long a code waits to be shown.
const KEPT: Duration = Duration::from_secs(600);
/// How long a browser's reload is told that its code was shown.
const SHOWN_KEPT: Duration = Duration::from_secs(24 * 3600);
/// Codes waiting at most; past it the oldest go.
const MAX_WAITING: usize = 10_000;

#[derive(Debug, Default)]
pub struct ShownOnce(Mutex<HashMap<String, Waiting>>);

#[derive(Debug, Clone)]
struct Waiting {
    ticket: String,
    /// `None` once shown: only that it was is kept.
    code: Option<String>,
    made: Instant,
}

impl Waiting {
    fn live(&self, now: Instant) -> bool {
        let kept = if self.code.is_some() {
            KEPT
        } else {
            SHOWN_KEPT
        };
        now.duration_since(self.made) < kept
    }
}

/// What a receipt page may say about the access code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// The code, shown now.
    Code(String),
    /// This browser was shown the code before.
    Before,
}

impl ShownOnce {
    /// Keeps `code` of `ticket` until it is shown; the token for the cookie.
    pub fn hold(&self, ticket: &str, code: &str) -> Option<String> {
        let token = token()?;
        let mut waiting = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        // Expired entries are never used (`again` and `take` check their
        // age), so they are cleared out only when room is needed.
        if waiting.len() >= MAX_WAITING {
            waiting.retain(|_, w| w.live(now));
        }
        if waiting.len() >= MAX_WAITING
            && let Some(oldest) = waiting
                .iter()
                .min_by_key(|(_, w)| w.made)
                .map(|(t, _)| t.clone())
        {
            waiting.remove(&oldest);
        }
        waiting.insert(
            token.clone(),
            Waiting {
                ticket: ticket.to_string(),
                code: Some(code.to_string()),
                made: now,
            },
        );
        Some(token)
    }

    /// A fresh token for the code of `ticket`, if it is still unseen (a
    /// resend answered with the first ticket).
    pub fn again(&self, ticket: &str) -> Option<String> {
        let code = {
            let waiting = self.0.lock().unwrap_or_else(|e| e.into_inner());
            waiting
                .values()
                .find(|w| w.ticket == ticket && w.code.is_some() && w.live(Instant::now()))
                .and_then(|w| w.code.clone())
        }?;
        self.hold(ticket, &code)
    }

    /// The code of `ticket` if `token` holds it; it is then forgotten, with
    /// every other token for that ticket, and `token` only remembers that
    /// it was shown ([`Seen::Before`] on the next call).
    pub fn take(&self, token: &str, ticket: &str) -> Option<Seen> {
        let mut waiting = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let found = waiting.get(token)?;
        if found.ticket != ticket || !found.live(now) {
            return None;
        }
        let Some(code) = found.code.clone() else {
            return Some(Seen::Before);
        };
        waiting.retain(|t, w| w.ticket != ticket || t == token);
        waiting.insert(
            token.to_string(),
            Waiting {
                ticket: ticket.to_string(),
                code: None,
                made: now,
            },
        );
        Some(Seen::Code(code))
    }
}

fn token() -> Option<String> {
    crate::core::secret::random_hex(16).ok()
}

/// The token in a request's cookies, if any.
pub fn token_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().to_string())
        .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Sets the cookie (a token) or clears it (`None`); `Secure` when the
/// site is published at an `https://` address.
pub fn set_cookie(response: &mut Response<Body>, token: Option<&str>, published: &Published) {
    set_cookie_for(response, token, KEPT, published);
}

/// Keeps the cookie of a token whose code was just shown, for as long as
/// a reload is told so.
pub fn keep_shown_cookie(response: &mut Response<Body>, token: &str, published: &Published) {
    set_cookie_for(response, Some(token), SHOWN_KEPT, published);
}

fn set_cookie_for(
    response: &mut Response<Body>,
    token: Option<&str>,
    kept: Duration,
    published: &Published,
) {
    let value = cookie_line(
        token,
        kept,
        published.site.config.base_url.starts_with("https://"),
    );
    if let Ok(value) = HeaderValue::from_str(&value) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn cookie_line(token: Option<&str>, kept: Duration, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(token) => format!(
            "{COOKIE}={token}; Path=/terkirim/; Max-Age={}; HttpOnly; SameSite=Strict{secure}",
            kept.as_secs()
        ),
        None => format!("{COOKIE}=; Path=/terkirim/; Max-Age=0; HttpOnly; SameSite=Strict{secure}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_shown_once_to_its_token_and_ticket() {
        let once = ShownOnce::default();
        let token = once.hold("KP-20261127-CDFH", "KXM47PRT").unwrap();
        assert_eq!(once.take(&token, "KP-20261127-CDFJ"), None, "other ticket");
        assert_eq!(once.take("0".repeat(32).as_str(), "KP-20261127-CDFH"), None);
        let resend = once.again("KP-20261127-CDFH").unwrap();
        assert_ne!(resend, token);
        assert_eq!(
            once.take(&resend, "KP-20261127-CDFH"),
            Some(Seen::Code("KXM47PRT".into()))
        );
        assert_eq!(once.take(&token, "KP-20261127-CDFH"), None, "seen");
        assert_eq!(
            once.take(&resend, "KP-20261127-CDFH"),
            Some(Seen::Before),
            "a reload"
        );
        assert_eq!(once.take(&resend, "KP-20261127-CDFJ"), None);
        assert_eq!(once.again("KP-20261127-CDFH"), None);
    }

    #[test]
    fn the_token_is_read_from_the_cookie_header() {
        let mut headers = HeaderMap::new();
        let token = "0123456789abcdef0123456789abcdef";
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("a=b; {COOKIE}={token}; c=d")).unwrap(),
        );
        assert_eq!(token_of(&headers).as_deref(), Some(token));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("loket_kode=../../etc"),
        );
        assert_eq!(token_of(&headers), None);
    }
}
