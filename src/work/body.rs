//! A form's request body as the intake reads it: in pieces of a size the
//! server picks, not the client, and within its two time limits.
//!
//! A client decides how its body is cut up: with HTTP/1.1 chunked transfer
//! encoding a 4 MB photo can come as four million 1-byte chunks, and
//! everything done per piece (the multipart parser's search for the next
//! boundary, hashing, handing a batch to the disk) would then be done four
//! million times. [`Body`] copies pieces smaller than [`SMALL`] into one
//! buffer and hands that on once it holds [`GATHER`] bytes, the body ends,
//! or a large piece arrives; large pieces go on as they are, without a copy.
//! Gathered bytes are held while the client is slow: whoever reads the body
//! gets them when there are enough or when the body is complete.
//!
//! The time limits are "no byte for `idle`" (every byte received counts,
//! in any part of the form) and "the whole body within `total`". Both are
//! one timer, moved only when it fires: a piece that arrives costs a clock
//! reading, not a timer. The client is never blamed for the server's own
//! slowness: what has arrived is taken before the timer is looked at.

use std::error::Error;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use tokio::time::{Instant, Sleep};

/// Pieces smaller than this are copied into the buffer; larger ones are
/// handed on as they are.
pub const SMALL: usize = 8 * 1024;
/// The buffer is handed on once it holds this many bytes (so what it holds
/// stays under `GATHER + SMALL`).
pub const GATHER: usize = 64 * 1024;

/// Why the body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// No byte for the idle timeout, or the whole body not in by its deadline.
    #[error("request body timed out")]
    Timeout,
    /// The connection broke off, or the body was not valid HTTP.
    #[error("request body broke off: {0}")]
    Broken(Box<dyn Error + Send + Sync>),
}

/// How many bytes a [`Body`] has handed on so far, readable while the body
/// is owned by whoever reads it.
#[derive(Debug, Clone, Default)]
pub struct Delivered(Arc<AtomicU64>);

impl Delivered {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A request body: pieces gathered, time limits kept. A stream of
/// [`Bytes`]; after an error it ends.
pub struct Body<S> {
    inner: Pin<Box<S>>,
    gathered: BytesMut,
    /// A large piece that arrived behind gathered bytes, handed on next.
    waiting: Option<Bytes>,
    ended: bool,
    failed: bool,
    idle: Duration,
    /// The whole body's deadline.
    deadline: Instant,
    last_data: Instant,
    /// Fires at the earlier of `last_data + idle` and `deadline`, as they
    /// were when it was last set.
    timer: Pin<Box<Sleep>>,
    delivered: Delivered,
}

impl<S, E> Body<S>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: Into<Box<dyn Error + Send + Sync>>,
{
    /// Starts the clocks: the body may pause for `idle` at most and must be
    /// complete within `total` from now.
    pub fn new(inner: S, idle: Duration, total: Duration) -> Body<S> {
        let now = Instant::now();
        let deadline = now + total;
        Body {
            inner: Box::pin(inner),
            gathered: BytesMut::new(),
            waiting: None,
            ended: false,
            failed: false,
            idle,
            deadline,
            last_data: now,
            timer: Box::pin(tokio::time::sleep_until((now + idle).min(deadline))),
            delivered: Delivered::default(),
        }
    }

    /// A handle on the count of bytes handed on.
    pub fn delivered(&self) -> Delivered {
        self.delivered.clone()
    }

    fn deliver(&mut self, piece: Bytes) -> Poll<Option<Result<Bytes, BodyError>>> {
        self.delivered
            .0
            .fetch_add(piece.len() as u64, Ordering::Relaxed);
        Poll::Ready(Some(Ok(piece)))
    }

    fn fail(&mut self, e: BodyError) -> Poll<Option<Result<Bytes, BodyError>>> {
        self.failed = true;
        Poll::Ready(Some(Err(e)))
    }

    /// Nothing more has arrived: `Pending` until the timer fires for good.
    fn poll_timer(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, BodyError>>> {
        loop {
            ready!(self.timer.as_mut().poll(cx));
            let due = (self.last_data + self.idle).min(self.deadline);
            if Instant::now() >= due {
                return self.fail(BodyError::Timeout);
            }
            // Data came since the timer was set: it fires later.
            self.timer.as_mut().reset(due);
        }
    }
}

impl<S, E> Stream for Body<S>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: Into<Box<dyn Error + Send + Sync>>,
{
    type Item = Result<Bytes, BodyError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // Only boxed fields are pinned.
        let this = self.get_mut();
        if this.failed {
            return Poll::Ready(None);
        }
        if let Some(piece) = this.waiting.take() {
            return this.deliver(piece);
        }
        let mut arrived = false;
        while !this.ended {
            match this.inner.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(piece))) => {
                    if !arrived {
                        arrived = true;
                        this.last_data = Instant::now();
                        if this.last_data >= this.deadline {
                            return this.fail(BodyError::Timeout);
                        }
                    }
                    if piece.len() >= SMALL {
                        if this.gathered.is_empty() {
                            return this.deliver(piece);
                        }
                        this.waiting = Some(piece);
                        let gathered = this.gathered.split().freeze();
                        return this.deliver(gathered);
                    }
                    if this.gathered.is_empty() {
                        this.gathered.reserve(GATHER + SMALL);
                    }
                    this.gathered.extend_from_slice(&piece);
                    if this.gathered.len() >= GATHER {
                        let gathered = this.gathered.split().freeze();
                        return this.deliver(gathered);
                    }
                }
                Poll::Ready(Some(Err(e))) => return this.fail(BodyError::Broken(e.into())),
                Poll::Ready(None) => this.ended = true,
                Poll::Pending => break,
            }
        }
        if this.ended {
            if this.gathered.is_empty() {
                return Poll::Ready(None);
            }
            let gathered = this.gathered.split().freeze();
            return this.deliver(gathered);
        }
        this.poll_timer(cx)
    }
}

#[cfg(test)]
mod tests;
