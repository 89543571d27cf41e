//! The staff desk's listener (`--desk-addr`): the same connection handling
//! as the public site ([`super::conn`]: slots, timeouts, graceful
//! shutdown), the same security headers, its own access log (target
//! `loket::desk`, paths only), and [`crate::desk`] behind it. The public
//! listener never routes here.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response};
use tokio::net::TcpListener;

use super::proxy::client_ip;
use super::{AppState, Body, Limits, ServeError, access_log, conn, security_headers};
use crate::desk::{Desk, DeskOptions, Office, Peer, Republish};

/// The desk's settings in `loket serve`.
#[derive(Debug, Clone)]
pub struct DeskSettings {
    pub addr: SocketAddr,
    /// Cookies always `Secure` (the desk is only reached over HTTPS).
    pub secure_cookies: bool,
    /// A session unused this long ends.
    pub idle: std::time::Duration,
}

/// Connections the desk serves at once: a few staff, a few tabs each.
const DESK_CONNECTIONS: usize = 64;

pub(super) async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), ServeError> {
    let listen = |source| ServeError::Listen { addr, source };
    let listener = TcpListener::bind(addr).await.map_err(listen)?;
    let local = listener.local_addr().map_err(listen)?;
    Ok((listener, local))
}

/// Gives the staff accounts from before roles theirs (issue 28), before
/// the server says it is ready.
pub(super) fn give_roles(data: &std::path::Path) {
    if let Err(e) = crate::desk::profile::migrate(data) {
        tracing::error!(target: "loket::desk", "cannot give the staff accounts their roles: {e}");
    }
}

/// Serves the desk until `shutdown` completes: the data folder, and the
/// site folder with where to ask for its build.
pub(super) async fn run(
    listener: TcpListener,
    state: Arc<AppState>,
    settings: DeskSettings,
    (data, (site, republish)): (std::path::PathBuf, (std::path::PathBuf, Republish)),
    shutdown: impl Future<Output = ()>,
) {
    let office_state = state.clone();
    let desk = Desk::new(
        DeskOptions {
            data,
            site,
            republish: Some(republish),
            secure_cookies: settings.secure_cookies,
            idle: settings.idle,
            mail: state.mail().cloned(),
            intake: crate::desk::CaseIntake {
                store: state.store.clone(),
                limits: state.limits.intake(),
                key: state.lookups.key.clone(),
                max_upload_mb: state.max_upload_mb,
            },
        },
        Box::new(move || {
            let published = office_state.published();
            Office {
                config: published.site.config.clone(),
                templates: published.templates.clone(),
                calendar: office_state.calendar(),
                terms: published.terms.clone(),
                forms: published.specs.clone(),
            }
        }),
    );
    let desk = match desk {
        Ok(desk) => Arc::new(desk),
        Err(e) => {
            tracing::error!(target: "loket::desk", "the desk cannot start: no randomness: {e}");
            return;
        }
    };
    // The unknown-name hash costs one hashing; not at the first sign-in.
    tokio::task::spawn_blocking(crate::desk::accounts::warm_up);
    let limits = Limits {
        max_connections: DESK_CONNECTIONS.min(state.limits.max_connections),
        ..state.limits.clone()
    };
    let handler = move |req, peer: SocketAddr| {
        let (desk, state) = (desk.clone(), state.clone());
        async move { respond(&desk, &state, req, peer).await }
    };
    conn::serve(listener, &limits, handler, shutdown).await;
}

async fn respond(
    desk: &Arc<Desk>,
    state: &AppState,
    req: Request<Incoming>,
    peer: SocketAddr,
) -> Response<Body> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let trusted = &state.limits.trust_proxy;
    let from_proxy = trusted.iter().any(|t| t.contains(peer.ip()));
    let https = from_proxy
        && req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let peer = Peer {
        ip: client_ip(&req, peer.ip(), trusted),
        https,
    };
    let mut response = desk.respond(req, peer).await;
    // A page with a policy of its own (the printable report) keeps it.
    let own_policy = response
        .headers_mut()
        .remove(header::CONTENT_SECURITY_POLICY);
    security_headers::add(&mut response);
    if let Some(policy) = own_policy {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response.headers_mut().insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    access_log::log(
        access_log::Listener::Desk,
        &method,
        &path,
        started,
        &response,
    );
    response
}
