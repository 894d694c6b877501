//! Uploads at the edges: a full disk (a small tmpfs made for the test, as the Shared Space's
//! folder and as the spool), a user's quota, many phones at once into one folder, the phone's
//! own thumbnails standing in for the server's.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::TestApp;
use crate::support::api::Library;
use crate::support::api::people;
use crate::support::corpus::corpus_file;
use crate::support::fs::files_under;
use crate::support::upload::upload;

const UPLOAD: &str = "SYNO.Foto.Upload.Item";
const TEAM_UPLOAD: &str = "SYNO.FotoTeam.Upload.Item";

/// A tmpfs of a few hundred KB mounted for one test; unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts one at `dir`. Mounting needs root: CI runs as root and must run this test;
    /// elsewhere it is skipped with a message.
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).expect("mount point");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs(dir.to_path_buf())),
            other => {
                let why = match other {
                    Ok(o) => String::from_utf8_lossy(&o.stderr).into_owned(),
                    Err(e) => e.to_string(),
                };
                assert!(
                    std::env::var_os("CI").is_none(),
                    "CI must run the full-disk test, but a tmpfs cannot be mounted: {why}"
                );
                eprintln!("skipped: the full-disk test mounts a tmpfs and needs root ({why})");
                None
            }
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn regular_files(dir: &Path) -> Vec<String> {
    files_under(dir)
        .into_iter()
        .filter(|f| dir.join(f).is_file())
        .collect()
}

fn is_disk_full(body: &Value) -> bool {
    body["error"]["code"] == 100
        && body["error"]["errors"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("disk is full"))
}

#[tokio::test]
async fn a_full_disk_is_a_clear_error_and_the_server_goes_on() {
    let mount_dir = tempfile::tempdir().expect("mount dir");
    let shared = mount_dir.path().join("shared");
    // 1 MB: the 1.3 MB HEIC does not fit, a 6 KB JPEG does.
    let Some(_disk) = Tmpfs::mount(&shared, "1m") else {
        return;
    };
    let app = TestApp::spawn_with(&format!("photo_root = {shared:?}\n"), true).await;
    app.add_user("anna", "anna-pass-1", true);
    let anna = app.login("anna", "anna-pass-1").await;
    let lib = Library {
        anna: anna.clone(),
        ben: anna.clone(),
        cleo: anna,
        app,
    };
    let big = corpus_file("real/pug.heic");
    let small = corpus_file("metadata/camera_phone.jpg");
    let into_full = [
        ("name", "\"pug.heic\""),
        ("folder", "[\"Full\"]"),
        ("uploadDestination", "\"folder\""),
    ];
    let full = upload(&lib, &lib.anna, TEAM_UPLOAD, "upload", &into_full, &big).await;
    assert!(is_disk_full(&full), "{full}");
    assert_eq!(regular_files(&shared), Vec::<String>::new(), "nothing left");
    let count = lib
        .ok(&lib.anna, "SYNO.FotoTeam.Browse.Item", "count", &[])
        .await;
    assert_eq!(count["count"], 0);
    // The server goes on: what fits is stored.
    let fits = [
        ("name", "\"small.jpg\""),
        ("folder", "[\"Full\"]"),
        ("uploadDestination", "\"folder\""),
    ];
    let ok = upload(&lib, &lib.anna, TEAM_UPLOAD, "upload", &fits, &small).await;
    assert_eq!(ok["success"], true, "{ok}");
    assert_eq!(
        std::fs::read(shared.join("Full/small.jpg")).expect("stored"),
        small
    );

    // The spool full: the body cannot even be received.
    let spool = lib.app.data_dir().join("tmp");
    let Some(_spool_disk) = Tmpfs::mount(&spool, "512k") else {
        return;
    };
    let full = upload(
        &lib,
        &lib.anna,
        UPLOAD,
        "upload",
        &[("name", "\"pug.heic\"")],
        &big,
    )
    .await;
    assert!(is_disk_full(&full), "{full}");
    assert_eq!(regular_files(&spool), Vec::<String>::new(), "spool left");
    let ok = upload(
        &lib,
        &lib.anna,
        UPLOAD,
        "upload",
        &[("name", "\"small.jpg\"")],
        &small,
    )
    .await;
    assert_eq!(ok["success"], true, "{ok}");
}

