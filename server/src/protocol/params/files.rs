//! The file parts of a multipart body: held unread until dispatch admits the caller, then
//! spooled ([`Files::receive`]), or drained unread ([`Files::refuse`]).

use std::path::Path;

use super::body::{DRAIN_CAP, drain_parts, malformed};
use super::spool::{SpoolError, UploadedFile, spool_field};
use super::values::Params;
use crate::config::Limits;
use crate::protocol::error::{ApiError, ApiResult};

/// File parts per request.
const MAX_FILES: usize = 8;
/// Bodies longer than this are hashed while they are spooled.
const HASH_WHILE_SPOOLING: u64 = 32 << 20;

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
    pub(in crate::protocol) fn new(max_file_bytes: u64, slot: crate::spools::SpoolSlot) -> Self {
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
pub struct Files(pub(super) Option<Pending>);

pub(super) struct Pending {
    pub(super) multipart: multer::Multipart<'static>,
    /// The first file part, its head read, its content not.
    pub(super) field: multer::Field<'static>,
    pub(super) first: FilePart,
    /// The text fields' bytes so far (bounded by `max_body_bytes` in all).
    pub(super) text_bytes: u64,
    pub(super) declared: Option<u64>,
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
