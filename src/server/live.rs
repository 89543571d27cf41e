//! Live preview for `serve --watch`: a file watcher (notify, debounced) that
//! rebuilds the site, and a Server-Sent Events stream that reloads open tabs.
//! Only in watch mode does any page get a script; the built files never do.
//!
//! An open event stream is a request in progress, so it holds a connection
//! slot for as long as the tab is open, and slots held by requests are never
//! taken back for new clients ([`super::conn`]). So streams are capped at
//! [`MAX_STREAMS`], and at half the connection slots when those are fewer:
//! one more tab gets 503 (its page still works, it only does not reload by
//! itself), and a client can never fill every slot with streams.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};
use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use tokio::sync::{broadcast, mpsc};

use super::{AppState, Body, Published, full, html, uncached};
use crate::core::calendar::Calendar;
use crate::core::diagnostic::Diagnostic;
use crate::site::build::{self, BuildOptions, PageUpdate};
use crate::site::watch::{self, Changes};

pub const EVENTS_PATH: &str = "/__loket/events";
pub const SCRIPT_PATH: &str = "/__loket/reload.js";
const SCRIPT: &str =
    "new EventSource(\"/__loket/events\").onmessage = function () { location.reload(); };\n";
const SCRIPT_TAG: &str = "<script src=\"/__loket/reload.js\" defer></script>";
/// Live-reload streams open at most (a person previewing has a few tabs).
pub const MAX_STREAMS: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveEvent {
    Reload,
    Close,
}

/// Watch-mode state shared with request handlers.
pub struct Live {
    pub events: broadcast::Sender<LiveEvent>,
    /// Problems of the last failed rebuild, shown instead of pages until fixed.
    pub error: RwLock<Option<Vec<Diagnostic>>>,
    /// Event streams open now, and at most.
    streams: Arc<AtomicUsize>,
    max_streams: usize,
}

/// One open event stream, counted until its body is dropped.
struct Stream(Arc<AtomicUsize>);

impl Drop for Stream {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Live {
    /// `max_connections`: the listener's connection slots.
    pub fn new(max_connections: usize) -> Live {
        Live {
            events: broadcast::channel(16).0,
            error: RwLock::new(None),
            streams: Arc::default(),
            max_streams: MAX_STREAMS.min(max_connections / 2),
        }
    }

    /// Counts a new stream, unless [`Live::max_streams`] are open.
    fn open_stream(&self) -> Option<Stream> {
        self.streams
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max_streams).then_some(n + 1)
            })
            .ok()
            .map(|_| Stream(self.streams.clone()))
    }

    fn current_error(&self) -> Option<Vec<Diagnostic>> {
        self.error.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_error(&self, error: Option<Vec<Diagnostic>>) {
        *self.error.write().unwrap_or_else(|e| e.into_inner()) = error;
        let _ = self.events.send(LiveEvent::Reload);
    }
}

/// The file watcher; rebuilding stops when it is dropped.
pub type Watcher = notify_debouncer_full::Debouncer<
    notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

/// Starts watching the site folder and rebuilding on changes.
pub fn start(state: Arc<AppState>, opts: BuildOptions) -> notify::Result<Watcher> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<PathBuf>>();
    // An editor's save (write, or write a temp file and rename it) is a few
    // events within a millisecond or two: 20 ms gathers them and keeps the
    // preview's lag well under the 100 ms a person notices.
    let mut debouncer = new_debouncer(
        Duration::from_millis(20),
        Some(Duration::from_millis(10)),
        move |result: DebounceEventResult| match result {
            Ok(events) => {
                let paths = events
                    .into_iter()
                    .filter(|e| !e.kind.is_access())
                    .flat_map(|e| e.event.paths)
                    .collect();
                let _ = tx.send(paths);
            }
            Err(errors) => {
                for e in errors {
                    tracing::error!("watch error: {e}");
                }
            }
        },
    )?;
    for dir in watch::WATCHED_DIRS {
        let path = opts.root.join(dir);
        if path.is_dir() {
            debouncer.watch(&path, RecursiveMode::Recursive)?;
        }
    }
    // For site.yaml (and new watched folders): the root itself, not recursively.
    debouncer.watch(&opts.root, RecursiveMode::NonRecursive)?;
    let root = opts.root.canonicalize().unwrap_or(opts.root.clone());
    tokio::spawn(async move {
        while let Some(mut paths) = rx.recv().await {
            while let Ok(more) = rx.try_recv() {
                paths.extend(more);
            }
            let paths = paths
                .into_iter()
                .map(|p| p.canonicalize().unwrap_or(p))
                .map(|p| {
                    p.strip_prefix(&root)
                        .map(|r| opts.root.join(r))
                        .unwrap_or(p)
                });
            let changes = watch::classify(&opts.root, paths);
            if !changes.is_empty() {
                rebuild(&state, &opts, changes).await;
            }
        }
    });
    Ok(debouncer)
}

enum Outcome {
    Published(Box<Published>, String),
    Calendar(Calendar),
    Failed(Vec<Diagnostic>),
}