#[tokio::test]
async fn a_quota_stops_uploads_that_do_not_fit() {
    let lib = people().await;
    let big = corpus_file("real/pug.heic");
    let small = corpus_file("metadata/camera_phone.jpg");
    let bad = lib.app.cli(&["user", "quota", "anna", "lots"], "");
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("not a size"),
        "{bad:?}"
    );
    let nobody = lib.app.cli(&["user", "quota", "nobody", "1M"], "");
    assert!(!nobody.status.success());
    let set = lib.app.cli(&["user", "quota", "anna", "1M"], "");
    assert!(set.status.success(), "{set:?}");

    let first = upload(
        &lib,
        &lib.anna,
        UPLOAD,
        "upload",
        &[("name", "\"a.jpg\"")],
        &small,
    )
    .await;
    assert_eq!(first["success"], true, "{first}");
    let over = upload(
        &lib,
        &lib.anna,
        UPLOAD,
        "upload",
        &[("name", "\"b.heic\"")],
        &big,
    )
    .await;
    assert_eq!(over["error"]["code"], 100, "{over}");
    assert!(
        over["error"]["errors"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("quota")),
        "{over}"
    );
    let resumable = lib
        .call(
            &lib.anna,
            "SYNO.Foto.Upload.Resumable",
            "create",
            &[("name", "\"b.heic\""), ("size", &big.len().to_string())],
        )
        .await;
    assert_eq!(resumable["error"]["code"], 100, "{resumable}");
    // Only the Personal Space counts: the Shared Space takes it, and another user is free.
    std::fs::create_dir_all(lib.app.data_dir().join("photo/Family")).expect("mkdir");
    let shared = upload(
        &lib,
        &lib.anna,
        TEAM_UPLOAD,
        "upload",
        &[("name", "\"b.heic\"")],
        &big,
    )
    .await;
    assert_eq!(shared["success"], true, "{shared}");
    let ben = upload(
        &lib,
        &lib.ben,
        UPLOAD,
        "upload",
        &[("name", "\"b.heic\"")],
        &big,
    )
    .await;
    assert_eq!(ben["success"], true, "{ben}");
    // A larger quota, and it fits.
    let set = lib.app.cli(&["user", "quota", "anna", "10M"], "");
    assert!(set.status.success(), "{set:?}");
    let now = upload(
        &lib,
        &lib.anna,
        UPLOAD,
        "upload",
        &[("name", "\"b.heic\"")],
        &big,
    )
    .await;
    assert_eq!(now["success"], true, "{now}");
    let none = lib.app.cli(&["user", "quota", "anna", "none"], "");
    assert!(none.status.success(), "{none:?}");
}

/// Many phones upload the same name into one folder at once (`rename`), and into their own
/// folders: every file is stored once, under its own name, nothing is lost or doubled.
#[tokio::test]
async fn many_phones_at_once() {
    let lib = people().await;
    let photo = corpus_file("metadata/camera_phone.jpg");
    let mut calls = Vec::new();
    for n in 0..24 {
        let lib = &lib;
        let photo = photo.clone();
        calls.push(async move {
            let (folder, name) = if n % 2 == 0 {
                ("[\"Shared name\"]".to_owned(), "\"same.jpg\"".to_owned())
            } else {
                (format!("[\"Phone {n}\"]"), format!("\"own_{n}.jpg\""))
            };
            let fields = [
                ("name", name.as_str()),
                ("folder", folder.as_str()),
                ("uploadDestination", "\"folder\""),
                ("duplicate", "\"rename\""),
            ];
            upload(lib, &lib.anna, UPLOAD, "upload", &fields, &photo).await
        });
    }
    let answers = futures_util::future::join_all(calls).await;
    let mut ids: Vec<i64> = answers
        .iter()
        .map(|a| {
            assert_eq!(a["success"], true, "{a}");
            a["data"]["id"].as_i64().expect("id")
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 24, "every upload its own item");
    let root = lib.app.data_dir().join("homes/anna/Photos");
    let mut same = regular_files(&root.join("Shared name"));
    same.sort();
    let mut want: Vec<String> = std::iter::once("same.jpg".to_owned())
        .chain((1..12).map(|n| format!("same_{n}.jpg")))
        .collect();
    want.sort();
    assert_eq!(same, want);
    for n in (1..24).step_by(2) {
        assert_eq!(
            std::fs::read(root.join(format!("Phone {n}/own_{n}.jpg"))).expect("stored"),
            photo
        );
    }
    let count = lib
        .ok(&lib.anna, "SYNO.Foto.Browse.Item", "count", &[])
        .await;
    assert_eq!(count["count"], 24, "{count}");
}

/// A solid-colour JPEG as a phone's thumbnail.
fn jpeg(width: u32, height: u32, rgb: [u8; 3]) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(width, height, image::Rgb(rgb));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .expect("jpeg");
    out
}

