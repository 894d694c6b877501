//! `SYNO.Foto.Browse.Item` / `SYNO.FotoTeam.Browse.Item` (reference §3.1).

use crate::extract;
use crate::wire::{Count, Empty, List};

use crate::protocol::Call;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::listing::{Additional, page, sort};
use crate::protocol::reply::Reply;
use crate::services::access::Reach;
use crate::services::albums::stored_sort;
use crate::services::edits;
use crate::services::filters::narrow_by_fields;
use crate::services::items::present;
use crate::services::sharing::Shared;
use crate::services::sight::album_items;
use shoebox_catalog::albums::AlbumRow;
use shoebox_catalog::library::{self, ItemEdit, ItemFilter, Kind};

/// The items a `list`/`count` call asks for: the caller's reach narrowed by the scope
/// parameters (`folder_id`; `album_id`/`id`/`passphrase`; `person_id`, `concept_id`,
/// `general_tag_id`, `geocoding_id`), the time bounds and the type; and the album it names, if any.
async fn scope(call: &Call, reach: &Reach) -> ApiResult<(ItemFilter, Option<AlbumRow>)> {
    let mut filter = reach.items();
    if let Some(folder) = call.params.int("folder_id")? {
        let folder = reach.folder(&call.state, folder).await?;
        filter = reach.items_in(&folder)?;
    }
    // An album (`album_id`, or `id` as synology-api sends it): its items the caller sees;
    // through a FotoTeam API only its Shared Space items.
    let album = match call.params.int("album_id")? {
        Some(id) => Some(id),
        None => call.params.int("id")?,
    };
    let album = match album {
        Some(id) => {
            let album = shoebox_catalog::albums::get(&call.state.db, call.user()?.user_id.0, id)
                .await?
                .ok_or(ApiError::NotFound)?;
            if call.params.raw("folder_id").is_some() {
                return Err(ApiError::bad("folder_id", "not with an album"));
            }
            let sight = crate::services::sight::Sight::of(&call.state, call.user()?).await?;
            filter = album_items(&call.state, &sight, &album, call.team()).await?;
            Some(album)
        }
        None => None,
    };
    let info_filters = ["person_id", "concept_id", "geocoding_id", "general_tag_id"];
    if let Some(name) = info_filters.iter().find(|k| call.params.raw(k).is_some())
        && !crate::services::items::shows_photo_info(&call.state, call.viewer()).await?
    {
        // A guest who may not see photo information may not filter by it either.
        tracing::debug!("a guest's {name} filter refused");
        return Err(ApiError::Forbidden);
    }
    if let Some(person) = call.params.int("person_id")? {
        filter.persons = vec![person];
    }
    if let Some(concept) = call.params.int("concept_id")? {
        filter.concepts = vec![concept];
    }
    if let Some(place) = call.params.int("geocoding_id")? {
        filter.places = vec![place];
    }
    if let Some(tag) = call.params.int("general_tag_id")? {
        filter.tags = vec![tag];
    }
    filter.start_time = call.params.int("start_time")?;
    filter.end_time = call.params.int("end_time")?;
    if let Some(kinds) = call.params.string_list("type")? {
        filter.kinds = kinds
            .iter()
            .map(|k| Kind::parse(k).ok_or_else(|| ApiError::bad("type", "photo, video or live")))
            .collect::<ApiResult<_>>()?;
    }
    Ok((filter, album))
}

/// The caller's reach, or the album link the call goes through. A folder link is a reach of
/// its own (its folder as the root), so folder scopes work through it as they do for users.
async fn reach_or_album(call: &Call) -> ApiResult<Result<Reach, Shared>> {
    match extract::shared(call).await? {
        Some(Shared {
            reach: Some(reach), ..
        }) => Ok(Ok(reach)),
        Some(album) => Ok(Err(album)),
        None => Ok(Ok(extract::reach(call).await?)),
    }
}

pub async fn list(call: Call) -> ApiResult {
    let reach = match reach_or_album(&call).await? {
        Ok(reach) => reach,
        Err(shared) => return list_shared_album(&call, &shared).await,
    };
    let (filter, album) = scope(&call, &reach).await?;
    let (offset, limit) = page(&call)?;
    let mut order = sort(&call)?;
    if call.params.raw("sort_by").is_none()
        && let Some(album) = &album
    {
        // An album lists in the order set for it (`Browse.Album set_order`).
        order = stored_sort(album).unwrap_or(order);
    }
    let rows = library::list_items(&call.state.db, &filter, order, offset, limit).await?;
    let list = present(&call.state, call.viewer(), &rows, &Additional::of(&call)?).await?;
    Ok(Reply::data(List { list }))
}

