//! Changing items: their rating, description and taken time, favourites, tags, and deleting
//! them, each within the caller's rights (managing the folders they are in, but for
//! favourites, which are the caller's own).

use super::access::Reach;
use crate::protocol::error::{ApiError, ApiResult};
use crate::state::AppState;
use shoebox_catalog::library::{self, ItemEdit, ItemRow};

/// The items of `ids` the caller reaches; with `manage`, each must be in a folder they manage.
async fn reached(
    state: &AppState,
    reach: &Reach,
    ids: &[i64],
    manage: bool,
) -> ApiResult<Vec<ItemRow>> {
    let rows = reach.items_by_ids(state, ids).await?;
    if manage {
        reach.require_manage(rows.iter().map(|r| r.folder_id))?;
    }
    Ok(rows)
}

fn distinct(rows: &[ItemRow]) -> Vec<i64> {
    rows.iter().map(|r| r.id).collect()
}

/// Sets rating 0–5, description and taken time (kept in the database; originals untouched).
pub async fn edit(state: &AppState, reach: &Reach, ids: &[i64], edit: ItemEdit) -> ApiResult<()> {
    let rows = reached(state, reach, ids, true).await?;
    if edit.rating.is_some_and(|r| !(0..=5).contains(&r)) {
        return Err(ApiError::bad("rating", "0 to 5"));
    }
    if edit.description.as_ref().is_some_and(|d| d.len() > 4096) {
        return Err(ApiError::bad("description", "longer than 4096 bytes"));
    }
    // Years 1 to 9999, as the timeline can show them.
    if edit
        .time
        .is_some_and(|t| !(-62_135_596_800..=253_402_300_799).contains(&t))
    {
        return Err(ApiError::bad("time", "not a date the timeline can show"));
    }
    if edit.rating.is_none() && edit.description.is_none() && edit.time.is_none() {
        return Err(ApiError::MissingParam("rating"));
    }
    library::edit_items(&state.db, &distinct(&rows), &edit).await?;
    Ok(())
}

/// Marks the items the caller reaches as their favourites, or not.
pub async fn favorite(state: &AppState, reach: &Reach, ids: &[i64], on: bool) -> ApiResult<()> {
    let rows = reached(state, reach, ids, false).await?;
    library::set_favorite(&state.db, reach.user_id, &distinct(&rows), on).await?;
    Ok(())
}

/// Adds (or removes) tags `tags` to the items.
pub async fn tag(
    state: &AppState,
    reach: &Reach,
    ids: &[i64],
    tags: &[i64],
    add: bool,
) -> ApiResult<()> {
    let rows = reached(state, reach, ids, true).await?;
    if tags.is_empty() || tags.len() > 1000 {
        return Err(ApiError::bad("tag", "1 to 1000 tag ids"));
    }
    if !library::tag_items(&state.db, &distinct(&rows), tags, add).await? {
        return Err(ApiError::NotFound);
    }
    Ok(())
}

/// Deletes the items: into the recycle bin of the space (or for good when it is off).
pub async fn delete(state: &AppState, reach: &Reach, ids: &[i64]) -> ApiResult<()> {
    let rows = reached(state, reach, ids, true).await?;
    super::recycle::delete_items(state, &rows).await
}
