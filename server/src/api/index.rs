//! `SYNO.Foto.Index` / `SYNO.FotoTeam.Index`: the indexing state of a space, and asking for a
//! reindex of it or of one folder (reference §3.13; the shapes are Shoebox's choice, see
//! docs/protocol-choices.md). The policy is [`crate::services::indexing`]'s.

use serde::Serialize;

use super::Call;
use super::error::ApiResult;
use super::reply::Reply;
use crate::services::indexing;

/// `reindex`'s answer: how many items were queued.
#[derive(Serialize)]
struct Queued {
    queued: u64,
}

async fn get(call: Call, team: bool) -> ApiResult {
    let state = indexing::state(&call.state, call.user()?, team).await?;
    Ok(Reply::data(state))
}

async fn reindex(call: Call, team: bool) -> ApiResult {
    let user = call.user()?;
    indexing::may_reindex(user, team)?;
    let folder = call.params.int("id")?;
    let queued = indexing::reindex(&call.state, user, team, folder).await?;
    Ok(Reply::data(Queued { queued }))
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
