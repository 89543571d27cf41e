//! `loket serve`: the built site, the forms, and nothing else.
//!
//! hyper 1 with hyper-util's connection builder; accepting, connection slots,
//! timeouts and shutdown are in [`conn`]. Static files go through
//! hyper-staticfile ([`static_files`]); form posts through [`forms`]. Every
//! response gets the security headers and one access-log line (method, path,
//! status, duration, bytes: never a query or form value).

mod access_log;
mod confirmation;
mod conn;
mod desk;
mod forms;
mod health;
mod holidays;
mod live;
mod lookup;
mod messages;
mod proxy;
mod publish;
mod published;
mod responses;
mod security_headers;
mod shown_once;
mod static_files;
mod survey;

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use tokio::net::TcpListener;

use crate::cases::store::Store;
use crate::core::calendar::Calendar;
use crate::server::intake::IntakeLimits;
use crate::site::build::BuildOptions;

pub use crate::work::{body, intake};
pub use desk::DeskSettings;
pub use proxy::TrustedProxy;
pub use published::Published;
use responses::{close_connection, declared_over, method_not_allowed, rendered, uncached};
pub(crate) use responses::{full, html, refused, status_page};

/// Hits per client address ([`crate::core::limit::address`]).
pub type RateLimiter = crate::core::limit::Limiter<u128>;

