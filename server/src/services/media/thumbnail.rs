//! Thumbnails (`Thumbnail get`, reference §3.2, §6): the JPEG of a size for an item the
//! caller was found to see, made first with priority if it is not yet, kept by clients as
//! long as its `cache_key` names the build they have; and a person's cover face.

use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shoebox_catalog::library::{self, ThumbState};
use shoebox_indexer::thumbnail::ThumbSize;

use super::serve::set;
use crate::protocol::error::{ApiError, ApiResult};
use crate::services::access::Reach;
use crate::state::AppState;
use crate::wire::item::cache_key_of;

/// How long a thumbnail request waits for a thumbnail being made with priority.
const THUMB_WAIT: Duration = Duration::from_secs(20);

/// Whether `If-None-Match` of `headers` names `etag` (or, when `any` counts, `*`).
fn matches(headers: &HeaderMap, etag: &str, any: bool) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == etag || any && t.trim() == "*")
        })
}

/// The thumbnail of `size` of `item`, which the caller was found to see. One not made yet
/// is the phone's own from its upload if it sent one (not to be kept), else made first with
/// priority over the queue. `cache_key` is the one the client's URL names: when it is this
/// build's, the client may keep the answer for good.
pub async fn of_item(
    state: &AppState,
    mut item: ThumbState,
    size: ThumbSize,
    cache_key: Option<&str>,
    headers: &HeaderMap,
) -> ApiResult<Response> {
    if item.thumb_status != "ready" {
        // The phone's own thumbnail from its upload, if it sent one, until ours is made; not
        // to be kept by the client, so the real one replaces it.
        if item.thumb_status != "broken" {
            let provisional = state.indexer.thumbs().provisional_path(item.id, size);
            if let Ok(bytes) = std::fs::read(&provisional) {
                let mut response = (StatusCode::OK, bytes).into_response();
                set(&mut response, header::CONTENT_TYPE, "image/jpeg");
                set(&mut response, header::CACHE_CONTROL, "no-store");
                return Ok(response);
            }
        }
        item = wait_for_thumbnail(state, item).await?;
    }
    let key = cache_key_of(item.id, item.thumb_version);
    let etag = format!("\"{key}_{}\"", size.name());
    let fresh = cache_key == Some(key.as_str());
    let cache_control = if fresh {
        // The URL names this exact build: keep it as long as the client likes.
        "private, max-age=31536000, immutable"
    } else {
        "private, max-age=3600, must-revalidate"
    };
    if matches(headers, &etag, true) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        set(&mut response, header::ETAG, &etag);
        set(&mut response, header::CACHE_CONTROL, cache_control);
        return Ok(response);
    }
    // Read on this thread, as the item was: a thumbnail is tens of kilobytes, usually in the
    // page cache, and handing the read to the blocking pool costs more than the read.
    let path = state.indexer.thumbs().path(item.id, size);
    let bytes = std::fs::read(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            // Derived files can be rebuilt at any time: queue it and say it is not there.
            ApiError::NotFound
        } else {
            ApiError::Internal(anyhow::Error::new(e).context("reading a thumbnail"))
        }
    })?;
    let mut response = (StatusCode::OK, bytes).into_response();
    set(&mut response, header::CONTENT_TYPE, "image/jpeg");
    set(&mut response, header::ETAG, &etag);
    set(&mut response, header::CACHE_CONTROL, cache_control);
    Ok(response)
}

/// Person `id`'s cover face, if `reach` sees them, cut from its photo's xl thumbnail (sm 160,
/// m 320, xl 640 pixels square), with an ETag of the face and the thumbnail build.
pub async fn of_person(
    state: &AppState,
    reach: &Reach,
    id: i64,
    size: ThumbSize,
    headers: &HeaderMap,
) -> ApiResult<Response> {
    let crate::services::people::CoverFace {
        face,
        item,
        rect,
        version,
    } = crate::services::people::cover_face(state, reach, id).await?;
    let side = match size {
        ThumbSize::Sm => 160,
        ThumbSize::M => 320,
        ThumbSize::Xl => 640,
    };
    let etag = format!("\"p{id}_{face}_{version}_{side}\"");
    if matches(headers, &etag, false) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        set(&mut response, header::ETAG, &etag);
        return Ok(response);
    }
    let xl = state.indexer.thumbs().path(item, ThumbSize::Xl);
    let bytes = tokio::task::spawn_blocking(move || {
        shoebox_indexer::recognition::face_thumbnail(&xl, rect, side)
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::Error::new(e)))?
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("the face of person {id}: {e}")))?;
    let mut response = (StatusCode::OK, bytes).into_response();
    set(&mut response, header::CONTENT_TYPE, "image/jpeg");
    set(&mut response, header::ETAG, &etag);
    set(
        &mut response,
        header::CACHE_CONTROL,
        "private, max-age=3600, must-revalidate",
    );
    Ok(response)
}

/// Moves the item's pending jobs to the front of the queue and waits until its thumbnails are
/// made (or found broken).
async fn wait_for_thumbnail(state: &AppState, item: ThumbState) -> ApiResult<ThumbState> {
    if item.thumb_status == "broken" {
        return Err(ApiError::NotFound);
    }
    shoebox_indexer::jobs::hurry(&state.db, item.id).await?;
    state.indexer.wake();
    let deadline = tokio::time::Instant::now() + THUMB_WAIT;
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        // The caller was found to see the item before the wait.
        let row = library::thumb_state_any(&state.db, item.id)
            .await?
            .ok_or(ApiError::NotFound)?;
        match row.thumb_status.as_str() {
            "ready" => return Ok(row),
            "broken" => return Err(ApiError::NotFound),
            _ if tokio::time::Instant::now() >= deadline => {
                return Err(ApiError::Internal(anyhow::anyhow!(
                    "the thumbnail of item {} is still being made",
                    item.id
                )));
            }
            _ => {}
        }
    }
}
