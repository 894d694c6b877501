//! Shoebox's resumable uploads as policy (docs/protocol-choices.md "Resumable upload"): an
//! upload opened with what the upload will take ([`open`], checked as the upload will be), its
//! chunks appended at the offset the server has ([`append`]), and, once whole, its bytes checked
//! against their checksum and handed over as an uploaded file ([`finishing`]) for
//! [`super::put`].
//!
//! An open upload is two files in `DATA/tmp/resumable`: `<id>.part` (the bytes so far; its
//! length is the offset) and `<id>.json` (who, where, the upload's parameters). Uploads left
//! alone for a day are removed.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::{Striped, Uploader, check, within_quota};
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::params::UploadedFile;
use crate::space_fs::api_error as io;
use crate::state::AppState;
use crate::wire::upload::UploadRequest;

/// Open uploads one user may have at a time.
const MAX_OPEN: usize = 32;
/// An upload nobody added to for this long is removed.
const IDLE: Duration = Duration::from_secs(24 * 3600);

/// An upload id as [`open`] makes them: 32 hex digits, nothing that could name another file.
#[derive(Debug, Clone)]
pub struct UploadId(String);

impl UploadId {
    /// `id` if it is one [`open`] could have made.
    pub fn parse(id: String) -> ApiResult<UploadId> {
        if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ApiError::bad("upload_id", "not an upload id"));
        }
        Ok(UploadId(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One open upload, as kept in `<id>.json`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Open {
    user: i64,
    owner: i64,
    /// The method the upload finishes as (`upload`, `upload_to_folder`, `backup_to_path`).
    pub target: String,
    /// The whole file's bytes.
    pub size: u64,
    checksum: Option<String>,
    /// The upload's parameters as `create` was given them, for the finish.
    pub params: Vec<(String, String)>,
}

/// What `create` opens: the file's `size`, the method it finishes as, the hex BLAKE3 of the
/// whole file if the client gave it, and the parameters kept for the finish.
pub struct Opening {
    pub size: u64,
    pub target: String,
    pub checksum: Option<String>,
    pub params: Vec<(String, String)>,
}

/// One `append` or finish at a time per upload. Not the folder locks: a finish takes one of
/// those while holding this.
static LOCKS: Striped = Striped::new();

/// The lock of upload `id`.
pub fn lock(id: &UploadId) -> &'static tokio::sync::Mutex<()> {
    LOCKS.get(id.as_str())
}

fn dir(state: &AppState) -> PathBuf {
    state.config.spool_dir().join("resumable")
}

/// Opens an upload of `opening.size` bytes by `who`, checked now as `request` will be at the
/// end (and the quota with it, checked, not held: the bytes are reserved when the finish puts
/// the file in place).
pub async fn open(
    state: &AppState,
    who: &Uploader,
    request: &UploadRequest,
    opening: Opening,
) -> ApiResult<(UploadId, Open)> {
    let size = opening.size;
    let limit = state.config.limits.max_upload_bytes;
    if size > limit {
        return Err(ApiError::bad(
            "size",
            format!("larger than the {limit}-byte upload limit"),
        ));
    }
    check(state, who, request).await?;
    if !who.reach.team {
        drop(within_quota(state, who.reach.owner, size).await?);
    }
    let dir = dir(state);
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| io("making the upload folder", e))?;
    let open_now = sweep(&dir, who.user).await;
    if open_now >= MAX_OPEN {
        return Err(ApiError::bad(
            "upload_id",
            format!("{MAX_OPEN} uploads are open already; finish or cancel one"),
        ));
    }
    let open = Open {
        user: who.user,
        owner: who.reach.owner,
        target: opening.target,
        size,
        checksum: opening.checksum,
        params: opening.params,
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
    Ok((UploadId(id), open))
}

/// The open upload `id` of `user` in the space of `owner`, and its offset.
pub async fn find(
    state: &AppState,
    user: i64,
    owner: i64,
    id: &UploadId,
) -> ApiResult<(Open, u64)> {
    let (dir, id) = (dir(state), id.as_str());
    let text = match tokio::fs::read(dir.join(format!("{id}.json"))).await {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ApiError::NotFound),
        Err(e) => return Err(io("reading the upload", e)),
    };
    let open: Open = serde_json::from_slice(&text)
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("an upload's record")))?;
    if open.user != user || open.owner != owner {
        return Err(ApiError::NotFound);
    }
    let offset = match tokio::fs::metadata(dir.join(format!("{id}.part"))).await {
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ApiError::NotFound),
        Err(e) => return Err(io("reading the upload", e)),
    };
    Ok((open, offset))
}

/// What an `append` came to: the offset now, or the whole file is there.
pub enum Appended {
    Partial(u64),
    Complete,
}

/// Appends `chunk` to upload `id` (at `offset`, the server's); without a chunk, the upload must
/// be whole already (a finish tried again).
pub async fn append(
    state: &AppState,
    id: &UploadId,
    open: &Open,
    offset: u64,
    chunk: Option<UploadedFile>,
) -> ApiResult<Appended> {
    let part = dir(state).join(format!("{}.part", id.as_str()));
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
        offset = tokio::task::spawn_blocking(move || add_chunk(&chunk, &part, offset))
            .await
            .map_err(|e| ApiError::Internal(e.into()))??;
        if offset < open.size {
            return Ok(Appended::Partial(offset));
        }
    } else if offset < open.size {
        return Err(ApiError::MissingParam("file"));
    }
    Ok(Appended::Complete)
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

/// The whole file of upload `id`, checked against its checksum (a mismatch discards the
/// upload), as an uploaded `file` under a second name: a failure of the upload after this
/// leaves the part in place for another try; [`remove`] once the upload is done.
pub async fn finishing(state: &AppState, id: &UploadId, open: &Open) -> ApiResult<UploadedFile> {
    let dir = dir(state);
    let part = dir.join(format!("{}.part", id.as_str()));
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
            remove_in(&dir, id.as_str()).await;
            return Err(ApiError::bad(
                "checksum",
                "the file received does not match its checksum; it was discarded, start again",
            ));
        }
    }
    let spool = dir.join(format!("{}.finishing", id.as_str()));
    let _ = tokio::fs::remove_file(&spool).await;
    tokio::fs::hard_link(&part, &spool)
        .await
        .map_err(|e| io("finishing the upload", e))?;
    Ok(UploadedFile {
        field: "file".to_owned(),
        file_name: None,
        size: open.size,
        checksum: verified,
        path: tempfile::TempPath::try_from_path(spool)
            .map_err(|e| io("finishing the upload", e))?,
        live: None,
    })
}

/// Removes upload `id` and its bytes.
pub async fn remove(state: &AppState, id: &UploadId) {
    remove_in(&dir(state), id.as_str()).await;
}

async fn remove_in(dir: &Path, id: &str) {
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
            remove_in(dir, id).await;
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
