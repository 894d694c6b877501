//! Bytes of the library: `SYNO.Foto.Thumbnail get` (and its REST route), `SYNO.Foto.Download
//! download` and `SYNO.Foto.Streaming streaming`, with their FotoTeam twins (reference §3.2,
//! §3.3, §3.13, §6). The handlers find the items the call names as the caller reaches them
//! (through a link or their own reach) with their rights; `services/media/` decides and
//! serves.

use shoebox_catalog::library::{self, ItemRow};
use shoebox_indexer::thumbnail::ThumbSize;

use super::Call;
use super::error::{ApiError, ApiResult};
use super::reply::Reply;
use crate::extract;
use crate::services::access::Rights;
use crate::services::media::files::{self, Quality};
use crate::services::media::{thumbnail as thumbs, zip};

fn size_of(call: &Call) -> ApiResult<ThumbSize> {
    match call.params.string("size").as_deref() {
        None | Some("sm") => Ok(ThumbSize::Sm),
        Some("m") => Ok(ThumbSize::M),
        Some("xl" | "preview") => Ok(ThumbSize::Xl),
        Some(_) => Err(ApiError::bad("size", "sm, m, xl or preview")),
    }
}

/// The ids an `id`-style parameter names (the first of `keys` present).
fn named_ids(call: &Call, keys: &[&'static str]) -> ApiResult<Vec<i64>> {
    for key in keys {
        if let Some(list) = call.params.int_list(key)? {
            return Ok(list);
        }
    }
    Err(ApiError::MissingParam(keys[0]))
}

/// The rows of `ids` through the link the call names, all of them in what the link covers (any
/// other id is 642, as if it did not exist), each with what the link gives on it.
async fn linked_rows(call: &Call, ids: &[i64]) -> ApiResult<Vec<(ItemRow, Rights)>> {
    let shared = extract::shared(call).await?.ok_or(ApiError::NotFound)?;
    let mut distinct = ids.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let rows = shared.reached(&call.state, &distinct).await?;
    if rows.is_empty() || rows.len() != distinct.len() {
        return Err(ApiError::NotFound);
    }
    Ok(rows)
}

/// `download` through a link, for items the link lets the caller download: one item of the
/// shared album or folder as itself, several as a zip.
async fn download_shared(call: &Call) -> ApiResult {
    let ids = named_ids(call, &["unit_id", "item_id", "id"])?;
    let mut linked = linked_rows(call, &ids).await?;
    if !linked.iter().all(|(_, rights)| rights.download) {
        return Err(ApiError::Forbidden);
    }
    if linked.len() > 1 {
        return Ok(Reply::raw(zip::items(&call.state, linked).await?));
    }
    let (row, rights) = linked.remove(0);
    let response = files::original(&call.state, &row, rights, &call.headers).await?;
    Ok(Reply::raw(response))
}

/// The one item an `id`-style parameter names, if the caller sees it (through a link: if the
/// link covers it), with the caller's rights on it.
async fn one_item(call: &Call, keys: &[&'static str]) -> ApiResult<(ItemRow, Rights)> {
    let ids = named_ids(call, keys)?;
    let mut rows = if call.viewer().via_link {
        linked_rows(call, &ids).await?
    } else {
        let reach = extract::reach(call).await?;
        reach.items_with_rights(&call.state, &ids).await?
    };
    if rows.len() != 1 {
        return Err(ApiError::bad(keys[0], "exactly one id"));
    }
    Ok(rows.remove(0))
}

/// `Thumbnail get`: the JPEG of `size` for a unit, an album's cover or a person's face. A
/// thumbnail not made yet is made first, with priority over the queue.
pub async fn thumbnail(call: Call) -> ApiResult {
    let size = size_of(&call)?;
    let id = match call.params.int_list("id")?.as_deref() {
        Some([id]) => *id,
        Some(_) => return Err(ApiError::bad("id", "exactly one id")),
        None => return Err(ApiError::MissingParam("id")),
    };
    let item = match call.params.string("type").as_deref() {
        // Through a link: an item of the shared album.
        None | Some("unit") if call.viewer().via_link => {
            let shared = extract::shared(&call).await?.ok_or(ApiError::NotFound)?;
            if shared.rows(&call.state, &[id]).await?.is_empty() {
                return Err(ApiError::NotFound);
            }
            library::thumb_state_any(&call.state.db, id)
                .await?
                .ok_or(ApiError::NotFound)?
        }
        None | Some("unit") => {
            // The hot path of every grid (reference §6): the session and reach trusted for a
            // moment (crate::services::recent), then one primary-key read of the item on this thread
            // (shoebox_catalog::thumb_reader).
            let reach = extract::reach_recent(&call).await?;
            call.state
                .thumb_reader
                .thumb_state(reach.owner, id, call.state.recent.generation())?
                .filter(|item| reach.rights(item.folder_id).view)
                .ok_or(ApiError::NotFound)?
        }
        // An album's cover (of either space; album_items checked that the caller sees it).
        Some("album") if !call.team() => {
            let cover = crate::services::albums::cover_id(&call.state, call.user()?, id).await?;
            library::thumb_state_any(&call.state.db, cover)
                .await?
                .ok_or(ApiError::NotFound)?
        }
        Some("person") => {
            let reach = extract::reach(&call).await?;
            let response = thumbs::of_person(&call.state, &reach, id, size, &call.headers).await?;
            return Ok(Reply::raw(response));
        }
        Some("album") => return Err(ApiError::NotFound),
        Some(_) => return Err(ApiError::bad("type", "unit, person or album")),
    };
    let cache_key = call.params.string("cache_key");
    let response =
        thumbs::of_item(&call.state, item, size, cache_key.as_deref(), &call.headers).await?;
    Ok(Reply::raw(response))
}

/// `Download download`: `unit_id` (or `item_id`) with one id gives the original file itself
/// (for a Live Photo, its still), with byte ranges. Several ids, or `folder_id`, give a zip
/// streamed as it is built.
pub async fn download(call: Call) -> ApiResult {
    if call.viewer().via_link {
        return download_shared(&call).await;
    }
    let reach = extract::reach(&call).await?;
    if let Some(folder) = call.params.int("folder_id")? {
        let folder = reach.folder(&call.state, folder).await?;
        return Ok(Reply::raw(zip::folder(&call.state, &reach, &folder).await?));
    }
    let ids = named_ids(&call, &["unit_id", "item_id", "id"])?;
    let mut distinct = ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() > 1 {
        let rows = reach.items_with_rights(&call.state, &ids).await?;
        return Ok(Reply::raw(zip::items(&call.state, rows).await?));
    }
    let (row, rights) = one_item(&call, &["unit_id", "item_id", "id"]).await?;
    let response = files::original(&call.state, &row, rights, &call.headers).await?;
    Ok(Reply::raw(response))
}

/// `Streaming streaming`: a video (or a Live Photo's or Motion Photo's video) with byte ranges
/// so players can seek. `quality` `original` is the file itself; `high`, `medium`, `low` and
/// `mobile` ask for a stream the client can play; no `quality` is the file for a caller who
/// may download the item, a converted stream for one who may only view it
/// ([`files::stream`]).
pub async fn streaming(call: Call) -> ApiResult {
    let (row, rights) = one_item(&call, &["id", "item_id", "unit_id"]).await?;
    let quality = match call.params.string("quality").as_deref() {
        None => Quality::Default,
        Some("original") => Quality::Original,
        Some("high" | "medium" | "low" | "mobile") => Quality::Converted,
        Some(_) => {
            return Err(ApiError::bad(
                "quality",
                "original, high, medium, low or mobile",
            ));
        }
    };
    let response = files::stream(&call.state, &row, rights, quality, &call.headers).await?;
    Ok(Reply::raw(response))
}
