//! Request parameters, merged from the query string and the body (url-encoded or multipart), as
//! reference §1.2 requires, and read back with the JSON-literal rules it describes: a value may
//! be a JSON literal (`"x"`, `4`, `[1,2]`, `true`) or, for strings and numbers, bare text.
//!
//! Bodies are bounded before they are read: a declared length over the limit is refused without
//! reading, and an undeclared one is cut off at the limit. Multipart file parts stream to a
//! spool file and never sit in memory whole. A body is read in two steps: what may be read
//! before the caller is known ([`Params::read_head`]: the text fields up to the first file
//! part), then the file parts, only for a caller dispatch admitted ([`Files`]). A body that
//! stalls or comes too slowly is cut off (`limits.body_idle_secs`, `min_body_bytes_per_sec`).

use std::collections::HashMap;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::time::Duration;

use axum::body::BodyDataStream;
use axum::http::header;
use futures_util::StreamExt;
use serde_json::Value;
use tokio::io::AsyncWriteExt;

use super::error::{ApiError, ApiResult};
use crate::config::Limits;

/// More distinct parameters than any client sends; past this the request is refused.
const MAX_PARAMS: usize = 512;
/// Largest text field of a multipart body.
const MAX_TEXT_FIELD: usize = 64 * 1024;
/// File parts per request.
const MAX_FILES: usize = 8;
/// Bodies longer than this are hashed while they are spooled.
const HASH_WHILE_SPOOLING: u64 = 32 << 20;
/// The size of the spool's writes.
const SPOOL_WRITE: usize = 1 << 20;
/// How much of a refused body of unknown length is still read and thrown away.
const DRAIN_CAP: u64 = 4 << 20;

/// A file part of a multipart request, spooled to disk. The spool file is removed when this is
/// dropped unless a handler moves it into place first.
#[derive(Debug)]
pub struct UploadedFile {
    pub field: String,
    pub file_name: Option<String>,
    pub size: u64,
    pub path: tempfile::TempPath,
    /// BLAKE3 of the content, computed as it arrived (bodies over 32 MB or of unknown length).
    pub checksum: Option<[u8; 32]>,
    /// The spool file registered as a live request's, so no sweep removes it meanwhile
    /// (`crate::inflight`); `None` for a file that is not in the spool folder.
    pub live: Option<crate::inflight::Live>,
}

/// The merged parameters of one request.
#[derive(Debug, Default)]
pub struct Params {
    values: HashMap<String, String>,
    pub files: Vec<UploadedFile>,
}

/// Proof that a request's caller may send it files, as `dispatch::admit_files` found: the only
/// thing that lets [`Files::receive`] read a body's file parts. Its fields are private to this
/// module and its one constructor is for the `api` plumbing; `dispatch::admit_files` is its only
/// caller (a handler never makes one: it receives its files already read). It holds the
/// address's spool slot until it is dropped, after the handler is done with the files.
pub struct Admitted {
    max_file_bytes: u64,
    _slot: crate::spools::SpoolSlot,
}

impl Admitted {
    /// Made by `dispatch::admit_files` alone, once the caller passed every check.
    pub(super) fn new(max_file_bytes: u64, slot: crate::spools::SpoolSlot) -> Self {
        Self {
            max_file_bytes,
            _slot: slot,
        }
    }

    /// The most bytes one file part may bring.
    pub fn max_file_bytes(&self) -> u64 {
        self.max_file_bytes
    }
}

/// What is known of a request's first file part before any of its content is read.
#[derive(Debug, Clone)]
pub struct FilePart {
    /// The multipart field's name (`file`, `thumb_xl`, ...).
    pub field: String,
    /// The file name the part gives.
    pub file_name: Option<String>,
}

/// The file parts of a multipart request, not read yet: the body from its first file part on.
///
/// This is how the rule "nothing of a body is stored before its caller is known" is kept:
/// [`Params::read_head`] stops at the first file part and hands the rest over as this; only
/// [`Files::receive`] reads it, and that takes the [`Admitted`] that dispatch alone makes, once
/// the route, the session (or the link) and the method's own gate have let the caller through.
/// Refused, the rest is [`Files::refuse`]d: a little of it is read and dropped, none stored.
pub struct Files(Option<Pending>);

