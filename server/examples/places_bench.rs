//! The data and the client of `bench/places` (issue 5): Places and the map on a library of a
//! million geotagged items.
//!
//! `places_bench seed --data DIR --items N` makes `DIR/shoebox.db` (the migrations run) and
//! writes N Shared Space photos with positions into it, in batches of plain `INSERT`s (the
//! triggers of the real schema run: search, changes, the geocoding flag): 95 % scattered around
//! 60 cities of every continent (a town's worth of spread each), 5 % anywhere between 60° S and
//! 70° N, sea included. The positions also go to `DIR/points.csv` for the peer.
//!
//! `places_bench geocode --data DIR` runs the server's geocoding pass over every item once and
//! prints items per second (the place table's load included) as JSON.
//!
//! `places_bench measure --url URL --data DIR …` signs in and times `Browse.Map list_cluster`
//! over a set of views from the whole world to a street (median and p99 of `--runs` runs, the
//! views interleaved), checks that every view's clusters add up to its total, and times the
//! peer: the same clusters by one `GROUP BY` over the items in the box, straight on the
//! database, as a server without per-tile counts and a cell index would do. JSON lines out.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use clap::{Parser, Subcommand};
use serde_json::{Value, json};
use shoebox_catalog::db;
use shoebox_indexer::geocode::GeocoderCache;
use sqlx::SqlitePool;

#[derive(Debug, Parser)]
#[command(about = "Synthetic geotagged library and client for bench/places")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Seed {
        #[arg(long)]
        data: PathBuf,
        #[arg(long, default_value_t = 1_000_000)]
        items: u64,
    },
    Geocode {
        #[arg(long)]
        data: PathBuf,
    },
    Measure {
        #[arg(long)]
        url: String,
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        account: String,
        #[arg(long)]
        password: String,
        #[arg(long, default_value_t = 200)]
        runs: usize,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Seed { data, items } => seed(&data, items).await,
        Command::Geocode { data } => geocode(&data).await,
        Command::Measure {
            url,
            data,
            account,
            password,
            runs,
        } => measure(&url, &data, &account, &password, runs).await,
    }
}

/// xorshift64*: the same library on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Roughly normal, mean 0, deviation 1 (a sum of uniforms).
    fn normal(&mut self) -> f64 {
        (0..6).map(|_| self.unit()).sum::<f64>() - 3.0
    }
}

/// Where the photos are taken: 60 cities of every continent.
const HUBS: [(f64, f64); 60] = [
    (48.8566, 2.3522),
    (51.5072, -0.1276),
    (52.52, 13.405),
    (41.9028, 12.4964),
    (40.4168, -3.7038),
    (59.3293, 18.0686),
    (55.7558, 37.6173),
    (50.0755, 14.4378),
    (47.4979, 19.0402),
    (37.9838, 23.7275),
    (41.0082, 28.9784),
    (38.7223, -9.1393),
    (52.3676, 4.9041),
    (46.2044, 6.1432),
    (64.1466, -21.9426),
    (40.7128, -74.006),
    (34.0522, -118.2437),
    (41.8781, -87.6298),
    (37.7749, -122.4194),
    (47.6062, -122.3321),
    (25.7617, -80.1918),
    (43.6532, -79.3832),
    (45.5017, -73.5673),
    (19.4326, -99.1332),
    (21.3069, -157.8583),
    (61.2181, -149.9003),
    (-23.5505, -46.6333),
    (-22.9068, -43.1729),
    (-34.6037, -58.3816),
    (-33.4489, -70.6693),
    (-12.0464, -77.0428),
    (4.711, -74.0721),
    (35.6762, 139.6503),
    (34.6937, 135.5023),
    (37.5665, 126.978),
    (39.9042, 116.4074),
    (31.2304, 121.4737),
    (22.3193, 114.1694),
    (1.3521, 103.8198),
    (13.7563, 100.5018),
    (21.0278, 105.8342),
    (28.6139, 77.209),
    (19.076, 72.8777),
    (25.2048, 55.2708),
    (31.7683, 35.2137),
    (30.0444, 31.2357),
    (-1.2921, 36.8219),
    (-33.9249, 18.4241),
    (6.5244, 3.3792),
    (33.5731, -7.5898),
    (-33.8688, 151.2093),
    (-37.8136, 144.9631),
    (-27.4698, 153.0251),
    (-36.8485, 174.7633),
    (-41.2865, 174.7762),
    (-17.7134, 178.065),
    (64.8378, -147.7164),
    (78.2232, 15.6267),
    (-54.8019, -68.303),
    (27.7172, 85.324),
];

