//! Places and the map as the browse APIs read them (migration 0012): the place tree with the
//! number of the caller's items in each node, and the items' map cells.

use std::collections::{HashMap, HashSet};

use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use super::library::{ItemFilter, push_where};

/// A node of the place tree: a country (level 1), a first-level region (2) or a city (3).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlaceNode {
    pub id: i64,
    pub level: i64,
    pub parent_id: Option<i64>,
    pub country_id: i64,
    pub region_id: Option<i64>,
    pub name: String,
    /// ISO 3166-1 alpha-2 of the country.
    pub code: String,
}

/// A node with the caller's items in it.
#[derive(Debug, Clone)]
pub struct CountedPlace {
    pub node: PlaceNode,
    pub item_count: i64,
    /// The newest-indexed of those items (the node's cover).
    pub newest_item: i64,
}

/// Every place node, by id (a library holds as many as the towns its photos were taken in).
pub async fn nodes(db: &SqlitePool) -> sqlx::Result<HashMap<i64, PlaceNode>> {
    let rows: Vec<PlaceNode> = sqlx::query_as(
        "SELECT id, level, parent_id, country_id, region_id, name, code FROM places",
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|n| (n.id, n)).collect())
}

/// The nodes holding items that `filter` selects, with their counts (a country counts every
/// item of its regions and cities), most items first, then by name.
pub async fn counted(db: &SqlitePool, filter: &ItemFilter) -> sqlx::Result<Vec<CountedPlace>> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT i.place_id, COUNT(*), MAX(i.id) FROM items i INDEXED BY items_by_place",
    );
    push_where(&mut qb, filter);
    qb.push(" AND i.place_id IS NOT NULL GROUP BY i.place_id");
    let per_place: Vec<(i64, i64, i64)> = qb.build_query_as().fetch_all(db).await?;
    if per_place.is_empty() {
        return Ok(Vec::new());
    }
    let nodes = nodes(db).await?;
    let mut totals: HashMap<i64, (i64, i64)> = HashMap::new();
    for (place, count, newest) in per_place {
        let Some(node) = nodes.get(&place) else {
            continue;
        };
        let mut ids = vec![node.id, node.country_id];
        ids.extend(node.region_id);
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            let t = totals.entry(id).or_insert((0, 0));
            t.0 += count;
            t.1 = t.1.max(newest);
        }
    }
    let mut out: Vec<CountedPlace> = totals
        .into_iter()
        .filter_map(|(id, (item_count, newest_item))| {
            nodes.get(&id).map(|node| CountedPlace {
                node: node.clone(),
                item_count,
                newest_item,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.item_count
            .cmp(&a.item_count)
            .then_with(|| a.node.name.cmp(&b.node.name))
            .then(a.node.id.cmp(&b.node.id))
    });
    Ok(out)
}

/// Items of `filter` per day and city, for days in `[start, end]` (unix seconds of the camera
/// wall clock): (day number since the epoch, place id, items).
pub async fn places_by_day(
    db: &SqlitePool,
    filter: &ItemFilter,
) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT i.taken_time / 86400 AS day, i.place_id, COUNT(*) FROM items i",
    );
    push_where(&mut qb, filter);
    qb.push(
        " AND i.place_id IS NOT NULL AND i.taken_time IS NOT NULL
          GROUP BY day, i.place_id ORDER BY day DESC, 3 DESC",
    );
    qb.build_query_as().fetch_all(db).await
}

/// The sums of one map cluster: its cell at the cluster zoom, its items, the sum of their
/// positions in zoom-24 tiles (for the mean), and an item of it.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClusterSum {
    pub kx: i64,
    pub ky: i64,
    pub count: i64,
    pub sum_x: f64,
    pub sum_y: f64,
    pub item: Option<i64>,
    /// Items of the tile `item` came from (the fullest one keeps the cover).
    fullest: i64,
}

/// A map query: a space (within `folders` when the caller sees only some), a box in zoom-24
/// tiles (rows `ys`, column ranges `xs`, inclusive), and the zoom of the clusters.
pub struct MapQuery {
    pub owner: i64,
    pub folders: Option<HashSet<i64>>,
    pub ys: (i64, i64),
    pub xs: Vec<(i64, i64)>,
    pub level: u32,
}

const FINE: u32 = crate::grid::FINE;
const COARSE: u32 = crate::grid::COARSE;

impl MapQuery {
    fn holds(&self, x: i64, y: i64) -> bool {
        (self.ys.0..=self.ys.1).contains(&y) && self.xs.iter().any(|r| (r.0..=r.1).contains(&x))
    }

