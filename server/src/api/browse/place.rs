//! Places and the map: `SYNO.Foto.Browse.Geocoding` (+Team) `list`/`count`/`get`,
//! `Browse.Timeline get_geocoding`, and `SYNO.Foto.Browse.Map` (+Team) `list_cluster`,
//! `list_item`, `count_item`. The reference leaves their shapes unknown; the choices are in
//! docs/protocol-choices.md "Places and the map". A user who turned "Show Dates and Locations"
//! off gets no places and an empty map.

use std::collections::HashMap;

use serde_json::{Value, json};
use shoebox_catalog::grid;

use crate::protocol::Call;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::listing::{Additional, page, sort};
use crate::protocol::reply::Reply;
use crate::services::access::Reach;
use crate::services::items::present;
use crate::services::settings::shows_locations;
use crate::wire::item::Thumbnail;
use shoebox_catalog::library::{self, GeoBox, ItemFilter};
use shoebox_catalog::places::{self, CountedPlace};

/// The caller's reach, or `None` when they hide locations.
async fn located_reach(call: &Call) -> ApiResult<Option<Reach>> {
    let reach = call.reach().await?;
    let user = call.user()?.user_id.0;
    Ok(shows_locations(&call.state, user).await?.then_some(reach))
}

/// The place nodes with the caller's items, or none when they hide locations.
async fn counted(call: &Call) -> ApiResult<(Option<Reach>, Vec<CountedPlace>)> {
    let Some(reach) = located_reach(call).await? else {
        return Ok((None, Vec::new()));
    };
    let list = places::counted(&call.state.db, &reach.items()).await?;
    Ok((Some(reach), list))
}

/// Place objects for `nodes`, with the cover thumbnail when asked for.
async fn places_json(
    call: &Call,
    reach: Option<&Reach>,
    nodes: &[&CountedPlace],
    all: &[CountedPlace],
) -> ApiResult<Vec<Value>> {
    let additional = Additional::of(call)?;
    let covers: HashMap<i64, library::ItemRow> = match reach {
        Some(reach) if additional.has("thumbnail") && !nodes.is_empty() => {
            let ids: Vec<i64> = nodes.iter().map(|n| n.newest_item).collect();
            library::items_by_ids(&call.state.db, &reach.items(), &ids)
                .await?
                .into_iter()
                .map(|r| (r.id, r))
                .collect()
        }
        _ => HashMap::new(),
    };
    let names: HashMap<i64, &str> = all
        .iter()
        .map(|p| (p.node.id, p.node.name.as_str()))
        .collect();
    let name_of = |id: i64| names.get(&id).copied().unwrap_or_default();
    Ok(nodes
        .iter()
        .map(|p| {
            let mut extra = serde_json::Map::new();
            if let Some(row) = covers.get(&p.newest_item) {
                extra.insert("thumbnail".into(), json!(Thumbnail::of(row)));
            }
            json!({
                "id": p.node.id,
                "name": p.node.name,
                "level": p.node.level,
                "parent": p.node.parent_id.unwrap_or(0),
                "country": name_of(p.node.country_id),
                "country_id": p.node.country_id,
                "country_code": p.node.code,
                "item_count": p.item_count,
                "additional": Value::Object(extra),
            })
        })
        .collect())
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
    let list = places_json(&call, reach.as_ref(), &nodes, &all).await?;
    Ok(Reply::data(json!({ "list": list })))
}

pub async fn count(call: Call) -> ApiResult {
    let (_, all) = counted(&call).await?;
    Ok(Reply::data(json!({ "count": chosen(&call, &all)?.len() })))
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
    let list = places_json(&call, reach.as_ref(), &nodes, &all).await?;
    Ok(Reply::data(json!({ "list": list })))
}

/// The place tree of `Search.Filter list`: countries, their regions, their cities.
pub async fn filter_tree(call: &Call, filter: &ItemFilter) -> ApiResult<Value> {
    if !shows_locations(&call.state, call.user()?.user_id.0).await? {
        return Ok(json!([]));
    }
    let all = places::counted(&call.state.db, filter).await?;
    fn children(all: &[CountedPlace], parent: Option<i64>) -> Vec<Value> {
        let mut nodes: Vec<&CountedPlace> =
            all.iter().filter(|p| p.node.parent_id == parent).collect();
        nodes.sort_by(|a, b| a.node.name.cmp(&b.node.name));
        nodes
            .into_iter()
            .map(|p| {
                json!({
                    "id": p.node.id,
                    "level": p.node.level,
                    "name": p.node.name,
                    "children": children(all, Some(p.node.id)),
                })
            })
            .collect()
    }
    Ok(Value::Array(children(&all, None)))
}

