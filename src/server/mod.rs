//! `loket serve`: the built site, the forms, and nothing else.
//!
//! hyper 1 with hyper-util's connection builder; accepting, connection slots,
//! timeouts and shutdown are in [`conn`]. Static files go through
//! hyper-staticfile ([`static_files`]); form posts through [`forms`]. Every
//! response gets the security headers and one access-log line (method, path,
//! status, duration, bytes: never a query or form value).

mod confirmation;
mod conn;
mod forms;
mod health;
mod holidays;
mod live;
mod publish;
mod ratelimit;
mod static_files;

use std::collections::HashMap;
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use tokio::net::TcpListener;

use crate::build::{BuildOptions, BuildReport};
use crate::check::Anchors;
use crate::content::Site;
use crate::render::{Renderer, StatusView, Templates};
use crate::submission::FormKind;
use crate::submission::intake::IntakeLimits;
use crate::submission::store::Store;
use crate::terms::Terms;
use crate::workdays::Calendar;

pub use ratelimit::RateLimiter;

pub type Body = BoxBody<Bytes, io::Error>;

/// Where the confirmation page lives; it takes `?tiket=`.
pub const CONFIRMATION_PATH: &str = "/terkirim/";

/// Limits that keep one client from taking the server down.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest accepted upload, per file.
    pub max_file_bytes: u64,
    /// Largest text field, in bytes.
    pub max_text_bytes: u64,
    /// Submissions per client address per window (0 turns the limit off).
    pub rate_limit: u32,
    pub rate_window: Duration,
    pub max_connections: usize,
    /// Time allowed for a request's headers (and for a first request).
    pub header_timeout: Duration,
    /// Longest wait for the next request on a kept-alive connection.
    pub idle_timeout: Duration,
    /// Longest a response may wait for the client to read.
    pub write_timeout: Duration,
    /// Longest pause allowed while a request body is arriving.
    pub body_idle_timeout: Duration,
    /// Longest a whole submission may take to arrive.
    pub body_total_timeout: Duration,
    /// Behind a reverse proxy on this machine: take the client address for
    /// the rate limit from the last `X-Forwarded-For` entry.
    pub trust_proxy: bool,
    /// Free space below which `/healthz` reports trouble.
    pub min_free_bytes: u64,
}

impl Limits {
    /// The part of the limits that applies to reading one submission.
    pub fn intake(&self) -> IntakeLimits {
        IntakeLimits {
            max_file_bytes: self.max_file_bytes,
            max_text_bytes: self.max_text_bytes,
            idle: self.body_idle_timeout,
            total: self.body_total_timeout,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: crate::build::DEFAULT_MAX_UPLOAD_MB * 1024 * 1024,
            max_text_bytes: 64 * 1024,
            rate_limit: 10,
            rate_window: Duration::from_secs(600),
            max_connections: 512,
            header_timeout: Duration::from_secs(15),
            idle_timeout: Duration::from_secs(15),
            write_timeout: Duration::from_secs(30),
            body_idle_timeout: Duration::from_secs(30),
            body_total_timeout: Duration::from_secs(600),
            trust_proxy: false,
            min_free_bytes: 500 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub build: BuildOptions,
    pub addr: SocketAddr,
    pub data: PathBuf,
    pub limits: Limits,
    /// Rebuild on changes and reload open browser tabs (for staff previews).
    pub watch: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Build(#[from] crate::build::BuildError),
    #[error("the holiday list has errors")]
    Calendar(Vec<crate::diagnostic::Diagnostic>),
    #[error("cannot open the data folder {}", .path.display())]
    Data { path: PathBuf, source: io::Error },
    #[error("cannot use {} as the data folder", .path.display())]
    DataFolder {
        path: PathBuf,
        source: crate::submission::store::OpenError,
    },
    #[error("cannot listen on {addr}")]
    Listen { addr: SocketAddr, source: io::Error },
    #[error(
        "the data folder {} overlaps the output folder {} or static/: submissions would be published (and deleted by the next build)",
        .data.display(),
        .out.display()
    )]
    Overlap { data: PathBuf, out: PathBuf },
    #[error("cannot watch the site folder")]
    Watch(#[from] notify::Error),
}

/// The built site the server answers from.
pub struct Published {
    pub site: Site,
    pub templates: Arc<Templates>,
    /// Heading ids per page, for checking links when pages are re-rendered.
    pub anchors: Arc<Anchors>,
    /// Form pages by URL.
    forms: HashMap<String, (usize, FormKind)>,
    /// The working-day terms of each form, from the service pages.
    pub terms: Terms,
}

impl Published {
    pub fn new(report: BuildReport) -> Published {
        Published::from_parts(report.site, report.templates, Arc::new(report.anchors))
    }

    pub fn from_parts(site: Site, templates: Arc<Templates>, anchors: Arc<Anchors>) -> Published {
        let forms = site
            .pages
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.front.form.map(|k| (p.url.clone(), (i, k))))
            .collect();
        // The build has reported any problem with the terms already.
        let (terms, _) = Terms::from_site(&site);
        Published {
            site,
            templates,
            anchors,
            forms,
            terms,
        }
    }

    fn renderer(&self) -> Renderer<'_> {
        Renderer::new(&self.templates, &self.site)
    }
}

