//! The rows the geocoding pass reads and writes: items waiting for their place (`geo_pending`,
//! set by the triggers of migration 0012), and the `places` tree (country, region, city) their
//! places are filed under.

use std::collections::HashMap;

use sqlx::{SqliteConnection, SqlitePool};

/// An item waiting for its place, with the position it had when read.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Pending {
    pub id: i64,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// A place as the geocoder names it.
#[derive(Debug, Clone)]
pub struct PlaceName {
    /// ISO 3166-1 alpha-2 ("FR").
    pub country_code: String,
    pub country: String,
    /// Empty where there is none.
    pub region: String,
    pub city: String,
}

/// What the lookup found for a waiting item: its place and map cell, if any.
#[derive(Debug, Clone)]
pub struct Located {
    pub item: Pending,
    pub place: Option<PlaceName>,
    pub cell: Option<i64>,
}

/// Whether any item waits for its place.
pub async fn any_pending(db: &SqlitePool) -> sqlx::Result<bool> {
    let (pending,): (bool,) =
        sqlx::query_as("SELECT EXISTS (SELECT 1 FROM items WHERE geo_pending = 1)")
            .fetch_one(db)
            .await?;
    Ok(pending)
}

/// Up to `limit` waiting items with ids above `after`, in id order.
pub async fn pending_after(db: &SqlitePool, after: i64, limit: i64) -> sqlx::Result<Vec<Pending>> {
    sqlx::query_as(
        "SELECT id, latitude, longitude FROM items
          WHERE geo_pending = 1 AND id > ? ORDER BY id LIMIT ?",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Stores a batch of lookups in one transaction (`BEGIN IMMEDIATE`), making the place nodes
/// needed; `nodes` caches node ids by key across batches.
pub async fn save_places(
    db: &SqlitePool,
    nodes: &mut HashMap<String, i64>,
    found: &[Located],
) -> sqlx::Result<()> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    for Located { item, place, cell } in found {
        let place_id = match place {
            Some(p) => Some(place_node(&mut tx, nodes, p).await?),
            None => None,
        };
        // Only if the position is still the one looked up: a change meanwhile set the flag
        // again and the next round takes it.
        sqlx::query(
            "UPDATE items SET place_id = ?, geo_cell = ?, geo_pending = 0
              WHERE id = ? AND geo_pending = 1 AND latitude IS ? AND longitude IS ?",
        )
        .bind(place_id)
        .bind(cell)
        .bind(item.id)
        .bind(item.latitude)
        .bind(item.longitude)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// The id of a place's most specific node, its country and region nodes made as needed.
async fn place_node(
    conn: &mut SqliteConnection,
    cache: &mut HashMap<String, i64>,
    place: &PlaceName,
) -> sqlx::Result<i64> {
    let code = place.country_code.as_str();
    let country_key = place.country_code.clone();
    let country = node(
        conn,
        cache,
        &country_key,
        1,
        None,
        None,
        &place.country,
        code,
    )
    .await?;
    let parent = if place.region.is_empty() {
        country
    } else {
        let key = format!("{}/{}", place.country_code, place.region);
        let c = Some(country);
        node(conn, cache, &key, 2, c, c, &place.region, code).await?
    };
    let key = format!("{}/{}/{}", place.country_code, place.region, place.city);
    node(
        conn,
        cache,
        &key,
        3,
        Some(parent),
        Some(country),
        &place.city,
        code,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn node(
    conn: &mut SqliteConnection,
    cache: &mut HashMap<String, i64>,
    key: &str,
    level: i64,
    parent: Option<i64>,
    country: Option<i64>,
    name: &str,
    code: &str,
) -> sqlx::Result<i64> {
    if let Some(id) = cache.get(key) {
        return Ok(*id);
    }
    let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM places WHERE key = ?")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    let id = match found {
        Some((id,)) => id,
        None => {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO places (key, level, parent_id, country_id, region_id, name, code)
                 VALUES (?, ?, ?, 0, NULL, ?, ?) RETURNING id",
            )
            .bind(key)
            .bind(level)
            .bind(parent)
            .bind(name)
            .bind(code)
            .fetch_one(&mut *conn)
            .await?;
            // A country is its own country; a region its own region; a city's region is its
            // parent when that is a region.
            sqlx::query(
                "UPDATE places SET country_id = COALESCE(?, id),
                        region_id = CASE level WHEN 2 THEN id
                                    WHEN 3 THEN (SELECT p.id FROM places p
                                                  WHERE p.id = places.parent_id AND p.level = 2)
                                    END
                  WHERE id = ?",
            )
            .bind(country)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            id
        }
    };
    cache.insert(key.to_owned(), id);
    Ok(id)
}
