//! `SYNO.Foto.Browse.Diff` / `SYNO.FotoTeam.Browse.Diff`: what changed in a space since a
//! version, so a client can keep its copy of the library without listing it again. The reply's
//! shape is ours (the reference marks it unknown); docs/protocol-choices.md "Changes feed".

use serde::Serialize;

use crate::extract;
use crate::protocol::Call;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::listing::{Additional, MAX_LIMIT};
use crate::protocol::reply::Reply;
use crate::services::changes as feed;
use shoebox_catalog::changes;

/// Changes per reply when the client does not say.
const DEFAULT_LIMIT: i64 = 1000;

/// A space's version and when it was reached.
#[derive(Serialize)]
struct Version {
    version: i64,
    version_time: i64,
}

/// `get_version`: the space's newest version, the starting point of a later `get`.
pub async fn get_version(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let (version, time) = changes::latest(&call.state.db, reach.owner).await?;
    Ok(Reply::data(Version {
        version,
        version_time: time,
    }))
}

/// `get`: the items and folders added, changed or removed after `diff_version` (0 or absent:
/// everything there is, without removals), oldest change first, up to `limit`; `version` is
/// where the next call starts, `has_more` whether one is needed now.
pub async fn get(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let since = call.params.int("diff_version")?.unwrap_or(0);
    if since < 0 {
        return Err(ApiError::bad("diff_version", "negative"));
    }
    let limit = call.params.int("limit")?.unwrap_or(DEFAULT_LIMIT);
    if limit <= 0 {
        return Err(ApiError::bad("limit", "must be greater than 0"));
    }
    let limit = limit.min(MAX_LIMIT);
    let additional = Additional::of(&call)?;
    let changes = feed::since(
        &call.state,
        call.viewer(),
        &reach,
        since,
        limit,
        &additional,
    )
    .await?;
    Ok(Reply::data(changes))
}
