//! `SYNO.Foto.Index` / `SYNO.FotoTeam.Index`: the indexing state of a space, and asking for a
//! reindex of it or of one folder (reference §3.13; the shapes are Shoebox's choice, see
//! docs/protocol-choices.md). The Shared Space may be reindexed by administrators only.

use serde_json::json;
use shoebox_catalog::files::{self as catalog, SHARED_OWNER};

use super::Call;
use super::error::{ApiError, ApiResult};
use super::reply::Reply;

/// Which space an API name speaks for.
fn owner(call: &Call, team: bool) -> ApiResult<i64> {
    let user = call.user()?;
    Ok(if team { SHARED_OWNER } else { user.user_id.0 })
}

async fn get(call: Call, team: bool) -> ApiResult {
    let owner = owner(&call, team)?;
    if team {
        // The Shared Space's counts are for those who reach it (105 for the others).
        crate::services::access::Reach::of(&call.state, call.user()?, true).await?;
    }
    let (items, pending, broken) = catalog::index_state(&call.state.db, owner).await?;
    let progress = call.state.indexer.progress().await;
    let recognition = match call.state.indexer.recogniser() {
        Some(r) => {
            let waiting = shoebox_indexer::jobs::pending_recognition(&call.state.db).await?;
            json!({
                "faces": r.faces().describe(),
                "subjects": r.subjects().describe(),
                "pending": waiting,
            })
        }
        None => json!({"faces": "off", "subjects": "off", "pending": 0}),
    };
    Ok(Reply::data(json!({
        "status": if pending > 0 || progress.pending > 0 { "indexing" } else { "done" },
        "item_count": items,
        "pending_count": pending,
        "broken_count": broken,
        "queue": {"pending": progress.pending, "done": progress.done},
        "recognition": recognition,
    })))
}

async fn reindex(call: Call, team: bool) -> ApiResult {
    let owner = owner(&call, team)?;
    if team && !call.user()?.is_admin {
        return Err(ApiError::Forbidden);
    }
    let folder = match call.params.int("id")? {
        Some(id) if id > 0 => Some(
            catalog::folder_path(&call.state.db, owner, id)
                .await?
                .ok_or(ApiError::NotFound)?,
        ),
        _ => None,
    };
    let queued = catalog::requeue(&call.state.db, owner, folder.as_deref()).await?;
    call.state.indexer.wake();
    tracing::info!(
        owner,
        folder = folder.as_deref().unwrap_or("/"),
        queued,
        "reindex requested"
    );
    Ok(Reply::data(json!({"queued": queued})))
}

pub async fn get_personal(call: Call) -> ApiResult {
    get(call, false).await
}

pub async fn get_shared(call: Call) -> ApiResult {
    get(call, true).await
}

pub async fn reindex_personal(call: Call) -> ApiResult {
    reindex(call, false).await
}

pub async fn reindex_shared(call: Call) -> ApiResult {
    reindex(call, true).await
}
