//! Places and the map: `SYNO.Foto.Browse.Geocoding` (+Team) `list`/`count`/`get`,
//! `Browse.Timeline get_geocoding`, and `SYNO.Foto.Browse.Map` (+Team) `list_cluster`,
//! `list_item`, `count_item`. The reference leaves their shapes unknown; the choices are in
//! docs/protocol-choices.md "Places and the map". A user who turned "Show Dates and Locations"
//! off gets no places and an empty map (`services/places.rs`).

use crate::extract;
use crate::protocol::Call;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::listing::{Additional, page, sort};
use crate::protocol::reply::Reply;
use crate::services::access::Reach;
use crate::services::items::present;
use crate::services::places::{self, MapBox};
use crate::wire::list::{Count, List};
use crate::wire::place::{Clusters, PlaceDay};
use shoebox_catalog::library::{self, ItemFilter};
use shoebox_catalog::places::CountedPlace;

/// The caller's reach, or `None` when they hide locations.
async fn located_reach(call: &Call) -> ApiResult<Option<Reach>> {
    let reach = extract::reach(call).await?;
    let user = call.user()?.user_id.0;
    places::located(&call.state, reach, user).await
}

/// The place nodes with the caller's items, or none when they hide locations.
async fn counted(call: &Call) -> ApiResult<(Option<Reach>, Vec<CountedPlace>)> {
    let reach = located_reach(call).await?;
    let all = places::counted(&call.state, reach.as_ref()).await?;
    Ok((reach, all))
}

/// The nodes a `list`/`count` call asks for: the children of `parent_id`, or every node of
/// `level` (1 country, 2 region, 3 city; cities by default).
fn chosen<'a>(call: &Call, all: &'a [CountedPlace]) -> ApiResult<Vec<&'a CountedPlace>> {
    if let Some(parent) = call.params.int("parent_id")? {
        return Ok(all
            .iter()
            .filter(|p| p.node.parent_id == Some(parent))
            .collect());
    }
    let level = call.params.int("level")?.unwrap_or(3);
    if !(1..=3).contains(&level) {
        return Err(ApiError::bad(
            "level",
            "1 (country), 2 (region) or 3 (city)",
        ));
    }
    Ok(all.iter().filter(|p| p.node.level == level).collect())
}

/// `Browse.Geocoding list`: places with the caller's items, most items first.
pub async fn list(call: Call) -> ApiResult {
    let (offset, limit) = page(&call)?;
    let (reach, all) = counted(&call).await?;
    let nodes: Vec<&CountedPlace> = chosen(&call, &all)?
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    let thumbnail = Additional::of(&call)?.has("thumbnail");
    let list = places::shown(&call.state, reach.as_ref(), &nodes, &all, thumbnail).await?;
    Ok(Reply::data(List::of(list)))
}

pub async fn count(call: Call) -> ApiResult {
    let (_, all) = counted(&call).await?;
    Ok(Reply::data(Count::of(chosen(&call, &all)?.len())))
}

/// `Browse.Geocoding get`: places by id (`id` one or a list); one the caller has no item in is
/// not found.
pub async fn get(call: Call) -> ApiResult {
    let ids = call
        .params
        .int_list("id")?
        .ok_or(ApiError::MissingParam("id"))?;
    let (reach, all) = counted(&call).await?;
    let nodes = ids
        .iter()
        .map(|id| {
            all.iter()
                .find(|p| p.node.id == *id)
                .ok_or(ApiError::NotFound)
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let thumbnail = Additional::of(&call)?.has("thumbnail");
    let list = places::shown(&call.state, reach.as_ref(), &nodes, &all, thumbnail).await?;
    Ok(Reply::data(List::of(list)))
}

/// `Browse.Timeline get_geocoding`: for each day (newest first, within `start_time`/`end_time`
/// when given), the cities its items were taken in, most items first.
pub async fn timeline(call: Call) -> ApiResult {
    let Some(reach) = located_reach(&call).await? else {
        return Ok(Reply::data(List::<PlaceDay>::of(Vec::new())));
    };
    let filter = ItemFilter {
        start_time: call.params.int("start_time")?,
        end_time: call.params.int("end_time")?,
        ..reach.items()
    };
    Ok(Reply::data(List::of(
        places::days(&call.state, &filter).await?,
    )))
}

// ---------------------------------------------------------------------------------------------
// The map.

/// The box of a map call (`north`, `south`, `east`, `west`, degrees).
fn map_box(call: &Call) -> ApiResult<MapBox> {
    let get = |key: &'static str, limit: f64| -> ApiResult<f64> {
        let v = call.params.float(key)?.ok_or(ApiError::MissingParam(key))?;
        if v.abs() > limit {
            return Err(ApiError::bad(key, format!("outside -{limit}..{limit}")));
        }
        Ok(v)
    };
    let (north, south) = (get("north", 90.0)?, get("south", 90.0)?);
    let (east, west) = (get("east", 180.0)?, get("west", 180.0)?);
    MapBox::new(north, south, east, west)
}

/// `Browse.Map list_cluster`: the caller's items in the box grouped into cells of the map's
/// tile grid at `zoom` + 2 (64 pixels of a 256-pixel tile), each with its item count, the
/// mean position of its items, its cell's bounds and, with `additional=["thumbnail"]`, an
/// item's thumbnail. The counts add up to `total`, the items in the box.
pub async fn list_cluster(call: Call) -> ApiResult {
    let b = map_box(&call)?;
    let zoom = call
        .params
        .int("zoom")?
        .ok_or(ApiError::MissingParam("zoom"))?;
    let level = b.cluster_level(zoom)?;
    let Some(reach) = located_reach(&call).await? else {
        return Ok(Reply::data(Clusters {
            list: Vec::new(),
            total: 0,
        }));
    };
    let thumbnail = Additional::of(&call)?.has("thumbnail");
    let clusters = places::clusters(&call.state, &reach, &b, level, thumbnail).await?;
    Ok(Reply::data(clusters))
}

async fn box_filter(call: &Call) -> ApiResult<Option<ItemFilter>> {
    let b = map_box(call)?;
    Ok(located_reach(call).await?.map(|reach| b.items(&reach)))
}

/// `Browse.Map list_item`: the caller's items in the box (`offset`, `limit`, `sort_by`,
/// `additional` as `Browse.Item list`).
pub async fn list_item(call: Call) -> ApiResult {
    let (offset, limit) = page(&call)?;
    let order = sort(&call)?;
    let Some(filter) = box_filter(&call).await? else {
        return Ok(Reply::data(List::<()>::of(Vec::new())));
    };
    let rows = library::list_items(&call.state.db, &filter, order, offset, limit).await?;
    let list = present(&call.state, call.viewer(), &rows, &Additional::of(&call)?).await?;
    Ok(Reply::data(List::of(list)))
}

pub async fn count_item(call: Call) -> ApiResult {
    let count = match box_filter(&call).await? {
        Some(filter) => library::count_items(&call.state.db, &filter).await?,
        None => 0,
    };
    Ok(Reply::data(Count { count }))
}
