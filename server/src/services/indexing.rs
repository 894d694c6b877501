//! The indexing state of a space, and reindexing it (`SYNO.Foto.Index`, `SYNO.FotoTeam.Index`):
//! who may see the counts and ask for a reindex, and what the indexer and the catalog say.

use serde::Serialize;

use super::access::Reach;
use crate::protocol::error::{ApiError, ApiResult};
use crate::state::AppState;
use shoebox_catalog::files::{self as catalog, SHARED_OWNER};
use shoebox_catalog::sessions::Session;

/// A space's indexing state (docs/protocol-choices.md).
#[derive(Serialize)]
pub struct IndexState {
    /// `indexing` while anything is pending, else `done`.
    pub status: &'static str,
    pub item_count: i64,
    pub pending_count: i64,
    pub broken_count: i64,
    pub queue: Queue,
    pub recognition: Recognition,
}

/// The job queue's counts (every space's).
#[derive(Serialize)]
pub struct Queue {
    pub pending: u64,
    pub done: u64,
}

/// Whether faces and subjects are recognised, and how many photos wait for it.
#[derive(Serialize)]
pub struct Recognition {
    pub faces: String,
    pub subjects: String,
    pub pending: i64,
}

/// Which space the caller speaks for.
fn owner(user: &Session, team: bool) -> i64 {
    if team { SHARED_OWNER } else { user.user_id.0 }
}

/// The state of the caller's Personal Space, or (`team`) of the Shared Space for those who
/// reach it (105 for the others).
pub async fn state(state: &AppState, user: &Session, team: bool) -> ApiResult<IndexState> {
    let owner = owner(user, team);
    if team {
        Reach::of(state, user, true).await?;
    }
    let (items, pending, broken) = catalog::index_state(&state.db, owner).await?;
    let progress = state.indexer.progress().await;
    let recognition = match state.indexer.recogniser() {
        Some(r) => Recognition {
            faces: r.faces().describe(),
            subjects: r.subjects().describe(),
            pending: shoebox_indexer::jobs::pending_recognition(&state.db).await?,
        },
        None => Recognition {
            faces: "off".into(),
            subjects: "off".into(),
            pending: 0,
        },
    };
    Ok(IndexState {
        status: if pending > 0 || progress.pending > 0 {
            "indexing"
        } else {
            "done"
        },
        item_count: items,
        pending_count: pending,
        broken_count: broken,
        queue: Queue {
            pending: progress.pending,
            done: progress.done,
        },
        recognition,
    })
}

/// Whether the caller may reindex the space: the Shared Space is reindexed by administrators
/// only (105 for the others).
pub fn may_reindex(user: &Session, team: bool) -> ApiResult<()> {
    if team && !user.is_admin {
        return Err(ApiError::Forbidden);
    }
    Ok(())
}

/// Queues the space (or one folder of it, `folder` > 0) to be indexed again: how many items
/// ([`may_reindex`] first).
pub async fn reindex(
    state: &AppState,
    user: &Session,
    team: bool,
    folder: Option<i64>,
) -> ApiResult<u64> {
    may_reindex(user, team)?;
    let owner = owner(user, team);
    let folder = match folder {
        Some(id) if id > 0 => Some(
            catalog::folder_path(&state.db, owner, id)
                .await?
                .ok_or(ApiError::NotFound)?,
        ),
        _ => None,
    };
    let queued = catalog::requeue(&state.db, owner, folder.as_deref()).await?;
    state.indexer.wake();
    tracing::info!(
        owner,
        folder = folder.as_deref().unwrap_or("/"),
        queued,
        "reindex requested"
    );
    Ok(queued)
}
