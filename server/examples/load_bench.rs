//! The client of `bench/load` (issue 20): browsing, uploads, renames and deletes together against
//! a running server, for a bounded time, the way a household's phones and browsers use it at once.
//!
//! `load_bench --url URL --account A --password P --photos DIR --seconds S --mode MODE` signs in,
//! then for S seconds runs:
//!
//! - `--browsers` clients (default 100), each on its own connection, listing the Shared Space's
//!   items (a random page), its folders and the timeline, and fetching thumbnails of the items it
//!   saw;
//! - in `mixed` mode also `--uploaders` phones (default 4), each uploading the JPEGs of DIR one
//!   after another under new names into the Personal Space's timeline, as a backup does; and one
//!   organiser renaming a Shared Space folder (`--rename-folder`, an id) back and forth and
//!   deleting some of the uploads it was told about.
//!
//! At the end it checks that every upload the server acknowledged (and the organiser did not
//! delete) still answers under its id, and prints one JSON line: requests, errors (a transport
//! error, an HTTP status other than 200, or `success: false`), median and p99 latency per kind of
//! request, and the acknowledged uploads lost. The server's peak RSS is the script's part
//! (`VmHWM`), since it runs the server.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use serde_json::{Value, json};
use tokio::sync::Mutex;

#[derive(Debug, Parser)]
#[command(about = "Mixed load for bench/load")]
struct Args {
    /// Shoebox's base URL, `http://127.0.0.1:PORT`.
    #[arg(long)]
    url: String,
    #[arg(long)]
    account: String,
    #[arg(long)]
    password: String,
    /// JPEGs the phones upload (each under a new name every time).
    #[arg(long)]
    photos: std::path::PathBuf,
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// `browse` (browsing alone) or `mixed` (browsing, uploads, renames and deletes).
    #[arg(long, default_value = "mixed")]
    mode: String,
    #[arg(long, default_value_t = 100)]
    browsers: usize,
    #[arg(long, default_value_t = 4)]
    uploaders: usize,
    /// The Shared Space folder the organiser renames back and forth.
    #[arg(long)]
    rename_folder: Option<i64>,
    /// A prefix for the upload names, so that runs on one data folder do not collide.
    #[arg(long, default_value = "load")]
    tag: String,
}

/// Latencies and errors of one kind of request.
#[derive(Default)]
struct Kind {
    ms: Vec<f64>,
    errors: u64,
    first_error: Option<String>,
}

#[derive(Default)]
struct Stats {
    kinds: std::collections::BTreeMap<&'static str, Kind>,
}

impl Stats {
    fn record(&mut self, kind: &'static str, took: Duration, error: Option<String>) {
        let k = self.kinds.entry(kind).or_default();
        k.ms.push(took.as_secs_f64() * 1e3);
        if let Some(e) = error {
            k.errors += 1;
            k.first_error.get_or_insert(e);
        }
    }
}

struct Client {
    http: reqwest::Client,
    url: String,
    sid: String,
    stats: Arc<Mutex<Stats>>,
}

/// A tiny xorshift, seeded per client: enough to spread pages and picks.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % (n.max(1) as u64)).unwrap_or(0)
    }
}

impl Client {
    async fn login(args: &Args, stats: Arc<Mutex<Stats>>) -> Result<Client> {
        // One connection per client, kept alive, as a browser tab or a phone holds one.
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .timeout(Duration::from_secs(120))
            .build()?;
        let body: Value = http
            .post(format!("{}/webapi/auth.cgi", args.url))
            .form(&[
                ("api", "SYNO.API.Auth"),
                ("version", "7"),
                ("method", "login"),
                ("account", args.account.as_str()),
                ("passwd", args.password.as_str()),
            ])
            .send()
            .await?
            .json()
            .await?;
        let sid = body["data"]["sid"]
            .as_str()
            .with_context(|| format!("login failed: {body}"))?
            .to_owned();
        Ok(Client {
            http,
            url: args.url.clone(),
            sid,
            stats,
        })
    }

