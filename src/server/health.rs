//! `GET /healthz`, for a monitoring probe (every 10 s is fine: two system
//! calls and a look at the outbox's names): 200 "ok" when the site is
//! loaded, the data folder is writable, its filesystem has room and no mail
//! has waited more than a day; 503 naming what failed otherwise. It says
//! nothing about submissions or people.

use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};
use rustix::fs::{Access, access, statvfs};

use super::{AppState, Body, full};

pub const PATH: &str = "/healthz";

pub(super) fn check(state: &AppState) -> Response<Body> {
    let mut failed = Vec::new();
    let data = state.store.root();
    if access(data, Access::WRITE_OK | Access::EXEC_OK).is_err() {
        failed.push(format!("data folder {} is not writable", data.display()));
    }
    match statvfs(data) {
        Ok(fs) => {
            let free = fs.f_bavail.saturating_mul(fs.f_frsize);
            if free < state.limits.min_free_bytes {
                failed.push(format!(
                    "free space {} MB, below {} MB",
                    free / (1024 * 1024),
                    state.limits.min_free_bytes / (1024 * 1024)
                ));
            }
        }
        Err(e) => failed.push(format!("free space unknown: {e}")),
    }
    if let Some(stuck) = crate::notify::stuck(data, time::OffsetDateTime::now_utc()) {
        failed.push(format!(
            "{} mail message(s) unsent for more than a day (oldest made {})",
            stuck.count,
            crate::cases::record::format_timestamp(stuck.oldest)
        ));
    }
    if state.published().site.pages.is_empty() {
        failed.push("no site loaded".to_string());
    }
    let (status, body) = if failed.is_empty() {
        (StatusCode::OK, "ok\n".to_string())
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{}\n", failed.join("\n")),
        )
    };
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
