//! Folders as a caller reaches them: how one is shown, and making, renaming, deleting and
//! setting the cover of one, each within the caller's rights.

use super::access::Reach;
use super::recycle;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::listing::Additional;
use crate::space_fs::{self, SpaceRoot};
use crate::state::AppState;
use crate::wire::folder::{AccessPermission, Cover, Folder, FolderAdditional};
use crate::wire::item::Thumbnail;
use shoebox_catalog::library::{self, FolderRow};

/// The folder object of `folder` for a caller with `reach`.
pub async fn present(
    state: &AppState,
    reach: &Reach,
    folder: &FolderRow,
    additional: &Additional,
) -> ApiResult<Folder> {
    let mut extra = FolderAdditional::default();
    let rights = reach.rights(folder.id);
    if additional.has("access_permission") {
        extra.access_permission = Some(AccessPermission {
            view: rights.view,
            download: rights.download,
            upload: rights.upload,
            manage: rights.manage,
            own: rights.own,
        });
    }
    if additional.has("thumbnail") {
        let cover = if rights.view || reach.listable_folders().is_none() {
            library::folder_cover(&state.db, folder).await?
        } else {
            None
        };
        // A cover below the folder must itself be visible to the caller.
        let cover = cover.filter(|c| reach.rights(c.folder_id).view);
        extra.thumbnail = Some(Cover(cover.as_ref().map(Thumbnail::of)));
    }
    Ok(Folder {
        id: folder.id,
        name: folder.path.clone(),
        owner_user_id: folder.owner_id,
        parent: folder.parent_id.unwrap_or(folder.id),
        passphrase: "",
        shared: false,
        sort_by: "default",
        sort_direction: "default",
        additional: extra,
    })
}

/// The folder objects of `folders`, in order.
pub async fn present_all(
    state: &AppState,
    reach: &Reach,
    folders: &[FolderRow],
    additional: &Additional,
) -> ApiResult<Vec<Folder>> {
    let mut list = Vec::with_capacity(folders.len());
    for folder in folders {
        list.push(present(state, reach, folder, additional).await?);
    }
    Ok(list)
}

/// The folder at `path` ('/a/b', leading slash optional) if the caller sees it.
pub async fn by_path(state: &AppState, reach: &Reach, path: &str) -> ApiResult<FolderRow> {
    let path = normalise(path)?;
    let folder = if path == "/" {
        library::root_folder(&state.db, reach.owner).await?
    } else {
        library::folder_by_path(&state.db, reach.owner, &path)
            .await?
            .ok_or(ApiError::NotFound)?
    };
    if !reach.sees_folder(folder.id) {
        return Err(ApiError::NotFound);
    }
    Ok(folder)
}

/// A path from a client: '/a/b', leading slash optional, no trailing slash, no dot parts.
fn normalise(path: &str) -> ApiResult<String> {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if parts
        .iter()
        .any(|p| *p == "." || *p == ".." || p.contains('\0'))
    {
        return Err(ApiError::bad("name", "not a folder path"));
    }
    Ok(format!("/{}", parts.join("/")))
}

/// The root and its top-level folders that the caller sees.
pub async fn parents(state: &AppState, reach: &Reach) -> ApiResult<Vec<FolderRow>> {
    let root = library::root_folder(&state.db, reach.owner).await?;
    let only = reach.listable_folders();
    let mut list = Vec::new();
    let sees_root = reach.sees_folder(root.id);
    let children =
        library::child_folders(&state.db, root.id, only.as_deref(), false, 0, 10_000).await?;
    if sees_root {
        list.push(root);
    }
    list.extend(children);
    Ok(list)
}

/// A new folder name: one plain path component the indexer will not skip.
fn check_name(name: &str) -> ApiResult<&str> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.len() <= 255
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
        && !shoebox_indexer::library::is_ignored_folder(name);
    if ok {
        Ok(name)
    } else {
        Err(ApiError::bad(
            "name",
            "a folder name: no '/', not hidden, not a system name",
        ))
    }
}

fn child_path(parent: &str, name: &str) -> String {
    if parent == "/" {
        format!("/{name}")
    } else {
        format!("{parent}/{name}")
    }
}

