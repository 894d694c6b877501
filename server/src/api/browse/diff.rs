//! `SYNO.Foto.Browse.Diff` / `SYNO.FotoTeam.Browse.Diff`: what changed in a space since a
//! version, so a client can keep its copy of the library without listing it again. The reply's
//! shape is ours (the reference marks it unknown); docs/protocol-choices.md "Changes feed".

use std::collections::HashSet;

use serde_json::json;

use super::folder::folder_json;
use crate::protocol::Call;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::listing::{Additional, MAX_LIMIT};
use crate::protocol::reply::Reply;
use crate::services::items;
use shoebox_catalog::changes;
use shoebox_catalog::library;

/// Changes per reply when the client does not say.
const DEFAULT_LIMIT: i64 = 1000;

/// `get_version`: the space's newest version, the starting point of a later `get`.
pub async fn get_version(call: Call) -> ApiResult {
    let reach = call.reach().await?;
    let (version, time) = changes::latest(&call.state.db, reach.owner).await?;
    Ok(Reply::data(
        json!({ "version": version, "version_time": time }),
    ))
}

/// `get`: the items and folders added, changed or removed after `diff_version` (0 or absent:
/// everything there is, without removals), oldest change first, up to `limit`; `version` is
/// where the next call starts, `has_more` whether one is needed now.
pub async fn get(call: Call) -> ApiResult {
    let reach = call.reach().await?;
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
    let db = &call.state.db;
    let (latest, latest_time) = changes::latest(db, reach.owner).await?;
    if since > latest {
        // A version this library never had: the client synced with another server or a
        // library that was set up again. It has to list everything again.
        return Err(ApiError::bad(
            "diff_version",
            "newer than this library; start again from version 0",
        ));
    }
    let mut rows = changes::since(db, reach.owner, since, limit + 1).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let (version, version_time) = rows
        .last()
        .map_or((latest, latest_time), |r| (r.version, r.time));

    // What the caller may see decides what the feed says. An item that moved out of their
    // sight is removed for them; removals in folders that no longer exist are told to everyone
    // with access to the space, since nobody can tell any more who saw them.
    let fresh = since == 0;
    let mut item_ids: Vec<i64> = Vec::new();
    let mut folder_ids: Vec<i64> = Vec::new();
    let mut removed_items: Vec<i64> = Vec::new();
    let mut removed_folders: Vec<i64> = Vec::new();
    let mut unsure: Vec<(bool, i64, i64)> = Vec::new(); // (is item, id, folder)
    for row in &rows {
        let folder = row.folder_id.unwrap_or(0);
        match (row.kind.as_str(), row.removed) {
            ("item", false) => {
                if reach.rights(folder).view {
                    item_ids.push(row.entry_id);
                } else if !fresh && row.prev_folder_id.is_some_and(|p| reach.rights(p).view) {
                    removed_items.push(row.entry_id);
                }
            }
            ("folder", false) if reach.sees_folder(row.entry_id) => {
                folder_ids.push(row.entry_id);
            }
            (kind, true) if !fresh => {
                let item = kind == "item";
                if reach.sees_folder(folder) && (!item || reach.rights(folder).view) {
                    if item {
                        removed_items.push(row.entry_id);
                    } else {
                        removed_folders.push(row.entry_id);
                    }
                } else {
                    unsure.push((item, row.entry_id, folder));
                }
            }
            _ => {}
        }
    }
    if !unsure.is_empty() {
        let folders: Vec<i64> = unsure.iter().map(|u| u.2).collect();
        let existing: HashSet<i64> = library::existing_folders(db, reach.owner, &folders)
            .await?
            .into_iter()
            .collect();
        for (item, id, folder) in unsure {
            if !existing.contains(&folder) {
                if item {
                    removed_items.push(id);
                } else {
                    removed_folders.push(id);
                }
            }
        }
    }

    // Items changed and then gone again before this call are removals; so are Live Photo
    // halves and items in the recycle bin's way out.
    let rows_now = if item_ids.is_empty() {
        Vec::new()
    } else {
        library::items_by_ids(db, &reach.items(), &item_ids).await?
    };
    let present: HashSet<i64> = rows_now.iter().map(|r| r.id).collect();
    if !fresh {
        removed_items.extend(item_ids.iter().filter(|id| !present.contains(id)));
    }
    let items = items::present(&call.state, call.viewer(), &rows_now, &additional).await?;
    // One query for the folders, answered in the feed's order.
    let mut rows: std::collections::HashMap<i64, library::FolderRow> =
        library::folders_by_ids(db, reach.owner, &folder_ids)
            .await?
            .into_iter()
            .map(|f| (f.id, f))
            .collect();
    let mut folders = Vec::with_capacity(rows.len());
    for id in folder_ids {
        match rows.remove(&id) {
            Some(f) => folders.push(folder_json(&call, &reach, &f, &additional).await?),
            None if !fresh => removed_folders.push(id),
            None => {}
        }
    }
    removed_items.sort_unstable();
    removed_items.dedup();
    removed_folders.sort_unstable();
    removed_folders.dedup();
    Ok(Reply::data(json!({
        "version": version,
        "version_time": version_time,
        "has_more": has_more,
        "item": { "list": items, "removed": removed_items },
        "folder": { "list": folders, "removed": removed_folders },
    })))
}
