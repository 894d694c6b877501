//! `SYNO.Foto.Browse.Folder` / `SYNO.FotoTeam.Browse.Folder` (reference §3.7, §4.3). A folder's
//! `name` is its full path from the space root; id 0 names the root.

use serde_json::{Value, json};

use crate::protocol::Call;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::listing::{Additional, page};
use crate::protocol::reply::Reply;
use crate::services::access::Reach;
use crate::services::recycle;
use crate::space_fs::{self, SpaceRoot};
use crate::wire::item::Thumbnail;
use shoebox_catalog::library::{self, FolderRow};

pub(super) async fn folder_json(
    call: &Call,
    reach: &Reach,
    folder: &FolderRow,
    additional: &Additional,
) -> ApiResult<Value> {
    let mut extra = serde_json::Map::new();
    if additional.has("access_permission") {
        extra.insert("access_permission".into(), json!(reach.rights(folder.id)));
    }
    if additional.has("thumbnail") {
        let cover = if reach.rights(folder.id).view || reach.listable_folders().is_none() {
            library::folder_cover(&call.state.db, folder).await?
        } else {
            None
        };
        // A cover below the folder must itself be visible to the caller.
        let cover = cover.filter(|c| reach.rights(c.folder_id).view);
        extra.insert(
            "thumbnail".into(),
            cover
                .as_ref()
                .map_or_else(|| json!([]), |r| json!(Thumbnail::of(r))),
        );
    }
    Ok(json!({
        "id": folder.id,
        "name": folder.path,
        "owner_user_id": folder.owner_id,
        "parent": folder.parent_id.unwrap_or(folder.id),
        "passphrase": "",
        "shared": false,
        "sort_by": "default",
        "sort_direction": "default",
        "additional": Value::Object(extra),
    }))
}

