//! Video previews over real clips made by ffmpeg (libx265, libx264) and exiftool: which videos get
//! one, what ffprobe says of it, the three modes, one build for many requests, broken videos and
//! the memory limit, and previews going with their videos.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use shoebox_indexer::indexer::{Indexer, IndexerOptions, PreviewError};
use shoebox_indexer::library::Library;
use shoebox_indexer::metadata::video::from_probe;
use shoebox_indexer::preview::PreviewMode;

/// Runs a tool of the test set-up, failing the test when it does.
fn tool(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} (the dev setup installs it): {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A test clip: colour bars of `size` for `secs` (a tone too when `audio`), then `codec_args`.
fn clip(path: &Path, size: &str, secs: &str, audio: bool, codec_args: &[&str]) {
    let video = format!("testsrc2=size={size}:rate=30:duration={secs}");
    let tone = format!("sine=frequency=440:duration={secs}");
    let path = path.to_str().expect("utf-8 path");
    let mut args = vec!["-v", "error", "-y", "-f", "lavfi", "-i", &video];
    if audio {
        args.extend(["-f", "lavfi", "-i", &tone]);
    }
    args.extend(codec_args);
    args.push(path);
    tool("ffmpeg", &args);
}

const X265: &[&str] = &[
    "-c:v",
    "libx265",
    "-preset",
    "ultrafast",
    "-x265-params",
    "log-level=error",
    "-tag:v",
    "hvc1",
];

/// What ffprobe says of a file: codec, displayed size, duration, colour transfer, audio codec.
struct Probed {
    codec: String,
    size: (u32, u32),
    duration_ms: u64,
    transfer: Option<String>,
    audio: Option<String>,
}

fn probe(path: &Path) -> Probed {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
        ])
        .arg(path)
        .output()
        .expect("ffprobe");
    assert!(out.status.success(), "ffprobe {}", path.display());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let meta = from_probe(&json);
    let video = json["streams"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["codec_type"] == "video"))
        .cloned()
        .unwrap_or_default();
    Probed {
        codec: meta.video_codec.unwrap_or_default(),
        size: (meta.width, meta.height),
        duration_ms: meta.duration_ms.unwrap_or(0),
        transfer: video["color_transfer"].as_str().map(str::to_owned),
        audio: meta.audio_codec,
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    photo: PathBuf,
    cache: PathBuf,
    db: sqlx::SqlitePool,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("tmp");
    let photo = dir.path().join("photo");
    std::fs::create_dir_all(&photo).expect("mkdir");
    let db = shoebox_catalog::db::open(&dir.path().join("shoebox.db"))
        .await
        .expect("db");
    Setup {
        photo,
        cache: dir.path().join("cache"),
        db,
        _dir: dir,
    }
}

impl Setup {
    fn indexer(&self, mode: PreviewMode, tool_memory_mib: u64) -> Arc<Indexer> {
        let library = Library::new(self.photo.clone(), self.photo.join("homes"));
        let options = IndexerOptions {
            workers: 2,
            video_previews: mode,
            tool_memory_mib,
            recognition: None,
        };
        Indexer::new(self.db.clone(), library, &self.cache, options)
    }

    async fn index(&self, indexer: &Arc<Indexer>) {
        for (space, report) in indexer.scan_all().await {
            report.unwrap_or_else(|e| panic!("scan of {}: {e:#}", space.label));
        }
        indexer.run_until_idle().await.expect("run");
    }

