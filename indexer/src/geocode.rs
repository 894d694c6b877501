//! The geocoding pass: every item whose position changed (`geo_pending`, set by the triggers of
//! migration 0012) gets its place (country, region, city: the `places` tree) and its map cell,
//! in batches. The server runs it every few seconds while there is work, `shoebox index` at the
//! end of its run. The place table is loaded only while there is work
//! ([`GeocoderCache`]).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use shoebox_catalog::geocoding::{self, Located, PlaceName};
use sqlx::SqlitePool;

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
        if !geocoding::any_pending(db).await? {
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
        let batch = geocoding::pending_after(db, after, BATCH).await?;
        let Some(last) = batch.last() else {
            return Ok(done);
        };
        after = last.id;
        let g = geocoder.clone();
        let found = tokio::task::spawn_blocking(move || {
            batch
                .into_iter()
                .map(|item| {
                    let (place, cell) = match (item.latitude, item.longitude) {
                        (Some(lat), Some(lon)) => (g.place(lat, lon), grid::cell(lat, lon)),
                        _ => (None, None),
                    };
                    Located {
                        item,
                        place: place.map(name_of),
                        cell,
                    }
                })
                .collect::<Vec<_>>()
        })
        .await?;
        geocoding::save_places(db, &mut nodes, &found).await?;
        done += found.len() as u64;
    }
}

fn name_of(place: Place) -> PlaceName {
    PlaceName {
        country_code: place.country_code,
        country: place.country,
        region: place.region,
        city: place.city,
    }
}
