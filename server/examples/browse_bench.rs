//! The data and the client of `bench/browse` (issue 4): browsing a library of a million items.
//!
//! `browse_bench seed --data DIR` fills `DIR/shoebox.db` with a synthetic Shared Space library
//! (by default 1,000,000 items in 2,000 folders over 20 years) through the indexer's own write
//! path (`catalog::ensure_folder`, `insert_file`, `save_metadata`, `set_thumbs`), writes real
//! small JPEG thumbnails for a subset of the items through `ThumbStore`, and records what the
//! client needs in `DIR/bench-manifest.json`. No file of the library exists on disk: the server
//! must run with scanning off (`bench/browse` writes that configuration).
//!
//! `browse_bench measure --url URL …` signs in to a running server, times the listing requests
//! one at a time (median and p99 over `--runs` runs each, the requests interleaved), checks the
//! thumbnail path of Shoebox and of a static file server against the files on disk, and writes
//! the request lists `wrk` loads them with. Results are JSON on standard output.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use clap::{Parser, Subcommand};
use image::RgbImage;
use serde_json::{Value, json};
use shoebox_catalog::db;
use shoebox_catalog::files::{self as catalog, ItemFile, NewFile, SHARED_OWNER};
use shoebox_indexer::metadata::time::days_from_civil;
use shoebox_indexer::metadata::{Metadata, Taken, TakenSource};
use shoebox_indexer::thumbnail::{self, ThumbSet, ThumbSize, ThumbStore};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

#[derive(Debug, Parser)]
#[command(about = "Synthetic library and client for bench/browse")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Fill DATA/shoebox.db with a synthetic library through the indexer's write path.
    Seed(SeedArgs),
    /// Time the browse requests against a running server; JSON on standard output.
    Measure(MeasureArgs),
}

#[derive(Debug, clap::Args)]
struct SeedArgs {
    /// The data folder (its database must not hold a library yet).
    #[arg(long)]
    data: PathBuf,
    /// Items in all.
    #[arg(long, default_value_t = 1_000_000)]
    items: usize,
    /// Leaf folders, spread evenly over the years.
    #[arg(long, default_value_t = 2_000)]
    folders: usize,
    /// Years, the last one being 2025.
    #[arg(long, default_value_t = 20)]
    years: usize,
    /// Items that get real thumbnail files, spread over the whole library.
    #[arg(long, default_value_t = 2_000)]
    thumbs: usize,
}

#[derive(Debug, clap::Args)]
struct MeasureArgs {
    /// Shoebox's base URL, `http://127.0.0.1:PORT`.
    #[arg(long)]
    url: String,
    #[arg(long)]
    account: String,
    #[arg(long)]
    password: String,
    /// The data folder that was seeded (for the manifest and the thumbnail files).
    #[arg(long)]
    data: PathBuf,
    /// Timed runs of each request.
    #[arg(long, default_value_t = 200)]
    runs: usize,
    /// A request whose runs have taken this long stops early (after at least 20 runs).
    #[arg(long, default_value_t = 60)]
    budget_secs: u64,
    /// The static file server that serves DATA/cache, `http://127.0.0.1:PORT`.
    #[arg(long)]
    static_url: String,
    /// Where the request lists for wrk are written.
    #[arg(long)]
    out: PathBuf,
}

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Seed(args) => seed(&args).await,
        Command::Measure(args) => measure(&args).await,
    }
}

// ---------------------------------------------------------------------------------------------
// The synthetic library

/// splitmix64: a small deterministic generator, so every seed run makes the same library.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True `per_mille` times in a thousand.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    fn pick<'a, T>(&mut self, from: &'a [T]) -> &'a T {
        &from[self.below(from.len() as u64) as usize]
    }
}

struct Camera {
    make: &'static str,
    model: &'static str,
    lens: Option<&'static str>,
    /// File name before the counter, and the extension with its format.
    prefix: &'static str,
    ext: &'static str,
    format: &'static str,
}