    /// One API call, timed and recorded under `kind`; its `data` when it succeeded.
    async fn call(
        &self,
        kind: &'static str,
        params: &[(&str, &str)],
        form: Option<reqwest::multipart::Form>,
    ) -> Option<Value> {
        let url = format!("{}/webapi/entry.cgi", self.url);
        let started = Instant::now();
        let request = match form {
            Some(form) => self
                .http
                .post(url)
                .query(params)
                .query(&[("_sid", self.sid.as_str())])
                .multipart(form),
            None => self
                .http
                .get(url)
                .query(params)
                .query(&[("_sid", self.sid.as_str())]),
        };
        let outcome = async {
            let response = request.send().await.map_err(|e| e.to_string())?;
            let status = response.status();
            let text = response.text().await.map_err(|e| e.to_string())?;
            if status != reqwest::StatusCode::OK {
                return Err(format!("HTTP {status}: {text}"));
            }
            let body: Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
            if body["success"] != true {
                return Err(format!("{status}: {body}"));
            }
            Ok(body["data"].clone())
        }
        .await;
        let took = started.elapsed();
        let (data, error) = match outcome {
            Ok(data) => (Some(data), None),
            Err(e) => (None, Some(format!("{params:?}: {e}"))),
        };
        self.stats.lock().await.record(kind, took, error);
        data
    }

    /// A GET of bytes (a thumbnail), timed and recorded under `kind`.
    async fn fetch(&self, kind: &'static str, query: &str) {
        let url = format!("{}/webapi/entry.cgi?{query}&_sid={}", self.url, self.sid);
        let started = Instant::now();
        let error = match self.http.get(url).send().await {
            Ok(r) if r.status() == reqwest::StatusCode::OK => match r.bytes().await {
                Ok(b) if !b.is_empty() => None,
                Ok(_) => Some("an empty thumbnail".to_owned()),
                Err(e) => Some(e.to_string()),
            },
            Ok(r) => Some(format!("{query}: HTTP {}", r.status())),
            Err(e) => Some(e.to_string()),
        };
        self.stats
            .lock()
            .await
            .record(kind, started.elapsed(), error);
    }
}

const TEAM_ITEM: &str = "SYNO.FotoTeam.Browse.Item";

async fn browse(client: Client, seed: u64, until: Instant) {
    let mut rng = Rng(seed | 1);
    let mut count = 100usize;
    let mut seen: Vec<(i64, String)> = Vec::new();
    while Instant::now() < until {
        match rng.below(10) {
            0..=3 => {
                let offset = rng.below(count.saturating_sub(50)).to_string();
                let data = client
                    .call(
                        "list items",
                        &[
                            ("api", TEAM_ITEM),
                            ("method", "list"),
                            ("version", "1"),
                            ("offset", &offset),
                            ("limit", "50"),
                            ("additional", "[\"thumbnail\"]"),
                        ],
                        None,
                    )
                    .await;
                if let Some(list) = data.as_ref().and_then(|d| d["list"].as_array()) {
                    seen = list
                        .iter()
                        .filter_map(|i| {
                            let key = i["additional"]["thumbnail"]["cache_key"].as_str()?;
                            Some((i["id"].as_i64()?, key.to_owned()))
                        })
                        .collect();
                }
            }
            4 => {
                if let Some(n) = client
                    .call(
                        "count items",
                        &[("api", TEAM_ITEM), ("method", "count"), ("version", "1")],
                        None,
                    )
                    .await
                    .and_then(|d| d["count"].as_u64())
                {
                    count = usize::try_from(n).unwrap_or(count);
                }
            }
            5 => {
                client
                    .call(
                        "list folders",
                        &[
                            ("api", "SYNO.FotoTeam.Browse.Folder"),
                            ("method", "list"),
                            ("version", "1"),
                            ("offset", "0"),
                            ("limit", "100"),
                        ],
                        None,
                    )
                    .await;
            }
            6 => {
                client
                    .call(
                        "timeline",
                        &[
                            ("api", "SYNO.FotoTeam.Browse.Timeline"),
                            ("method", "get"),
                            ("version", "1"),
                            ("timeline_group_unit", "\"day\""),
                        ],
                        None,
                    )
                    .await;
            }
            _ => {
                if seen.is_empty() {
                    continue;
                }
                let (id, key) = &seen[rng.below(seen.len())];
                let query = format!(
                    "api=SYNO.FotoTeam.Thumbnail&method=get&version=1&type=unit&size=sm&id={id}&cache_key={key}"
                );
                client.fetch("thumbnail", &query).await;
            }
        }
    }
}