/// `Browse.Timeline get_geocoding`: for each day (newest first, within `start_time`/`end_time`
/// when given), the cities its items were taken in, most items first.
pub async fn timeline(call: Call) -> ApiResult {
    let Some(reach) = located_reach(&call).await? else {
        return Ok(Reply::data(json!({ "list": [] })));
    };
    let filter = ItemFilter {
        start_time: call.params.int("start_time")?,
        end_time: call.params.int("end_time")?,
        ..reach.items()
    };
    let rows = places::places_by_day(&call.state.db, &filter).await?;
    let nodes = places::nodes(&call.state.db).await?;
    let mut list: Vec<Value> = Vec::new();
    let mut current: Option<(i64, Vec<Value>)> = None;
    let flush = |list: &mut Vec<Value>, day: i64, places: Vec<Value>| {
        let (y, m, d) = shoebox_indexer::metadata::time::civil_from_days(day);
        list.push(json!({"year": y, "month": m, "day": d, "geocoding": places}));
    };
    for (day, place, count) in rows {
        let Some(node) = nodes.get(&place) else {
            continue;
        };
        let country = nodes
            .get(&node.country_id)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        let entry =
            json!({"id": node.id, "name": node.name, "country": country, "item_count": count});
        match &mut current {
            Some((d, places)) if *d == day => places.push(entry),
            _ => {
                if let Some((d, places)) = current.take() {
                    flush(&mut list, d, places);
                }
                current = Some((day, vec![entry]));
            }
        }
    }
    if let Some((d, places)) = current.take() {
        flush(&mut list, d, places);
    }
    Ok(Reply::data(json!({ "list": list })))
}

// ---------------------------------------------------------------------------------------------
// The map.

const FINE_MAX: i64 = (1 << grid::FINE) - 1;
/// Most cluster cells one `list_cluster` may cover (a 256 × 256 grid: four screens at least).
const MAX_CLUSTER_CELLS: i64 = 256 * 256;

/// The box of a map call (`north`, `south`, `east`, `west`, degrees), in degrees and in zoom-24
/// tiles: the x ranges (two when the box crosses the date line, `west` > `east`) and the rows.
#[derive(Debug, Clone)]
struct MapBox {
    south: f64,
    north: f64,
    west: f64,
    east: f64,
    xs: Vec<(i64, i64)>,
    y_top: i64,
    y_bottom: i64,
}

impl MapBox {
    fn of(call: &Call) -> ApiResult<MapBox> {
        let get = |key: &'static str, limit: f64| -> ApiResult<f64> {
            let v = call.params.float(key)?.ok_or(ApiError::MissingParam(key))?;
            if v.abs() > limit {
                return Err(ApiError::bad(key, format!("outside -{limit}..{limit}")));
            }
            Ok(v)
        };
        let (north, south) = (get("north", 90.0)?, get("south", 90.0)?);
        let (east, west) = (get("east", 180.0)?, get("west", 180.0)?);
        if south > north {
            return Err(ApiError::bad("south", "north of north"));
        }
        let x = |lon: f64| grid::fine_tile(0.0, lon).0;
        let y = |lat: f64| grid::fine_tile(lat, 0.0).1;
        let xs = if west <= east {
            vec![(x(west), x(east))]
        } else {
            vec![(x(west), FINE_MAX), (0, x(east))]
        };
        Ok(MapBox {
            south,
            north,
            west,
            east,
            xs,
            y_top: y(north),
            y_bottom: y(south),
        })
    }

    fn filter(&self) -> GeoBox {
        GeoBox {
            south: self.south,
            north: self.north,
            west: self.west,
            east: self.east,
            cells: places::cell_ranges((self.y_top, self.y_bottom), &self.xs),
        }
    }
}