/// `get`: by `id` (0 = root) or by full path in `name`.
pub async fn get(call: Call) -> ApiResult {
    let reach = call.reach().await?;
    let folder = match (call.params.int("id")?, call.params.string("name")) {
        (Some(id), _) => reach.folder(&call.state, id).await?,
        (None, Some(path)) => {
            let path = normalise(&path)?;
            let folder = if path == "/" {
                library::root_folder(&call.state.db, reach.owner).await?
            } else {
                library::folder_by_path(&call.state.db, reach.owner, &path)
                    .await?
                    .ok_or(ApiError::NotFound)?
            };
            if !reach.sees_folder(folder.id) {
                return Err(ApiError::NotFound);
            }
            folder
        }
        (None, None) => reach.folder(&call.state, 0).await?,
    };
    let json = folder_json(&call, &reach, &folder, &Additional::of(&call)?).await?;
    Ok(Reply::data(json!({ "folder": json })))
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

pub async fn list(call: Call) -> ApiResult {
    let reach = call.reach().await?;
    let parent = reach
        .folder(&call.state, call.params.int("id")?.unwrap_or(0))
        .await?;
    let (offset, limit) = page(&call)?;
    let desc = call.params.string("sort_direction").as_deref() == Some("desc");
    let only = reach.listable_folders();
    let rows = library::child_folders(
        &call.state.db,
        parent.id,
        only.as_deref(),
        desc,
        offset,
        limit,
    )
    .await?;
    let additional = Additional::of(&call)?;
    let mut list = Vec::with_capacity(rows.len());
    for folder in &rows {
        list.push(folder_json(&call, &reach, folder, &additional).await?);
    }
    Ok(Reply::data(json!({ "list": list })))
}

pub async fn count(call: Call) -> ApiResult {
    let reach = call.reach().await?;
    let parent = reach
        .folder(&call.state, call.params.int("id")?.unwrap_or(0))
        .await?;
    let only = reach.listable_folders();
    let count = library::count_child_folders(&call.state.db, parent.id, only.as_deref()).await?;
    Ok(Reply::data(json!({ "count": count })))
}

/// `list_parents`: the root and its top-level folders (§3.7, as observed on FotoTeam).
pub async fn list_parents(call: Call) -> ApiResult {
    let reach = call.reach().await?;
    let root = library::root_folder(&call.state.db, reach.owner).await?;
    let additional = Additional::of(&call)?;
    let only = reach.listable_folders();
    let mut list = Vec::new();
    if reach.sees_folder(root.id) {
        list.push(folder_json(&call, &reach, &root, &additional).await?);
    }
    for folder in
        library::child_folders(&call.state.db, root.id, only.as_deref(), false, 0, 10_000).await?
    {
        list.push(folder_json(&call, &reach, &folder, &additional).await?);
    }
    Ok(Reply::data(json!({ "list": list })))
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

/// `create`: `target_id` (parent, 0 = root) and `name`. Creating a folder that exists answers
/// with that folder (docs/protocol-choices.md).
pub async fn create(call: Call) -> ApiResult {
    let reach = call.reach().await?;
    let parent_id = call
        .params
        .int("target_id")?
        .or(call.params.int("id")?)
        .unwrap_or(0);
    let parent = reach.folder(&call.state, parent_id).await?;
    let rights = reach.rights(parent.id);
    if !(rights.upload || rights.manage) {
        return Err(ApiError::Forbidden);
    }
    let name = call.params.required_string("name")?;
    let name = check_name(&name)?;
    let path = child_path(&parent.path, name);
    let space = SpaceRoot::of(&call.state.db, &call.state.library, reach.owner).await?;
    let _paused = call.state.indexer.pause_scans().await;
    let made = path.clone();
    space_fs::blocking("creating a folder", move || {
        space.make_folder(&made).map(drop)
    })
    .await?;
    let mut conn = call.state.db.acquire().await?;
    let id = shoebox_catalog::files::ensure_folder(&mut conn, reach.owner, &path).await?;
    drop(conn);
    let folder = library::folder(&call.state.db, reach.owner, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let json = folder_json(&call, &reach, &folder, &Additional::of(&call)?).await?;
    Ok(Reply::data(json!({ "folder": json })))
}

/// `rename`: `id` and the new `name` (one component; the folder stays where it is). Items keep
/// their ids.
pub async fn rename(call: Call) -> ApiResult {
    let reach = call.reach().await?;
    let id = call.params.int("id")?.ok_or(ApiError::MissingParam("id"))?;
    let folder = reach.folder(&call.state, id).await?;
    let parent_id = folder.parent_id.ok_or(ApiError::Forbidden)?;
    if !(reach.rights(folder.id).manage && reach.rights(parent_id).manage) {
        return Err(ApiError::Forbidden);
    }
    let name = call.params.required_string("name")?;
    let name = check_name(&name)?;
    let parent_path = folder
        .path
        .rsplit_once('/')
        .map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
    let new_path = child_path(parent_path, name);
    if new_path == folder.path {
        let json = folder_json(&call, &reach, &folder, &Additional::of(&call)?).await?;
        return Ok(Reply::data(json!({ "folder": json })));
    }
    let space = SpaceRoot::of(&call.state.db, &call.state.library, reach.owner).await?;
    let _paused = call.state.indexer.pause_scans().await;
    if library::folder_by_path(&call.state.db, reach.owner, &new_path)
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
    library::move_folder_rows(&call.state.db, reach.owner, &folder, &new_path, name).await?;
    let folder = library::folder(&call.state.db, reach.owner, folder.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let json = folder_json(&call, &reach, &folder, &Additional::of(&call)?).await?;
    Ok(Reply::data(json!({ "folder": json })))
}

/// `delete`: `id` [int]; each folder with everything below it goes to the recycle bin.
pub async fn delete(call: Call) -> ApiResult {
    let reach = call.reach().await?;
    let ids = call
        .params
        .int_list("id")?
        .ok_or(ApiError::MissingParam("id"))?;
    let mut folders = Vec::new();
    for id in ids {
        let folder = reach.folder(&call.state, id).await?;
        if folder.parent_id.is_none() {
            return Err(ApiError::bad("id", "the root of a space cannot be deleted"));
        }
        folders.push(folder);
    }
    // Every folder below must be the caller's to manage too.
    if let Some(only) = reach.listable_folders() {
        for folder in &folders {
            let below = library::folder_subtree(&call.state.db, reach.owner, folder).await?;
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
        recycle::delete_folder(&call.state, reach.owner, folder.id, &folder.path).await?;
    }
    Ok(Reply::data(json!({})))
}

/// `set_cover`: `id` (folder) and `item_id` (an item in or below it) — the seed's "Change
/// Folder Cover".
pub async fn set_cover(call: Call) -> ApiResult {
    let reach = call.reach().await?;
    let id = call.params.int("id")?.ok_or(ApiError::MissingParam("id"))?;
    let folder = reach.folder(&call.state, id).await?;
    reach.require_manage([folder.id])?;
    let item_id = call
        .params
        .int("item_id")?
        .or(call.params.int("id_item")?)
        .ok_or(ApiError::MissingParam("item_id"))?;
    let item = reach
        .items_by_ids(&call.state, &[item_id])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    let inside = folder.path == "/"
        || item.folder_path == folder.path
        || item.folder_path.starts_with(&format!("{}/", folder.path));
    if !inside {
        return Err(ApiError::bad("item_id", "not in this folder"));
    }
    library::set_folder_cover(&call.state.db, folder.id, item.id).await?;
    Ok(Reply::data(json!({})))
}
