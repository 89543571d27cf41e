//! Connections: the accept loop, the connection slots (`--max-connections`)
//! and the time limits that keep a client from holding a slot it does not use.
//!
//! Why this exists: hyper-util's auto builder waits without limit while it
//! tells HTTP/1 from HTTP/2, hyper's header timeout only starts after that,
//! HTTP/2 has no idle timeout, nothing stops a client that never reads its
//! response, and hyper-util's graceful shutdown waits for an idle HTTP/2
//! client to answer a ping. A handful of silent sockets kept every other
//! client out, and one idle HTTP/2 client held SIGTERM for 30 s.
//!
//! So each connection knows whether a request is in progress ([`Activity`]):
//! from the moment hyper hands us its head until hyper has dropped the
//! response body and the socket has taken every byte. A connection without
//! one is idle, and [`watch`] closes it:
//!
//! | idle since | after |
//! | --- | --- |
//! | it was accepted (no request yet) | the header timeout |
//! | its last response | the idle timeout (HTTP/1: hyper's header timeout, if shorter) |
//! | either, while a new client waits for a slot | [`CROWDED_IDLE`] |
//! | either, once the server is shutting down | at once |
//!
//! Closing is hyper's graceful shutdown (HTTP/1: close if idle, HTTP/2:
//! GOAWAY); a connection still open and idle [`GRACE`] later is dropped.
//! Requests in progress are never cut short here: a request body has its own
//! timeouts (`intake`), a response the write timeout ([`Io`], like nginx's
//! `send_timeout`: a write that makes no progress for that long fails), and
//! on shutdown everything gets [`DRAIN`]. HTTP/2 connections are pinged so a
//! peer that vanished mid-request is noticed.
//!
//! Not covered: an HTTP/2 client that answers pings but never opens its
//! flow-control window keeps its streams, and so its slot, busy. Browsers
//! speak HTTP/2 only over TLS, which nginx ends before us.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulConnection;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore, watch};
use tokio::time::{Instant, Sleep};

use super::{Body, Limits};

/// How long an idle connection asked to close may take (an HTTP/2 client
/// answering the ping that follows GOAWAY) before it is dropped.
const GRACE: Duration = Duration::from_secs(1);
/// While a new client waits for a slot, connections idle this long close.
/// Not zero: a browser that just got a page asks for its stylesheet next.
const CROWDED_IDLE: Duration = Duration::from_secs(1);
/// HTTP/2: ping a connection that sent nothing for this long...
const H2_PING_INTERVAL: Duration = Duration::from_secs(20);
/// ...and close it if the answer takes longer than this.
const H2_PING_TIMEOUT: Duration = Duration::from_secs(20);
/// After SIGTERM, the longest wait for requests in progress.
const DRAIN: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy)]
struct Timeouts {
    header: Duration,
    idle: Duration,
    write: Duration,
}

/// What the accept loop tells every connection.
#[derive(Clone)]
struct Signals {
    /// A new client is waiting for a slot.
    crowded: watch::Receiver<bool>,
    /// The server is shutting down.
    draining: watch::Receiver<bool>,
}