pub struct AppState {
    published: RwLock<Arc<Published>>,
    static_files: static_files::StaticFiles,
    store: Store,
    calendar: RwLock<Arc<Calendar>>,
    /// Present in watch mode.
    live: Option<live::Live>,
    limiter: RateLimiter,
    limits: Limits,
    max_upload_mb: u64,
    /// Receipts shown to robots caught by the honeypot.
    decoys: confirmation::Decoys,
}

impl AppState {
    fn published(&self) -> Arc<Published> {
        self.published
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn calendar(&self) -> Arc<Calendar> {
        self.calendar
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Builds the site, opens the store and serves until SIGINT or SIGTERM.
/// `ready` is called with the bound address once the server accepts.
pub async fn serve(opts: ServeOptions, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let (data, out) = (
        crate::output::absolute(&opts.data),
        crate::output::absolute(&opts.build.out),
    );
    // Files under static/ are copied into the site as they are.
    let assets = crate::output::absolute(&opts.build.root.join(crate::content::STATIC_DIR));
    if data.starts_with(&out) || out.starts_with(&data) || data.starts_with(&assets) {
        return Err(ServeError::Overlap { data, out });
    }
    let store = Store::open(&opts.data).map_err(|source| ServeError::DataFolder {
        path: opts.data.clone(),
        source,
    })?;
    let calendar = Calendar::load(&opts.build.root).map_err(ServeError::Calendar)?;
    let build_opts = opts.build.clone();
    let report = tokio::task::spawn_blocking(move || crate::build::build(&build_opts))
        .await
        .map_err(|e| ServeError::Data {
            path: opts.build.root.clone(),
            source: io::Error::other(e),
        })??;
    for warning in &report.warnings {
        eprintln!("{warning}");
    }
    eprintln!(
        "Built {} pages into {} in {} ms",
        report.pages,
        opts.build.out.display(),
        report.elapsed.as_millis()
    );
    let state = Arc::new(AppState {
        published: RwLock::new(Arc::new(Published::new(report))),
        static_files: static_files::StaticFiles::new(&opts.build.out).await,
        store,
        calendar: RwLock::new(Arc::new(calendar)),
        live: opts.watch.then(live::Live::new),
        limiter: RateLimiter::new(opts.limits.rate_limit, opts.limits.rate_window),
        max_upload_mb: opts.build.max_upload_mb,
        limits: opts.limits.clone(),
        decoys: confirmation::Decoys::default(),
    });

    let listener = TcpListener::bind(opts.addr)
        .await
        .map_err(|source| ServeError::Listen {
            addr: opts.addr,
            source,
        })?;
    let local = listener.local_addr().map_err(|source| ServeError::Listen {
        addr: opts.addr,
        source,
    })?;
    tokio::spawn(holidays::remind_daily(state.clone()));
    let _watcher = match opts.watch {
        true => Some(live::start(state.clone(), opts.build.clone())?),
        false => None,
    };
    let shutdown = shutdown_signal().map_err(|source| ServeError::Listen {
        addr: local,
        source,
    })?;
    // Made before the server says it is ready: SIGHUP's default would end it.
    let hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).map_err(
        |source| ServeError::Listen {
            addr: local,
            source,
        },
    )?;
    if !opts.watch {
        tokio::spawn(publish::follow(state.clone(), opts.build.clone(), hangup));
    }
    ready(local);
    run(listener, state, shutdown).await;
    Ok(())
}

/// Resolves on SIGINT or SIGTERM. The handlers are installed when this is
/// called, so a signal right after start-up is not missed.
fn shutdown_signal() -> io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = interrupt.recv() => {}
        }
    })
}

/// Serves until `shutdown` completes; connections and their limits are
/// [`conn`]'s business.
async fn run(listener: TcpListener, state: Arc<AppState>, shutdown: impl Future<Output = ()>) {
    let limits = state.limits.clone();
    let live_state = state.clone();
    let shutdown = async move {
        shutdown.await;
        if let Some(live) = &live_state.live {
            let _ = live.events.send(live::LiveEvent::Close);
        }
    };
    let handler = move |req, peer: SocketAddr| {
        let state = state.clone();
        async move { respond(&state, req, peer.ip()).await }
    };
    conn::serve(listener, &limits, handler, shutdown).await;
}