const PHONE: Camera = Camera {
    make: "Apple",
    model: "iPhone 13 Pro",
    lens: Some("iPhone 13 Pro back triple camera 5.7mm f/1.5"),
    prefix: "IMG_",
    ext: "HEIC",
    format: "heic",
};

const CAMERAS: [Camera; 6] = [
    PHONE,
    Camera {
        make: "Canon",
        model: "Canon EOS 5D Mark IV",
        lens: Some("EF24-105mm f/4L IS USM"),
        prefix: "IMG_",
        ext: "JPG",
        format: "jpeg",
    },
    Camera {
        make: "NIKON CORPORATION",
        model: "NIKON D750",
        lens: Some("24.0-120.0 mm f/4.0"),
        prefix: "DSC_",
        ext: "JPG",
        format: "jpeg",
    },
    Camera {
        make: "SONY",
        model: "ILCE-7M3",
        lens: Some("FE 24-70mm F2.8 GM"),
        prefix: "DSC0",
        ext: "JPG",
        format: "jpeg",
    },
    Camera {
        make: "FUJIFILM",
        model: "X-T3",
        lens: Some("XF18-55mmF2.8-4 R LM OIS"),
        prefix: "DSCF",
        ext: "JPG",
        format: "jpeg",
    },
    Camera {
        make: "Google",
        model: "Pixel 7",
        lens: None,
        prefix: "PXL_",
        ext: "jpg",
        format: "jpeg",
    },
];

const PLACES: [&str; 24] = [
    "Lisbon",
    "Kyoto",
    "Garden",
    "Birthday",
    "Christmas",
    "Alps",
    "Beach",
    "Berlin",
    "Harbour",
    "Wedding",
    "Road trip",
    "Snow",
    "Zoo",
    "Museum",
    "Picnic",
    "Concert",
    "Iceland",
    "Rome",
    "Camping",
    "School",
    "Market",
    "Lake",
    "Forest",
    "Family",
];

const TAGS: [&str; 16] = [
    "beach",
    "family",
    "holiday",
    "sunset",
    "friends",
    "food",
    "mountains",
    "city",
    "dog",
    "cat",
    "snow",
    "party",
    "kids",
    "flowers",
    "car",
    "architecture",
];

/// A word one item in `RARE_EVERY` folders carries as a tag, in the oldest folders: a search for
/// it finds few items, so the time-ordered walk finds no early stop.
const RARE_TAG: &str = "zeppelin";
const COMMON_WORD: &str = "canon";

/// What `measure` needs to know about the seeded library.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Manifest {
    items: usize,
    folders: usize,
    years: usize,
    /// Items that have thumbnail files.
    thumb_ids: Vec<i64>,
    /// A leaf folder of the oldest year and one of the newest, and the oldest year's folder.
    old_folder: i64,
    new_folder: i64,
    old_year_folder: i64,
    common_word: String,
    rare_word: String,
    rare_items: usize,
    seed_seconds: f64,
}

fn manifest_path(data: &Path) -> PathBuf {
    data.join("bench-manifest.json")
}