/// Accepts connections until `shutdown` completes, answers each request with
/// `handler`, then lets requests in progress finish (up to [`DRAIN`]).
pub async fn serve<H, F>(
    listener: TcpListener,
    limits: &Limits,
    handler: H,
    shutdown: impl Future<Output = ()>,
) where
    H: Fn(Request<Incoming>, SocketAddr) -> F + Send + Sync + 'static,
    F: Future<Output = Response<Body>> + Send + 'static,
{
    let builder = Arc::new(builder(limits));
    let handler = Arc::new(handler);
    let timeouts = Timeouts {
        header: limits.header_timeout,
        idle: limits.idle_timeout,
        write: limits.write_timeout,
    };
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (crowded_tx, crowded) = watch::channel(false);
    let (draining_tx, draining) = watch::channel(false);
    let signals = Signals { crowded, draining };
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: back off, don't spin.
                    tracing::error!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        // Accepted first, so that idle connections make room only when
        // someone is really waiting.
        let permit = match slots.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                crowded_tx.send_replace(true);
                let permit = tokio::select! {
                    permit = slots.clone().acquire_owned() => permit,
                    _ = &mut shutdown => break,
                };
                crowded_tx.send_replace(false);
                match permit {
                    Ok(permit) => permit,
                    Err(_) => break,
                }
            }
        };
        let (builder, handler, signals) = (builder.clone(), handler.clone(), signals.clone());
        tokio::spawn(async move {
            let activity = Arc::new(Activity::default());
            let io = TokioIo::new(Io::new(stream, activity.clone(), timeouts.write));
            let service = hyper::service::service_fn({
                let activity = activity.clone();
                move |req| {
                    let busy = Busy::start(&activity);
                    let response = handler(req, peer);
                    async move {
                        let response = response.await.map(|body| Tracked { body, _busy: busy });
                        Ok::<_, Infallible>(response)
                    }
                }
            });
            watch(
                builder.serve_connection(io, service),
                &activity,
                timeouts,
                signals,
            )
            .await;
            drop(permit);
        });
    }
    drop(listener);
    draining_tx.send_replace(true);
    tracing::info!("shutting down: finishing requests in progress");
    // Every slot back means every connection is closed.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(DRAIN, slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!("some requests did not finish within {} s", DRAIN.as_secs());
    }
}

fn builder(limits: &Limits) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        // hyper 1.12 also runs this between requests on a kept-alive connection.
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(64 * 1024);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(32)
        .keep_alive_interval(H2_PING_INTERVAL)
        .keep_alive_timeout(H2_PING_TIMEOUT);
    builder
}

/// What a connection is doing, shared by its watchdog, its requests and its
/// socket.
#[derive(Default)]
struct Activity {
    /// Requests received so far.
    requests: AtomicU64,
    /// Requests whose response body hyper still holds.
    busy: AtomicUsize,
    /// A write is waiting for the client to read.
    writing: AtomicBool,
    /// Woken when the connection may have become idle.
    changed: Notify,
}

impl Activity {
    fn is_idle(&self) -> bool {
        self.busy.load(Ordering::Acquire) == 0 && !self.writing.load(Ordering::Acquire)
    }
}

/// One request in progress, from its head to the end of its response body.
struct Busy(Arc<Activity>);

impl Busy {
    fn start(activity: &Arc<Activity>) -> Busy {
        activity.requests.fetch_add(1, Ordering::AcqRel);
        activity.busy.fetch_add(1, Ordering::AcqRel);
        Busy(activity.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        if self.0.busy.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.changed.notify_one();
        }
    }
}

/// A response body that keeps its request [`Busy`] until hyper drops it.
struct Tracked {
    body: Body,
    _busy: Busy,
}

