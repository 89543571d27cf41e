//! The responses the public server builds: an HTML page with its length,
//! an error page from `status.html` (with Retry-After), a refusal on a
//! connection that closes, a rendered page kept out of search engines.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};

use super::{Body, Published, messages};
use crate::site::render::StatusView;

pub(super) fn method_not_allowed(published: &Published, allow: &'static str) -> Response<Body> {
    let mut response = status_page(published, messages::METHOD_NOT_ALLOWED, None, "");
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    close_connection(&mut response);
    response
}

/// The page of a request refused before its body was read
/// ([`status_page`]), on a connection that closes after it; `wait` becomes
/// its Retry-After (at least a second).
pub(crate) fn refused(
    published: &Published,
    notice: messages::Notice,
    wait: Option<Duration>,
    back: &str,
) -> Response<Body> {
    let mut response = status_page(published, notice, wait, back);
    close_connection(&mut response);
    response
}

/// Asks the client to close the connection: used when we answer without
/// reading the request body.
pub(super) fn close_connection(response: &mut Response<Body>) {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
}

pub(crate) fn full(body: impl Into<Bytes>) -> Body {
    Full::new(body.into())
        .map_err(|never| match never {})
        .boxed()
}

/// A response of `content_type` that no cache keeps.
pub(super) fn uncached(
    status: StatusCode,
    content_type: &'static str,
    body: Body,
) -> Response<Body> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An HTML response with a known length.
pub(crate) fn html(status: StatusCode, body: Vec<u8>) -> Response<Body> {
    let mut response = uncached(status, "text/html; charset=utf-8", full(body));
    if let Some(len) = response_len(&response) {
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    response
}

/// Whether `req` says its body is longer than `max` bytes.
pub(super) fn declared_over(req: &Request<Incoming>, max: u64) -> bool {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|len| len > max)
}

/// The page `render` writes, answered with `status` and kept out of search
/// engines unless `listed`; `failed`'s page if it does not render.
pub(super) fn rendered(
    published: &Published,
    (status, listed): (StatusCode, bool),
    failed: messages::Notice,
    render: impl FnOnce(&mut Vec<u8>) -> Result<(), crate::core::diagnostic::Diagnostic>,
) -> Response<Body> {
    let mut out = Vec::new();
    match render(&mut out) {
        Ok(()) => {
            let mut response = html(status, out);
            if !listed {
                response
                    .headers_mut()
                    .insert("x-robots-tag", HeaderValue::from_static("noindex"));
            }
            response
        }
        Err(d) => {
            tracing::error!("{d}");
            status_page(published, failed, None, "")
        }
    }
}

fn response_len(response: &Response<Body>) -> Option<u64> {
    hyper::body::Body::size_hint(response.body()).exact()
}

/// An error page from `status.html`, or a plain one if that template fails;
/// `wait` becomes its Retry-After (at least a second).
pub(crate) fn status_page(
    published: &Published,
    notice: messages::Notice,
    wait: Option<Duration>,
    back_url: &str,
) -> Response<Body> {
    let retry_after = wait.map(|w| w.as_secs().max(1));
    let view = StatusView {
        code: notice.status.as_u16(),
        title: notice.title.to_string(),
        message: notice.text.to_string(),
        retry_after,
        back_url: back_url.to_string(),
    };
    let mut body = Vec::new();
    if let Err(d) = published.renderer().render_status(&view, &mut body) {
        tracing::error!("{d}");
        body =
            crate::site::render::render_fallback(&published.templates, notice.title, &notice.text);
    }
    let mut response = html(notice.status, body);
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}
