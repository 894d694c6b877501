//! Originals and videos: an item's original file as a download (`Download download`) and a
//! video as a stream players can seek in (`Streaming streaming`), each for those with the
//! rights on it (reference §3.3, §3.13).

use std::path::Path;

use axum::http::HeaderMap;
use axum::response::Response;
use shoebox_catalog::library::ItemRow;
use shoebox_indexer::indexer::PreviewError;

use super::serve::{serve_file, serve_open};
use crate::protocol::error::{ApiError, ApiResult};
use crate::services::access::Rights;
use crate::space_fs::{self, SpaceRoot};
use crate::state::AppState;

/// Item `row`'s original file as a download under its own name, with ranges, if `rights`
/// (the caller's on it) let the caller download it.
pub async fn original(
    state: &AppState,
    row: &ItemRow,
    rights: Rights,
    headers: &HeaderMap,
) -> ApiResult<Response> {
    if !rights.download {
        return Err(ApiError::Forbidden);
    }
    let file = space_file(state, row.owner_id, file_rel(row, &row.filename)).await?;
    serve_open(file, 0, headers, download_type(row), Some(&row.filename)).await
}

/// A file of a space (`rel` from its root), opened beneath the root ([`SpaceRoot`]).
async fn space_file(state: &AppState, owner: i64, rel: String) -> ApiResult<tokio::fs::File> {
    let space = SpaceRoot::of(&state.db, &state.library, owner).await?;
    let file = space_fs::blocking("opening a file", move || space.open_file(&rel)).await?;
    Ok(tokio::fs::File::from_std(file))
}

/// The path of file `name` of `row`'s folder from its space's root.
pub fn file_rel(row: &ItemRow, name: &str) -> String {
    if row.folder_path == "/" {
        format!("/{name}")
    } else {
        format!("{}/{name}", row.folder_path)
    }
}

/// The MIME type of an original: `image/*` for photos (what py-synologydsm-api needs),
/// `application/octet-stream` for anything else on Download (§3.3).
fn download_type(row: &ItemRow) -> &'static str {
    if row.item_type == "video" {
        return "application/octet-stream";
    }
    // `format` is the file's extension as the indexer recorded it.
    match row.format.to_ascii_lowercase().as_str() {
        "jpg" | "jpeg" | "jpe" | "mpo" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "tif" | "tiff" => "image/tiff",
        "bmp" => "image/bmp",
        "heic" | "heif" | "hif" => "image/heic",
        "avif" => "image/avif",
        _ => "application/octet-stream",
    }
}

fn video_type(name: &str) -> &'static str {
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "mkv" => "video/x-matroska",
        "avi" => "video/x-msvideo",
        "3gp" => "video/3gpp",
        "mts" | "m2ts" => "video/mp2t",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

/// The stream `Streaming streaming` asks for with its `quality`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quality {
    /// No `quality`: `Original` for a caller who may download the item, `Converted` for one
    /// who may only view it.
    Default,
    /// `original`: the file itself.
    Original,
    /// `high`, `medium`, `low`, `mobile`: a stream the client can play.
    Converted,
}

/// A video (or a Live Photo's video, or a Motion Photo's) of item `row` with byte ranges so
/// players can seek, typed for players. The file itself needs the right to download it
/// (`rights`, the caller's), as a Motion Photo's embedded video does; a converted stream, for
/// a video browsers cannot play (HEVC and older codecs), is its H.264 preview, made first if
/// it is not yet (unless previews are off). Without one (not needed, off, broken) the video
/// is served as it is.
pub async fn stream(
    state: &AppState,
    row: &ItemRow,
    rights: Rights,
    quality: Quality,
    headers: &HeaderMap,
) -> ApiResult<Response> {
    let converted = match quality {
        Quality::Default => !rights.download,
        Quality::Original => false,
        Quality::Converted => true,
    };
    let (video_id, name) = match row.item_type.as_str() {
        "video" => (row.id, row.filename.clone()),
        "live" => (
            row.live_video_id.ok_or(ApiError::NotFound)?,
            row.live_video_name.clone().ok_or(ApiError::NotFound)?,
        ),
        // A Motion Photo: the MP4 after the still, from its stored offset to the end; a part
        // of the original file, so for those who may download it.
        _ if row.motion_offset.is_some() => {
            if !rights.download {
                return Err(ApiError::Forbidden);
            }
            let offset = row.motion_offset.and_then(|o| u64::try_from(o).ok());
            let offset = offset.ok_or(ApiError::NotFound)?;
            let file = space_file(state, row.owner_id, file_rel(row, &row.filename)).await?;
            return serve_open(file, offset, headers, "video/mp4", None).await;
        }
        _ => return Err(ApiError::NotFound),
    };
    if !converted && !rights.download {
        return Err(ApiError::Forbidden);
    }
    if converted {
        match state.indexer.preview_for(video_id).await {
            Ok(path) => return serve_file(path, headers, "video/mp4", None).await,
            Err(PreviewError::Database(e)) => return Err(e.into()),
            Err(reason) => {
                tracing::debug!(item = video_id, "streaming the original: {reason}");
            }
        }
    }
    let file = space_file(state, row.owner_id, file_rel(row, &name)).await?;
    serve_open(file, 0, headers, video_type(&name), None).await
}
