//! The geocoding pass: every item whose position changed (`geo_pending`, set by the triggers of
//! migration 0012) gets its place (country, region, city: the `places` tree) and its map cell,
//! in batches. The server runs it every few seconds while there is work, `shoebox index` at the
//! end of its run. The place table is loaded only while there is work
//! ([`GeocoderCache`]).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use sqlx::{SqliteConnection, SqlitePool};

use crate::places::{Geocoder, Place, grid};

/// Items looked up per transaction.
const BATCH: i64 = 2000;

/// The place table, loaded when there is work and let go after a while without any (it holds
/// about 25 MB).
pub struct GeocoderCache {
    loaded: Option<(std::sync::Arc<Geocoder>, Instant)>,
    keep: Duration,
}

impl GeocoderCache {
    pub fn new(keep: Duration) -> Self {
        Self { loaded: None, keep }
    }

    /// Runs the pass if any item waits for it; returns how many items it looked up.
    pub async fn run(&mut self, db: &SqlitePool) -> anyhow::Result<u64> {
        let (pending,): (bool,) =
            sqlx::query_as("SELECT EXISTS (SELECT 1 FROM items WHERE geo_pending = 1)")
                .fetch_one(db)
                .await?;
        if !pending {
            if self
                .loaded
                .as_ref()
                .is_some_and(|(_, used)| used.elapsed() > self.keep)
            {
                self.loaded = None;
            }
            return Ok(0);
        }
        let geocoder = match &self.loaded {
            Some((g, _)) => g.clone(),
            None => {
                let g =
                    tokio::task::spawn_blocking(|| std::sync::Arc::new(Geocoder::new())).await?;
                tracing::debug!("loaded the place table");
                g
            }
        };
        let done = geocode_pending(db, &geocoder).await?;
        self.loaded = Some((geocoder, Instant::now()));
        Ok(done)
    }
}

/// Looks up every item waiting for it; returns how many it did.
pub async fn geocode_pending(
    db: &SqlitePool,
    geocoder: &std::sync::Arc<Geocoder>,
) -> anyhow::Result<u64> {
    let mut nodes: HashMap<String, i64> = HashMap::new();
    let mut done = 0u64;
    let mut after = 0i64;
    loop {
        let batch: Vec<(i64, Option<f64>, Option<f64>)> = sqlx::query_as(
            "SELECT id, latitude, longitude FROM items
              WHERE geo_pending = 1 AND id > ? ORDER BY id LIMIT ?",
        )
        .bind(after)
        .bind(BATCH)
        .fetch_all(db)
        .await?;
        let Some(&(last, _, _)) = batch.last() else {
            return Ok(done);
        };
        after = last;
        let g = geocoder.clone();
        let found = tokio::task::spawn_blocking(move || {
            batch
                .into_iter()
                .map(|(id, lat, lon)| {
                    let (place, cell) = match (lat, lon) {
                        (Some(lat), Some(lon)) => (g.place(lat, lon), grid::cell(lat, lon)),
                        _ => (None, None),
                    };
                    (id, lat, lon, place, cell)
                })
                .collect::<Vec<_>>()
        })
        .await?;
        let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
        for (id, lat, lon, place, cell) in &found {
            let place_id = match place {
                Some(p) => Some(place_node(&mut tx, &mut nodes, p).await?),
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
            .bind(id)
            .bind(lat)
            .bind(lon)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        done += found.len() as u64;
    }
}

/// The id of a place's most specific node, its country and region nodes made as needed.
async fn place_node(
    conn: &mut SqliteConnection,
    cache: &mut HashMap<String, i64>,
    place: &Place,
) -> sqlx::Result<i64> {
    let country_key = place.country_code.clone();
    let country = node(
        conn,
        cache,
        &country_key,
        1,
        None,
        None,
        &place.country,
        &place.country_code,
    )
    .await?;
    let parent = if place.region.is_empty() {
        country
    } else {
        let key = format!("{}/{}", place.country_code, place.region);
        node(
            conn,
            cache,
            &key,
            2,
            Some(country),
            Some(country),
            &place.region,
            &place.country_code,
        )
        .await?
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
        &place.country_code,
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
