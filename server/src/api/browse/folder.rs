//! `SYNO.Foto.Browse.Folder` / `SYNO.FotoTeam.Browse.Folder` (reference §3.7, §4.3). A folder's
//! `name` is its full path from the space root; id 0 names the root. What a caller may do with
//! folders is `services/folders.rs`.

use serde::Serialize;

use crate::extract;
use crate::protocol::Call;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::listing::{Additional, page};
use crate::protocol::reply::Reply;
use crate::services::access::Reach;
use crate::services::folders;
use crate::wire::folder::Folder;
use crate::wire::{Count, Empty, List};
use shoebox_catalog::library::{self, FolderRow};

/// `{"folder": …}`
#[derive(Serialize)]
struct One {
    folder: Folder,
}

async fn one(call: &Call, reach: &Reach, folder: &FolderRow) -> ApiResult {
    let additional = Additional::of(call)?;
    let folder = folders::present(&call.state, reach, folder, &additional).await?;
    Ok(Reply::data(One { folder }))
}

/// `get`: by `id` (0 = root) or by full path in `name`.
pub async fn get(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let folder = match (call.params.int("id")?, call.params.string("name")) {
        (Some(id), _) => reach.folder(&call.state, id).await?,
        (None, Some(path)) => folders::by_path(&call.state, &reach, &path).await?,
        (None, None) => reach.folder(&call.state, 0).await?,
    };
    one(&call, &reach, &folder).await
}

/// The folder `id` names (absent: the root), as the caller reaches it.
async fn parent(call: &Call, reach: &Reach) -> ApiResult<FolderRow> {
    reach
        .folder(&call.state, call.params.int("id")?.unwrap_or(0))
        .await
}

pub async fn list(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let parent = parent(&call, &reach).await?;
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
    let list = folders::present_all(&call.state, &reach, &rows, &additional).await?;
    Ok(Reply::data(List { list }))
}

pub async fn count(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let parent = parent(&call, &reach).await?;
    let only = reach.listable_folders();
    let count = library::count_child_folders(&call.state.db, parent.id, only.as_deref()).await?;
    Ok(Reply::data(Count { count }))
}

/// `list_parents`: the root and its top-level folders (§3.7, as observed on FotoTeam).
pub async fn list_parents(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let rows = folders::parents(&call.state, &reach).await?;
    let additional = Additional::of(&call)?;
    let list = folders::present_all(&call.state, &reach, &rows, &additional).await?;
    Ok(Reply::data(List { list }))
}

/// `create`: `target_id` (parent, 0 = root) and `name`. Creating a folder that exists answers
/// with that folder (docs/protocol-choices.md).
pub async fn create(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let parent_id = call
        .params
        .int("target_id")?
        .or(call.params.int("id")?)
        .unwrap_or(0);
    let name = call.params.required_string("name")?;
    let folder = folders::create(&call.state, &reach, parent_id, &name).await?;
    one(&call, &reach, &folder).await
}

/// `rename`: `id` and the new `name` (one component; the folder stays where it is). Items keep
/// their ids.
pub async fn rename(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let id = call.params.int("id")?.ok_or(ApiError::MissingParam("id"))?;
    let name = call.params.required_string("name")?;
    let folder = folders::rename(&call.state, &reach, id, &name).await?;
    one(&call, &reach, &folder).await
}

/// `delete`: `id` [int]; each folder with everything below it goes to the recycle bin.
pub async fn delete(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let ids = call
        .params
        .int_list("id")?
        .ok_or(ApiError::MissingParam("id"))?;
    folders::delete(&call.state, &reach, &ids).await?;
    Ok(Reply::data(Empty {}))
}

/// `set_cover`: `id` (folder) and `item_id` (an item in or below it) — the seed's "Change
/// Folder Cover".
pub async fn set_cover(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let id = call.params.int("id")?.ok_or(ApiError::MissingParam("id"))?;
    let item_id = call
        .params
        .int("item_id")?
        .or(call.params.int("id_item")?)
        .ok_or(ApiError::MissingParam("item_id"))?;
    folders::set_cover(&call.state, &reach, id, item_id).await?;
    Ok(Reply::data(Empty {}))
}
