//! `Streaming streaming` of videos browsers cannot play: the converted qualities serve the H.264
//! preview (made by the queue, or at the request in `on_demand` mode), with byte ranges; the
//! original stays the `original` quality; without a preview (not needed, previews off) the
//! original is served.

use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::support::corpus::{copy_file, corpus};
use crate::support::fs::preview_path;
use crate::support::{Login, TestApp, error_code};

/// The codec of the first video stream of `bytes`, as ffprobe reads it.
fn codec_of(bytes: &[u8]) -> String {
    let file = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(file.path(), bytes).expect("write");
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["stream=codec_name", "-of", "csv=p=0"])
        .arg(file.path())
        .output()
        .expect("ffprobe");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

async fn call(
    app: &TestApp,
    who: &Login,
    api: &str,
    method: &str,
    extra: &[(&str, &str)],
) -> Value {
    let mut params = vec![
        ("api", api),
        ("method", method),
        ("version", "1"),
        ("_sid", who.sid.as_str()),
    ];
    params.extend_from_slice(extra);
    app.get(&params).await
}

/// Waits until the space behind `index_api` holds `items` files, metadata and thumbnails done.
async fn wait_indexed(app: &TestApp, who: &Login, index_api: &str, items: i64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        let state = call(app, who, index_api, "get", &[]).await;
        if state["data"]["item_count"] == items && state["data"]["pending_count"] == 0 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not indexed in time: {state}\n{}",
            app.log()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn id_of(app: &TestApp, who: &Login, api: &str, name: &str) -> i64 {
    let list = call(app, who, api, "list", &[("offset", "0"), ("limit", "100")]).await;
    list["data"]["list"]
        .as_array()
        .expect("list")
        .iter()
        .find(|i| i["filename"] == name)
        .unwrap_or_else(|| panic!("{name} not listed: {list}"))["id"]
        .as_i64()
        .expect("id")
}

/// `Streaming streaming` of `id` at `quality`, with a `Range` header when given.
async fn stream(
    app: &TestApp,
    who: &Login,
    api: &str,
    id: i64,
    quality: Option<&str>,
    range: Option<&str>,
) -> reqwest::Response {
    let id = id.to_string();
    let mut params = vec![
        ("api", api),
        ("method", "streaming"),
        ("version", "1"),
        ("id", id.as_str()),
        ("_sid", who.sid.as_str()),
    ];
    if let Some(q) = quality {
        params.push(("quality", q));
    }
    let mut request = TestApp::client()
        .get(app.url("/webapi/entry.cgi"))
        .query(&params);
    if let Some(r) = range {
        request = request.header("Range", r);
    }
    request.send().await.expect("stream")
}

fn content_type(r: &reqwest::Response) -> String {
    r.headers()["content-type"]
        .to_str()
        .expect("type")
        .to_owned()
}

#[tokio::test]
async fn converted_qualities_stream_the_h264_preview_with_ranges() {
    let corpus = corpus();
    let app = TestApp::spawn().await;
    app.add_user("anna", "anna-pass-1", true);
    let shared = app.data_dir().join("photo");
    copy_file(&corpus.join("video/hevc.mov"), &shared.join("hevc.mov"));
    copy_file(&corpus.join("video/h264.mp4"), &shared.join("clip.mp4"));
    let anna = app.login("anna", "anna-pass-1").await;
    // A Live Photo whose video half is HEVC, in anna's Personal Space.
    let personal = app.data_dir().join("homes/anna/Photos");
    for f in ["IMG_0001.HEIC", "IMG_0001.MOV"] {
        copy_file(&corpus.join("live").join(f), &personal.join(f));
    }
    let team = "SYNO.FotoTeam.Streaming";
    wait_indexed(&app, &anna, "SYNO.FotoTeam.Index", 2).await;
    wait_indexed(&app, &anna, "SYNO.Foto.Index", 2).await;
    let hevc = id_of(&app, &anna, "SYNO.FotoTeam.Browse.Item", "hevc.mov").await;
    let clip = id_of(&app, &anna, "SYNO.FotoTeam.Browse.Item", "clip.mp4").await;
    let live = id_of(&app, &anna, "SYNO.Foto.Browse.Item", "IMG_0001.HEIC").await;
    let original = std::fs::read(shared.join("hevc.mov")).expect("read");

    // The converted quality: the H.264 preview, whole and in ranges.
    let whole = stream(&app, &anna, team, hevc, Some("medium"), None).await;
    assert_eq!(whole.status(), 200);
    assert_eq!(content_type(&whole), "video/mp4");
    let preview = whole.bytes().await.expect("body").to_vec();
    assert_eq!(codec_of(&preview), "h264");
    assert!(preview != original);
    let on_disk = std::fs::read(preview_path(app.data_dir(), hevc)).expect("the preview file");
    assert!(preview == on_disk, "the preview is what is served");
    let part = stream(&app, &anna, team, hevc, Some("high"), Some("bytes=100-199")).await;
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 100-199/{}", preview.len()).as_str()
    );
    assert_eq!(content_type(&part), "video/mp4");
    assert!(part.bytes().await.expect("body") == preview[100..200]);
    let past = stream(
        &app,
        &anna,
        team,
        hevc,
        Some("low"),
        Some(&format!("bytes={}-", preview.len() + 10)),
    )
    .await;
    assert_eq!(past.status(), 416);

    // The original quality, or none, is the file itself.
    for quality in [Some("original"), None] {
        let r = stream(&app, &anna, team, hevc, quality, None).await;
        assert_eq!(r.status(), 200);
        assert_eq!(content_type(&r), "video/quicktime");
        let body = r.bytes().await.expect("body");
        assert!(body == original, "{quality:?}");
        assert_eq!(codec_of(&body), "hevc");
    }
    // A video that plays as it is has no preview: its original at any quality.
    let r = stream(&app, &anna, team, clip, Some("medium"), None).await;
    assert_eq!(r.status(), 200);
    assert_eq!(content_type(&r), "video/mp4");
    assert!(
        r.bytes().await.expect("body") == std::fs::read(shared.join("clip.mp4")).expect("read")
    );
    assert!(!preview_path(app.data_dir(), clip).exists());

    // A Live Photo streams the preview of its HEVC video half.
    let r = stream(
        &app,
        &anna,
        "SYNO.Foto.Streaming",
        live,
        Some("mobile"),
        None,
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(content_type(&r), "video/mp4");
    assert_eq!(codec_of(&r.bytes().await.expect("body")), "h264");
    let r = stream(&app, &anna, "SYNO.Foto.Streaming", live, None, None).await;
    assert_eq!(content_type(&r), "video/quicktime");
    assert_eq!(codec_of(&r.bytes().await.expect("body")), "hevc");

    let hevc_id = hevc.to_string();
    let bad = call(
        &app,
        &anna,
        team,
        "streaming",
        &[("id", &hevc_id), ("quality", "ultra")],
    )
    .await;
    assert_eq!(error_code(&bad), Some(120), "{bad}");

    // Deleting the video (to the recycle bin) takes its preview along.
    let deleted = call(
        &app,
        &anna,
        "SYNO.FotoTeam.Browse.Item",
        "delete",
        &[("id", &format!("[{hevc}]"))],
    )
    .await;
    assert_eq!(deleted["success"], true, "{deleted}");
    assert!(!preview_path(app.data_dir(), hevc).exists());
}

/// A server with `video_previews = mode` and one HEVC video in the Shared Space: the server,
/// anna's session and the video's id.
async fn one_hevc(mode: &str) -> (TestApp, Login, i64) {
    let app = TestApp::spawn_with(&format!("[indexer]\nvideo_previews = \"{mode}\"\n"), true).await;
    app.add_user("anna", "anna-pass-1", true);
    copy_file(
        &corpus().join("video/hevc.mov"),
        &app.data_dir().join("photo/hevc.mov"),
    );
    let anna = app.login("anna", "anna-pass-1").await;
    wait_indexed(&app, &anna, "SYNO.FotoTeam.Index", 1).await;
    let id = id_of(&app, &anna, "SYNO.FotoTeam.Browse.Item", "hevc.mov").await;
    (app, anna, id)
}

#[tokio::test]
async fn on_demand_previews_are_made_by_the_first_stream_and_off_serves_the_original() {
    let (app, anna, id) = one_hevc("on_demand").await;
    // Indexed, thumbnails made, and still no preview: nothing asked for one.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(!preview_path(app.data_dir(), id).exists());
    let r = stream(
        &app,
        &anna,
        "SYNO.FotoTeam.Streaming",
        id,
        Some("medium"),
        None,
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(content_type(&r), "video/mp4");
    let body = r.bytes().await.expect("body");
    assert_eq!(codec_of(&body), "h264");
    assert!(preview_path(app.data_dir(), id).is_file());
    drop(app);

    let (app, anna, id) = one_hevc("off").await;
    let r = stream(
        &app,
        &anna,
        "SYNO.FotoTeam.Streaming",
        id,
        Some("medium"),
        None,
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(content_type(&r), "video/quicktime");
    assert_eq!(codec_of(&r.bytes().await.expect("body")), "hevc");
    assert!(!app.data_dir().join("cache/video").exists());
}

/// A Motion Photo's video streams on its own: the MP4 embedded after the still, with ranges.
#[tokio::test]
async fn a_motion_photos_video_streams_with_ranges() {
    let corpus = corpus();
    let app = TestApp::spawn().await;
    app.add_user("mia", "mia-pass-1", false);
    let mia = app.login("mia", "mia-pass-1").await;
    let file = corpus.join("motion/PXL_20230405_060708123.MP.jpg");
    let home = app.data_dir().join("homes/mia/Photos");
    copy_file(&file, &home.join("PXL_20230405_060708123.MP.jpg"));
    copy_file(
        &corpus.join("metadata/gps_paris.jpg"),
        &home.join("paris.jpg"),
    );
    wait_indexed(&app, &mia, "SYNO.Foto.Index", 2).await;
    let id = id_of(
        &app,
        &mia,
        "SYNO.Foto.Browse.Item",
        "PXL_20230405_060708123.MP.jpg",
    )
    .await;
    let whole = std::fs::read(&file).expect("read");
    // Where the MP4 starts: its `ftyp` box (the box's size is the 4 bytes before it).
    let start = whole
        .windows(4)
        .position(|w| w == b"ftyp")
        .expect("an embedded MP4")
        - 4;
    let video = &whole[start..];

    let r = stream(&app, &mia, "SYNO.Foto.Streaming", id, None, None).await;
    assert_eq!(r.status(), 200);
    assert_eq!(content_type(&r), "video/mp4");
    let body = r.bytes().await.expect("body");
    assert_eq!(&body[..], video, "the whole embedded video");
    assert!(!codec_of(&body).is_empty(), "ffprobe reads it as a video");

    let r = stream(
        &app,
        &mia,
        "SYNO.Foto.Streaming",
        id,
        None,
        Some("bytes=10-19"),
    )
    .await;
    assert_eq!(r.status(), 206);
    assert_eq!(
        r.headers()["content-range"],
        format!("bytes 10-19/{}", video.len()).as_str()
    );
    assert_eq!(&r.bytes().await.expect("body")[..], &video[10..20]);

    let too_far = format!("bytes={}-", video.len());
    let r = stream(&app, &mia, "SYNO.Foto.Streaming", id, None, Some(&too_far)).await;
    assert_eq!(r.status(), 416);

    // A plain photo has no video to stream.
    let plain = id_of(&app, &mia, "SYNO.Foto.Browse.Item", "paris.jpg").await;
    let body = stream(&app, &mia, "SYNO.Foto.Streaming", plain, None, None)
        .await
        .json::<Value>()
        .await
        .expect("json");
    assert_eq!(error_code(&body), Some(642), "{body}");
}
