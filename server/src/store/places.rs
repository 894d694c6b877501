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

/// Item counts of the zoom-12 map tiles of a space in the rows `y_first..=y_last` of tiles:
/// (tile as `y12 << 12 | x12`, items).
pub async fn tile_counts(
    db: &SqlitePool,
    owner: i64,
    y_first: i64,
    y_last: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as("SELECT cell, n FROM map_cells WHERE owner_id = ? AND cell BETWEEN ? AND ?")
        .bind(owner)
        .bind(y_first << 12)
        .bind(y_last << 12 | 0xFFF)
        .fetch_all(db)
        .await
}

/// The map cells and ids of the items of a space (within `folders` when given) whose cell is in
/// one of `ranges`.
pub async fn item_cells(
    db: &SqlitePool,
    owner: i64,
    folders: Option<&[i64]>,
    ranges: &[(i64, i64)],
) -> sqlx::Result<Vec<(i64, i64)>> {
    let mut out = Vec::new();
    let folders = folders.map(|f| serde_json::to_string(f).unwrap_or_else(|_| "[]".into()));
    for (lo, hi) in ranges {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "SELECT geo_cell, id FROM items INDEXED BY items_by_owner_cell WHERE owner_id = ",
        );
        qb.push_bind(owner)
            .push(" AND geo_cell BETWEEN ")
            .push_bind(*lo)
            .push(" AND ")
            .push_bind(*hi)
            .push(" AND live_parent_id IS NULL");
        if let Some(folders) = &folders {
            qb.push(" AND folder_id IN (SELECT value FROM json_each(")
                .push_bind(folders.clone())
                .push("))");
        }
        let rows: Vec<(i64, i64)> = qb.build_query_as().fetch_all(db).await?;
        out.extend(rows);
    }
    Ok(out)
}

/// One item of a space (within `folders`) whose cell is in `[lo, hi]`, if any.
pub async fn any_item_in(
    db: &SqlitePool,
    owner: i64,
    folders: Option<&[i64]>,
    lo: i64,
    hi: i64,
) -> sqlx::Result<Option<i64>> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT id FROM items INDEXED BY items_by_owner_cell WHERE owner_id = ",
    );
    qb.push_bind(owner)
        .push(" AND geo_cell BETWEEN ")
        .push_bind(lo)
        .push(" AND ")
        .push_bind(hi)
        .push(" AND live_parent_id IS NULL");
    if let Some(folders) = folders {
        qb.push(" AND folder_id IN (SELECT value FROM json_each(")
            .push_bind(serde_json::to_string(folders).unwrap_or_else(|_| "[]".into()))
            .push("))");
    }
    qb.push(" LIMIT 1");
    let row: Option<(i64,)> = qb.build_query_as().fetch_optional(db).await?;
    Ok(row.map(|(id,)| id))
}
