//! The phone's own thumbnails of an upload, kept until ours are made.

use shoebox_catalog::library;

use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::params::UploadedFile;
use crate::state::AppState;

/// The phone's own thumbnails (`thumb_xl`, long side 1920, for m and xl; `thumb_sm`, 360, for
/// sm), served until ours are made. One that is not a plausible JPEG is ignored: they are a
/// courtesy, and ours follow anyway.
pub(super) async fn keep(state: &AppState, id: i64, parts: Vec<UploadedFile>) -> ApiResult<()> {
    use shoebox_indexer::thumbnail::ThumbSize;
    let store = state.indexer.thumbs().clone();
    let writer = store.clone();
    tokio::task::spawn_blocking(move || {
        for part in parts {
            let sizes: &[ThumbSize] = if part.field == "thumb_sm" {
                &[ThumbSize::Sm]
            } else {
                &[ThumbSize::M, ThumbSize::Xl]
            };
            if part.size > 4 << 20 {
                continue;
            }
            let Ok(bytes) = std::fs::read(&part.path) else {
                continue;
            };
            for size in sizes {
                if let Err(e) = writer.write_provisional(id, *size, &bytes) {
                    tracing::debug!(item = id, field = part.field, error = %e, "client thumbnail not kept");
                    break;
                }
            }
        }
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?;
    // Ours may be done already; then the phone's are not needed.
    if library::thumb_state_any(&state.db, id)
        .await?
        .is_some_and(|t| t.thumb_status == "ready")
    {
        store.remove_provisional(id);
    }
    Ok(())
}