async fn thumbnail(lib: &Library, id: i64, size: &str) -> reqwest::Response {
    TestApp::client()
        .get(lib.app.url("/webapi/entry.cgi"))
        .query(&[
            ("api", "SYNO.Foto.Thumbnail"),
            ("method", "get"),
            ("version", "2"),
            ("_sid", lib.anna.sid.as_str()),
            ("id", &id.to_string()),
            ("size", size),
        ])
        .send()
        .await
        .expect("thumbnail")
}

/// The phone's `thumb_xl` / `thumb_sm` are served, not to be cached, while the server makes
/// its own (the 200 MP HEIC takes seconds); then the server's replace them.
#[tokio::test]
async fn the_phones_thumbnails_stand_in_until_ours_are_made() {
    let lib = people().await;
    let big = corpus_file("edge/200MP.heic");
    let sm = jpeg(360, 270, [200, 30, 30]);
    let xl = jpeg(1920, 1440, [30, 30, 200]);
    let mut form = reqwest::multipart::Form::new()
        .text("method", "upload")
        .text("api", UPLOAD)
        .text("version", "1")
        .text("require_thumb_version", "true")
        .text("_sid", lib.anna.sid.clone())
        .text("name", "\"huge.heic\"");
    let part = |bytes: &[u8], name: &str| {
        reqwest::multipart::Part::bytes(bytes.to_vec())
            .file_name(name.to_owned())
            .mime_str("application/octet-stream")
            .expect("mime")
    };
    form = form
        .part("file", part(&big, "file"))
        .part("thumb_xl", part(&xl, "xl"))
        .text("model_version", "3")
        // Not a JPEG: ignored, the upload goes on.
        .part("thumb_sm", part(b"GIF89a not a jpeg", "sm"));
    let body: Value = TestApp::client()
        .post(lib.app.url("/webapi/entry.cgi"))
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    assert_eq!(body["success"], true, "{body}");
    let id = body["data"]["id"].as_i64().expect("id");
    let first = thumbnail(&lib, id, "xl").await;
    assert_eq!(
        first
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().expect("ascii")),
        Some("no-store"),
        "the phone's thumbnail, while ours is made"
    );
    assert_eq!(first.bytes().await.expect("bytes"), xl);
    let m = thumbnail(&lib, id, "m").await;
    assert_eq!(m.bytes().await.expect("bytes"), xl, "xl stands in for m");

    // Another upload, with a good sm; ours follow and replace them all.
    let mut form = reqwest::multipart::Form::new()
        .text("method", "upload")
        .text("api", UPLOAD)
        .text("version", "1")
        .text("_sid", lib.anna.sid.clone())
        .text("name", "\"small.jpg\"");
    form = form
        .part(
            "file",
            part(&corpus_file("metadata/camera_phone.jpg"), "file"),
        )
        .part("thumb_sm", part(&sm, "sm"));
    let small: Value = TestApp::client()
        .post(lib.app.url("/webapi/entry.cgi"))
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    assert_eq!(small["success"], true, "{small}");
    let small_id = small["data"]["id"].as_i64().expect("id");

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let state = lib.ok(&lib.anna, "SYNO.Foto.Index", "get", &[]).await;
        if state["pending_count"] == 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{state}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    for (id, size, theirs) in [(id, "xl", &xl), (id, "m", &xl), (small_id, "sm", &sm)] {
        let ours = thumbnail(&lib, id, size).await;
        assert!(ours.headers().get("etag").is_some(), "ours, cacheable");
        assert_ne!(&ours.bytes().await.expect("bytes").to_vec(), theirs);
    }
    let provisional: Vec<String> = files_under(lib.app.data_dir())
        .into_iter()
        .filter(|f| f.contains("provisional"))
        .collect();
    assert_eq!(provisional, Vec::<String>::new(), "the phone's are gone");
}
