//! Places and the map as the browse APIs read them (migration 0012): the place tree with the
//! number of the caller's items in each node, and the items' map cells.

use std::collections::HashMap;

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
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct ClusterSum {
    pub kx: i64,
    pub ky: i64,
    pub count: i64,
    pub sum_x: f64,
    pub sum_y: f64,
    pub item: Option<i64>,
}

/// `AND (expr BETWEEN lo AND hi OR …)` for inclusive ranges.
fn push_ranges(qb: &mut QueryBuilder<Sqlite>, expr: &str, ranges: &[(i64, i64)]) {
    qb.push(" AND (");
    for (n, (lo, hi)) in ranges.iter().enumerate() {
        if n > 0 {
            qb.push(" OR ");
        }
        qb.push(format!("{expr} BETWEEN "))
            .push_bind(*lo)
            .push(" AND ")
            .push_bind(*hi);
    }
    if ranges.is_empty() {
        qb.push("0");
    }
    qb.push(")");
}

/// Clusters summed from the per-tile counts of a space: the zoom-12 tiles in rows
/// `ys` and columns `xs` (inclusive tile ranges), grouped `shift` levels up. Each cluster's item
/// is the one of its fullest tile.
pub async fn tile_clusters(
    db: &SqlitePool,
    owner: i64,
    ys: (i64, i64),
    xs: &[(i64, i64)],
    shift: u32,
) -> sqlx::Result<Vec<ClusterSum>> {
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "SELECT (cell & 4095) >> {shift} AS kx, (cell >> 12) >> {shift} AS ky, SUM(n) AS count,
                CAST(SUM(n * ((cell & 4095) * 4096 + 2048)) AS REAL) AS sum_x,
                CAST(SUM(n * ((cell >> 12) * 4096 + 2048)) AS REAL) AS sum_y,
                MAX(n) AS fullest, item_id AS item
           FROM map_cells WHERE owner_id = "
    ));
    qb.push_bind(owner)
        .push(" AND cell BETWEEN ")
        .push_bind(ys.0 << 12)
        .push(" AND ")
        .push_bind((ys.1 << 12) | 0xFFF);
    push_ranges(&mut qb, "(cell & 4095)", xs);
    qb.push(" GROUP BY ky, kx");
    // (`fullest` picks the row `item` comes from; the other columns are read by name.)
    qb.build_query_as().fetch_all(db).await
}

/// The zoom-12 tiles of a space holding items in rows `ys` and columns `xs` (inclusive tile
/// ranges) that are not among the rows `inner_ys` and columns `inner_xs`.
pub async fn edge_tiles(
    db: &SqlitePool,
    owner: i64,
    ys: (i64, i64),
    xs: &[(i64, i64)],
    inner_ys: (i64, i64),
    inner_xs: &[(i64, i64)],
) -> sqlx::Result<Vec<i64>> {
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT cell FROM map_cells WHERE owner_id = ");
    qb.push_bind(owner)
        .push(" AND cell BETWEEN ")
        .push_bind(ys.0 << 12)
        .push(" AND ")
        .push_bind((ys.1 << 12) | 0xFFF);
    push_ranges(&mut qb, "(cell & 4095)", xs);
    qb.push(" AND NOT ((cell >> 12) BETWEEN ")
        .push_bind(inner_ys.0)
        .push(" AND ")
        .push_bind(inner_ys.1);
    push_ranges(&mut qb, "(cell & 4095)", inner_xs);
    qb.push(")");
    let rows: Vec<(i64,)> = qb.build_query_as().fetch_all(db).await?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
}

/// Clusters summed from the items of a space (within `folders` when given) whose cell is in
/// one of `ranges` and whose zoom-24 tile is in rows `ys` and columns `xs`, grouped `shift`
/// levels up from zoom 24. Each cluster's item is its newest.
pub async fn item_clusters(
    db: &SqlitePool,
    owner: i64,
    folders: Option<&[i64]>,
    ranges: &[(i64, i64)],
    ys: (i64, i64),
    xs: &[(i64, i64)],
    shift: u32,
) -> sqlx::Result<Vec<ClusterSum>> {
    if ranges.is_empty() {
        return Ok(Vec::new());
    }
    let ranges_json = serde_json::to_string(ranges).unwrap_or_else(|_| "[]".into());
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "SELECT fx >> {shift} AS kx, fy >> {shift} AS ky, COUNT(*) AS count,
                SUM(fx + 0.5) AS sum_x, SUM(fy + 0.5) AS sum_y, MAX(id) AS item
           FROM (SELECT i.id, (((i.geo_cell >> 24) & 4095) << 12) | (i.geo_cell & 4095) AS fx,
                        ((i.geo_cell >> 36) << 12) | ((i.geo_cell >> 12) & 4095) AS fy
                   FROM json_each("
    ));
    qb.push_bind(ranges_json)
        .push(
            ") r JOIN items i INDEXED BY items_by_owner_cell
               ON i.owner_id = ",
        )
        .push_bind(owner)
        .push(
            " AND i.geo_cell BETWEEN r.value ->> 0 AND r.value ->> 1
              AND i.live_parent_id IS NULL",
        );
    if let Some(folders) = folders {
        qb.push(" AND i.folder_id IN (SELECT value FROM json_each(")
            .push_bind(serde_json::to_string(folders).unwrap_or_else(|_| "[]".into()))
            .push("))");
    }
    qb.push(") WHERE fy BETWEEN ")
        .push_bind(ys.0)
        .push(" AND ")
        .push_bind(ys.1);
    push_ranges(&mut qb, "fx", xs);
    qb.push(" GROUP BY ky, kx");
    qb.build_query_as().fetch_all(db).await
}
