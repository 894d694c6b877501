//! What the server promises under concurrency: an id it answered for an upload stays that
//! item's id, even when a scan of the same folder runs at the very moment of the upload.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::TestApp;
use crate::support::api::Library;
use crate::support::corpus::corpus_file;
use crate::support::upload::upload;

const UPLOAD: &str = "SYNO.Foto.Upload.Item";

/// Waits until `path` exists, failing the test with `what` after `limit`.
async fn appears(path: &Path, limit: Duration, what: &str, app: &TestApp) {
    let deadline = Instant::now() + limit;
    while !path.exists() {
        assert!(Instant::now() < deadline, "{what}\n{}", app.log());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The race of issue 20, made certain: a scan of the whole space lists its folders, then an
/// upload lands (a new month folder, a new file, its row) and is answered, and only then does
/// the scan compare what it listed with the index. The scan must not take the upload's row, or
/// its new folder, for something that vanished: the acknowledged id answers, and stays the only
/// item of that file after the scans the upload itself sets off.
#[tokio::test]
async fn an_upload_answered_during_a_scan_keeps_its_id() {
    let gate = tempfile::tempdir().expect("gate");
    let app = TestApp::spawn_with_env(
        "",
        true,
        &[(
            "SHOEBOX_TEST_SCAN_GATE",
            gate.path().to_str().expect("a UTF-8 temporary folder"),
        )],
    )
    .await;
    app.add_user("anna", "anna-pass-1", true);
    let anna = app.login("anna", "anna-pass-1").await;
    let photos = app.data_dir().join("homes/anna/Photos");
    std::fs::create_dir_all(&photos).expect("personal space");
    let lib = Library {
        anna: anna.clone(),
        ben: anna.clone(),
        cleo: anna.clone(),
        app,
    };

    // A file dropped at the top of the space makes the watcher rescan all of it; the scan
    // stops after its walk, before it looks at the index.
    std::fs::write(gate.path().join("armed"), b"").expect("arm");
    std::fs::write(photos.join("dropped.jpg"), corpus_file("formats/jpeg.jpg")).expect("drop");
    appears(
        &gate.path().join("walked"),
        Duration::from_secs(30),
        "no scan reached the pause point",
        &lib.app,
    )
    .await;

    // The upload lands in a month folder the paused scan has never seen.
    let fields = [
        ("require_thumb_version", "false"),
        ("name", "\"paris.jpg\""),
        ("mtime", "1646388000"),
        ("folder", "[\"PhotoLibrary\"]"),
        ("duplicate", "\"ignore\""),
    ];
    let paris = corpus_file("metadata/gps_paris.jpg");
    let answer = upload(&lib, &anna, UPLOAD, "upload", &fields, &paris).await;
    assert_eq!(answer["success"], true, "{answer}\n{}", lib.app.log());
    let id = answer["data"]["id"].as_i64().expect("id");
    assert!(photos.join("PhotoLibrary/2022/03/paris.jpg").is_file());

    std::fs::write(gate.path().join("go"), b"").expect("go");
    appears(
        &gate.path().join("done"),
        Duration::from_secs(30),
        "the paused scan never finished",
        &lib.app,
    )
    .await;
    let got = lib
        .call(
            &anna,
            "SYNO.Foto.Browse.Item",
            "get",
            &[("id", &format!("[{id}]"))],
        )
        .await;
    assert_eq!(
        got["success"],
        true,
        "the acknowledged id {id} is gone after the scan: {got}\n{}",
        lib.app.log()
    );
    assert_eq!(got["data"]["list"][0]["filename"], "paris.jpg", "{got}");

    // The watcher's own rescans of the upload's changes come after; then the file still has
    // one item, the acknowledged one.
    lib.wait_indexed(0, 2).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    lib.wait_indexed(0, 2).await;
    let all = lib.items(&anna, "SYNO.Foto.Browse.Item", &[]).await;
    let ids: Vec<i64> = all
        .iter()
        .filter(|i| i["filename"] == "paris.jpg")
        .filter_map(|i| i["id"].as_i64())
        .collect();
    assert_eq!(ids, vec![id], "{all:?}\n{}", lib.app.log());
    assert!(
        !lib.app.log().contains("removed=1"),
        "a scan removed something: {}",
        lib.app.log()
    );
}