impl hyper::body::Body for Tracked {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// How long a connection may stay idle before it is asked to close.
fn allowed_idle(started: bool, crowded: bool, timeouts: &Timeouts) -> Duration {
    let normal = match started {
        true => timeouts.idle,
        false => timeouts.header,
    };
    match crowded {
        true => normal.min(CROWDED_IDLE),
        false => normal,
    }
}

/// Drives `conn` to its end, closing it when it has been idle too long (see
/// the table at the top).
async fn watch<C: GracefulConnection>(
    conn: C,
    activity: &Activity,
    timeouts: Timeouts,
    mut signals: Signals,
) {
    tokio::pin!(conn);
    let timer = tokio::time::sleep(timeouts.header);
    tokio::pin!(timer);
    let mut seen = 0;
    let mut idle_since = Some(Instant::now());
    let mut closing_since: Option<Instant> = None;
    loop {
        let now = Instant::now();
        let requests = activity.requests.load(Ordering::Acquire);
        idle_since = match (activity.is_idle(), idle_since) {
            (false, _) => None,
            (true, Some(since)) if requests == seen => Some(since),
            (true, _) => Some(now),
        };
        seen = requests;
        let draining = *signals.draining.borrow();
        if draining && closing_since.is_none() {
            conn.as_mut().graceful_shutdown();
            closing_since = Some(now);
        }
        let deadline = idle_since.map(|since| match closing_since {
            Some(closing) => since.max(closing) + GRACE,
            None => since + allowed_idle(requests > 0, *signals.crowded.borrow(), &timeouts),
        });
        if let Some(deadline) = deadline {
            if deadline <= now {
                if closing_since.is_some() {
                    return;
                }
                conn.as_mut().graceful_shutdown();
                closing_since = Some(now);
                continue;
            }
            // A later deadline waits for the timer to fire: no timer-wheel
            // work for every request on a busy kept-alive connection.
            if timer.is_elapsed() || deadline < timer.deadline() {
                timer.as_mut().reset(deadline);
            }
        }
        let listen_crowded = idle_since.is_some() && closing_since.is_none();
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = timer.as_mut(), if deadline.is_some() => {}
            _ = activity.changed.notified() => {}
            changed = signals.draining.changed(), if !draining => {
                if changed.is_err() {
                    return;
                }
            }
            changed = signals.crowded.changed(), if listen_crowded => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

/// The socket, with the write timeout: a write that makes no progress for
/// that long fails, and hyper closes the connection.
struct Io<S> {
    inner: S,
    activity: Arc<Activity>,
    timeout: Duration,
    /// Armed while a write waits for the client.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<S> Io<S> {
    fn new(inner: S, activity: Arc<Activity>, timeout: Duration) -> Io<S> {
        Io {
            inner,
            activity,
            timeout,
            stalled: None,
        }
    }

    fn progress<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            if self.stalled.take().is_some() {
                self.activity.writing.store(false, Ordering::Release);
                self.activity.changed.notify_one();
            }
            return poll;
        }
        let timeout = self.timeout;
        let stalled = self.stalled.get_or_insert_with(|| {
            self.activity.writing.store(true, Ordering::Release);
            Box::pin(tokio::time::sleep(timeout))
        });
        match stalled.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped reading",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Io<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Io<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.progress(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.progress(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    const TIMEOUTS: Timeouts = Timeouts {
        header: Duration::from_secs(15),
        idle: Duration::from_secs(60),
        write: Duration::from_secs(30),
    };

    #[test]
    fn idle_allowance() {
        assert_eq!(allowed_idle(false, false, &TIMEOUTS), TIMEOUTS.header);
        assert_eq!(allowed_idle(true, false, &TIMEOUTS), TIMEOUTS.idle);
        assert_eq!(allowed_idle(false, true, &TIMEOUTS), CROWDED_IDLE);
        assert_eq!(allowed_idle(true, true, &TIMEOUTS), CROWDED_IDLE);
        let short = Timeouts {
            idle: Duration::from_millis(300),
            ..TIMEOUTS
        };
        assert_eq!(allowed_idle(true, true, &short), short.idle);
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_nobody_reads_fails_after_the_timeout() {
        let activity = Arc::new(Activity::default());
        let (client, server) = tokio::io::duplex(1024);
        let mut io = Io::new(server, activity.clone(), Duration::from_secs(5));
        let started = Instant::now();
        let err = io.write_all(&[0u8; 4096]).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert_eq!(started.elapsed(), Duration::from_secs(5));
        assert!(!activity.is_idle(), "a stalled write is not idle");
        drop(client);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_reader_that_keeps_reading_is_not_cut_off() {
        use tokio::io::AsyncReadExt;
        let activity = Arc::new(Activity::default());
        let (mut client, server) = tokio::io::duplex(1024);
        let mut io = Io::new(server, activity.clone(), Duration::from_secs(5));
        let reader = tokio::spawn(async move {
            let mut buf = [0u8; 512];
            let mut total = 0;
            while total < 8192 {
                tokio::time::sleep(Duration::from_secs(4)).await;
                total += client.read(&mut buf).await.unwrap();
            }
        });
        io.write_all(&[0u8; 8192]).await.unwrap();
        assert!(activity.is_idle(), "every byte taken");
        reader.await.unwrap();
    }

    #[test]
    fn busy_until_the_response_body_is_dropped() {
        let activity = Arc::new(Activity::default());
        let busy = Busy::start(&activity);
        let body = Tracked {
            body: super::super::full("x"),
            _busy: busy,
        };
        assert!(!activity.is_idle());
        assert_eq!(activity.requests.load(Ordering::Acquire), 1);
        drop(body);
        assert!(activity.is_idle());
    }
}
