//! The changes feed as a caller sees it: what changed in a space after a version, told only as
//! far as the caller may see (docs/protocol-choices.md "Changes feed").

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::access::Reach;
use super::{folders, items};
use crate::protocol::Viewer;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::listing::Additional;
use crate::state::AppState;
use crate::wire::folder::Folder;
use crate::wire::item::Item;
use shoebox_catalog::changes::{self, Change};
use shoebox_catalog::library;

/// What changed after a version, and where the next call starts.
#[derive(Debug, Serialize)]
pub struct Changes {
    pub version: i64,
    pub version_time: i64,
    pub has_more: bool,
    pub item: Changed<Item>,
    pub folder: Changed<Folder>,
}

/// Entries of one kind added or changed (`list`) and removed (`removed`, ids).
#[derive(Debug, Serialize)]
pub struct Changed<T> {
    pub list: Vec<T>,
    pub removed: Vec<i64>,
}

/// The ids the caller is told about: changed items and folders, and removals.
#[derive(Default)]
struct Told {
    items: Vec<i64>,
    folders: Vec<i64>,
    removed_items: Vec<i64>,
    removed_folders: Vec<i64>,
}

/// What the caller may see decides what the feed says. An item that moved out of their sight
/// is removed for them; removals in folders that no longer exist are told to everyone with
/// access to the space, since nobody can tell any more who saw them.
async fn told(state: &AppState, reach: &Reach, rows: &[Change], fresh: bool) -> ApiResult<Told> {
    let mut told = Told::default();
    let mut unsure: Vec<(bool, i64, i64)> = Vec::new(); // (is item, id, folder)
    for row in rows {
        let folder = row.folder_id.unwrap_or(0);
        match (row.kind.as_str(), row.removed) {
            ("item", false) => {
                if reach.rights(folder).view {
                    told.items.push(row.entry_id);
                } else if !fresh && row.prev_folder_id.is_some_and(|p| reach.rights(p).view) {
                    told.removed_items.push(row.entry_id);
                }
            }
            ("folder", false) if reach.sees_folder(row.entry_id) => {
                told.folders.push(row.entry_id);
            }
            (kind, true) if !fresh => {
                let item = kind == "item";
                if reach.sees_folder(folder) && (!item || reach.rights(folder).view) {
                    if item {
                        told.removed_items.push(row.entry_id);
                    } else {
                        told.removed_folders.push(row.entry_id);
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
        let existing: HashSet<i64> = library::existing_folders(&state.db, reach.owner, &folders)
            .await?
            .into_iter()
            .collect();
        for (item, id, folder) in unsure {
            if !existing.contains(&folder) {
                if item {
                    told.removed_items.push(id);
                } else {
                    told.removed_folders.push(id);
                }
            }
        }
    }
    Ok(told)
}

/// The changes after version `since` (0: everything there is, without removals), oldest first,
/// up to `limit`.
pub async fn since(
    state: &AppState,
    viewer: Viewer,
    reach: &Reach,
    since: i64,
    limit: i64,
    additional: &Additional,
) -> ApiResult<Changes> {
    let db = &state.db;
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
    let fresh = since == 0;
    let mut told = told(state, reach, &rows, fresh).await?;

    // Items changed and then gone again before this call are removals; so are Live Photo
    // halves and items in the recycle bin's way out.
    let rows_now = if told.items.is_empty() {
        Vec::new()
    } else {
        library::items_by_ids(db, &reach.items(), &told.items).await?
    };
    let present: HashSet<i64> = rows_now.iter().map(|r| r.id).collect();
    if !fresh {
        let gone = told.items.iter().filter(|id| !present.contains(id));
        told.removed_items.extend(gone);
    }
    let item_list = items::present(state, viewer, &rows_now, additional).await?;
    // One query for the folders, answered in the feed's order.
    let mut found: HashMap<i64, library::FolderRow> =
        library::folders_by_ids(db, reach.owner, &told.folders)
            .await?
            .into_iter()
            .map(|f| (f.id, f))
            .collect();
    let mut folder_list = Vec::with_capacity(found.len());
    for id in told.folders {
        match found.remove(&id) {
            Some(f) => folder_list.push(folders::present(state, reach, &f, additional).await?),
            None if !fresh => told.removed_folders.push(id),
            None => {}
        }
    }
    told.removed_items.sort_unstable();
    told.removed_items.dedup();
    told.removed_folders.sort_unstable();
    told.removed_folders.dedup();
    Ok(Changes {
        version,
        version_time,
        has_more,
        item: Changed {
            list: item_list,
            removed: told.removed_items,
        },
        folder: Changed {
            list: folder_list,
            removed: told.removed_folders,
        },
    })
}