/// Uploads acknowledged so far, `(id, name)`.
type Acknowledged = Arc<Mutex<Vec<(i64, String)>>>;

async fn upload(
    client: Client,
    phone: usize,
    photos: Arc<Vec<Vec<u8>>>,
    tag: String,
    acknowledged: Acknowledged,
    until: Instant,
) {
    let mut n = 0usize;
    while Instant::now() < until {
        let bytes = photos[(phone + n) % photos.len()].clone();
        let name = format!("{tag}_{phone}_{n:05}.jpg");
        n += 1;
        let form = reqwest::multipart::Form::new()
            .text("name", format!("\"{name}\""))
            .text("mtime", (1_600_000_000 + n * 3600).to_string())
            .text("folder", "[\"PhotoLibrary\"]")
            .text("duplicate", "\"rename\"")
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name(name.clone())
                    .mime_str("image/jpeg")
                    .expect("mime"),
            );
        let data = client
            .call(
                "upload",
                &[
                    ("api", "SYNO.Foto.Upload.Item"),
                    ("method", "upload"),
                    ("version", "1"),
                ],
                Some(form),
            )
            .await;
        if let Some(id) = data.and_then(|d| d["id"].as_i64()) {
            acknowledged.lock().await.push((id, name));
        }
    }
}

/// Renames a Shared Space folder back and forth, and deletes every tenth acknowledged upload.
async fn organise(
    client: Client,
    folder: Option<i64>,
    acknowledged: Acknowledged,
    deleted: Arc<Mutex<Vec<i64>>>,
    until: Instant,
) {
    let mut flip = false;
    let mut next_delete = 0usize;
    while Instant::now() < until {
        if let Some(folder) = folder {
            let name = if flip { "\"load-b\"" } else { "\"load-a\"" };
            flip = !flip;
            let id = folder.to_string();
            client
                .call(
                    "rename folder",
                    &[
                        ("api", "SYNO.FotoTeam.Browse.Folder"),
                        ("method", "rename"),
                        ("version", "1"),
                        ("id", &id),
                        ("name", name),
                    ],
                    None,
                )
                .await;
        }
        let victim = {
            let ack = acknowledged.lock().await;
            (ack.len() > next_delete).then(|| ack[next_delete].0)
        };
        if let Some(id) = victim {
            next_delete += 10;
            let ids = format!("[{id}]");
            if client
                .call(
                    "delete item",
                    &[
                        ("api", "SYNO.Foto.Browse.Item"),
                        ("method", "delete"),
                        ("version", "1"),
                        ("id", &ids),
                    ],
                    None,
                )
                .await
                .is_some()
            {
                deleted.lock().await.push(id);
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round();
    sorted[(rank as usize).min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let mixed = match args.mode.as_str() {
        "mixed" => true,
        "browse" => false,
        other => bail!("--mode is browse or mixed, not {other:?}"),
    };
    let mut photos = Vec::new();
    for entry in std::fs::read_dir(&args.photos).context("reading --photos")? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "jpg") {
            photos.push(std::fs::read(&path)?);
        }
    }
    if mixed && photos.is_empty() {
        bail!("no .jpg in {}", args.photos.display());
    }
    let photos = Arc::new(photos);
    let stats = Arc::new(Mutex::new(Stats::default()));
    let acknowledged: Acknowledged = Arc::default();
    let deleted: Arc<Mutex<Vec<i64>>> = Arc::default();

    let mut clients = Vec::new();
    let total = args.browsers + if mixed { args.uploaders + 1 } else { 0 };
    for _ in 0..total {
        clients.push(Client::login(&args, stats.clone()).await?);
    }
    let started = Instant::now();
    let until = started + Duration::from_secs(args.seconds);
    let mut tasks = Vec::new();
    for (n, client) in clients.into_iter().enumerate() {
        if n < args.browsers {
            tasks.push(tokio::spawn(browse(client, n as u64 * 7919 + 17, until)));
        } else if n < args.browsers + args.uploaders {
            let phone = n - args.browsers;
            tasks.push(tokio::spawn(upload(
                client,
                phone,
                photos.clone(),
                args.tag.clone(),
                acknowledged.clone(),
                until,
            )));
        } else {
            tasks.push(tokio::spawn(organise(
                client,
                args.rename_folder,
                acknowledged.clone(),
                deleted.clone(),
                until,
            )));
        }
    }
    for task in tasks {
        task.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();

    // Every acknowledged upload that was not deleted must still answer under its id.
    let checker = Client::login(&args, Arc::new(Mutex::new(Stats::default()))).await?;
    let deleted: std::collections::HashSet<i64> = deleted.lock().await.iter().copied().collect();
    let kept: Vec<(i64, String)> = acknowledged
        .lock()
        .await
        .iter()
        .filter(|(id, _)| !deleted.contains(id))
        .cloned()
        .collect();
    let mut lost = Vec::new();
    for chunk in kept.chunks(100) {
        let ids = format!(
            "[{}]",
            chunk
                .iter()
                .map(|(id, _)| id.to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
        let data = checker
            .call(
                "check",
                &[
                    ("api", "SYNO.Foto.Browse.Item"),
                    ("method", "get"),
                    ("version", "1"),
                    ("id", &ids),
                ],
                None,
            )
            .await;
        let found: std::collections::HashSet<i64> = data
            .as_ref()
            .and_then(|d| d["list"].as_array())
            .map(|l| l.iter().filter_map(|i| i["id"].as_i64()).collect())
            .unwrap_or_default();
        lost.extend(
            chunk
                .iter()
                .filter(|(id, _)| !found.contains(id))
                .map(|(id, name)| json!({"id": id, "name": name})),
        );
    }

    let stats = stats.lock().await;
    let mut kinds = serde_json::Map::new();
    let (mut requests, mut errors) = (0u64, 0u64);
    let mut browse_ms = Vec::new();
    for (name, kind) in &stats.kinds {
        let mut ms = kind.ms.clone();
        ms.sort_by(f64::total_cmp);
        requests += ms.len() as u64;
        errors += kind.errors;
        if !matches!(*name, "upload" | "rename folder" | "delete item") {
            browse_ms.extend_from_slice(&ms);
        }
        kinds.insert(
            (*name).to_owned(),
            json!({
                "requests": ms.len(),
                "errors": kind.errors,
                "p50_ms": percentile(&ms, 50.0),
                "p99_ms": percentile(&ms, 99.0),
                "first_error": kind.first_error,
            }),
        );
    }
    browse_ms.sort_by(f64::total_cmp);
    let out = json!({
        "mode": args.mode,
        "seconds": elapsed,
        "requests": requests,
        "errors": errors,
        "requests_per_s": requests as f64 / elapsed,
        "browse_p50_ms": percentile(&browse_ms, 50.0),
        "browse_p99_ms": percentile(&browse_ms, 99.0),
        "acknowledged": kept.len() + deleted.len(),
        "deleted": deleted.len(),
        "lost": lost,
        "kinds": kinds,
    });
    println!("{out}");
    Ok(())
}
