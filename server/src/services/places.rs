//! Places and the map as a caller sees them: only the places of their items, and none for a
//! user who turned "Show Dates and Locations" off (docs/protocol-choices.md "Places and the
//! map").

use std::collections::HashMap;

use shoebox_catalog::grid;
use shoebox_catalog::library::{self, GeoBox, ItemFilter, ItemRow};
use shoebox_catalog::places::{self, CountedPlace};

use crate::protocol::error::{ApiError, ApiResult};
use crate::services::access::Reach;
use crate::services::settings::shows_locations;
use crate::state::AppState;
use crate::wire::item::Thumbnail;
use crate::wire::person::CoverAdditional;
use crate::wire::place::{Bounds, Cluster, Clusters, DayPlace, Place, PlaceBranch, PlaceDay};

/// `reach`, or `None` when its user (`user`) hides locations.
pub async fn located(state: &AppState, reach: Reach, user: i64) -> ApiResult<Option<Reach>> {
    Ok(shows_locations(state, user).await?.then_some(reach))
}

/// The place nodes with items `reach` sees (none without one).
pub async fn counted(state: &AppState, reach: Option<&Reach>) -> ApiResult<Vec<CountedPlace>> {
    match reach {
        Some(reach) => Ok(places::counted(&state.db, &reach.items()).await?),
        None => Ok(Vec::new()),
    }
}

/// The items `ids` as `reach` sees them, by id.
async fn covers(state: &AppState, reach: &Reach, ids: &[i64]) -> ApiResult<HashMap<i64, ItemRow>> {
    Ok(library::items_by_ids(&state.db, &reach.items(), ids)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect())
}

/// Place objects for `nodes` (of `all`, the places counted), with the cover thumbnail when
/// `thumbnail`.
pub async fn shown(
    state: &AppState,
    reach: Option<&Reach>,
    nodes: &[&CountedPlace],
    all: &[CountedPlace],
    thumbnail: bool,
) -> ApiResult<Vec<Place>> {
    let covers = match reach {
        Some(reach) if thumbnail && !nodes.is_empty() => {
            let ids: Vec<i64> = nodes.iter().map(|n| n.newest_item).collect();
            covers(state, reach, &ids).await?
        }
        _ => HashMap::new(),
    };
    let names: HashMap<i64, &str> = all
        .iter()
        .map(|p| (p.node.id, p.node.name.as_str()))
        .collect();
    let name_of = |id: i64| names.get(&id).copied().unwrap_or_default().to_owned();
    Ok(nodes
        .iter()
        .map(|p| Place {
            id: p.node.id,
            name: p.node.name.clone(),
            level: p.node.level,
            parent: p.node.parent_id.unwrap_or(0),
            country: name_of(p.node.country_id),
            country_id: p.node.country_id,
            country_code: p.node.code.clone(),
            item_count: p.item_count,
            additional: CoverAdditional {
                thumbnail: covers.get(&p.newest_item).map(Thumbnail::of),
            },
        })
        .collect())
}

/// The place tree of `Search.Filter list` over the items of `filter`: countries, their
/// regions, their cities, by name; empty when `user` hides locations.
pub async fn filter_tree(
    state: &AppState,
    user: i64,
    filter: &ItemFilter,
) -> ApiResult<Vec<PlaceBranch>> {
    if !shows_locations(state, user).await? {
        return Ok(Vec::new());
    }
    let all = places::counted(&state.db, filter).await?;
    fn children(all: &[CountedPlace], parent: Option<i64>) -> Vec<PlaceBranch> {
        let mut nodes: Vec<&CountedPlace> =
            all.iter().filter(|p| p.node.parent_id == parent).collect();
        nodes.sort_by(|a, b| a.node.name.cmp(&b.node.name));
        nodes
            .into_iter()
            .map(|p| PlaceBranch {
                id: p.node.id,
                level: p.node.level,
                name: p.node.name.clone(),
                children: children(all, Some(p.node.id)),
            })
            .collect()
    }
    Ok(children(&all, None))
}

/// For each day of the items of `filter` (newest first), the cities its items were taken in,
/// most items first.
pub async fn days(state: &AppState, filter: &ItemFilter) -> ApiResult<Vec<PlaceDay>> {
    let rows = places::places_by_day(&state.db, filter).await?;
    let nodes = places::nodes(&state.db).await?;
    let mut list: Vec<PlaceDay> = Vec::new();
    for (day, place, count) in rows {
        let Some(node) = nodes.get(&place) else {
            continue;
        };
        let country = nodes
            .get(&node.country_id)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        let entry = DayPlace {
            id: node.id,
            name: node.name.clone(),
            country,
            item_count: count,
        };
        let (year, month, d) = shoebox_catalog::time::civil_from_days(day);
        match list.last_mut() {
            Some(last) if (last.year, last.month, last.day) == (year, month, d) => {
                last.geocoding.push(entry);
            }
            _ => list.push(PlaceDay {
                year,
                month,
                day: d,
                geocoding: vec![entry],
            }),
        }
    }
    Ok(list)
}

