//! Bounding a body: the minimum rate it must come at, the text fields it may hold, and how
//! much of a refused one is read and dropped.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use axum::body::BodyDataStream;
use futures_util::StreamExt;

use super::values::Params;
use crate::config::Limits;
use crate::protocol::error::{ApiError, ApiResult};

/// Largest text field of a multipart body.
const MAX_TEXT_FIELD: usize = 64 * 1024;
/// How much of a refused body of unknown length is still read and thrown away.
pub(super) const DRAIN_CAP: u64 = 4 << 20;

pub(super) fn malformed(e: multer::Error) -> ApiError {
    ApiError::bad("body", format!("malformed multipart: {e}"))
}

/// A request body must come at `limits.min_body_bytes_per_sec` on average, or it ends in an
/// error: a client that trickles or stalls does not hold a connection (and a spool file) for
/// ever. Each byte buys `1 / rate` seconds; the body may be at most `window`
/// (`limits.body_idle_secs`) behind. So a body that stops is cut `window` after it stopped at
/// the latest, and one that comes at a fraction `f` of the rate is cut after about
/// `window / (1 - f)`; one at the rate or faster goes on, however long. Only the time this
/// stream waits for the client counts: while the reader is busy elsewhere (writing the spool,
/// waiting for a spool slot) the client cannot send, and is not blamed.
pub(super) struct MinRate {
    inner: BodyDataStream,
    rate: u64,
    window: Duration,
    /// When the body is cut unless more comes.
    deadline: Pin<Box<tokio::time::Sleep>>,
    /// When the last chunk was handed to the reader.
    handed: Option<tokio::time::Instant>,
    done: bool,
}

impl MinRate {
    pub(super) fn new(inner: BodyDataStream, limits: &Limits) -> Self {
        let window = Duration::from_secs(limits.body_idle_secs);
        Self {
            inner,
            rate: limits.min_body_bytes_per_sec.max(1),
            window,
            deadline: Box::pin(tokio::time::sleep(window)),
            handed: None,
            done: false,
        }
    }

    /// Moves the deadline `by` later, but never more than `window` from now.
    fn extend(&mut self, by: Duration, now: tokio::time::Instant) {
        let next = (self.deadline.deadline() + by).min(now + self.window);
        self.deadline.as_mut().reset(next);
    }
}

impl futures_util::Stream for MinRate {
    type Item = Result<axum::body::Bytes, std::io::Error>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        if self.done {
            return Poll::Ready(None);
        }
        let now = tokio::time::Instant::now();
        if let Some(handed) = self.handed.take() {
            self.extend(now - handed, now);
        }
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                let earned = Duration::from_secs_f64(chunk.len() as f64 / self.rate as f64);
                self.extend(earned, now);
                self.handed = Some(now);
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(std::io::Error::other(e)))),
            Poll::Ready(None) => {
                self.done = true;
                Poll::Ready(None)
            }
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    self.done = true;
                    let (rate, secs) = (self.rate, self.window.as_secs());
                    Poll::Ready(Some(Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!(
                            "the body came too slowly: under {rate} bytes a second, \
                             {secs} s behind"
                        ),
                    ))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

/// Reads and drops up to `budget` bytes of the parts still to come (`field` first).
pub(super) async fn drain_parts(
    multipart: &mut multer::Multipart<'static>,
    field: Option<multer::Field<'static>>,
    mut budget: u64,
) {
    let mut next = field;
    while budget > 0 {
        let mut field = match next.take() {
            Some(field) => field,
            None => match multipart.next_field().await {
                Ok(Some(field)) => field,
                _ => return,
            },
        };
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    budget = budget.saturating_sub(chunk.len() as u64);
                    if budget == 0 {
                        return;
                    }
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
}

pub(super) async fn drain<E>(
    stream: &mut (impl futures_util::Stream<Item = Result<axum::body::Bytes, E>> + Unpin),
    mut budget: u64,
) {
    while budget > 0 {
        match stream.next().await {
            Some(Ok(chunk)) => budget = budget.saturating_sub(chunk.len() as u64),
            _ => return,
        }
    }
}

impl Params {
    /// One multipart text field, bounded: at most [`MAX_TEXT_FIELD`] bytes, and the text
    /// fields of the body at most `max_body_bytes` in all (`text_bytes` so far). Without
    /// `replace`, a parameter already given keeps its value.
    pub(super) async fn read_text(
        &mut self,
        mut field: multer::Field<'static>,
        limits: &Limits,
        text_bytes: &mut u64,
        replace: bool,
    ) -> ApiResult<()> {
        let name = field.name().unwrap_or("").to_owned();
        let mut value = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(malformed)? {
            *text_bytes += chunk.len() as u64;
            if value.len() + chunk.len() > MAX_TEXT_FIELD || *text_bytes > limits.max_body_bytes {
                return Err(ApiError::TooLarge {
                    limit: limits.max_body_bytes,
                });
            }
            value.extend_from_slice(&chunk);
        }
        let value =
            String::from_utf8(value).map_err(|_| ApiError::bad(name.clone(), "not UTF-8 text"))?;
        if !replace && self.raw(&name).is_some() {
            return Ok(());
        }
        self.extend([(name, value)])
    }
}
