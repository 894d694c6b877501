//! `SYNO.Foto.Upload.Resumable` / `SYNO.FotoTeam.Upload.Resumable`: Shoebox's own, optional
//! extension for large files on flaky links (docs/protocol-choices.md "Resumable upload").
//! Clients that do not know it never see it; `Upload.Item` is unchanged.
//!
//! `create` takes what `upload`, `upload_to_folder` or `backup_to_path` would (without the
//! file) plus the file's `size`, checks it as the upload would, and opens an upload. `append`
//! adds one chunk at the offset the server has (tus-style: an `offset` that is not the server's
//! is refused with the server's offset, so a client that lost track asks `status` or reads it
//! from the error). The chunk that completes the file finishes the upload exactly as
//! `Upload.Item` would and answers as it does. A chunk cut off by a dropped connection is not
//! kept; everything before it is, fsynced, so an upload interrupted at 90% goes on from there.
//! How the open uploads are kept is `services::uploads::resumable`'s.

use serde::Serialize;

use super::Call;
use super::error::{ApiError, ApiResult};
use super::params::FilePart;
use super::reply::Reply;
use crate::extract;
use crate::services::access::Reach;
use crate::services::uploads;
use crate::services::uploads::resumable::{self, Appended, Open, Opening, UploadId};
use crate::wire::upload::{Target, UploadRequest};

/// The parameters of the upload that `create` keeps for the end.
const KEPT: [&str; 11] = [
    "name",
    "folder",
    "uploadDestination",
    "duplicate",
    "mtime",
    "date",
    "album_id",
    "target_folder_id",
    "folder_id",
    "path",
    "rename_by_date",
];

/// How far an upload is.
#[derive(Serialize)]
struct Status<'a> {
    upload_id: &'a str,
    offset: u64,
    size: u64,
    complete: bool,
}

impl<'a> Status<'a> {
    fn of(id: &'a UploadId, open: &Open, offset: u64) -> Status<'a> {
        Status {
            upload_id: id.as_str(),
            offset,
            size: open.size,
            complete: offset == open.size,
        }
    }
}

/// A cancelled upload.
#[derive(Serialize)]
struct Cancelled {
    upload_id: String,
}

fn upload_id(call: &Call) -> ApiResult<UploadId> {
    UploadId::parse(
        call.params
            .string("upload_id")
            .ok_or(ApiError::MissingParam("upload_id"))?,
    )
}

/// The caller's open upload `id` in this space, and its offset.
async fn find(call: &Call, id: &UploadId) -> ApiResult<(Reach, Open, u64)> {
    let user = call.user()?.user_id.0;
    let reach = extract::reach(call).await?;
    let (open, offset) = resumable::find(&call.state, user, reach.owner, id).await?;
    Ok((reach, open, offset))
}

/// `create`: `size` (bytes), `target` (`upload`, the default; `upload_to_folder`;
/// `backup_to_path`), optional `checksum` (hex BLAKE3 of the whole file, checked at the end),
/// and the target method's own parameters. Checked now as the upload will be at the end.
pub async fn create(call: Call) -> ApiResult {
    call.user()?;
    let reach = extract::reach(&call).await?;
    let size = call
        .params
        .int("size")?
        .ok_or(ApiError::MissingParam("size"))?;
    let size = u64::try_from(size)
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| ApiError::bad("size", "a file of at least one byte"))?;
    let target = call
        .params
        .string("target")
        .unwrap_or_else(|| "upload".to_owned());
    let request = UploadRequest::read(&call.params, Target::named(&target)?, None)?;
    let checksum = match call.params.string("checksum") {
        Some(c) if c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Some(c.to_ascii_lowercase())
        }
        Some(_) => return Err(ApiError::bad("checksum", "64 hex digits (BLAKE3)")),
        None => None,
    };
    let params = KEPT
        .iter()
        .filter_map(|k| call.params.raw(k).map(|v| ((*k).to_owned(), v.to_owned())))
        .collect();
    let who = extract::uploader(&call, reach, &request).await?;
    let opening = Opening {
        size,
        target,
        checksum,
        params,
    };
    let (id, open) = resumable::open(&call.state, &who, &request, opening).await?;
    Ok(Reply::data(Status::of(&id, &open, 0)))
}

/// `status`: how far the upload is (`offset`), its `size`, and whether it is `complete`.
pub async fn status(call: Call) -> ApiResult {
    let id = upload_id(&call)?;
    let (_, open, offset) = find(&call, &id).await?;
    Ok(Reply::data(Status::of(&id, &open, offset)))
}

/// `cancel`: the upload and its bytes are removed.
pub async fn cancel(call: Call) -> ApiResult {
    let id = upload_id(&call)?;
    let _one = resumable::lock(&id).lock().await;
    find(&call, &id).await?;
    resumable::remove(&call.state, &id).await;
    Ok(Reply::data(Cancelled {
        upload_id: id.as_str().to_owned(),
    }))
}

/// `append`: `upload_id`, `offset` (where this chunk starts: the server's offset) and the
/// chunk as the multipart `file`. The chunk that reaches `size` finishes the upload and the
/// answer is `Upload.Item`'s; a finish that failed (a full disk, a name taken) is tried again
/// by an `append` at `offset` = `size` with no file.
pub async fn append(mut call: Call) -> ApiResult {
    let id = upload_id(&call)?;
    let at = call
        .params
        .int("offset")?
        .ok_or(ApiError::MissingParam("offset"))?;
    let _one = resumable::lock(&id).lock().await;
    let (reach, open, offset) = find(&call, &id).await?;
    if u64::try_from(at).ok() != Some(offset) {
        return Err(ApiError::Offset { at: offset });
    }
    let chunk = call
        .params
        .files
        .iter()
        .position(|f| f.field == "file")
        .map(|i| call.params.files.swap_remove(i));
    if let Appended::Partial(offset) =
        resumable::append(&call.state, &id, &open, offset, chunk).await?
    {
        return Ok(Reply::data(Status::of(&id, &open, offset)));
    }
    // The whole file is there: put in place as `Upload.Item` would with the parameters
    // `create` kept; the open upload goes once that worked.
    let file = resumable::finishing(&call.state, &id, &open).await?;
    for (k, v) in &open.params {
        call.params.insert(k.clone(), v.clone());
    }
    let thumbs = call.params.take_files(&["thumb_xl", "thumb_sm"]);
    let request = UploadRequest::read(&call.params, Target::named(&open.target)?, None)?;
    let who = extract::uploader(&call, reach, &request).await?;
    let stored = uploads::put(&call.state, &who, request, file, thumbs).await?;
    resumable::remove(&call.state, &id).await;
    Ok(Reply::data(stored))
}

/// The file gate of `append` (api::table): the chunk is read only for the caller's own open
/// upload, at its offset.
pub fn admits_append<'a>(
    call: &'a Call,
    _first: &'a FilePart,
) -> futures_util::future::BoxFuture<'a, ApiResult<Option<u64>>> {
    Box::pin(async move {
        let id = upload_id(call)?;
        let at = call
            .params
            .int("offset")?
            .ok_or(ApiError::MissingParam("offset"))?;
        let (_, _, offset) = find(call, &id).await?;
        if u64::try_from(at).ok() != Some(offset) {
            return Err(ApiError::Offset { at: offset });
        }
        Ok(None)
    })
}
