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
//!
//! An open upload is two files in `DATA/tmp/resumable`: `<id>.part` (the bytes so far; its
//! length is the offset) and `<id>.json` (who, where, the upload's parameters). Uploads left
//! alone for a day are removed.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Call;
use super::error::{ApiError, ApiResult};
use super::params::{FilePart, UploadedFile};
use super::reply::Reply;
use super::upload::{self, Target};

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

/// Open uploads one user may have at a time.
const MAX_OPEN: usize = 32;
/// An upload nobody added to for this long is removed.
const IDLE: Duration = Duration::from_secs(24 * 3600);

/// One open upload, as kept in `<id>.json`.
#[derive(Debug, Serialize, Deserialize)]
struct Open {
    user: i64,
    owner: i64,
    target: String,
    size: u64,
    checksum: Option<String>,
    params: Vec<(String, String)>,
}

/// One `append` or finish at a time per upload. Not the folder locks: a finish takes one of
/// those while holding this.
static LOCKS: upload::Striped = upload::Striped::new();

fn dir(call: &Call) -> PathBuf {
    call.state.config.spool_dir().join("resumable")
}

fn target_of(name: &str) -> ApiResult<Target> {
    match name {
        "upload" => Ok(Target::Library),
        "upload_to_folder" => Ok(Target::FolderId),
        "backup_to_path" => Ok(Target::Path),
        _ => Err(ApiError::bad(
            "target",
            "upload, upload_to_folder or backup_to_path",
        )),
    }
}

/// An upload id as `create` makes them: 32 hex digits, nothing that could name another file.
fn upload_id(call: &Call) -> ApiResult<String> {
    let id = call
        .params
        .string("upload_id")
        .ok_or(ApiError::MissingParam("upload_id"))?;
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::bad("upload_id", "not an upload id"));
    }
    Ok(id)
}

fn io(what: &str, e: std::io::Error) -> ApiError {
    upload::io_error(what, e)
}

/// The open upload `id` of the caller in this space, and its offset.
async fn find(call: &Call, id: &str) -> ApiResult<(Open, u64)> {
    let dir = dir(call);
    let text = match tokio::fs::read(dir.join(format!("{id}.json"))).await {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ApiError::NotFound),
        Err(e) => return Err(io("reading the upload", e)),
    };
    let open: Open = serde_json::from_slice(&text)
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("an upload's record")))?;
    let reach = call.reach().await?;
    if open.user != call.user()?.user_id.0 || open.owner != reach.owner {
        return Err(ApiError::NotFound);
    }
    let offset = match tokio::fs::metadata(dir.join(format!("{id}.part"))).await {
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ApiError::NotFound),
        Err(e) => return Err(io("reading the upload", e)),
    };
    Ok((open, offset))
}

fn status_json(id: &str, open: &Open, offset: u64) -> serde_json::Value {
    json!({"upload_id": id, "offset": offset, "size": open.size, "complete": offset == open.size})
}

/// `create`: `size` (bytes), `target` (`upload`, the default; `upload_to_folder`;
/// `backup_to_path`), optional `checksum` (hex BLAKE3 of the whole file, checked at the end),
/// and the target method's own parameters. Checked now as the upload will be at the end.
pub async fn create(call: Call) -> ApiResult {
    let user = call.user()?.user_id.0;
    let reach = call.reach().await?;
    let size = call
        .params
        .int("size")?
        .ok_or(ApiError::MissingParam("size"))?;
    let size = u64::try_from(size)
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| ApiError::bad("size", "a file of at least one byte"))?;
    let limit = call.state.config.limits.max_upload_bytes;
    if size > limit {
        return Err(ApiError::bad(
            "size",
            format!("larger than the {limit}-byte upload limit"),
        ));
    }
    let target_name = call
        .params
        .string("target")
        .unwrap_or_else(|| "upload".to_owned());
    let target = target_of(&target_name)?;
    let checksum = match call.params.string("checksum") {
        Some(c) if c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Some(c.to_ascii_lowercase())
        }
        Some(_) => return Err(ApiError::bad("checksum", "64 hex digits (BLAKE3)")),
        None => None,
    };
    upload::check(&call, &reach, target, None).await?;
    if !call.team() {
        // Checked, not held: the bytes are reserved when the finish puts the file in place.
        drop(upload::within_quota(&call, reach.owner, size).await?);
    }

    let dir = dir(&call);
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| io("making the upload folder", e))?;
    let open_now = sweep(&dir, user).await;
    if open_now >= MAX_OPEN {
        return Err(ApiError::bad(
            "upload_id",
            format!("{MAX_OPEN} uploads are open already; finish or cancel one"),
        ));
    }
    let params = KEPT
        .iter()
        .filter_map(|k| call.params.raw(k).map(|v| ((*k).to_owned(), v.to_owned())))
        .collect();
    let open = Open {
        user,
        owner: reach.owner,
        target: target_name,
        size,
        checksum,
        params,
    };
    let id = {
        use rand::Rng;
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        hex::encode(bytes)
    };
    let record = serde_json::to_vec(&open).map_err(|e| ApiError::Internal(e.into()))?;
    let part = dir.join(format!("{id}.part"));
    let json_path = dir.join(format!("{id}.json"));
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        std::fs::File::create_new(&part)?.sync_all()?;
        let tmp = json_path.with_extension("json.tmp");
        std::fs::write(&tmp, &record)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, &json_path)
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?
    .map_err(|e| io("opening the upload", e))?;
    Ok(Reply::data(status_json(&id, &open, 0)))
}