/// Through an album's link: the shared album's items, as its owner sees them.
async fn list_shared_album(call: &Call, shared: &Shared) -> ApiResult {
    let (offset, limit) = page(call)?;
    let order = match (call.params.raw("sort_by"), &shared.album) {
        (None, Some(album)) => stored_sort(album).unwrap_or(sort(call)?),
        _ => sort(call)?,
    };
    let rows = library::list_items(&call.state.db, &shared.items, order, offset, limit).await?;
    let list = present(&call.state, call.viewer(), &rows, &Additional::of(call)?).await?;
    Ok(Reply::data(List { list }))
}

pub async fn count(call: Call) -> ApiResult {
    let reach = match reach_or_album(&call).await? {
        Ok(reach) => reach,
        Err(shared) => {
            let count = library::count_items(&call.state.db, &shared.items).await?;
            return Ok(Reply::data(Count { count }));
        }
    };
    let (filter, _) = scope(&call, &reach).await?;
    let count = library::count_items(&call.state.db, &filter).await?;
    Ok(Reply::data(Count { count }))
}

/// The `id` list of an item call: `[1,2]` or one id.
fn ids(call: &Call) -> ApiResult<Vec<i64>> {
    call.params
        .int_list("id")?
        .ok_or(ApiError::MissingParam("id"))
}

pub async fn get(call: Call) -> ApiResult {
    let ids = ids(&call)?;
    if let Some(shared) = extract::shared(&call).await? {
        // Through a link: those of the ids that are in what it shares.
        let rows = shared.rows(&call.state, &ids).await?;
        let list = present(&call.state, call.viewer(), &rows, &Additional::of(&call)?).await?;
        return Ok(Reply::data(List { list }));
    }
    let reach = extract::reach(&call).await?;
    let rows = reach.items_by_ids(&call.state, &ids).await?;
    let list = present(&call.state, call.viewer(), &rows, &Additional::of(&call)?).await?;
    Ok(Reply::data(List { list }))
}

/// `set`: rating 0–5, description, taken time. Kept in the database; originals untouched.
pub async fn set(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let ids = ids(&call)?;
    let edit = ItemEdit {
        rating: call.params.int("rating")?,
        description: call.params.string("description"),
        time: call.params.int("time")?,
    };
    edits::edit(&call.state, &reach, &ids, edit).await?;
    Ok(Reply::data(Empty {}))
}

pub async fn set_favorite(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let ids = ids(&call)?;
    let favorite = call
        .params
        .bool("favorite")?
        .ok_or(ApiError::MissingParam("favorite"))?;
    edits::favorite(&call.state, &reach, &ids, favorite).await?;
    Ok(Reply::data(Empty {}))
}

async fn tag(call: Call, add: bool) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let ids = ids(&call)?;
    let tags = call
        .params
        .int_list("tag")?
        .ok_or(ApiError::MissingParam("tag"))?;
    edits::tag(&call.state, &reach, &ids, &tags, add).await?;
    Ok(Reply::data(Empty {}))
}

pub async fn add_tag(call: Call) -> ApiResult {
    tag(call, true).await
}

pub async fn remove_tag(call: Call) -> ApiResult {
    tag(call, false).await
}

/// `delete`: into the recycle bin of the space (or for good when it is off).
pub async fn delete(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let ids = ids(&call)?;
    edits::delete(&call.state, &reach, &ids).await?;
    Ok(Reply::data(Empty {}))
}

/// The filter arrays of `list_with_filter`/`count_with_filter` (§3.1), with the ids
/// `Search.Filter list` hands out.
async fn with_filter(call: &Call, reach: &Reach) -> ApiResult<ItemFilter> {
    let mut filter = reach.items();
    if let Some(folders) = call.params.int_list("folder")? {
        let mut allowed = Vec::new();
        for id in folders {
            let folder = reach.folder(&call.state, id).await?;
            reach.items_in(&folder)?;
            allowed.push(folder.id);
        }
        if !allowed.is_empty() {
            filter.folders = Some(allowed);
        }
    }
    narrow_by_fields(&call.params, &call.state, filter).await
}

pub async fn list_with_filter(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let filter = with_filter(&call, &reach).await?;
    let (offset, limit) = page(&call)?;
    let rows = library::list_items(&call.state.db, &filter, sort(&call)?, offset, limit).await?;
    let list = present(&call.state, call.viewer(), &rows, &Additional::of(&call)?).await?;
    Ok(Reply::data(List { list }))
}

pub async fn count_with_filter(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let filter = with_filter(&call, &reach).await?;
    let count = library::count_items(&call.state.db, &filter).await?;
    Ok(Reply::data(Count { count }))
}