/// `Browse.Map list_cluster`: the caller's items in the box grouped into cells of the map's
/// tile grid at `zoom` + 2 (64 pixels of a 256-pixel tile), each with its item count, the
/// mean position of its items, its cell's bounds and, with `additional=["thumbnail"]`, an
/// item's thumbnail. The counts add up to `total`, the items in the box.
pub async fn list_cluster(call: Call) -> ApiResult {
    let b = MapBox::of(&call)?;
    let zoom = call
        .params
        .int("zoom")?
        .ok_or(ApiError::MissingParam("zoom"))?;
    if !(0..=22).contains(&zoom) {
        return Err(ApiError::bad("zoom", "0 to 22"));
    }
    let level = (zoom as u32 + 2).min(grid::FINE);
    let shift = grid::FINE - level;
    let width: i64 =
        b.xs.iter()
            .map(|(lo, hi)| (hi >> shift) - (lo >> shift) + 1)
            .sum();
    let height = (b.y_bottom >> shift) - (b.y_top >> shift) + 1;
    if width.saturating_mul(height) > MAX_CLUSTER_CELLS {
        return Err(ApiError::bad("zoom", "the box is too large for this zoom"));
    }
    let Some(reach) = located_reach(&call).await? else {
        return Ok(Reply::data(json!({"list": [], "total": 0})));
    };
    let db = &call.state.db;
    let query = places::MapQuery {
        owner: reach.owner,
        folders: reach.items().folders.map(|f| f.into_iter().collect()),
        ys: (b.y_top, b.y_bottom),
        xs: b.xs.clone(),
        level,
    };
    let state = call.state.clone();
    let mut sums = tokio::task::spawn_blocking(move || {
        state
            .thumb_reader
            .read(|conn| places::map_clusters(conn, &query))
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::Error::new(e)))??;
    sums.sort_by(|a, b| b.count.cmp(&a.count).then((a.ky, a.kx).cmp(&(b.ky, b.kx))));
    let additional = Additional::of(&call)?;
    let covers: HashMap<i64, library::ItemRow> = if additional.has("thumbnail") {
        let ids: Vec<i64> = sums.iter().filter_map(|c| c.item).collect();
        library::items_by_ids(db, &reach.items(), &ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect()
    } else {
        HashMap::new()
    };
    let size = (1i64 << grid::FINE) as f64;
    let cells = (1i64 << level) as f64;
    let total: i64 = sums.iter().map(|c| c.count).sum();
    let list: Vec<Value> = sums
        .iter()
        .map(|c| {
            let n = c.count.max(1) as f64;
            let (lat, lon) = grid::position(c.sum_x / n / size, c.sum_y / n / size);
            let (north, west) = grid::position(c.kx as f64 / cells, c.ky as f64 / cells);
            let (south, east) =
                grid::position((c.kx + 1) as f64 / cells, (c.ky + 1) as f64 / cells);
            let mut extra = serde_json::Map::new();
            if let Some(row) = c.item.and_then(|id| covers.get(&id)) {
                extra.insert("thumbnail".into(), json!(Thumbnail::of(row)));
            }
            json!({
                "latitude": lat,
                "longitude": lon,
                "item_count": c.count,
                "bounds": {"north": north, "south": south, "east": east, "west": west},
                "additional": Value::Object(extra),
            })
        })
        .collect();
    Ok(Reply::data(json!({"list": list, "total": total})))
}

async fn box_filter(call: &Call) -> ApiResult<Option<ItemFilter>> {
    let b = MapBox::of(call)?;
    let Some(reach) = located_reach(call).await? else {
        return Ok(None);
    };
    Ok(Some(ItemFilter {
        geo_box: Some(b.filter()),
        ..reach.items()
    }))
}

/// `Browse.Map list_item`: the caller's items in the box (`offset`, `limit`, `sort_by`,
/// `additional` as `Browse.Item list`).
pub async fn list_item(call: Call) -> ApiResult {
    let (offset, limit) = page(&call)?;
    let order = sort(&call)?;
    let Some(filter) = box_filter(&call).await? else {
        return Ok(Reply::data(json!({ "list": [] })));
    };
    let rows = library::list_items(&call.state.db, &filter, order, offset, limit).await?;
    let list = present(&call.state, call.viewer(), &rows, &Additional::of(&call)?).await?;
    Ok(Reply::data(json!({ "list": list })))
}

pub async fn count_item(call: Call) -> ApiResult {
    let count = match box_filter(&call).await? {
        Some(filter) => library::count_items(&call.state.db, &filter).await?,
        None => 0,
    };
    Ok(Reply::data(json!({ "count": count })))
}