    /// Index ranges of the cell index covering the box ([`cell_ranges`]).
    pub fn cell_ranges(&self) -> Vec<(i64, i64)> {
        cell_ranges(self.ys, &self.xs)
    }
}

/// Ranges of the cell index (migration 0012) covering the zoom-24 rows `ys` and column ranges
/// `xs`: one per row of zoom-12 tiles and column range, or one band when there are many rows.
pub fn cell_ranges(ys: (i64, i64), xs: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let (first, last) = (ys.0 >> 12, ys.1 >> 12);
    if last - first + 1 > 64 {
        return vec![(first << 36, (last << 36) | ((1 << 36) - 1))];
    }
    let mut out = Vec::new();
    for row in first..=last {
        for (lo, hi) in xs {
            out.push((
                row << 36 | (lo >> 12) << 24,
                row << 36 | (hi >> 12) << 24 | 0xFF_FFFF,
            ));
        }
    }
    out
}

/// The clusters of the items in the box. Zoom-12 tiles wholly inside it count from the per-tile
/// totals (`map_cells`) when the caller sees the whole space and the clusters are no finer than
/// those tiles; everything else (the tiles the box's edge cuts, finer clusters, callers who see
/// some folders only) is read from the cell index item by item. Rows are stepped and summed
/// here, not sorted by SQLite.
pub fn map_clusters(
    conn: &rusqlite::Connection,
    q: &MapQuery,
) -> rusqlite::Result<Vec<ClusterSum>> {
    let mut sums: HashMap<(i64, i64), ClusterSum> = HashMap::new();
    let ranges = if q.level <= COARSE && q.folders.is_none() {
        let shift = COARSE - q.level;
        let mut edges = Vec::new();
        let mut statement = conn.prepare_cached(
            "SELECT cell, n, item_id FROM map_cells WHERE owner_id = ?1 AND cell BETWEEN ?2 AND ?3",
        )?;
        let mut rows =
            statement.query((q.owner, (q.ys.0 >> 12) << 12, (q.ys.1 >> 12) << 12 | 0xFFF))?;
        while let Some(row) = rows.next()? {
            let (tile, n, item): (i64, i64, Option<i64>) = (row.get(0)?, row.get(1)?, row.get(2)?);
            let (x0, y0) = ((tile & 0xFFF) << 12, (tile >> 12) << 12);
            let (x1, y1) = (x0 | 0xFFF, y0 | 0xFFF);
            if !q.xs.iter().any(|(lo, hi)| x1 >= *lo && x0 <= *hi) {
                continue;
            }
            let inside =
                y0 >= q.ys.0 && y1 <= q.ys.1 && q.xs.iter().any(|(lo, hi)| x0 >= *lo && x1 <= *hi);
            if !inside {
                edges.push((tile << 24, tile << 24 | 0xFF_FFFF));
                continue;
            }
            let key = ((tile & 0xFFF) >> shift, (tile >> 12) >> shift);
            let s = sums.entry(key).or_insert(ClusterSum {
                kx: key.0,
                ky: key.1,
                ..Default::default()
            });
            s.count += n;
            s.sum_x += n as f64 * (x0 + 2048) as f64;
            s.sum_y += n as f64 * (y0 + 2048) as f64;
            if n > s.fullest && item.is_some() {
                s.fullest = n;
                s.item = item;
            }
        }
        edges
    } else {
        q.cell_ranges()
    };
    let shift = FINE - q.level;
    let mut statement = conn.prepare_cached(
        "SELECT geo_cell, id, folder_id FROM items INDEXED BY items_by_owner_cell
          WHERE owner_id = ?1 AND geo_cell BETWEEN ?2 AND ?3 AND live_parent_id IS NULL",
    )?;
    for (lo, hi) in ranges {
        let mut rows = statement.query((q.owner, lo, hi))?;
        while let Some(row) = rows.next()? {
            let (cell, id, folder): (i64, i64, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
            let (x, y) = crate::grid::unpack(cell);
            if !q.holds(x, y) || q.folders.as_ref().is_some_and(|f| !f.contains(&folder)) {
                continue;
            }
            let key = (x >> shift, y >> shift);
            let s = sums.entry(key).or_insert(ClusterSum {
                kx: key.0,
                ky: key.1,
                ..Default::default()
            });
            s.count += 1;
            s.sum_x += x as f64 + 0.5;
            s.sum_y += y as f64 + 0.5;
            if s.fullest == 0 {
                // From the items: the newest.
                s.item = Some(s.item.map_or(id, |i| i.max(id)));
            }
        }
    }
    Ok(sums.into_values().collect())
}
