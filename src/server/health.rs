//! `GET /healthz`, for a monitoring probe (every 10 s is fine: two system
//! calls and a look at the outbox's names): 200 "ok" when the site is
//! loaded, the data folder is writable, its filesystem has room and no mail
//! has waited more than a day; 503 otherwise. It says nothing about
//! submissions or people.
//!
//! What failed is named only to a client on this machine: the client
//! address as [`super::proxy::client_ip`] resolves it (behind a trusted
//! proxy, the address in `X-Forwarded-For`) must be loopback, and a request
//! that carries `X-Forwarded-For` or `Forwarded` from a peer that is not a
//! trusted proxy (an untrusted proxy on this machine) gets no detail
//! either. A citizen through nginx or Caddy sees the bare status
//! (`ok` / `tidak siap`); `curl http://127.0.0.1:8080/healthz` on the
//! server sees the reasons.

use std::net::IpAddr;

use hyper::{Request, Response, StatusCode};
use rustix::fs::{Access, access, statvfs};

use super::{AppState, Body, full, uncached};

pub const PATH: &str = "/healthz";

/// Whether the health check may say what failed to the client of `req`.
fn is_local<B>(state: &AppState, req: &Request<B>, peer: IpAddr) -> bool {
    let trusted = &state.limits.trust_proxy;
    let forwarded =
        req.headers().contains_key("x-forwarded-for") || req.headers().contains_key("forwarded");
    let from_proxy = trusted.iter().any(|t| t.contains(peer));
    if forwarded && !from_proxy {
        return false;
    }
    super::proxy::client_ip(req, peer, trusted).is_loopback()
}

pub(super) fn check<B>(state: &AppState, req: &Request<B>, peer: IpAddr) -> Response<Body> {
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
    } else if is_local(state, req, peer) {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{}\n", failed.join("\n")),
        )
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "tidak siap\n".to_string())
    };
    uncached(status, "text/plain; charset=utf-8", full(body))
}