/// `status`: how far the upload is (`offset`), its `size`, and whether it is `complete`.
pub async fn status(call: Call) -> ApiResult {
    let id = upload_id(&call)?;
    let (open, offset) = find(&call, &id).await?;
    Ok(Reply::data(status_json(&id, &open, offset)))
}

/// `cancel`: the upload and its bytes are removed.
pub async fn cancel(call: Call) -> ApiResult {
    let id = upload_id(&call)?;
    let _one = LOCKS.get(id.as_str()).lock().await;
    find(&call, &id).await?;
    remove(&dir(&call), &id).await;
    Ok(Reply::data(json!({"upload_id": id})))
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
    let _one = LOCKS.get(id.as_str()).lock().await;
    let (open, offset) = find(&call, &id).await?;
    if u64::try_from(at).ok() != Some(offset) {
        return Err(ApiError::Offset { at: offset });
    }
    let dir = dir(&call);
    let part = dir.join(format!("{id}.part"));
    let chunk = call
        .params
        .files
        .iter()
        .position(|f| f.field == "file")
        .map(|i| call.params.files.swap_remove(i));
    let mut offset = offset;
    if let Some(chunk) = chunk {
        if offset + chunk.size > open.size {
            return Err(ApiError::bad(
                "file",
                format!(
                    "the chunk ends at byte {}, past the file's {} bytes",
                    offset + chunk.size,
                    open.size
                ),
            ));
        }
        let to = part.clone();
        offset = tokio::task::spawn_blocking(move || add_chunk(&chunk, &to, offset))
            .await
            .map_err(|e| ApiError::Internal(e.into()))??;
        if offset < open.size {
            return Ok(Reply::data(status_json(&id, &open, offset)));
        }
    } else if offset < open.size {
        return Err(ApiError::MissingParam("file"));
    }
    finish(call, &dir, &id, open).await
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
        let (_, offset) = find(call, &id).await?;
        if u64::try_from(at).ok() != Some(offset) {
            return Err(ApiError::Offset { at: offset });
        }
        Ok(None)
    })
}

/// Appends the chunk to `part` (which is `offset` bytes long) and flushes it; on failure the
/// part is cut back to `offset`, so a half-written chunk never counts.
fn add_chunk(chunk: &UploadedFile, part: &Path, offset: u64) -> ApiResult<u64> {
    use std::io::{Seek, SeekFrom};
    let mut out = std::fs::File::options()
        .write(true)
        .open(part)
        .map_err(|e| io("writing the upload", e))?;
    let written = (|| -> std::io::Result<u64> {
        out.seek(SeekFrom::Start(offset))?;
        let mut input = std::fs::File::open(&chunk.path)?;
        let n = std::io::copy(&mut input, &mut out)?;
        out.sync_data()?;
        Ok(n)
    })();
    match written {
        Ok(n) => Ok(offset + n),
        Err(e) => {
            let _ = out.set_len(offset);
            Err(io("writing the upload", e))
        }
    }
}

/// The whole file is there: checked against its checksum, then put in place as `Upload.Item`
/// would with the parameters `create` kept. The open upload goes once that worked.
async fn finish(mut call: Call, dir: &Path, id: &str, open: Open) -> ApiResult {
    let part = dir.join(format!("{id}.part"));
    let mut verified = None;
    if let Some(want) = &open.checksum {
        let p = part.clone();
        let got = tokio::task::spawn_blocking(move || -> std::io::Result<String> {
            let mut hasher = blake3::Hasher::new();
            hasher.update_reader(std::fs::File::open(p)?)?;
            Ok(hasher.finalize().to_hex().to_string())
        })
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(|e| io("reading the upload", e))?;
        verified = blake3::Hash::from_hex(&got).ok().map(|h| *h.as_bytes());
        if &got != want {
            remove(dir, id).await;
            return Err(ApiError::bad(
                "checksum",
                "the file received does not match its checksum; it was discarded, start again",
            ));
        }
    }
    // The upload takes a second name for the bytes, so a failure below leaves the part in
    // place for another try.
    let spool = dir.join(format!("{id}.finishing"));
    let _ = tokio::fs::remove_file(&spool).await;
    tokio::fs::hard_link(&part, &spool)
        .await
        .map_err(|e| io("finishing the upload", e))?;
    let file = UploadedFile {
        field: "file".to_owned(),
        file_name: None,
        size: open.size,
        checksum: verified,
        path: tempfile::TempPath::try_from_path(spool)
            .map_err(|e| io("finishing the upload", e))?,
        live: None,
    };
    for (k, v) in &open.params {
        call.params.insert(k.clone(), v.clone());
    }
    call.params.files.push(file);
    let answer = upload::put(call, target_of(&open.target)?).await?;
    remove(dir, id).await;
    Ok(answer)
}

async fn remove(dir: &Path, id: &str) {
    for ext in ["json", "part", "finishing"] {
        let _ = tokio::fs::remove_file(dir.join(format!("{id}.{ext}"))).await;
    }
}

/// Removes uploads idle for longer than [`IDLE`] (and records without their bytes); returns
/// how many uploads `user` has open.
async fn sweep(dir: &Path, user: i64) -> usize {
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return 0;
    };
    let mut open = 0;
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(id) = name.strip_suffix(".json") else {
            continue;
        };
        let part = dir.join(format!("{id}.part"));
        let touched = tokio::fs::metadata(&part)
            .await
            .and_then(|m| m.modified())
            .ok();
        let stale = touched
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_none_or(|age| age > IDLE);
        if stale {
            remove(dir, id).await;
            continue;
        }
        let mine = tokio::fs::read(entry.path())
            .await
            .ok()
            .and_then(|t| serde_json::from_slice::<Open>(&t).ok())
            .is_some_and(|o| o.user == user);
        open += usize::from(mine);
    }
    open
}