async fn seed(args: &SeedArgs) -> Result<()> {
    ensure!(
        args.years > 0 && args.folders >= args.years && args.items >= args.folders,
        "need items ≥ folders ≥ years > 0"
    );
    std::fs::create_dir_all(&args.data)?;
    let path = args.data.join("shoebox.db");
    // The server's open makes the schema; the seed then writes through a connection tuned for
    // a bulk load (no fsync, rare checkpoints), which changes nothing in what is written.
    db::open(&path).await?.close().await;
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Off)
        .foreign_keys(true)
        .pragma("cache_size", "-262144")
        .pragma("wal_autocheckpoint", "20000");
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    let (existing,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM items")
        .fetch_one(&pool)
        .await?;
    ensure!(existing == 0, "{} already holds items", args.data.display());

    let started = Instant::now();
    let mut rng = Rng(0x5EED_B0C5);
    let last_year = 2025i64;
    let first_year = last_year + 1 - args.years as i64;
    let per_year = args.folders / args.years;
    let thumb_every = (args.items / args.thumbs.max(1)).max(1);
    let mut manifest = Manifest {
        items: args.items,
        folders: args.folders,
        years: args.years,
        thumb_ids: Vec::new(),
        old_folder: 0,
        new_folder: 0,
        old_year_folder: 0,
        common_word: COMMON_WORD.to_owned(),
        rare_word: RARE_TAG.to_owned(),
        rare_items: 0,
        seed_seconds: 0.0,
    };
    let mut counters = [0u64; CAMERAS.len()];
    let mut item_no = 0usize;
    for folder_no in 0..args.folders {
        // Folders in date order: year by year, spread over each year.
        let year_no = (folder_no / per_year).min(args.years - 1);
        let year = first_year + year_no as i64;
        let in_year = folder_no - year_no * per_year;
        let of_year = if year_no == args.years - 1 {
            args.folders - year_no * per_year
        } else {
            per_year
        };
        let day_of_year = (in_year * 360 / of_year) as i64;
        let day = days_from_civil(year, 1, 1) + day_of_year;
        let (y, m, d) = shoebox_indexer::metadata::time::civil_from_days(day);
        let place = rng.pick(&PLACES);
        let path = format!("/{year}/{y:04}-{m:02}-{d:02} {place}");
        let items_here = (folder_no + 1) * args.items / args.folders - item_no;
        let main_camera = rng.below(CAMERAS.len() as u64) as usize;

        // One transaction for the folder and its files.
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        let folder_id = catalog::ensure_folder(&mut tx, SHARED_OWNER, &path).await?;
        if folder_no == 0 {
            manifest.old_folder = folder_id;
            manifest.old_year_folder =
                catalog::ensure_folder(&mut tx, SHARED_OWNER, &format!("/{year}")).await?;
        }
        if folder_no + 1 == args.folders {
            manifest.new_folder = folder_id;
        }
        let mut time = day * 86_400 + 8 * 3600 + rng.below(4 * 3600) as i64;
        let mut made = Vec::with_capacity(items_here);
        for n in 0..items_here {
            item_no += 1;
            time += 5 + rng.below(240) as i64;
            let cam_no = if rng.chance(750) { main_camera } else { 0 };
            let cam = &CAMERAS[cam_no];
            counters[cam_no] = (counters[cam_no] + 1) % 10_000;
            let video = item_no.is_multiple_of(50);
            let (filename, format, item_type) = if video {
                (
                    format!("VID_{y:04}{m:02}{d:02}_{item_no:07}.mp4"),
                    "mp4",
                    "video",
                )
            } else if cam.prefix == "PXL_" {
                (
                    format!("PXL_{y:04}{m:02}{d:02}_{item_no:09}.{}", cam.ext),
                    cam.format,
                    "photo",
                )
            } else {
                (
                    format!("{}{:04}.{}", cam.prefix, counters[cam_no], cam.ext),
                    cam.format,
                    "photo",
                )
            };
            // The file was copied to the NAS some days after it was taken.
            let mtime = time + 86_400 * (1 + rng.below(30) as i64);
            let size = if video {
                20_000_000 + rng.below(80_000_000) as i64
            } else {
                2_000_000 + rng.below(4_000_000) as i64
            };
            let new = NewFile {
                owner_id: SHARED_OWNER,
                folder_id,
                filename: filename.clone(),
                size,
                mtime_ns: mtime * 1_000_000_000,
                inode: item_no as i64,
                item_type,
                format: format.to_owned(),
            };
            let id = catalog::insert_file(&mut tx, &new).await?;
            let rare = n == 0 && folder_no % 10 == 0 && folder_no < 100;
            let meta = metadata(&mut rng, cam, video, time, rare);
            if rare {
                manifest.rare_items += 1;
            }
            if (item_no + 7).is_multiple_of(thumb_every) && !video {
                manifest.thumb_ids.push(id);
            }
            made.push((
                ItemFile {
                    id,
                    owner_id: SHARED_OWNER,
                    folder_id,
                    folder_path: path.clone(),
                    filename,
                    format: format.to_owned(),
                    r#type: item_type.to_owned(),
                    size,
                    mtime_ns: new.mtime_ns,
                    orientation: i64::from(meta.orientation),
                    motion_offset: None,
                    known_checksum: None,
                },
                meta,
            ));
        }
        tx.commit().await?;
        // What the index job writes for each item: metadata (with its tags), then thumbnails.
        // Photos first: `save_metadata` looks for a Live Photo partner among the folder's ready
        // videos, at a cost of (ready videos) x (folder items) rows each time.
        made.sort_by_key(|(item, _)| item.r#type == "video");
        for (item, meta) in &made {
            catalog::save_metadata(&pool, item, meta, &checksum(item.id)).await?;
            catalog::set_thumbs(&pool, item.id, Ok(())).await?;
        }
        // What the server's background flush does every few seconds.
        catalog::flush_search(&pool).await?;
        if (folder_no + 1) % 20 == 0 || folder_no + 1 == args.folders {
            let secs = started.elapsed().as_secs_f64();
            let rate = item_no as f64 / secs;
            eprintln!(
                "seed: {item_no}/{} items, {}/{} folders, {rate:.0} items/s, about {:.0} s to go",
                args.items,
                folder_no + 1,
                args.folders,
                (args.items - item_no) as f64 / rate
            );
        }
    }

    eprintln!(
        "seed: writing thumbnails of {} items",
        manifest.thumb_ids.len()
    );
    let store = ThumbStore::new(&args.data.join("cache"));
    let sets = (0..8u64)
        .map(|k| thumb_set(k).context("making a thumbnail set"))
        .collect::<Result<Vec<ThumbSet>>>()?;
    for id in &manifest.thumb_ids {
        store.write(*id, &sets[id.unsigned_abs() as usize % sets.len()])?;
    }
    pool.close().await;
    manifest.seed_seconds = started.elapsed().as_secs_f64();
    std::fs::write(
        manifest_path(&args.data),
        serde_json::to_vec_pretty(&manifest)?,
    )?;
    eprintln!(
        "seed: {} items in {:.0} s",
        args.items, manifest.seed_seconds
    );
    Ok(())
}

/// What the metadata reader would have found in the file.
fn metadata(rng: &mut Rng, cam: &Camera, video: bool, time: i64, rare: bool) -> Metadata {
    let mut keywords = Vec::new();
    if rng.chance(100) {
        keywords.push(rng.pick(&TAGS).to_string());
        if rng.chance(300) {
            keywords.push(rng.pick(&TAGS).to_string());
            keywords.dedup();
        }
    }
    if rare {
        keywords.push(RARE_TAG.to_owned());
    }
    let taken = Some(Taken {
        secs: time,
        millis: rng.below(1000) as u16,
        offset_min: Some(60),
        source: if video {
            TakenSource::Quicktime
        } else {
            TakenSource::Exif
        },
    });
    let gps = rng.chance(400).then(|| {
        (
            38.0 + rng.below(2000) as f64 / 100.0,
            rng.below(3000) as f64 / 100.0,
        )
    });
    if video {
        return Metadata {
            taken,
            width: 1920,
            height: 1080,
            orientation: 1,
            make: Some(cam.make.to_owned()),
            model: Some(cam.model.to_owned()),
            gps,
            keywords,
            duration_ms: Some(8_000 + rng.below(120_000)),
            video_codec: Some("h264".into()),
            audio_codec: Some("aac".into()),
            frame_rate: Some(30.0),
            ..Metadata::default()
        };
    }
    Metadata {
        taken,
        width: 4032,
        height: 3024,
        orientation: if rng.chance(150) { 6 } else { 1 },
        make: Some(cam.make.to_owned()),
        model: Some(cam.model.to_owned()),
        lens: cam.lens.map(str::to_owned),
        focal_length: Some(24.0 + rng.below(80) as f64),
        aperture: Some(*rng.pick(&[1.8, 2.8, 4.0, 5.6, 8.0])),
        exposure: Some(format!("1/{}", rng.pick(&[60, 125, 250, 500, 1000]))),
        iso: Some(*rng.pick(&[100, 200, 400, 800, 1600])),
        flash: Some(if rng.chance(100) { 1 } else { 0 }),
        gps,
        rating: if rng.chance(50) {
            1 + rng.below(5) as u8
        } else {
            0
        },
        description: rng
            .chance(20)
            .then(|| format!("{} again", rng.pick(&PLACES))),
        keywords,
        ..Metadata::default()
    }
}

/// A stand-in for the BLAKE3 of the file: 32 bytes that differ per item.
fn checksum(id: i64) -> Vec<u8> {
    let mut rng = Rng(id.unsigned_abs());
    (0..4).flat_map(|_| rng.next().to_le_bytes()).collect()
}

/// Three real thumbnails made the indexer's way from a 480x360 picture with some texture: sm
/// (320x240) then has the size of a photo's, and xl and m (not upscaled) stay small on disk.
fn thumb_set(k: u64) -> Result<ThumbSet> {
    let mut rng = Rng(k + 1);
    let (fx, fy) = (1 + k % 5, 2 + k % 3);
    let img = RgbImage::from_fn(480, 360, |x, y| {
        let (x, y) = (u64::from(x), u64::from(y));
        let noise = rng.below(48) as u8;
        image::Rgb([
            ((x * fx / 2 + y / 3) % 200) as u8 + noise,
            ((y * fy / 2 + x / 4) % 180) as u8 + noise,
            (((x ^ y) / 4 + k * 40) % 190) as u8 + noise,
        ])
    });
    Ok(thumbnail::from_rgb(img, 1, thumbnail::SourceColour::Srgb)?)
}

// ---------------------------------------------------------------------------------------------
// The client

/// A signed-in client of the Web API.
struct Api {
    http: reqwest::Client,
    url: String,
    sid: String,
}

impl Api {
    async fn login(url: &str, account: &str, password: &str) -> Result<Api> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(4)
            .build()?;
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
        let sid = body["data"]["sid"]
            .as_str()
            .with_context(|| format!("login failed: {body}"))?
            .to_owned();
        Ok(Api {
            http,
            url: url.to_owned(),
            sid,
        })
    }

    fn request(&self, params: &[(String, String)]) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}/webapi/entry.cgi", self.url))
            .query(params)
            .query(&[("_sid", self.sid.as_str())])
    }

    /// One call; its `data`, or an error when it did not succeed.
    async fn call(&self, params: &[(String, String)]) -> Result<Value> {
        let body: Value = self.request(params).send().await?.json().await?;
        if body["success"] != true {
            bail!("{params:?} failed: {body}");
        }
        Ok(body["data"].clone())
    }
}