async fn rebuild(state: &Arc<AppState>, opts: &BuildOptions, changes: Changes) {
    let Some(live) = state.live.as_ref() else {
        return;
    };
    let current = state.published();
    let opts_owned = opts.clone();
    let started = Instant::now();
    let outcomes =
        tokio::task::spawn_blocking(move || rebuild_blocking(&opts_owned, &current, changes))
            .await
            .unwrap_or_else(|e| {
                vec![Outcome::Failed(vec![Diagnostic::error(
                    &opts.root,
                    None,
                    format!("pembangunan ulang gagal: {e}"),
                )])]
            });
    let mut failed = None;
    for outcome in outcomes {
        match outcome {
            Outcome::Published(published, what) => {
                tracing::info!("rebuilt {what} in {} ms", started.elapsed().as_millis());
                *state.published.write().unwrap_or_else(|e| e.into_inner()) = Arc::from(published);
                state.static_files.reload().await;
            }
            Outcome::Calendar(calendar) => {
                tracing::info!("reloaded the holiday list");
                *state.calendar.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(calendar);
            }
            Outcome::Failed(diags) => {
                for d in &diags {
                    tracing::warn!("{d}");
                }
                tracing::warn!("rebuild failed; still serving the last good site");
                failed = Some(diags);
            }
        }
    }
    live.set_error(failed);
}

fn rebuild_blocking(opts: &BuildOptions, current: &Published, changes: Changes) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    if changes.holidays {
        match Calendar::load(&opts.root) {
            Ok(calendar) => outcomes.push(Outcome::Calendar(calendar)),
            Err(diags) => return vec![Outcome::Failed(diags)],
        }
    }
    if changes.pages.is_empty() && !changes.templates && !changes.other {
        return outcomes;
    }
    if !changes.templates && !changes.other {
        match build::update_pages(
            opts,
            &current.site,
            &current.templates,
            &current.anchors,
            &changes.pages,
        ) {
            PageUpdate::Done {
                site,
                urls,
                warnings,
            } => {
                for w in &warnings {
                    tracing::warn!("{w}");
                }
                let published = Published::from_parts(
                    *site,
                    current.templates.clone(),
                    current.anchors.clone(),
                );
                outcomes.push(Outcome::Published(Box::new(published), urls.join(", ")));
                return outcomes;
            }
            PageUpdate::Invalid(diags) => {
                outcomes.push(Outcome::Failed(diags));
                return outcomes;
            }
            PageUpdate::NeedsFullBuild => {}
        }
    }
    let reuse = (!changes.templates).then(|| current.templates.clone());
    match build::build_reusing(opts, reuse) {
        Ok(report) => {
            for w in &report.warnings {
                tracing::warn!("{w}");
            }
            let what = format!("{} pages", report.pages);
            outcomes.push(Outcome::Published(Box::new(Published::new(report)), what));
        }
        Err(build::BuildError::Invalid(diags)) => outcomes.push(Outcome::Failed(diags)),
        Err(e) => outcomes.push(Outcome::Failed(vec![Diagnostic::error(
            &opts.out,
            None,
            e.to_string(),
        )])),
    }
    outcomes
}

/// `GET /__loket/events`: one `data: reload` per rebuild, a comment every 15 s;
/// 503 when [`MAX_STREAMS`] are open.
pub fn events(live: &Live) -> Response<Body> {
    let Some(open) = live.open_stream() else {
        tracing::warn!(
            "live reload: {} streams open already; one more tab will not reload by itself",
            live.max_streams
        );
        let text = "Terlalu banyak tab pratinjau terbuka; muat ulang halaman ini dengan tangan.\n";
        let plain = "text/plain; charset=utf-8";
        return uncached(StatusCode::SERVICE_UNAVAILABLE, plain, full(text));
    };
    let rx = live.events.subscribe();
    let stream = futures_util::stream::unfold((rx, open), |(mut rx, open)| async move {
        let text: &'static str =
            match tokio::time::timeout(Duration::from_secs(15), rx.recv()).await {
                Ok(Ok(LiveEvent::Close)) | Ok(Err(broadcast::error::RecvError::Closed)) => {
                    return None;
                }
                Ok(_) => "data: reload\n\n",
                Err(_) => ": keepalive\n\n",
            };
        Some((
            Ok::<_, std::io::Error>(Frame::data(Bytes::from_static(text.as_bytes()))),
            (rx, open),
        ))
    });
    let body = StreamBody::new(stream).boxed();
    uncached(StatusCode::OK, "text/event-stream", body)
}

/// `GET /__loket/reload.js`.
pub fn script() -> Response<Body> {
    uncached(
        StatusCode::OK,
        "text/javascript; charset=utf-8",
        full(SCRIPT),
    )
}

/// The page shown instead of the site while the last rebuild failed.
fn error_page(diags: &[Diagnostic]) -> Response<Body> {
    html(
        StatusCode::INTERNAL_SERVER_ERROR,
        crate::site::render::build_error_page(diags),
    )
}

fn is_html(response: &Response<Body>) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// In watch mode: while a rebuild is failing, pages become the error page;
/// every HTML page gets the reload script.
pub async fn decorate(live: &Live, response: Response<Body>, is_head: bool) -> Response<Body> {
    if !is_html(&response)
        || matches!(
            response.status(),
            StatusCode::NOT_MODIFIED | StatusCode::PARTIAL_CONTENT
        )
    {
        return response;
    }
    let response = match live.current_error() {
        Some(diags)
            if response.status().is_success() || response.status() == StatusCode::NOT_FOUND =>
        {
            error_page(&diags)
        }
        _ => response,
    };
    if is_head {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(collected) = body.collect().await else {
        return Response::from_parts(parts, full(Vec::new()));
    };
    let text = String::from_utf8_lossy(&collected.to_bytes()).into_owned();
    let injected = match text.rfind("</body>") {
        Some(at) => format!("{}{SCRIPT_TAG}\n{}", &text[..at], &text[at..]),
        None => format!("{text}{SCRIPT_TAG}\n"),
    };
    parts.headers.remove(header::ETAG);
    parts.headers.remove(header::LAST_MODIFIED);
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(injected.len()));
    Response::from_parts(parts, full(injected))
}