const FINE_MAX: i64 = (1 << grid::FINE) - 1;
/// Most cluster cells one `list_cluster` may cover (a 256 × 256 grid: four screens at least).
const MAX_CLUSTER_CELLS: i64 = 256 * 256;

/// The box of a map call in degrees and in zoom-24 tiles: the x ranges (two when the box
/// crosses the date line, `west` > `east`) and the rows.
#[derive(Debug, Clone)]
pub struct MapBox {
    south: f64,
    north: f64,
    west: f64,
    east: f64,
    xs: Vec<(i64, i64)>,
    y_top: i64,
    y_bottom: i64,
}

impl MapBox {
    /// The box between latitudes `south`..`north` and from longitude `west` east to `east`
    /// (degrees, in range).
    pub fn new(north: f64, south: f64, east: f64, west: f64) -> ApiResult<MapBox> {
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

    /// The items of `reach` in the box.
    pub fn items(&self, reach: &Reach) -> ItemFilter {
        ItemFilter {
            geo_box: Some(GeoBox {
                south: self.south,
                north: self.north,
                west: self.west,
                east: self.east,
                cells: places::cell_ranges((self.y_top, self.y_bottom), &self.xs),
            }),
            ..reach.items()
        }
    }

    /// The level of the grid `list_cluster` groups by at map `zoom` (0 to 22): `zoom` + 2, 64
    /// pixels of a 256-pixel tile; refused when the box holds too many of its cells.
    pub fn cluster_level(&self, zoom: i64) -> ApiResult<u32> {
        if !(0..=22).contains(&zoom) {
            return Err(ApiError::bad("zoom", "0 to 22"));
        }
        let level = (zoom as u32 + 2).min(grid::FINE);
        let shift = grid::FINE - level;
        let width: i64 = self
            .xs
            .iter()
            .map(|(lo, hi)| (hi >> shift) - (lo >> shift) + 1)
            .sum();
        let height = (self.y_bottom >> shift) - (self.y_top >> shift) + 1;
        if width.saturating_mul(height) > MAX_CLUSTER_CELLS {
            return Err(ApiError::bad("zoom", "the box is too large for this zoom"));
        }
        Ok(level)
    }
}

/// The items `reach` sees in the box grouped into cells of the grid at `level`
/// ([`MapBox::cluster_level`]), fullest first, each with its item count, the mean position of
/// its items, its cell's bounds and, when `thumbnail`, an item's thumbnail. The counts add up
/// to the total.
pub async fn clusters(
    state: &AppState,
    reach: &Reach,
    b: &MapBox,
    level: u32,
    thumbnail: bool,
) -> ApiResult<Clusters> {
    let query = places::MapQuery {
        owner: reach.owner,
        folders: reach.items().folders.map(|f| f.into_iter().collect()),
        ys: (b.y_top, b.y_bottom),
        xs: b.xs.clone(),
        level,
    };
    let reader = state.clone();
    let mut sums = tokio::task::spawn_blocking(move || {
        reader
            .thumb_reader
            .read(|conn| places::map_clusters(conn, &query))
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::Error::new(e)))??;
    sums.sort_by(|a, b| b.count.cmp(&a.count).then((a.ky, a.kx).cmp(&(b.ky, b.kx))));
    let covers = if thumbnail {
        let ids: Vec<i64> = sums.iter().filter_map(|c| c.item).collect();
        covers(state, reach, &ids).await?
    } else {
        HashMap::new()
    };
    let size = (1i64 << grid::FINE) as f64;
    let cells = (1i64 << level) as f64;
    let total: i64 = sums.iter().map(|c| c.count).sum();
    let list = sums
        .iter()
        .map(|c| {
            let n = c.count.max(1) as f64;
            let (latitude, longitude) = grid::position(c.sum_x / n / size, c.sum_y / n / size);
            let (north, west) = grid::position(c.kx as f64 / cells, c.ky as f64 / cells);
            let (south, east) =
                grid::position((c.kx + 1) as f64 / cells, (c.ky + 1) as f64 / cells);
            Cluster {
                latitude,
                longitude,
                item_count: c.count,
                bounds: Bounds {
                    north,
                    south,
                    east,
                    west,
                },
                additional: CoverAdditional {
                    thumbnail: c.item.and_then(|id| covers.get(&id)).map(Thumbnail::of),
                },
            }
        })
        .collect();
    Ok(Clusters { list, total })
}