/// Routes a request, adds the security headers and logs it.
async fn respond(state: &AppState, req: Request<Incoming>, ip: IpAddr) -> Response<Body> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let mut response = route(state, req, ip).await;
    if let Some(live) = &state.live {
        response = live::decorate(live, response, method == Method::HEAD).await;
    }
    secure(&mut response);
    let bytes = response
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    // One write per line: stderr is unbuffered, and `eprintln!` makes a
    // system call for each piece of its format (a dozen here).
    let line = format!(
        "{method} {} {} {:.1}ms {bytes}\n",
        log_safe(&path),
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    let _ = io::stderr().write_all(line.as_bytes());
    response
}

/// A path as it may appear in a log: printable ASCII only, bounded length.
fn log_safe(path: &str) -> String {
    path.chars()
        .take(200)
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .collect()
}

async fn route(state: &AppState, req: Request<Incoming>, ip: IpAddr) -> Response<Body> {
    let path = req.uri().path();
    let published = state.published();
    let form = published.forms.get(path).copied();
    let readable = matches!(*req.method(), Method::GET | Method::HEAD);
    if let Some(live) = state.live.as_ref().filter(|_| readable) {
        match path {
            live::EVENTS_PATH => return live::events(live),
            live::SCRIPT_PATH => return live::script(),
            _ => {}
        }
    }
    if path == health::PATH && readable {
        return health::check(state);
    }
    if path == CONFIRMATION_PATH {
        if readable {
            return confirmation::page(state, &published, &req).await;
        }
        return method_not_allowed(&published, "GET, HEAD");
    }
    match form {
        Some((index, kind)) if req.method() == Method::POST => {
            let client = client_ip(&req, ip, state.limits.trust_proxy);
            forms::submit(state, &published, req, index, kind, client).await
        }
        Some(_) if !readable => method_not_allowed(&published, "GET, HEAD, POST"),
        None if !readable => method_not_allowed(&published, "GET, HEAD"),
        _ => state.static_files.serve(&req).await,
    }
}

/// The address a request came from: the peer, or, behind a trusted proxy on
/// this machine, the address that proxy reports.
fn client_ip<B>(req: &Request<B>, peer: IpAddr, trust_proxy: bool) -> IpAddr {
    if !(trust_proxy && peer.is_loopback()) {
        return peer;
    }
    // Several lines make one list, in order (RFC 9110 §5.3). Its right end,
    // in the last line, is what our proxy saw; anything before it is the
    // client's to choose.
    req.headers()
        .get_all("x-forwarded-for")
        .iter()
        .next_back()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|last| last.trim().parse().ok())
        .unwrap_or(peer)
}

fn method_not_allowed(published: &Published, allow: &'static str) -> Response<Body> {
    let mut response = status_page(
        published,
        StatusCode::METHOD_NOT_ALLOWED,
        "Metode tidak diizinkan",
        "Alamat ini tidak menerima permintaan semacam itu. Buka halaman ini lewat tautan di situs.",
        None,
        "",
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    close_connection(&mut response);
    response
}

/// Asks the client to close the connection: used when we answer without
/// reading the request body.
fn close_connection(response: &mut Response<Body>) {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
}

fn secure(response: &mut Response<Body>) {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
}

pub(crate) fn full(body: impl Into<Bytes>) -> Body {
    Full::new(body.into())
        .map_err(|never| match never {})
        .boxed()
}

/// An HTML response with a known length.
pub(crate) fn html(status: StatusCode, body: Vec<u8>) -> Response<Body> {
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    let len = response_len(&response);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(len) = len {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    response
}

fn response_len(response: &Response<Body>) -> Option<u64> {
    hyper::body::Body::size_hint(response.body()).exact()
}

/// An error page from `status.html`, or a plain one if that template fails.
pub(crate) fn status_page(
    published: &Published,
    status: StatusCode,
    title: &str,
    message: &str,
    retry_after: Option<u64>,
    back_url: &str,
) -> Response<Body> {
    let view = StatusView {
        code: status.as_u16(),
        title: title.to_string(),
        message: message.to_string(),
        retry_after,
        back_url: back_url.to_string(),
    };
    let mut body = Vec::new();
    if let Err(d) = published.renderer().render_status(&view, &mut body) {
        eprintln!("{d}");
        body = published.templates.render_fallback(title, message);
    }
    let mut response = html(status, body);
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_address_is_the_right_end_of_all_lines() {
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        let req = Request::builder()
            .header("x-forwarded-for", "203.0.113.7")
            .header("x-forwarded-for", "192.0.2.1, 198.51.100.9")
            .body(())
            .unwrap();
        assert_eq!(
            client_ip(&req, proxy, true),
            "198.51.100.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(client_ip(&req, proxy, false), proxy, "not trusted");
        let outside: IpAddr = "192.0.2.50".parse().unwrap();
        assert_eq!(
            client_ip(&req, outside, true),
            outside,
            "not from this machine"
        );
    }
}