/// Makes folder `name` in `parent_id` (0 = root); one that exists is answered as it is.
pub async fn create(
    state: &AppState,
    reach: &Reach,
    parent_id: i64,
    name: &str,
) -> ApiResult<FolderRow> {
    let parent = reach.folder(state, parent_id).await?;
    let rights = reach.rights(parent.id);
    if !(rights.upload || rights.manage) {
        return Err(ApiError::Forbidden);
    }
    let name = check_name(name)?;
    let path = child_path(&parent.path, name);
    let space = SpaceRoot::of(&state.db, &state.library, reach.owner).await?;
    let _paused = state.indexer.pause_scans().await;
    let made = path.clone();
    space_fs::blocking("creating a folder", move || {
        space.make_folder(&made).map(drop)
    })
    .await?;
    let mut conn = state.db.acquire().await?;
    let id = shoebox_catalog::files::ensure_folder(&mut conn, reach.owner, &path).await?;
    drop(conn);
    library::folder(&state.db, reach.owner, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Renames folder `id` to `name` where it is; its items keep their ids.
pub async fn rename(state: &AppState, reach: &Reach, id: i64, name: &str) -> ApiResult<FolderRow> {
    let folder = reach.folder(state, id).await?;
    let parent_id = folder.parent_id.ok_or(ApiError::Forbidden)?;
    if !(reach.rights(folder.id).manage && reach.rights(parent_id).manage) {
        return Err(ApiError::Forbidden);
    }
    let name = check_name(name)?;
    let parent_path = folder
        .path
        .rsplit_once('/')
        .map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
    let new_path = child_path(parent_path, name);
    if new_path == folder.path {
        return Ok(folder);
    }
    let space = SpaceRoot::of(&state.db, &state.library, reach.owner).await?;
    let _paused = state.indexer.pause_scans().await;
    if library::folder_by_path(&state.db, reach.owner, &new_path)
        .await?
        .is_some()
    {
        return Err(ApiError::bad("name", "a folder of that name exists"));
    }
    let (from, to) = (folder.path.clone(), new_path.clone());
    space_fs::blocking("renaming a folder", move || space.rename(&from, &to))
        .await
        .map_err(|e| {
            if space_fs::name_taken(&e) {
                ApiError::bad("name", "a folder of that name exists")
            } else {
                e
            }
        })?;
    library::move_folder_rows(&state.db, reach.owner, &folder, &new_path, name).await?;
    library::folder(&state.db, reach.owner, folder.id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Moves folders `ids`, each with everything below it, to the recycle bin: every folder below
/// must be the caller's to manage too, and a space's root is never deleted.
pub async fn delete(state: &AppState, reach: &Reach, ids: &[i64]) -> ApiResult<()> {
    let mut folders = Vec::new();
    for &id in ids {
        let folder = reach.folder(state, id).await?;
        if folder.parent_id.is_none() {
            return Err(ApiError::bad("id", "the root of a space cannot be deleted"));
        }
        folders.push(folder);
    }
    if let Some(only) = reach.listable_folders() {
        for folder in &folders {
            let below = library::folder_subtree(&state.db, reach.owner, folder).await?;
            if below
                .iter()
                .any(|id| !only.contains(id) || !reach.rights(*id).manage)
            {
                return Err(ApiError::Forbidden);
            }
        }
    }
    reach.require_manage(folders.iter().map(|f| f.id))?;
    for folder in folders {
        recycle::delete_folder(state, reach.owner, folder.id, &folder.path).await?;
    }
    Ok(())
}

/// Makes item `item_id`, which must be in or below folder `id`, the folder's cover.
pub async fn set_cover(state: &AppState, reach: &Reach, id: i64, item_id: i64) -> ApiResult<()> {
    let folder = reach.folder(state, id).await?;
    reach.require_manage([folder.id])?;
    let item = reach
        .items_by_ids(state, &[item_id])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    let inside = folder.path == "/"
        || item.folder_path == folder.path
        || item.folder_path.starts_with(&format!("{}/", folder.path));
    if !inside {
        return Err(ApiError::bad("item_id", "not in this folder"));
    }
    library::set_folder_cover(&state.db, folder.id, item.id).await?;
    Ok(())
}