/// Posts with files allowed per accepted submission: the one that is
/// accepted and two rounds of fixing what was sent back (with 10
/// submissions per 10 minutes, 30 posts with files). A form sent back
/// costs no submission, but its files cost reading, holding and, once the
/// text is right, decoding, so they are not free without limit.
pub const UPLOAD_POSTS_PER_SUBMISSION: u32 = 3;

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
    /// Proxies whose `X-Forwarded-For` is believed for the rate limit (see
    /// [`client_ip`]); empty: none, the peer is the client.
    pub trust_proxy: Vec<TrustedProxy>,
    /// Free space below which `/healthz` reports trouble.
    pub min_free_bytes: u64,
    /// Failed `/cek-status/` lookups per client address per `rate_window`
    /// before only the right code is answered, and receipts of tickets that
    /// do not exist (0 turns both off; see `server::lookup`).
    pub lookup_rate_limit: u32,
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
            max_file_bytes: crate::site::build::DEFAULT_MAX_UPLOAD_MB * 1024 * 1024,
            max_text_bytes: 64 * 1024,
            rate_limit: 10,
            rate_window: Duration::from_secs(600),
            max_connections: 512,
            header_timeout: Duration::from_secs(15),
            idle_timeout: Duration::from_secs(15),
            write_timeout: Duration::from_secs(30),
            body_idle_timeout: Duration::from_secs(30),
            body_total_timeout: Duration::from_secs(600),
            trust_proxy: Vec::new(),
            min_free_bytes: 500 * 1024 * 1024,
            lookup_rate_limit: 10,
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
    /// The staff desk's listener, if any ([`crate::desk`]).
    pub desk: Option<DeskSettings>,
    /// Mail (issue 18); `None`: off.
    pub mail: Option<crate::notify::MailSettings>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Build(#[from] crate::site::build::BuildError),
    #[error("the holiday list has errors")]
    Calendar(Vec<crate::core::diagnostic::Diagnostic>),
    #[error("cannot open the data folder {}", .path.display())]
    Data { path: PathBuf, source: io::Error },
    #[error("cannot use {} as the data folder", .path.display())]
    DataFolder {
        path: PathBuf,
        source: crate::cases::layout::OpenError,
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
    #[error(transparent)]
    AccessKey(#[from] crate::cases::access::KeyError),
    #[error("mail: {0}")]
    Mail(String),
}

pub struct AppState {
    published: RwLock<Arc<Published>>,
    static_files: static_files::StaticFiles,
    store: Store,
    calendar: RwLock<Arc<Calendar>>,
    /// Present in watch mode.
    live: Option<live::Live>,
    /// Accepted submissions per address: a post reserves one before its
    /// body is read and keeps it only if accepted, so that citizens sharing
    /// an address do not use up each other's submissions by mistakes.
    limiter: RateLimiter,
    /// Posts with files per address, counted even when sent back.
    uploads: RateLimiter,
    limits: Limits,
    max_upload_mb: u64,
    /// Receipts shown to robots caught by the honeypot.
    decoys: confirmation::Decoys,
    /// Access codes and `/cek-status/`.
    lookups: lookup::Lookups,
    /// Set once at start when mail is on.
    mail: std::sync::OnceLock<crate::notify::Mail>,
}

impl AppState {
    fn published(&self) -> Arc<Published> {
        self.published
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn mail(&self) -> Option<&crate::notify::Mail> {
        self.mail.get()
    }

    fn calendar(&self) -> Arc<Calendar> {
        self.calendar
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Builds the site, opens the store and serves until SIGINT or SIGTERM.
/// `ready` is called with the bound addresses (the site's, the desk's) once
/// the server accepts.
pub async fn serve(
    opts: ServeOptions,
    ready: impl FnOnce(SocketAddr, Option<SocketAddr>),
) -> Result<(), ServeError> {
    let (data, out) = (
        crate::site::output::absolute(&opts.data),
        crate::site::output::absolute(&opts.build.out),
    );
    // Files under static/ are copied into the site as they are.
    let assets =
        crate::site::output::absolute(&opts.build.root.join(crate::site::content::STATIC_DIR));
    if data.starts_with(&out) || out.starts_with(&data) || data.starts_with(&assets) {
        return Err(ServeError::Overlap { data, out });
    }
    let store = Store::open(&opts.data).map_err(|source| ServeError::DataFolder {
        path: opts.data.clone(),
        source,
    })?;
    let access_key = crate::cases::access::AccessKey::load_or_create(&data)?;
    let calendar = Calendar::load(&opts.build.root).map_err(ServeError::Calendar)?;
    let build_opts = opts.build.clone();
    let report = tokio::task::spawn_blocking(move || crate::site::build::build(&build_opts))
        .await
        .map_err(|e| ServeError::Data {
            path: opts.build.root.clone(),
            source: io::Error::other(e),
        })??;
    for warning in &report.warnings {
        tracing::warn!("{warning}");
    }
    tracing::info!(
        "built {} pages into {} in {} ms",
        report.pages,
        opts.build.out.display(),
        report.elapsed.as_millis()
    );
    if !opts.limits.trust_proxy.is_empty() {
        let proxies: Vec<String> = opts
            .limits
            .trust_proxy
            .iter()
            .map(|p| p.to_string())
            .collect();
        tracing::info!(
            "rate limit by X-Forwarded-For when the peer is a trusted proxy: {}",
            proxies.join(", ")
        );
    }
    let state = Arc::new(AppState {
        published: RwLock::new(Arc::new(Published::new(report))),
        static_files: static_files::StaticFiles::new(&opts.build.out, !opts.watch).await,
        store,
        calendar: RwLock::new(Arc::new(calendar)),
        live: opts
            .watch
            .then(|| live::Live::new(opts.limits.max_connections)),
        limiter: RateLimiter::new(opts.limits.rate_limit, opts.limits.rate_window),
        uploads: RateLimiter::new(
            (opts.limits.rate_limit).saturating_mul(UPLOAD_POSTS_PER_SUBMISSION),
            opts.limits.rate_window,
        ),
        max_upload_mb: opts.build.max_upload_mb,
        limits: opts.limits.clone(),
        decoys: confirmation::Decoys::default(),
        lookups: lookup::Lookups::new(
            access_key,
            opts.limits.lookup_rate_limit,
            opts.limits.rate_window,
        ),
        mail: std::sync::OnceLock::new(),
    });
    start_mail(&state, opts.mail.clone())?;

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
    let desk_listener = match &opts.desk {
        Some(settings) => {
            desk::give_roles(&data);
            Some(desk::bind(settings.addr).await?)
        }
        None => None,
    };
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
    // The desk's requests for a build (survey results published).
    let (republish, asked) = tokio::sync::mpsc::channel(4);
    match opts.watch {
        false => tokio::spawn(publish::follow(
            state.clone(),
            opts.build.clone(),
            hangup,
            asked,
        )),
        true => tokio::spawn(publish::answer(state.clone(), opts.build.clone(), asked)),
    };
    ready(local, desk_listener.as_ref().map(|(_, addr)| *addr));
    let shutdown = futures_util::FutureExt::shared(shutdown);
    let desk = async {
        if let (Some((listener, _)), Some(settings)) = (desk_listener, opts.desk.clone()) {
            let site = (opts.build.root.clone(), republish);
            desk::run(
                listener,
                state.clone(),
                settings,
                (data.clone(), site),
                shutdown.clone(),
            )
            .await;
        }
    };
    tokio::join!(run(listener, state.clone(), shutdown.clone()), desk);
    Ok(())
}

/// Starts mail if it is set up, or says once that it is off.
fn start_mail(
    state: &Arc<AppState>,
    settings: Option<crate::notify::MailSettings>,
) -> Result<(), ServeError> {
    let Some(settings) = settings else {
        tracing::info!("mail is off (no smtp_url): nobody is told of new submissions by mail");
        return Ok(());
    };
    // Citizens' mail links to base_url: http://127.0.0.1… reaches nobody.
    let config = &state.published().site.config;
    if config.base_url_is_local() {
        let local = crate::notify::MailSettingsError::LocalBaseUrl(config.base_url.clone());
        return Err(ServeError::Mail(local.to_string()));
    }
    let source = Arc::downgrade(state);
    let mail = crate::notify::Mail::start(state.store.root(), settings, move || {
        let state = source.upgrade()?;
        let published = state.published();
        Some((
            state.calendar(),
            published.site.config.clone(),
            published.templates.clone(),
            published.specs.clone(),
        ))
    })
    .map_err(ServeError::Mail)?;
    let _ = state.mail.set(mail);
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
    security_headers::add(&mut response);
    access_log::log(
        access_log::Listener::Public,
        &method,
        &path,
        started,
        &response,
    );
    response
}

async fn route(state: &AppState, req: Request<Incoming>, ip: IpAddr) -> Response<Body> {
    let path = req.uri().path();
    let published = state.published();
    let form = published.forms.get(path).cloned();
    let readable = matches!(*req.method(), Method::GET | Method::HEAD);
    if let Some(live) = state.live.as_ref().filter(|_| readable) {
        match path {
            live::EVENTS_PATH => return live::events(live),
            live::SCRIPT_PATH => return live::script(),
            _ => {}
        }
    }
    if path == health::PATH && readable {
        return health::check(state, &req, ip);
    }
    if path == lookup::PATH {
        return lookup::handle(state, &published, req, ip).await;
    }
    if path == survey::PATH {
        return survey::handle(state, &published, req, ip).await;
    }
    if path == survey::THANKS_PATH {
        return survey::thanks(&published, &req);
    }
    if lookup::reply::is_reply_path(path) {
        return lookup::reply::handle(state, &published, req, ip).await;
    }
    if path == CONFIRMATION_PATH {
        if readable {
            return confirmation::page(state, &published, &req, ip).await;
        }
        return method_not_allowed(&published, "GET, HEAD");
    }
    match form {
        Some((index, form)) if req.method() == Method::POST => {
            let client = proxy::client_ip(&req, ip, &state.limits.trust_proxy);
            forms::submit(state, &published, req, index, form, client).await
        }
        Some(_) if !readable => method_not_allowed(&published, "GET, HEAD, POST"),
        None if !readable => method_not_allowed(&published, "GET, HEAD"),
        _ => state.static_files.serve(&req).await,
    }
}