    /// `(id, preview_status, preview_error)` of a file in the photo root.
    async fn item(&self, name: &str) -> (i64, String, Option<String>) {
        sqlx::query_as("SELECT id, preview_status, preview_error FROM items WHERE filename = ?")
            .bind(name)
            .fetch_one(&self.db)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    async fn jobs(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs")
            .fetch_one(&self.db)
            .await
            .expect("count")
    }
}

const DEFAULT_MIB: u64 = shoebox_indexer::process::DEFAULT_MEMORY_MIB;

/// An HEVC file whose container is fine and whose pictures are noise: ffprobe reads it, no
/// decoder can.
fn corrupt_hevc(path: &Path) {
    clip(
        path,
        "320x240",
        "1",
        false,
        &[X265, &["-movflags", "+faststart"]].concat(),
    );
    let mut bytes = std::fs::read(path).expect("read");
    let mdat = bytes
        .windows(4)
        .position(|w| w == b"mdat")
        .expect("an mdat box");
    let mut x: u32 = 12345;
    for b in &mut bytes[mdat + 4..] {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        *b = (x >> 16) as u8;
    }
    std::fs::write(path, bytes).expect("write");
}

#[tokio::test]
async fn videos_browsers_cannot_play_get_an_h264_preview_in_the_background() {
    let s = setup().await;
    let p = &s.photo;
    clip(
        &p.join("hevc.mov"),
        "640x360",
        "2",
        true,
        &[X265, &["-c:a", "aac"]].concat(),
    );
    // An iPhone held upright: 1920×1080 stored, turned a quarter on display.
    clip(&p.join("portrait.mov"), "1920x1080", "1", false, X265);
    tool(
        "exiftool",
        &[
            "-q",
            "-overwrite_original",
            "-Rotation=90",
            p.join("portrait.mov").to_str().expect("utf-8"),
        ],
    );
    let hlg = [
        X265,
        &[
            "-pix_fmt",
            "yuv420p10le",
            "-color_primaries",
            "bt2020",
            "-color_trc",
            "arib-std-b67",
            "-colorspace",
            "bt2020nc",
        ],
    ]
    .concat();
    clip(&p.join("hdr.mov"), "320x240", "1", false, &hlg);
    let x264 = [
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
    ];
    clip(
        &p.join("plays.mp4"),
        "320x240",
        "1",
        true,
        &[&x264[..], &["-c:a", "aac"]].concat(),
    );
    clip(
        &p.join("camera.mkv"),
        "320x240",
        "1",
        true,
        &[&x264[..], &["-c:a", "mp3"]].concat(),
    );
    clip(
        &p.join("old.avi"),
        "320x240",
        "1",
        true,
        &["-c:v", "mpeg4", "-c:a", "mp3"],
    );
    corrupt_hevc(&p.join("bad.mov"));

    let indexer = s.indexer(PreviewMode::Background, DEFAULT_MIB);
    s.index(&indexer).await;

    // (file, displayed size of the preview, duration in ms)
    for (name, size, ms) in [
        ("hevc.mov", (640, 360), 2000),
        ("portrait.mov", (720, 1280), 1000),
        ("hdr.mov", (320, 240), 1000),
        ("camera.mkv", (320, 240), 1000),
        ("old.avi", (320, 240), 1000),
    ] {
        let (id, status, error) = s.item(name).await;
        assert_eq!(status, "ready", "{name}: {error:?}");
        let path = indexer.previews().path(id);
        let made = probe(&path);
        assert_eq!(made.codec, "h264", "{name}");
        assert_eq!(made.size, size, "{name}");
        assert!(
            made.duration_ms.abs_diff(ms) <= 150,
            "{name}: {} ms",
            made.duration_ms
        );
        assert_eq!(indexer.preview_for(id).await.expect("ready"), path);
    }
    let hevc = probe(&indexer.previews().path(s.item("hevc.mov").await.0));
    assert_eq!(hevc.audio.as_deref(), Some("aac"), "the sound is kept");
    let camera = probe(&indexer.previews().path(s.item("camera.mkv").await.0));
    assert_eq!(
        camera.audio.as_deref(),
        Some("aac"),
        "MP3 sound becomes AAC"
    );
    let hdr = probe(&indexer.previews().path(s.item("hdr.mov").await.0));
    assert_eq!(
        hdr.transfer.as_deref(),
        Some("bt709"),
        "HLG is tone-mapped to SDR"
    );

    let (plays, status, _) = s.item("plays.mp4").await;
    assert_eq!(status, "none");
    assert!(!indexer.previews().path(plays).exists());
    assert!(matches!(
        indexer.preview_for(plays).await,
        Err(PreviewError::NotNeeded)
    ));

    // A video no decoder can read: its preview is broken with the reason, the rest went on.
    let (bad, status, error) = s.item("bad.mov").await;
    assert_eq!(status, "broken");
    let error = error.unwrap_or_default();
    assert!(error.contains("ffmpeg"), "{error}");
    assert!(
        !error.contains(p.to_str().expect("utf-8")),
        "no path: {error}"
    );
    assert!(matches!(
        indexer.preview_for(bad).await,
        Err(PreviewError::Broken(reason)) if reason == error
    ));
    let summary = indexer.summary(&[], 0.0).await.expect("summary");
    assert_eq!(summary.previews, 5);
    assert_eq!(summary.preview_failures.len(), 1);
    assert_eq!(summary.preview_failures[0].path, "bad.mov");
    assert_eq!(s.jobs().await, 0);
    let leftovers = std::fs::read_dir(s.cache.join("video/tmp"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(leftovers, 0, "no temporary file is left");

    // A preview goes with its video, and with its content when that changes.
    let (hevc_id, _, _) = s.item("hevc.mov").await;
    let (portrait_id, _, _) = s.item("portrait.mov").await;
    std::fs::remove_file(p.join("hevc.mov")).expect("rm");
    std::fs::copy(p.join("plays.mp4"), p.join("portrait.mov")).expect("overwrite");
    let runs = indexer.preview_runs();
    s.index(&indexer).await;
    assert!(!indexer.previews().path(hevc_id).exists());
    assert!(!indexer.previews().path(portrait_id).exists());
    assert_eq!(s.item("portrait.mov").await.1, "none");
    assert_eq!(indexer.preview_runs(), runs, "nothing else was made again");
}

#[tokio::test]
async fn on_demand_previews_are_made_once_however_many_ask() {
    let s = setup().await;
    clip(
        &s.photo.join("hevc.mov"),
        "640x360",
        "2",
        true,
        &[X265, &["-c:a", "aac"]].concat(),
    );
    corrupt_hevc(&s.photo.join("bad.mov"));
    let indexer = s.indexer(PreviewMode::OnDemand, DEFAULT_MIB);
    s.index(&indexer).await;
    let (id, status, _) = s.item("hevc.mov").await;
    assert_eq!(status, "pending", "needed, not made yet");
    assert_eq!(indexer.preview_runs(), 0);
    assert!(!indexer.previews().path(id).exists());

    let asks: Vec<_> = (0..4)
        .map(|_| {
            let indexer = indexer.clone();
            tokio::spawn(async move { indexer.preview_for(id).await })
        })
        .collect();
    for ask in asks {
        let path = ask.await.expect("join").expect("a preview");
        assert_eq!(path, indexer.previews().path(id));
    }
    assert_eq!(indexer.preview_runs(), 1, "one build for four requests");
    assert_eq!(s.item("hevc.mov").await.1, "ready");
    assert_eq!(probe(&indexer.previews().path(id)).codec, "h264");
    indexer.preview_for(id).await.expect("ready");
    assert_eq!(indexer.preview_runs(), 1);

    // A cleared cache: made again when next asked for.
    std::fs::remove_dir_all(s.cache.join("video")).expect("clear");
    indexer.preview_for(id).await.expect("made again");
    assert_eq!(indexer.preview_runs(), 2);

    let (bad, _, _) = s.item("bad.mov").await;
    assert!(matches!(
        indexer.preview_for(bad).await,
        Err(PreviewError::Broken(_))
    ));
    let (_, status, error) = s.item("bad.mov").await;
    assert_eq!(status, "broken", "{error:?}");
    assert!(matches!(
        indexer.preview_for(9999).await,
        Err(PreviewError::NoSuchItem)
    ));
}

#[tokio::test]
async fn with_previews_off_none_is_made_and_turning_them_on_catches_up() {
    let s = setup().await;
    clip(&s.photo.join("hevc.mov"), "320x240", "1", false, X265);
    let off = s.indexer(PreviewMode::Off, DEFAULT_MIB);
    s.index(&off).await;
    let (id, status, _) = s.item("hevc.mov").await;
    assert_eq!(status, "pending");
    assert!(matches!(off.preview_for(id).await, Err(PreviewError::Off)));
    assert_eq!(off.preview_runs(), 0);
    assert!(!s.cache.join("video").exists());

    let background = s.indexer(PreviewMode::Background, DEFAULT_MIB);
    background.run_until_idle().await.expect("run");
    assert_eq!(s.item("hevc.mov").await.1, "ready");
    assert!(background.previews().path(id).is_file());
}

#[tokio::test]
async fn a_preview_past_the_memory_limit_is_broken_with_the_reason() {
    let s = setup().await;
    clip(&s.photo.join("hevc.mov"), "320x240", "1", false, X265);
    s.index(&s.indexer(PreviewMode::OnDemand, DEFAULT_MIB))
        .await;
    let (id, _, _) = s.item("hevc.mov").await;
    // Far below what ffmpeg's libraries alone map.
    let starved = s.indexer(PreviewMode::OnDemand, 32);
    let err = starved.preview_for(id).await.expect_err("no memory");
    let (_, status, error) = s.item("hevc.mov").await;
    assert_eq!(status, "broken", "{err}");
    let error = error.unwrap_or_default();
    assert!(error.contains("memory limit of 32 MiB"), "{error}");
}