async fn open(data: &Path) -> Result<SqlitePool> {
    Ok(db::open(&data.join("shoebox.db")).await?)
}

async fn seed(data: &Path, items: u64) -> Result<()> {
    std::fs::create_dir_all(data.join("photo"))?;
    let pool = open(data).await?;
    let started = Instant::now();
    let root: (i64,) = sqlx::query_as(
        "INSERT INTO folders (owner_id, parent_id, path, name) VALUES (0, NULL, '/', '')
         ON CONFLICT (owner_id, path) DO UPDATE SET name = name RETURNING id",
    )
    .fetch_one(&pool)
    .await?;
    let mut folders = Vec::new();
    for n in 0..HUBS.len() {
        let path = format!("/Trip {n:02}");
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO folders (owner_id, parent_id, path, name) VALUES (0, ?, ?, ?) RETURNING id",
        )
        .bind(root.0)
        .bind(&path)
        .bind(&path[1..])
        .fetch_one(&pool)
        .await?;
        folders.push(id);
    }
    let mut rng = Rng(0x5EED_9ACE5);
    let mut points = std::io::BufWriter::new(std::fs::File::create(data.join("points.csv"))?);
    let batch = 5000u64;
    let mut done = 0u64;
    while done < items {
        let mut tx = pool.begin().await?;
        for k in done..(done + batch).min(items) {
            let (hub, lat, lon) = if rng.next() % 100 < 5 {
                let lat = -60.0 + rng.unit() * 130.0;
                let lon = -180.0 + rng.unit() * 360.0;
                ((rng.next() % HUBS.len() as u64) as usize, lat, lon)
            } else {
                let hub = (rng.next() % HUBS.len() as u64) as usize;
                let (la, lo) = HUBS[hub];
                // About 10 km of spread around the centre.
                let lat = (la + rng.normal() * 0.06).clamp(-89.9, 89.9);
                let lon = lo + rng.normal() * 0.08 / la.to_radians().cos().max(0.2);
                let lon = if lon > 180.0 {
                    lon - 360.0
                } else if lon < -180.0 {
                    lon + 360.0
                } else {
                    lon
                };
                (hub, lat, lon)
            };
            writeln!(points, "{lat:.6},{lon:.6}")?;
            sqlx::query(
                "INSERT INTO items (owner_id, folder_id, filename, size, mtime_ns, type, format,
                                    taken_time, taken_month, latitude, longitude,
                                    metadata_status, thumb_status, indexed_at)
                 VALUES (0, ?, ?, 1000, 0, 'photo', 'jpeg', ?, 202001, ?, ?, 'ready', 'ready', 0)",
            )
            .bind(folders[hub])
            .bind(format!("IMG_{k:07}.jpg"))
            .bind(1_577_836_800 + (k as i64) * 60)
            .bind(lat)
            .bind(lon)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        done = (done + batch).min(items);
        if done.is_multiple_of(100_000) {
            eprintln!("  {done} items, {:.0} s", started.elapsed().as_secs_f64());
        }
    }
    points.flush()?;
    println!(
        "{}",
        json!({"kind": "seed", "items": items, "seconds": started.elapsed().as_secs_f64()})
    );
    Ok(())
}