struct Pending {
    multipart: multer::Multipart<'static>,
    /// The first file part, its head read, its content not.
    field: multer::Field<'static>,
    first: FilePart,
    /// The text fields' bytes so far (bounded by `max_body_bytes` in all).
    text_bytes: u64,
    declared: Option<u64>,
}

impl Files {
    /// The first file part, if the body has one.
    pub fn first(&self) -> Option<&FilePart> {
        self.0.as_ref().map(|p| &p.first)
    }

    /// How long the client said the whole body is.
    pub fn declared(&self) -> Option<u64> {
        self.0.as_ref().and_then(|p| p.declared)
    }

    /// Reads the rest of the body into `params`: each file part spooled to a file in `spool`
    /// (at most `admitted.max_file_bytes()` each, [`MAX_FILES`] in all), the text fields among
    /// and after them as [`Params::read_head`] reads them.
    pub async fn receive(
        self,
        admitted: &Admitted,
        params: &mut Params,
        limits: &Limits,
        spool: &Path,
    ) -> ApiResult<()> {
        let Some(Pending {
            mut multipart,
            field,
            mut text_bytes,
            declared,
            ..
        }) = self.0
        else {
            return Ok(());
        };
        let max_file = admitted.max_file_bytes();
        // A large body is hashed as it arrives, so the index job need not read it all again;
        // a photo is hashed by the index job from the page cache, off the upload's path.
        let hash = declared.is_none_or(|n| n > HASH_WHILE_SPOOLING);
        let mut next = Some(field);
        loop {
            let field = match next.take() {
                Some(field) => field,
                None => match multipart.next_field().await.map_err(malformed)? {
                    Some(field) => field,
                    None => return Ok(()),
                },
            };
            let read = match field.file_name().map(str::to_owned) {
                // The checks saw the fields before the files: one after them adds, never
                // replaces.
                None => {
                    params
                        .read_text(field, limits, &mut text_bytes, false)
                        .await
                }
                Some(file_name) => {
                    params
                        .read_file(field, file_name, max_file, spool, hash)
                        .await
                }
            };
            if let Err(e) = read {
                if let ApiError::TooLarge { .. } = e {
                    // Read what the client still sends so that it gets our answer rather than
                    // a reset connection; bounded by the declared length, or by DRAIN_CAP.
                    drain_parts(&mut multipart, None, declared.unwrap_or(DRAIN_CAP)).await;
                }
                return Err(e);
            }
        }
    }

    /// The caller was refused: a little of the body is read and dropped (so that the client
    /// reads the answer rather than a reset connection), nothing is stored.
    pub async fn refuse(self) {
        if let Some(Pending {
            mut multipart,
            field,
            ..
        }) = self.0
        {
            drain_parts(&mut multipart, Some(field), DRAIN_CAP).await;
        }
    }
}

impl Params {
    async fn read_file(
        &mut self,
        mut field: multer::Field<'static>,
        file_name: String,
        limit: u64,
        spool: &Path,
        hash: bool,
    ) -> ApiResult<()> {
        let name = field.name().unwrap_or("").to_owned();
        if self.files.len() >= MAX_FILES {
            return Err(ApiError::bad(name, format!("more than {MAX_FILES} files")));
        }
        let (path, live, size, checksum) = spool_field(&mut field, limit, spool, hash)
            .await
            .map_err(|e| match e {
                SpoolError::Multipart(e) => malformed(e),
                SpoolError::TooLarge => ApiError::TooLarge { limit },
                SpoolError::Io(e) if e.kind() == std::io::ErrorKind::StorageFull => {
                    ApiError::Storage("receiving the upload: the disk is full".into())
                }
                SpoolError::Io(e) => {
                    ApiError::Internal(anyhow::Error::new(e).context("spooling an upload"))
                }
            })?;
        self.files.push(UploadedFile {
            field: name,
            file_name: Some(file_name),
            size,
            path,
            checksum,
            live: Some(live),
        });
        Ok(())
    }
}