/// A request of the table: its label, its parameters, and what a good answer holds.
struct Probe {
    label: String,
    params: Vec<(String, String)>,
    /// The answer must list at least this many entries (`list` or `section`).
    min_entries: usize,
}

fn probe(label: &str, api: &str, method: &str, extra: &[(&str, &str)], min: usize) -> Probe {
    let mut params = vec![
        ("api".to_owned(), api.to_owned()),
        ("method".to_owned(), method.to_owned()),
        ("version".to_owned(), "1".to_owned()),
    ];
    params.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    Probe {
        label: label.to_owned(),
        params,
        min_entries: min,
    }
}

fn entries(data: &Value) -> usize {
    data["list"]
        .as_array()
        .or_else(|| data["section"].as_array())
        .map_or(0, Vec::len)
}

async fn measure(args: &MeasureArgs) -> Result<()> {
    let manifest: Manifest = serde_json::from_slice(
        &std::fs::read(manifest_path(&args.data)).context("reading the seed's manifest")?,
    )?;
    let api = Api::login(&args.url, &args.account, &args.password).await?;
    let team = |name: &str| format!("SYNO.FotoTeam.{name}");
    let deep = (manifest.items / 2).to_string();
    let old = manifest.old_folder.to_string();
    let new = manifest.new_folder.to_string();
    let year = manifest.old_year_folder.to_string();
    let common = format!("\"{}\"", manifest.common_word);
    let rare = format!("\"{}\"", manifest.rare_word);
    let thumb = r#"["thumbnail"]"#;
    let per_folder = (manifest.items / manifest.folders).min(100);
    let item = team("Browse.Item");
    let folder = team("Browse.Folder");
    let search = team("Search.Search");
    let probes = [
        probe(
            "Timeline get (day sections)",
            &team("Browse.Timeline"),
            "get",
            &[],
            1,
        ),
        probe(
            "Item list, first page (offset 0, 100)",
            &item,
            "list",
            &[("offset", "0"), ("limit", "100"), ("additional", thumb)],
            100,
        ),
        probe(
            &format!("Item list, deep page (offset {deep}, 100)"),
            &item,
            "list",
            &[("offset", &deep), ("limit", "100"), ("additional", thumb)],
            100,
        ),
        probe(
            "Folder list, root (id 0, 100)",
            &folder,
            "list",
            &[("id", "0"), ("offset", "0"), ("limit", "100")],
            1,
        ),
        probe(
            "Folder list, root, +thumbnail",
            &folder,
            "list",
            &[
                ("id", "0"),
                ("offset", "0"),
                ("limit", "100"),
                ("additional", thumb),
            ],
            1,
        ),
        probe(
            "Folder list, oldest year (100 subfolders), +thumbnail",
            &folder,
            "list",
            &[
                ("id", &year),
                ("offset", "0"),
                ("limit", "100"),
                ("additional", thumb),
            ],
            1,
        ),
        probe(
            "Item list, folder_id of the newest folder",
            &item,
            "list",
            &[
                ("folder_id", &new),
                ("offset", "0"),
                ("limit", "100"),
                ("additional", thumb),
            ],
            per_folder,
        ),
        probe(
            "Item list, folder_id of the oldest folder",
            &item,
            "list",
            &[
                ("folder_id", &old),
                ("offset", "0"),
                ("limit", "100"),
                ("additional", thumb),
            ],
            per_folder,
        ),
        probe(
            &format!("Search list_item {common} (camera, common)"),
            &search,
            "list_item",
            &[
                ("keyword", &common),
                ("offset", "0"),
                ("limit", "100"),
                ("additional", thumb),
            ],
            100,
        ),
        probe(
            &format!(
                "Search list_item {rare} (tag of {} items)",
                manifest.rare_items
            ),
            &search,
            "list_item",
            &[
                ("keyword", &rare),
                ("offset", "0"),
                ("limit", "100"),
                ("additional", thumb),
            ],
            manifest.rare_items,
        ),
    ];

    // Check every answer once (and warm up), then time the requests round by round.
    for p in &probes {
        let data = api.call(&p.params).await?;
        let n = entries(&data);
        ensure!(
            n >= p.min_entries,
            "{}: {n} entries, expected at least {}: {data}",
            p.label,
            p.min_entries
        );
    }
    let budget = Duration::from_secs(args.budget_secs);
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); probes.len()];
    let mut spent = vec![Duration::ZERO; probes.len()];
    for _ in 0..args.runs {
        for (n, p) in probes.iter().enumerate() {
            if spent[n] > budget && times[n].len() >= 20 {
                continue;
            }
            let start = Instant::now();
            let response = api.request(&p.params).send().await?;
            let status = response.status();
            let body = response.bytes().await?;
            let took = start.elapsed();
            ensure!(status.is_success(), "{}: HTTP {status}", p.label);
            let answer: Value = serde_json::from_slice(&body)?;
            ensure!(answer["success"] == true, "{}: {answer}", p.label);
            spent[n] += took;
            times[n].push(took.as_secs_f64() * 1000.0);
        }
    }
    for (p, t) in probes.iter().zip(&mut times) {
        t.sort_by(f64::total_cmp);
        let row = json!({
            "kind": "latency",
            "label": p.label,
            "runs": t.len(),
            "median_ms": percentile(t, 50.0),
            "p99_ms": percentile(t, 99.0),
            "max_ms": t.last().copied().unwrap_or(0.0),
        });
        println!("{row}");
    }

    thumbnail_lists(args, &api, &manifest).await
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Fetches every benchmark thumbnail once from both servers, checks them against the file and
/// each server's 304, and writes `path<TAB>etag` lists for wrk.
async fn thumbnail_lists(args: &MeasureArgs, api: &Api, manifest: &Manifest) -> Result<()> {
    let store = ThumbStore::new(&args.data.join("cache"));
    let cache_root = args.data.join("cache");
    let mut keys: HashMap<i64, String> = HashMap::new();
    for chunk in manifest.thumb_ids.chunks(100) {
        let ids = serde_json::to_string(chunk)?;
        let data = api
            .call(&[
                ("api".into(), "SYNO.FotoTeam.Browse.Item".into()),
                ("method".into(), "get".into()),
                ("version".into(), "1".into()),
                ("id".into(), ids),
                ("additional".into(), r#"["thumbnail"]"#.into()),
            ])
            .await?;
        for entry in data["list"].as_array().map_or(&[][..], Vec::as_slice) {
            if let (Some(id), Some(key)) = (
                entry["id"].as_i64(),
                entry["additional"]["thumbnail"]["cache_key"].as_str(),
            ) {
                keys.insert(id, key.to_owned());
            }
        }
    }
    std::fs::create_dir_all(&args.out)?;
    let mut shoebox_list = String::new();
    let mut static_list = String::new();
    let mut bytes = 0usize;
    for id in &manifest.thumb_ids {
        let key = keys
            .get(id)
            .with_context(|| format!("no cache_key for item {id}"))?;
        let file = store.path(*id, ThumbSize::Sm);
        let expected = std::fs::read(&file)?;
        bytes += expected.len();
        let shoebox_path = format!(
            "/webapi/entry.cgi?api=SYNO.FotoTeam.Thumbnail&method=get&version=1&type=unit&id={id}&size=sm&cache_key={key}&_sid={}",
            api.sid
        );
        let static_path = format!(
            "/{}",
            file.strip_prefix(&cache_root)?
                .to_str()
                .context("a thumbnail path that is not UTF-8")?
        );
        let shoebox_etag = fetch_checked(&api.http, &args.url, &shoebox_path, &expected).await?;
        let static_etag =
            fetch_checked(&api.http, &args.static_url, &static_path, &expected).await?;
        shoebox_list.push_str(&format!("{shoebox_path}\t{shoebox_etag}\n"));
        static_list.push_str(&format!("{static_path}\t{static_etag}\n"));
    }
    std::fs::write(args.out.join("shoebox.paths"), shoebox_list)?;
    std::fs::write(args.out.join("static.paths"), static_list)?;
    let row = json!({
        "kind": "thumbnails",
        "files": manifest.thumb_ids.len(),
        "mean_bytes": bytes / manifest.thumb_ids.len().max(1),
    });
    println!("{row}");
    Ok(())
}

/// GETs `path`: it must be 200 with the bytes of the file; a second GET with its ETag in
/// If-None-Match must be 304. Returns the ETag.
async fn fetch_checked(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    expected: &[u8],
) -> Result<String> {
    let url = format!("{base}{path}");
    let response = http.get(&url).send().await?;
    ensure!(
        response.status() == reqwest::StatusCode::OK,
        "{url}: HTTP {}",
        response.status()
    );
    let etag = response
        .headers()
        .get(reqwest::header::ETAG)
        .and_then(|v| v.to_str().ok())
        .with_context(|| format!("{url}: no ETag"))?
        .to_owned();
    let body = response.bytes().await?;
    ensure!(
        body.as_ref() == expected,
        "{url}: not the thumbnail file's bytes"
    );
    let again = http
        .get(&url)
        .header(reqwest::header::IF_NONE_MATCH, &etag)
        .send()
        .await?;
    ensure!(
        again.status() == reqwest::StatusCode::NOT_MODIFIED,
        "{url}: If-None-Match answered HTTP {}",
        again.status()
    );
    Ok(etag)
}