async fn geocode(data: &Path) -> Result<()> {
    let pool = open(data).await?;
    let (pending,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM items WHERE geo_pending = 1")
        .fetch_one(&pool)
        .await?;
    let started = Instant::now();
    let done = GeocoderCache::new(Duration::ZERO).run(&pool).await?;
    let seconds = started.elapsed().as_secs_f64();
    ensure!(
        done as i64 == pending,
        "looked up {done} of {pending} items"
    );
    let (placed, places, tiles): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM items WHERE place_id IS NOT NULL),
                (SELECT COUNT(*) FROM places), (SELECT COUNT(*) FROM map_cells)",
    )
    .fetch_one(&pool)
    .await?;
    // The lookup alone, as the peer measures it: the table loaded, every point looked up.
    let points: Vec<(f64, f64)> = std::fs::read_to_string(data.join("points.csv"))?
        .lines()
        .filter_map(|l| {
            let (a, b) = l.split_once(',')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .collect();
    let t = Instant::now();
    let geocoder = shoebox_indexer::places::Geocoder::new();
    let found = points
        .iter()
        .filter(|(lat, lon)| geocoder.place(*lat, *lon).is_some())
        .count();
    let lookup_seconds = t.elapsed().as_secs_f64();
    // The keyword index catches up with the new place names before the server starts, as a
    // running server does in the background over the following minutes.
    let t = Instant::now();
    shoebox_catalog::files::flush_search(&pool).await?;
    let flush_seconds = t.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({"kind": "geocode", "items": done, "seconds": seconds,
               "items_per_s": done as f64 / seconds, "placed": placed, "places": places,
               "tiles": tiles, "lookup_items_per_s": points.len() as f64 / lookup_seconds,
               "lookup_found": found, "search_flush_seconds": flush_seconds})
    );
    Ok(())
}

/// A view of the map: its label, zoom and box (north, south, east, west).
struct View {
    label: &'static str,
    zoom: i64,
    bounds: [f64; 4],
}

const VIEWS: [View; 8] = [
    View {
        label: "world, zoom 2",
        zoom: 2,
        bounds: [85.0, -85.0, 180.0, -180.0],
    },
    View {
        label: "Europe, zoom 4",
        zoom: 4,
        bounds: [66.0, 34.0, 40.0, -12.0],
    },
    View {
        label: "Pacific across the date line, zoom 3",
        zoom: 3,
        bounds: [60.0, -50.0, -100.0, 120.0],
    },
    View {
        label: "France, zoom 6",
        zoom: 6,
        bounds: [51.5, 42.0, 8.5, -5.0],
    },
    View {
        label: "Paris region, zoom 9",
        zoom: 9,
        bounds: [49.2, 48.5, 2.9, 1.8],
    },
    View {
        label: "Paris, zoom 11",
        zoom: 11,
        bounds: [48.95, 48.76, 2.55, 2.15],
    },
    View {
        label: "Paris centre, zoom 13",
        zoom: 13,
        bounds: [48.88, 48.83, 2.40, 2.30],
    },
    View {
        label: "a street, zoom 16",
        zoom: 16,
        bounds: [48.8600, 48.8540, 2.3580, 2.3460],
    },
];

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

async fn login(http: &reqwest::Client, url: &str, account: &str, password: &str) -> Result<String> {
    let body: Value = http
        .post(format!("{url}/webapi/auth.cgi"))
        .form(&[
            ("api", "SYNO.API.Auth"),
            ("version", "7"),
            ("method", "login"),
            ("account", account),
            ("passwd", password),
        ])
        .send()
        .await?
        .json()
        .await?;
    Ok(body["data"]["sid"]
        .as_str()
        .with_context(|| format!("login failed: {body}"))?
        .to_owned())
}

