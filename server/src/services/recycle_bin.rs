//! The recycle bins as administrators see them (`SYNO.Core.RecycleBin`): the switch, what the
//! bins hold, and emptying them. What goes into a bin is [`super::recycle`]'s.

use serde::Serialize;
use serde_json::Value;

use super::recycle;
use super::users::require_admin;
use crate::protocol::error::{ApiError, ApiResult};
use crate::state::AppState;
use shoebox_catalog::files::SHARED_OWNER;
use shoebox_catalog::sessions::Session;
use shoebox_catalog::settings;

/// Whether the bin is on, and the files and bytes every bin holds.
#[derive(Serialize)]
pub struct BinState {
    pub enable: bool,
    pub files: u64,
    pub size: u64,
}

/// The bins' switch and content. For administrators.
pub async fn state(state: &AppState, by: &Session) -> ApiResult<BinState> {
    require_admin(by)?;
    let enable = recycle::enabled(state).await?;
    let bins = recycle::bins(state).await?;
    let (files, size) = tokio::task::spawn_blocking(move || {
        bins.iter()
            .map(|(_, dir)| recycle::usage(dir))
            .fold((0u64, 0u64), |(f, b), (f2, b2)| (f + f2, b + b2))
    })
    .await
    .map_err(anyhow::Error::new)?;
    Ok(BinState {
        enable,
        files,
        size,
    })
}

/// Switches the bin on or off for every space. For administrators.
pub async fn set_enabled(state: &AppState, by: &Session, enable: bool) -> ApiResult<()> {
    require_admin(by)?;
    settings::set(&state.db, recycle::SETTING, &Value::Bool(enable)).await?;
    tracing::info!(enable, by = %by.user_name, "recycle bin switched");
    Ok(())
}

/// Empties the recycle bins: every space's, or with `share` the Shared Space's (`photo`) or
/// the Personal Spaces' (`homes`). How many files went. For administrators.
pub async fn empty(state: &AppState, by: &Session, share: Option<&str>) -> ApiResult<u64> {
    require_admin(by)?;
    if let Some(s) = share
        && s != "photo"
        && s != "homes"
    {
        return Err(ApiError::bad(
            "share_name",
            format!("{s:?}: the shares are \"photo\" (Shared Space) and \"homes\""),
        ));
    }
    let bins: Vec<_> = recycle::bins(state)
        .await?
        .into_iter()
        .filter(|(owner, _)| match share {
            None => true,
            Some("photo") => *owner == SHARED_OWNER,
            Some(_) => *owner != SHARED_OWNER,
        })
        .collect();
    let removed = tokio::task::spawn_blocking(move || {
        let mut removed = 0u64;
        for (_, dir) in &bins {
            removed += recycle::empty(dir)?;
        }
        anyhow::Ok(removed)
    })
    .await
    .map_err(anyhow::Error::new)??;
    tracing::info!(files = removed, by = %by.user_name, "recycle bins emptied");
    Ok(removed)
}
