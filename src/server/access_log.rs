//! The access log: one line per answer, under the `loket::access` target
//! for the public site and `loket::desk` for the staff desk (method, path,
//! status, milliseconds, bytes), never the query string, a header or a form
//! field, so no personal data reaches the log. The operator turns it off
//! with `LOKET_LOG=info,loket::access=off`.

use std::time::Instant;

use hyper::header;
use hyper::{Method, Response};

use super::Body;

/// Which listener answered.
#[derive(Debug, Clone, Copy)]
pub enum Listener {
    Public,
    Desk,
}

/// Logs the answer `response` to a `method` request for `path` that
/// started at `started`.
pub fn log(
    listener: Listener,
    method: &Method,
    path: &str,
    started: Instant,
    response: &Response<Body>,
) {
    let bytes = response
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let (path, status) = (log_safe(path), response.status().as_u16());
    let ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
    // A target is fixed where the event is written: one call per listener.
    match listener {
        Listener::Public => {
            tracing::info!(target: "loket::access", %method, %path, status, ms, bytes)
        }
        Listener::Desk => {
            tracing::info!(target: "loket::desk", %method, %path, status, ms, bytes)
        }
    }
}

/// A path as it may appear in a log: printable ASCII only, bounded length.
fn log_safe(path: &str) -> String {
    path.chars()
        .take(200)
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_logged_path_is_printable_ascii_and_bounded() {
        assert_eq!(log_safe("/layanan/"), "/layanan/");
        assert_eq!(log_safe("/a b\n\u{1b}[31m/é"), "/a?b??[31m/?");
        assert_eq!(log_safe(&"x".repeat(1000)).len(), 200);
    }
}