/// The peer: the clusters of a view by one GROUP BY over the items in its box (equal-angle
/// cells as wide as the view's), straight on the database.
async fn peer(pool: &SqlitePool, v: &View) -> Result<i64> {
    let [north, south, east, west] = v.bounds;
    let cell = 360.0 / f64::from(1u32 << (v.zoom + 2));
    let lon_test = if west <= east {
        "longitude BETWEEN ?4 AND ?3"
    } else {
        "(longitude >= ?4 OR longitude <= ?3)"
    };
    let sql = format!(
        "SELECT CAST((longitude + 180) / ?5 AS INT) AS cx, CAST((latitude + 90) / ?5 AS INT) AS cy,
                COUNT(*), AVG(latitude), AVG(longitude), MAX(id)
           FROM items WHERE owner_id = 0 AND live_parent_id IS NULL
            AND latitude BETWEEN ?2 AND ?1 AND {lon_test} GROUP BY cx, cy"
    );
    let rows: Vec<(i64, i64, i64, f64, f64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(north)
        .bind(south)
        .bind(east)
        .bind(west)
        .bind(cell)
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(|r| r.2).sum())
}

async fn measure(url: &str, data: &Path, account: &str, password: &str, runs: usize) -> Result<()> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(4)
        .build()?;
    let sid = login(&http, url, account, password).await?;
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(data.join("shoebox.db"))
                .read_only(true),
        )
        .await?;
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); VIEWS.len()];
    let mut peer_times: Vec<Vec<f64>> = vec![Vec::new(); VIEWS.len()];
    let mut clusters = vec![0usize; VIEWS.len()];
    let mut totals = vec![0i64; VIEWS.len()];
    for run in 0..runs {
        for (n, v) in VIEWS.iter().enumerate() {
            let [north, south, east, west] = v.bounds.map(|x| x.to_string());
            let zoom = v.zoom.to_string();
            let params = [
                ("api", "SYNO.FotoTeam.Browse.Map"),
                ("method", "list_cluster"),
                ("version", "1"),
                ("north", north.as_str()),
                ("south", south.as_str()),
                ("east", east.as_str()),
                ("west", west.as_str()),
                ("zoom", zoom.as_str()),
                ("additional", "[\"thumbnail\"]"),
                ("_sid", sid.as_str()),
            ];
            let t = Instant::now();
            let body: Value = http
                .get(format!("{url}/webapi/entry.cgi"))
                .query(&params)
                .send()
                .await?
                .json()
                .await?;
            times[n].push(t.elapsed().as_secs_f64() * 1000.0);
            if body["success"] != true {
                bail!("{}: {body}", v.label);
            }
            let list = body["data"]["list"].as_array().context("list")?;
            let sum: i64 = list.iter().filter_map(|c| c["item_count"].as_i64()).sum();
            let total = body["data"]["total"].as_i64().context("total")?;
            ensure!(
                sum == total,
                "{}: clusters hold {sum}, total {total}",
                v.label
            );
            ensure!(
                list.iter()
                    .all(|c| c["additional"]["thumbnail"].is_object()),
                "{}: a cluster without a thumbnail",
                v.label
            );
            clusters[n] = list.len();
            totals[n] = total;
            // The peer on a share of the runs: it is slow at a million items.
            if run < runs.div_ceil(10) {
                let t = Instant::now();
                let peer_total = peer(&pool, v).await?;
                peer_times[n].push(t.elapsed().as_secs_f64() * 1000.0);
                // The peer's box is exact in degrees, Shoebox's to the zoom-24 tile (a few
                // metres): the totals agree but for items on the edge.
                ensure!(
                    (peer_total - total).abs() <= (total / 1000).max(2),
                    "{}: Shoebox finds {total} items in the box, the peer {peer_total}",
                    v.label
                );
            }
        }
    }
    for (n, v) in VIEWS.iter().enumerate() {
        let mut t = times[n].clone();
        t.sort_by(f64::total_cmp);
        let mut p = peer_times[n].clone();
        p.sort_by(f64::total_cmp);
        println!(
            "{}",
            json!({"kind": "map", "label": v.label, "zoom": v.zoom, "runs": t.len(),
                   "items": totals[n], "clusters": clusters[n],
                   "median_ms": percentile(&t, 50.0), "p99_ms": percentile(&t, 99.0),
                   "peer_runs": p.len(), "peer_median_ms": percentile(&p, 50.0),
                   "peer_p99_ms": percentile(&p, 99.0)})
        );
    }
    Ok(())
}