fn malformed(e: multer::Error) -> ApiError {
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
struct MinRate {
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
    fn new(inner: BodyDataStream, limits: &Limits) -> Self {
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
async fn drain_parts(
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

/// The text of a JSON string literal (`"abc"`), or `None` for anything else. Most values are
/// bare text: they are not handed to the JSON parser at all (its error is an allocation).
fn json_string(raw: &str) -> Option<String> {
    if raw.trim_start().starts_with('"') {
        serde_json::from_str::<String>(raw).ok()
    } else {
        None
    }
}

impl Params {
    /// Reads what of a request may be read before anyone asks who sends it: the query string,
    /// and of the body a url-encoded form (at most `max_body_bytes`) or a multipart body's text
    /// fields up to its first file part (each bounded as below). Body values override query
    /// values. The file parts are left unread in the [`Files`] returned, which only dispatch
    /// holds, and reads once it has admitted the caller.
    pub async fn read_head(
        parts: &axum::http::request::Parts,
        body: axum::body::Body,
        limits: &Limits,
    ) -> ApiResult<(Params, Files)> {
        let mut params = Params::default();
        if let Some(query) = parts.uri.query() {
            params.extend(form_urlencoded::parse(query.as_bytes()).into_owned())?;
        }
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if let Ok(boundary) = multer::parse_boundary(&content_type) {
            let limit = limits
                .max_upload_bytes
                .saturating_add(limits.max_body_bytes);
            if let Some(n) = declared.filter(|n| *n > limit) {
                // A body of a few megabytes is read and dropped so that the client gets the
                // answer rather than a reset connection; a larger one is not worth reading.
                if n <= DRAIN_CAP {
                    drain(&mut MinRate::new(body.into_data_stream(), limits), n).await;
                }
                return Err(ApiError::TooLarge { limit });
            }
            let stream = MinRate::new(body.into_data_stream(), limits);
            let mut multipart = multer::Multipart::new(stream, boundary);
            let mut text_bytes = 0u64;
            loop {
                let field = match multipart.next_field().await {
                    Ok(Some(field)) => field,
                    Ok(None) => return Ok((params, Files(None))),
                    Err(e) => return Err(malformed(e)),
                };
                if let Some(file_name) = field.file_name().map(str::to_owned) {
                    let first = FilePart {
                        field: field.name().unwrap_or("").to_owned(),
                        file_name: Some(file_name),
                    };
                    let pending = Pending {
                        multipart,
                        field,
                        first,
                        text_bytes,
                        declared,
                    };
                    return Ok((params, Files(Some(pending))));
                }
                if let Err(e) = params.read_text(field, limits, &mut text_bytes, true).await {
                    if let ApiError::TooLarge { .. } = e {
                        drain_parts(&mut multipart, None, DRAIN_CAP).await;
                    }
                    return Err(e);
                }
            }
        } else if declared != Some(0) && !axum::body::HttpBody::is_end_stream(&body) {
            let limit = limits.max_body_bytes;
            if declared.is_some_and(|n| n > limit) {
                return Err(ApiError::TooLarge { limit });
            }
            let mut stream = MinRate::new(body.into_data_stream(), limits);
            let mut bytes = Vec::new();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| ApiError::bad("body", e.to_string()))?;
                if (bytes.len() + chunk.len()) as u64 > limit {
                    drain(&mut stream, DRAIN_CAP).await;
                    return Err(ApiError::TooLarge { limit });
                }
                bytes.extend_from_slice(&chunk);
            }
            // DSM clients send forms; a body of another type carries no parameters we read.
            if content_type.is_empty()
                || content_type.starts_with("application/x-www-form-urlencoded")
            {
                params.extend(form_urlencoded::parse(&bytes).into_owned())?;
            }
        }
        Ok((params, Files(None)))
    }

    /// One multipart text field, bounded: at most [`MAX_TEXT_FIELD`] bytes, and the text
    /// fields of the body at most `max_body_bytes` in all (`text_bytes` so far). Without
    /// `replace`, a parameter already given keeps its value.
    async fn read_text(
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
        if !replace && self.values.contains_key(&name) {
            return Ok(());
        }
        self.extend([(name, value)])
    }

    fn extend(&mut self, pairs: impl IntoIterator<Item = (String, String)>) -> ApiResult<()> {
        for (k, v) in pairs {
            self.values.insert(k, v);
            if self.values.len() > MAX_PARAMS {
                return Err(ApiError::bad(
                    "request",
                    format!("more than {MAX_PARAMS} parameters"),
                ));
            }
        }
        Ok(())
    }

    /// Sets a value, as decrypted login fields do.
    pub fn insert(&mut self, key: String, value: String) {
        self.values.insert(key, value);
    }

    /// Forgets a value (a parameter the server sets itself).
    pub fn remove(&mut self, key: &str) {
        self.values.remove(key);
    }

    /// The value exactly as sent.
    pub fn raw(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// A routing value (`api`, `method`, `version`): one layer of JSON quotes stripped.
    pub fn routing(&self, key: &str) -> Option<String> {
        let raw = self.raw(key)?.trim();
        let value = json_string(raw).unwrap_or_else(|| raw.to_owned());
        Some(value).filter(|v| !v.is_empty())
    }

    /// A string field: a JSON string literal, or the bare text.
    pub fn string(&self, key: &str) -> Option<String> {
        let raw = self.raw(key)?;
        Some(json_string(raw).unwrap_or_else(|| raw.to_owned()))
    }

    /// A string field that must be present.
    pub fn required_string(&self, key: &'static str) -> ApiResult<String> {
        self.string(key).ok_or(ApiError::MissingParam(key))
    }

    /// An integer field: `4` or `"4"`.
    pub fn int(&self, key: &str) -> ApiResult<Option<i64>> {
        let Some(raw) = self.raw(key) else {
            return Ok(None);
        };
        let text = json_string(raw).unwrap_or_else(|| raw.trim().to_owned());
        text.parse::<i64>()
            .map(Some)
            .map_err(|_| ApiError::bad(key, "not an integer"))
    }

    /// A finite number: `2.35` or `"2.35"`.
    pub fn float(&self, key: &str) -> ApiResult<Option<f64>> {
        let Some(raw) = self.raw(key) else {
            return Ok(None);
        };
        let text = json_string(raw).unwrap_or_else(|| raw.trim().to_owned());
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(ApiError::bad(key, "not a number")),
        }
    }

    /// An integer list: `[1,2]`, `["1","2"]`, or one bare integer.
    pub fn int_list(&self, key: &str) -> ApiResult<Option<Vec<i64>>> {
        let Some(raw) = self.raw(key) else {
            return Ok(None);
        };
        let bad = || ApiError::bad(key, "not a list of integers");
        match serde_json::from_str::<Value>(raw).map_err(|_| bad())? {
            Value::Array(items) => items
                .iter()
                .map(|v| match v {
                    Value::Number(n) => n.as_i64().ok_or_else(bad),
                    Value::String(s) => s.parse().map_err(|_| bad()),
                    _ => Err(bad()),
                })
                .collect::<ApiResult<Vec<_>>>()
                .map(Some),
            Value::Number(n) => n.as_i64().map(|n| Some(vec![n])).ok_or_else(bad),
            _ => Err(bad()),
        }
    }

    /// A boolean field: `true`/`false`, quoted or not; `yes`/`no` and `1`/`0` as DSM forms use.
    pub fn bool(&self, key: &str) -> ApiResult<Option<bool>> {
        let Some(raw) = self.string(key) else {
            return Ok(None);
        };
        match raw.trim() {
            "true" | "yes" | "1" => Ok(Some(true)),
            "false" | "no" | "0" => Ok(Some(false)),
            _ => Err(ApiError::bad(key, "not a boolean")),
        }
    }

    /// A list of strings: `["a","b"]`, one JSON string, or bare comma-separated text.
    pub fn string_list(&self, key: &str) -> ApiResult<Option<Vec<String>>> {
        let Some(raw) = self.raw(key) else {
            return Ok(None);
        };
        let bad = || ApiError::bad(key, "not a list of strings");
        match serde_json::from_str::<Value>(raw) {
            Ok(Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    _ => Err(bad()),
                })
                .collect::<ApiResult<Vec<_>>>()
                .map(Some),
            Ok(Value::String(s)) => Ok(Some(vec![s])),
            Ok(_) => Err(bad()),
            Err(_) => Ok(Some(
                raw.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect(),
            )),
        }
    }

    /// A field that must be JSON (arrays, objects).
    pub fn json(&self, key: &str) -> ApiResult<Option<Value>> {
        let Some(raw) = self.raw(key) else {
            return Ok(None);
        };
        serde_json::from_str(raw)
            .map(Some)
            .map_err(|_| ApiError::bad(key, "not JSON"))
    }
}

async fn drain<E>(
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

enum SpoolError {
    Multipart(multer::Error),
    TooLarge,
    Io(std::io::Error),
}

async fn spool_field(
    field: &mut multer::Field<'_>,
    limit: u64,
    spool: &Path,
    hash: bool,
) -> Result<
    (
        tempfile::TempPath,
        crate::inflight::Live,
        u64,
        Option<[u8; 32]>,
    ),
    SpoolError,
> {
    tokio::fs::create_dir_all(spool)
        .await
        .map_err(SpoolError::Io)?;
    let path = tempfile::Builder::new()
        .prefix(crate::inflight::SPOOL_PREFIX)
        .tempfile_in(spool)
        .map_err(SpoolError::Io)?
        .into_temp_path();
    // A sweep spares it from now on (and a young file before: it goes by age).
    let live = crate::inflight::Live::new(path.to_path_buf());
    // Network chunks are small; each write to a tokio file is a trip to a blocking thread, so
    // they are gathered into writes of a megabyte.
    let mut file = tokio::io::BufWriter::with_capacity(
        SPOOL_WRITE,
        tokio::fs::File::create(&path)
            .await
            .map_err(SpoolError::Io)?,
    );
    let mut size = 0u64;
    let mut hasher = hash.then(blake3::Hasher::new);
    while let Some(chunk) = field.chunk().await.map_err(SpoolError::Multipart)? {
        size += chunk.len() as u64;
        if size > limit {
            return Err(SpoolError::TooLarge);
        }
        if let Some(h) = hasher.as_mut() {
            h.update(&chunk);
        }
        file.write_all(&chunk).await.map_err(SpoolError::Io)?;
    }
    file.flush().await.map_err(SpoolError::Io)?;
    Ok((path, live, size, hasher.map(|h| *h.finalize().as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        let mut p = Params::default();
        for (k, v) in pairs {
            p.insert((*k).into(), (*v).into());
        }
        p
    }

    #[test]
    fn json_literals_and_bare_values() {
        let p = params(&[
            ("a", "\"SYNO.Foto.Thumbnail\""),
            ("b", "takentime"),
            ("id", "\"4\""),
            ("n", "7"),
            ("ids", "[1,\"2\"]"),
            ("one", "5"),
            ("t", "true"),
            ("bad", "[1,"),
        ]);
        assert_eq!(p.routing("a").as_deref(), Some("SYNO.Foto.Thumbnail"));
        assert_eq!(p.string("b").as_deref(), Some("takentime"));
        assert_eq!(p.int("id").expect("int"), Some(4));
        assert_eq!(p.int("n").expect("int"), Some(7));
        assert_eq!(p.int_list("ids").expect("list"), Some(vec![1, 2]));
        assert_eq!(p.int_list("one").expect("list"), Some(vec![5]));
        assert_eq!(p.bool("t").expect("bool"), Some(true));
        assert!(p.int_list("bad").is_err());
        assert!(p.int("b").is_err());
        assert_eq!(p.int("missing").expect("absent"), None);
    }
}
