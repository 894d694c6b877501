//! The indexer over the project's media corpus (tests/corpus): every format, every metadata case,
//! Live and Motion Photos, 360° photos and every bad file, checked against the corpus manifest
//! (whose values the corpus build verified with exiftool and ffprobe), plus the derived images.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sqlx::Row;

use crate::support::BIN;
use crate::support::corpus::{corpus, manifest};
use crate::support::fs::preview_path;

/// Runs `shoebox index --json` with `photo_root` as the Shared Space.
pub fn index(data: &Path, photo_root: &Path) -> Value {
    let out = Command::new(BIN)
        .args(["index", "--json", "--data"])
        .arg(data)
        .arg("--photo-root")
        .arg(photo_root)
        .env("SHOEBOX_LOG", "warn")
        .output()
        .expect("run shoebox index");
    assert!(
        out.status.success(),
        "shoebox index failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("summary JSON")
}

/// Every item row with its path relative to the space root.
pub async fn rows(data: &Path) -> HashMap<String, sqlx::sqlite::SqliteRow> {
    let url = format!("sqlite://{}?mode=ro", data.join("shoebox.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("open db");
    let rows = sqlx::query(
        "SELECT i.*, CASE WHEN f.path = '/' THEN i.filename ELSE substr(f.path, 2) || '/' || i.filename END AS rel,
                (SELECT CASE WHEN pf.path = '/' THEN p.filename ELSE substr(pf.path, 2) || '/' || p.filename END
                   FROM items p JOIN folders pf ON pf.id = p.folder_id WHERE p.id = i.live_parent_id) AS parent_rel,
                (SELECT group_concat(t.name, '|') FROM item_tags it JOIN tags t ON t.id = it.tag_id WHERE it.item_id = i.id) AS tag_list
           FROM items i JOIN folders f ON f.id = i.folder_id",
    )
    .fetch_all(&pool)
    .await
    .expect("query");
    pool.close().await;
    rows.into_iter()
        .map(|r| (r.get::<String, _>("rel"), r))
        .collect()
}

/// "2023-02-21T14:33:08.302" → (wall-clock seconds as if UTC, millis).
fn wall(iso: &str) -> (i64, i64) {
    let (date, time) = iso.split_once('T').expect("ISO date");
    let d: Vec<i64> = date.split('-').map(|p| p.parse().expect("num")).collect();
    let (hms, frac) = time.split_once('.').unwrap_or((time, ""));
    let t: Vec<i64> = hms.split(':').map(|p| p.parse().expect("num")).collect();
    let days = {
        let (y, m) = if d[1] <= 2 {
            (d[0] - 1, d[1] + 9)
        } else {
            (d[0], d[1] - 3)
        };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * m + 2) / 5 + d[2] - 1;
        era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
    };
    let millis = if frac.is_empty() {
        0
    } else {
        format!("{:0<3}", &frac[..frac.len().min(3)])
            .parse()
            .expect("ms")
    };
    (days * 86_400 + t[0] * 3600 + t[1] * 60 + t[2], millis)
}

fn offset_minutes(s: &str) -> i64 {
    let sign = if s.starts_with('-') { -1 } else { 1 };
    let (h, m) = s[1..].split_once(':').expect("±hh:mm");
    sign * (h.parse::<i64>().expect("h") * 60 + m.parse::<i64>().expect("m"))
}

/// Displayed size of a thumbnail for a `w`×`h` picture (reference §3.2, as the indexer does).
fn fit(short_target: u32, w: u32, h: u32) -> (u32, u32) {
    let (short, long) = (w.min(h).max(1), w.max(h).max(1));
    let scale = (f64::from(short_target) / f64::from(short))
        .min(f64::from(short_target * 4) / f64::from(long))
        .min(1.0);
    (
        ((f64::from(w) * scale).round() as u32).max(1),
        ((f64::from(h) * scale).round() as u32).max(1),
    )
}

fn thumb_path(data: &Path, id: i64, size: &str) -> PathBuf {
    let u = id.unsigned_abs();
    data.join("cache/thumbs")
        .join(format!("{:02x}", u & 0xff))
        .join(format!("{:02x}", (u >> 8) & 0xff))
        .join(format!("{id}_{size}.jpg"))
}

fn reason_matches(class: &str, error: &str) -> bool {
    let e = error.to_lowercase();
    let words: &[&str] = match class {
        "truncated" => &["truncated", "end of file", "unexpected end"],
        "missing_tile" => &["tile"],
        "empty" => &["empty"],
        "not_an_image" => &["not a readable image"],
        "too_large" => &["mp allowed", "too large"],
        "no_preview" => &["no usable preview"],
        "bad_video" => &["invalid data", "no video stream"],
        _ => &[],
    };
    words.iter().any(|w| e.contains(w))
}

#[tokio::test]
async fn the_corpus_is_indexed_as_its_manifest_says() {
    let corpus = corpus();
    let manifest = manifest(&corpus);
    let data = tempfile::tempdir().expect("tmp");
    let summary = index(data.path(), &corpus);

    // Counts, with the manifest's definitions (a Live Photo pair is one item; broken files are
    // counted apart).
    let expect = &manifest["summary"];
    for (ours, theirs) in [
        ("files", "files"),
        ("items", "items"),
        ("photos", "photos"),
        ("videos", "videos"),
        ("live", "live"),
        ("motion", "motion"),
        ("panoramas", "pano360"),
    ] {
        assert_eq!(summary[ours], expect[theirs], "summary.{ours}: {summary}");
    }
    assert_eq!(
        summary["broken"].as_array().map(Vec::len),
        expect["broken"].as_u64().map(|n| n as usize),
        "{summary}"
    );
    assert!(summary["seconds"].as_f64().is_some());
    let skipped: Vec<&str> = summary["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .filter_map(|s| s["path"].as_str())
        .collect();
    assert_eq!(
        skipped,
        ["edge/loop/self"],
        "the symlink loop is passed over"
    );

    let rows = rows(data.path()).await;
    let problems: std::cell::RefCell<BTreeMap<String, Vec<String>>> = Default::default();
    let note = |path: &str, what: String| {
        problems
            .borrow_mut()
            .entry(path.to_owned())
            .or_default()
            .push(what)
    };
    for f in manifest["files"].as_array().expect("files") {
        let path = f["path"].as_str().expect("path");
        let kind = f["kind"].as_str().expect("kind");
        if kind == "ignored" {
            if rows.contains_key(path) {
                note(path, "ignored file is in the index".into());
            }
            continue;
        }
        let Some(row) = rows.get(path) else {
            note(path, "missing from the index".into());
            continue;
        };
        let status: String = row.get("metadata_status");
        let thumb: String = row.get("thumb_status");
        let error: Option<String> = row.get("error");
        if kind == "broken" {
            let reason = f["reason"].as_str().unwrap_or("");
            if status != "broken" && thumb != "broken" {
                note(
                    path,
                    format!("should be broken ({reason}) but is {status}/{thumb}"),
                );
            } else if !reason_matches(reason, error.as_deref().unwrap_or("")) {
                note(
                    path,
                    format!("broken for another reason than {reason}: {error:?}"),
                );
            }
            continue;
        }
        if status != "ready" || thumb != "ready" {
            note(path, format!("not indexed: {status}/{thumb} {error:?}"));
            continue;
        }
        let int = |c: &str| row.get::<Option<i64>, _>(c);
        let real = |c: &str| row.get::<Option<f64>, _>(c);
        let text = |c: &str| row.get::<Option<String>, _>(c);
        let check = |name: &str, ok: bool, ours: String| {
            if !ok {
                note(path, format!("{name}: expected {}, got {ours}", f[name]));
            }
        };
        if let (Some(w), Some(h)) = (f["width"].as_i64(), f["height"].as_i64()) {
            check(
                "width",
                int("width") == Some(w) && int("height") == Some(h),
                format!("{:?}x{:?}", int("width"), int("height")),
            );
        }
        if let Some(taken) = f["taken"].as_str() {
            let (secs, millis) = wall(taken);
            check(
                "taken",
                int("taken_time") == Some(secs) && int("taken_subsec") == Some(millis),
                format!("{:?}.{:?}", int("taken_time"), int("taken_subsec")),
            );
            let source = f["taken_source"]
                .as_str()
                .unwrap_or("")
                .replace("matroska", "quicktime");
            check(
                "taken_source",
                text("taken_source").as_deref() == Some(source.as_str()),
                format!("{:?}", text("taken_source")),
            );
        }
        if let Some(offset) = f["offset"].as_str() {
            check(
                "offset",
                int("taken_offset") == Some(offset_minutes(offset)),
                format!("{:?}", int("taken_offset")),
            );
        }
        match (&f["gps"], real("latitude"), real("longitude")) {
            (Value::Object(g), Some(lat), Some(lon)) => {
                let ok = (g["lat"].as_f64().unwrap_or(999.0) - lat).abs() < 1e-4
                    && (g["lon"].as_f64().unwrap_or(999.0) - lon).abs() < 1e-4;
                check("gps", ok, format!("{lat},{lon}"));
            }
            (Value::Null, None, None) => {}
            (_, lat, lon) => check("gps", false, format!("{lat:?},{lon:?}")),
        }
        for name in [
            "make",
            "model",
            "lens",
            "exposure",
            "title",
            "description",
            "video_codec",
            "content_id",
        ] {
            if let Some(v) = f[name].as_str() {
                check(
                    name,
                    text(name).as_deref() == Some(v),
                    format!("{:?}", text(name)),
                );
            }
        }
        for name in ["iso", "flash", "rating"] {
            if let Some(v) = f[name].as_i64() {
                check(name, int(name) == Some(v), format!("{:?}", int(name)));
            }
        }
        for (name, col, tolerance) in [
            ("focal_length", "focal_length", 0.05),
            ("aperture", "aperture", 0.05),
            ("fps", "frame_rate", 0.05),
        ] {
            if let Some(v) = f[name].as_f64() {
                check(
                    name,
                    real(col).is_some_and(|o| (o - v).abs() <= tolerance),
                    format!("{:?}", real(col)),
                );
            }
        }
        if let Some(d) = f["duration_ms"].as_i64() {
            let tol = f["duration_tolerance_ms"].as_i64().unwrap_or(100);
            check(
                "duration_ms",
                int("duration_ms").is_some_and(|o| (o - d).abs() <= tol),
                format!("{:?}", int("duration_ms")),
            );
        }
        if let Some(tags) = f["tags"].as_array() {
            let mut want: Vec<&str> = tags.iter().filter_map(Value::as_str).collect();
            let got_text = text("tag_list").unwrap_or_default();
            let mut got: Vec<&str> = got_text.split('|').filter(|t| !t.is_empty()).collect();
            want.sort_unstable();
            got.sort_unstable();
            check("tags", want == got, format!("{got:?}"));
        }
        let item_type: String = row.get("type");
        if kind == "live" {
            let pair = f["live_pair"].as_str().unwrap_or("");
            if f["live_role"] == "video" {
                check(
                    "live_pair",
                    text("parent_rel").as_deref() == Some(pair),
                    format!("parent {:?}", text("parent_rel")),
                );
            } else {
                check(
                    "live_pair",
                    item_type == "live",
                    format!("type {item_type}"),
                );
            }
        } else if item_type == "live" || text("parent_rel").is_some() {
            note(
                path,
                format!(
                    "paired as a Live Photo but is not one (type {item_type}, parent {:?})",
                    text("parent_rel")
                ),
            );
        }
        if kind == "motion" {
            check(
                "video_offset",
                int("motion_offset") == f["video_offset"].as_i64(),
                format!("{:?}", int("motion_offset")),
            );
        } else if int("motion_offset").is_some() {
            note(path, "taken for a Motion Photo".into());
        }
        let pano = f["pano360"]
            .as_bool()
            .unwrap_or(kind == "pano" && f["pano360"].is_null());
        check(
            "pano360",
            (int("is_pano") == Some(1)) == pano,
            format!("{:?}", int("is_pano")),
        );

        // Derived images: three sizes, oriented, the card's corners where it has them.
        let live_video = kind == "live" && f["live_role"] == "video";
        if live_video {
            continue;
        }
        let id: i64 = row.get("id");
        let (w, h) = (
            int("width").unwrap_or(0) as u32,
            int("height").unwrap_or(0) as u32,
        );
        for (size, short) in [("xl", 1280), ("m", 320), ("sm", 240)] {
            let p = thumb_path(data.path(), id, size);
            match image::image_dimensions(&p) {
                Ok(dims) => {
                    if dims != fit(short, w, h) {
                        note(
                            path,
                            format!(
                                "{size} thumbnail is {dims:?}, expected {:?}",
                                fit(short, w, h)
                            ),
                        );
                    }
                }
                Err(e) => note(path, format!("{size} thumbnail unreadable: {e}")),
            }
        }
        if f["corners"] == true {
            let xl = image::open(thumb_path(data.path(), id, "xl")).map(|i| i.into_rgb8());
            if let Ok(xl) = xl {
                let (tw, th) = xl.dimensions();
                for (corner, (fx, fy)) in [
                    ("top_left", (0.25, 0.25)),
                    ("top_right", (0.75, 0.25)),
                    ("bottom_left", (0.25, 0.75)),
                    ("bottom_right", (0.75, 0.75)),
                ] {
                    let (bw, bh) = ((tw / 10).max(1), (th / 10).max(1));
                    let (cx, cy) = ((f64::from(tw) * fx) as u32, (f64::from(th) * fy) as u32);
                    let mut sum = [0u64; 3];
                    let mut n = 0u64;
                    for y in cy.saturating_sub(bh / 2)..(cy + bh / 2).min(th) {
                        for x in cx.saturating_sub(bw / 2)..(cx + bw / 2).min(tw) {
                            let p = xl.get_pixel(x, y);
                            for c in 0..3 {
                                sum[c] += u64::from(p[c]);
                            }
                            n += 1;
                        }
                    }
                    let want = &manifest["card"]["colors"][corner];
                    let ok = n > 0
                        && (0..3).all(|c| {
                            ((sum[c] / n) as i64 - want[c].as_i64().unwrap_or(0)).abs() <= 45
                        });
                    if !ok {
                        note(
                            path,
                            format!(
                                "{corner} of the xl thumbnail is {:?}, expected {want}",
                                sum.map(|s| s / n.max(1))
                            ),
                        );
                    }
                }
            }
        }
    }
    // Video previews (the default, background mode): every video browsers cannot play has an
    // H.264 one; the rest, and broken files, have none.
    for (path, row) in &rows {
        if row.get::<String, _>("type") != "video" {
            continue;
        }
        let status: String = row.get("preview_status");
        let codec: Option<String> = row.get("video_codec");
        let format: String = row.get("format");
        let plays = match codec.as_deref() {
            None => true, // broken: nothing to preview
            Some("h264") => matches!(format.as_str(), "mp4" | "m4v" | "mov"),
            Some(_) => false,
        };
        let want = if plays { "none" } else { "ready" };
        if status != want {
            note(
                path,
                format!(
                    "preview {status} ({:?}), expected {want}",
                    row.get::<Option<String>, _>("preview_error")
                ),
            );
            continue;
        }
        let preview = preview_path(data.path(), row.get("id"));
        if plays {
            if preview.exists() {
                note(path, "has a preview it does not need".into());
            }
        } else {
            let codec = Command::new("ffprobe")
                .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
                .args(["stream=codec_name", "-of", "csv=p=0"])
                .arg(&preview)
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
                .unwrap_or_default();
            if codec != "h264" {
                note(path, format!("preview is {codec:?}, not H.264"));
            }
        }
    }
    assert_eq!(
        summary["previews"].as_i64(),
        Some(
            rows.values()
                .filter(|r| r.get::<String, _>("preview_status") == "ready")
                .count() as i64
        ),
        "{summary}"
    );

    let problems = problems.into_inner();
    assert!(
        problems.is_empty(),
        "{} files differ from the manifest:\n{}",
        problems.len(),
        problems
            .iter()
            .map(|(p, v)| format!("  {p}: {}", v.join("; ")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let kind = entry.file_type().expect("type");
        if kind.is_dir() {
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        } else if kind.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

async fn count(data: &Path, sql: &str) -> i64 {
    let url = format!("sqlite://{}?mode=ro", data.join("shoebox.db").display());
    let Ok(pool) = sqlx::SqlitePool::connect(&url).await else {
        return -1;
    };
    let n = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&pool)
        .await
        .unwrap_or(-1);
    pool.close().await;
    n
}

/// Waits up to `secs` for `ready` to hold over the item rows.
async fn wait_for(
    app: &crate::support::TestApp,
    secs: u64,
    what: &str,
    ready: impl Fn(&HashMap<String, sqlx::sqlite::SqliteRow>) -> bool,
) {
    let data = app.data_dir();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        let rows = if data.join("shoebox.db").exists() {
            rows(data).await
        } else {
            HashMap::new()
        };
        if ready(&rows) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: not seen within {secs} s; index has {:?}; the server said:\n{}",
            rows.keys().collect::<Vec<_>>(),
            app.log()
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

fn id_of(rows: &HashMap<String, sqlx::sqlite::SqliteRow>, path: &str) -> Option<i64> {
    rows.get(path).map(|r| r.get::<i64, _>("id"))
}

/// Whether this machine lets a process watch a folder (inotify instances and watches left).
fn file_watches_available() -> bool {
    use notify::Watcher;
    let dir = tempfile::tempdir().expect("tmp");
    notify::recommended_watcher(|_| {})
        .and_then(|mut w| w.watch(dir.path(), notify::RecursiveMode::Recursive))
        .is_ok()
}

#[tokio::test]
async fn changes_under_a_running_server_show_up_within_seconds() {
    if file_watches_available() {
        // Watches alone, no polling: every change below must come from a file event.
        let app = crate::support::TestApp::spawn_with("[indexer]\npoll_seconds = 0\n", true).await;
        follow_changes(&app).await;
        assert!(
            app.log().contains("watching the library for changes"),
            "{}",
            app.log()
        );
    } else {
        eprintln!("no inotify watch can be set on this machine: testing the polling fallback");
        let app = crate::support::TestApp::spawn_with("[indexer]\npoll_seconds = 1\n", true).await;
        follow_changes(&app).await;
        assert!(
            app.log().contains("file watches are unavailable"),
            "{}",
            app.log()
        );
    }
}

#[tokio::test]
async fn without_file_watches_polling_finds_every_change() {
    let app =
        crate::support::TestApp::spawn_with("[indexer]\nwatch = false\npoll_seconds = 1\n", true)
            .await;
    follow_changes(&app).await;
    let log = app.log();
    assert!(
        log.contains("polling the library every 1 s (file watches are off)"),
        "{log}"
    );
    assert!(!log.contains("watching the library for changes"), "{log}");
}

/// Adds, renames, moves, rewrites and deletes files under a running server and waits for each
/// change to reach the index, ids kept where the file is the same.
async fn follow_changes(app: &crate::support::TestApp) {
    let corpus = corpus();
    let data = app.data_dir().to_path_buf();
    let photo = data.join("photo");
    std::fs::create_dir_all(photo.join("a")).expect("mkdir");
    std::fs::copy(
        corpus.join("metadata/gps_paris.jpg"),
        photo.join("a/paris.jpg"),
    )
    .expect("copy");
    std::fs::copy(corpus.join("video/h264.mp4"), photo.join("a/clip.mp4")).expect("copy");
    let ready = |rows: &HashMap<String, sqlx::sqlite::SqliteRow>, p: &str| {
        rows.get(p).is_some_and(|r| {
            r.get::<String, _>("metadata_status") == "ready"
                && r.get::<String, _>("thumb_status") == "ready"
        })
    };
    wait_for(app, 20, "new files", |r| {
        ready(r, "a/paris.jpg") && ready(r, "a/clip.mp4")
    })
    .await;
    let paris = id_of(&rows(&data).await, "a/paris.jpg").expect("id");

    // A rename into a new folder keeps the id.
    std::fs::create_dir_all(photo.join("b")).expect("mkdir");
    std::fs::rename(photo.join("a/paris.jpg"), photo.join("b/renamed.jpg")).expect("rename");
    wait_for(app, 15, "rename", |r| {
        id_of(r, "b/renamed.jpg") == Some(paris) && !r.contains_key("a/paris.jpg")
    })
    .await;

    // Renaming the folder keeps it too.
    std::fs::rename(photo.join("b"), photo.join("c")).expect("rename folder");
    wait_for(app, 15, "folder rename", |r| {
        id_of(r, "c/renamed.jpg") == Some(paris) && !r.contains_key("b/renamed.jpg")
    })
    .await;

    // New content in place: same id, new metadata.
    let tokyo = std::fs::read(corpus.join("metadata/gps_tokyo.jpg")).expect("read");
    std::fs::write(photo.join("c/renamed.jpg"), tokyo).expect("overwrite");
    wait_for(app, 15, "modification", |r| {
        r.get("c/renamed.jpg").is_some_and(|row| {
            row.get::<Option<f64>, _>("latitude")
                .is_some_and(|lat| (lat - 35.68).abs() < 0.1)
        })
    })
    .await;
    assert_eq!(id_of(&rows(&data).await, "c/renamed.jpg"), Some(paris));

    // Deletion, of a file and of a whole folder.
    std::fs::remove_file(photo.join("a/clip.mp4")).expect("rm");
    wait_for(app, 15, "deletion", |r| !r.contains_key("a/clip.mp4")).await;
    std::fs::remove_dir_all(photo.join("c")).expect("rm -r");
    wait_for(app, 15, "folder deletion", |r| r.is_empty()).await;
    let thumb = thumb_path(&data, paris, "xl");
    assert!(!thumb.exists(), "derived files of removed items go too");
    // Originals are never written to: the corpus copy we indexed is byte-identical.
    assert_eq!(
        count(
            &data,
            "SELECT COUNT(*) FROM folders WHERE path IN ('/b', '/c')"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_kill_in_the_middle_of_indexing_loses_and_duplicates_nothing() {
    let corpus = corpus();
    let work = tempfile::tempdir().expect("tmp");
    let library = work.path().join("library");
    for copy in 0..3 {
        for part in ["formats", "metadata", "orientation", "real"] {
            copy_tree(
                &corpus.join(part),
                &library.join(format!("set{copy}/{part}")),
            );
        }
    }
    let files = crate::support::fs::count_media(&library);
    let data = work.path().join("data");
    let mut child = Command::new(BIN)
        .args(["index", "--data"])
        .arg(&data)
        .arg("--photo-root")
        .arg(&library)
        .env("SHOEBOX_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start index");
    // Let it get some way in, then SIGKILL it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while count(
        &data,
        "SELECT COUNT(*) FROM items WHERE thumb_status = 'ready'",
    )
    .await
        < 10
    {
        assert!(
            std::time::Instant::now() < deadline,
            "indexing made no progress"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    child.kill().expect("kill -9");
    child.wait().expect("reap");
    let pending = count(&data, "SELECT COUNT(*) FROM jobs").await;
    assert!(
        pending > 0,
        "the kill came before the end (pending jobs: {pending})"
    );

    let summary = index(&data, &library);
    assert_eq!(summary["files"].as_i64(), Some(files as i64), "{summary}");
    assert_eq!(
        count(&data, "SELECT COUNT(*) FROM items").await,
        files as i64,
        "one row per file"
    );
    assert_eq!(count(&data, "SELECT COUNT(*) FROM (SELECT folder_id, filename FROM items GROUP BY 1, 2 HAVING COUNT(*) > 1)").await, 0);
    assert_eq!(count(&data, "SELECT COUNT(*) FROM items WHERE metadata_status = 'pending' OR thumb_status = 'pending'").await, 0);
    assert_eq!(
        count(&data, "SELECT COUNT(*) FROM jobs").await,
        0,
        "the queue is empty"
    );
    // Each of the three copies is broken (or not) alike: nothing was half-done.
    let broken = summary["broken"].as_array().map_or(0, Vec::len);
    assert_eq!(broken % 3, 0, "{summary}");
}

#[tokio::test]
async fn index_api_reports_progress_and_reindexes() {
    let corpus = corpus();
    let app = crate::support::TestApp::spawn().await;
    app.add_user("boss", "pw-boss", true);
    app.add_user("kid", "pw-kid", false);
    let photo = app.data_dir().join("photo/x");
    std::fs::create_dir_all(&photo).expect("mkdir");
    for f in ["metadata/gps_paris.jpg", "metadata/gps_tokyo.jpg"] {
        std::fs::copy(
            corpus.join(f),
            photo.join(f.rsplit('/').next().expect("name")),
        )
        .expect("copy");
    }
    let boss = app.login("boss", "pw-boss").await;
    let kid = app.login("kid", "pw-kid").await;
    let get = |sid: String| {
        let app = &app;
        async move {
            app.get(&[
                ("api", "SYNO.FotoTeam.Index"),
                ("version", "1"),
                ("method", "get"),
                ("_sid", &sid),
            ])
            .await
        }
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let state = get(boss.sid.clone()).await;
        if state["data"]["status"] == "done" && state["data"]["item_count"] == 2 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "indexing not done: {state}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let personal = app
        .get(&[
            ("api", "SYNO.Foto.Index"),
            ("version", "1"),
            ("method", "get"),
            ("_sid", &kid.sid),
        ])
        .await;
    assert_eq!(
        personal["data"]["item_count"], 0,
        "the kid's own space is empty: {personal}"
    );
    let refused = app
        .get(&[
            ("api", "SYNO.FotoTeam.Index"),
            ("version", "1"),
            ("method", "reindex"),
            ("_sid", &kid.sid),
        ])
        .await;
    assert_eq!(crate::support::error_code(&refused), Some(105));
    let queued = app
        .get(&[
            ("api", "SYNO.FotoTeam.Index"),
            ("version", "1"),
            ("method", "reindex"),
            ("_sid", &boss.sid),
        ])
        .await;
    assert_eq!(queued["data"]["queued"], 2, "{queued}");
    let unknown = app
        .get(&[
            ("api", "SYNO.FotoTeam.Index"),
            ("version", "1"),
            ("method", "reindex"),
            ("id", "99999"),
            ("_sid", &boss.sid),
        ])
        .await;
    assert_eq!(crate::support::error_code(&unknown), Some(642));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while get(boss.sid.clone()).await["data"]["status"] != "done" {
        assert!(
            std::time::Instant::now() < deadline,
            "reindex did not finish"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn video_previews_follow_the_setting() {
    let corpus = corpus();
    let work = tempfile::tempdir().expect("tmp");
    let library = work.path().join("library");
    std::fs::create_dir_all(&library).expect("mkdir");
    for f in ["video/hevc.mov", "video/h264.mp4"] {
        std::fs::copy(
            corpus.join(f),
            library.join(f.rsplit('/').next().expect("name")),
        )
        .expect("copy");
    }
    let data = work.path().join("data");
    let config = work.path().join("shoebox.toml");
    let run = |setting: &str| -> Value {
        std::fs::write(
            &config,
            format!("[indexer]\nvideo_previews = \"{setting}\"\ntool_memory_mib = 1024\n"),
        )
        .expect("config");
        let out = Command::new(BIN)
            .args(["index", "--json", "--config"])
            .arg(&config)
            .arg("--data")
            .arg(&data)
            .arg("--photo-root")
            .arg(&library)
            .env("SHOEBOX_LOG", "warn")
            .output()
            .expect("run shoebox index");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("summary JSON")
    };
    let off = run("off");
    assert_eq!(off["previews"], 0, "{off}");
    assert!(!data.join("cache/video").exists());
    assert_eq!(
        count(
            &data,
            "SELECT COUNT(*) FROM items WHERE preview_status = 'pending'"
        )
        .await,
        1,
        "the HEVC video waits for its preview"
    );
    // Turned on, the next pass makes the one preview that was missing.
    let on = run("background");
    assert_eq!(on["previews"], 1, "{on}");
    assert_eq!(on["preview_failures"], serde_json::json!([]), "{on}");
    let id = count(&data, "SELECT id FROM items WHERE filename = 'hevc.mov'").await;
    assert!(preview_path(&data, id).is_file());
    std::fs::write(&config, "[indexer]\nvideo_previews = \"sometimes\"\n").expect("config");
    let bad = Command::new(BIN)
        .args(["index", "--config"])
        .arg(&config)
        .arg("--data")
        .arg(&data)
        .output()
        .expect("run");
    assert!(!bad.status.success(), "an unknown mode is refused");
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("video_previews"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}
