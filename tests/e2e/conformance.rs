//! The real PyPI client `synology-api` signing in and out against the real server
//! (tests/python/conformance.py). It grows with every API the server learns.

use std::path::PathBuf;
use std::process::Command;

use crate::support::{TestApp, repo_root};

/// The Python with `synology-api` installed: `SHOEBOX_TEST_PYTHON`, else the repo's `.venv`.
fn python() -> PathBuf {
    let python = std::env::var_os("SHOEBOX_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv/bin/python"));
    let ok = Command::new(&python)
        .args(["-c", "import synology_api"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "{} has no synology-api; run `./dev test` (it makes the venv) or set SHOEBOX_TEST_PYTHON",
        python.display()
    );
    python
}

#[tokio::test]
async fn synology_api_client_signs_in_and_out() {
    let python = python();
    let app = TestApp::spawn().await;
    app.add_user("alice", "s3cret pass'\"&=", false);
    let port = app.port.to_string();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(repo_root().join("tests/python/conformance.py"))
            .args(["127.0.0.1", &port, "alice", "s3cret pass'\"&="])
            .output()
            .expect("run python")
    })
    .await
    .expect("join");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("all checks passed"),
        "conformance failed:\n{stdout}\n{}\nserver log:\n{}",
        String::from_utf8_lossy(&output.stderr),
        app.log()
    );
}

#[tokio::test]
async fn synology_api_client_browses_both_spaces() {
    let python = python();
    let corpus = crate::support::corpus::corpus();
    let app = TestApp::spawn().await;
    app.add_user("alice", "alice-pass-1", true);
    app.add_user("bob", "bob-pass-1", false);
    let trip = app.data_dir().join("photo/2020/Trip");
    std::fs::create_dir_all(&trip).expect("mkdir");
    std::fs::copy(
        corpus.join("metadata/gps_paris.jpg"),
        trip.join("paris.jpg"),
    )
    .expect("copy");
    // Signing in makes the Personal Space; then a photo goes in.
    let alice = app.login("alice", "alice-pass-1").await;
    let personal = app.data_dir().join("homes/alice/Photos");
    std::fs::copy(corpus.join("formats/jpeg.jpg"), personal.join("mine.jpg")).expect("copy");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    for api in ["SYNO.FotoTeam.Index", "SYNO.Foto.Index"] {
        loop {
            let state = app
                .get(&[
                    ("api", api),
                    ("method", "get"),
                    ("version", "1"),
                    ("_sid", &alice.sid),
                ])
                .await;
            if state["data"]["item_count"] == 1 && state["data"]["pending_count"] == 0 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "not indexed: {state}\n{}",
                app.log()
            );
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
    }
    let port = app.port.to_string();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(repo_root().join("tests/python/conformance.py"))
            .args([
                "browse",
                "127.0.0.1",
                &port,
                "alice",
                "alice-pass-1",
                "bob",
                "bob-pass-1",
            ])
            .output()
            .expect("run python")
    })
    .await
    .expect("join");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("all checks passed"),
        "conformance failed:\n{stdout}\n{}\nserver log:\n{}",
        String::from_utf8_lossy(&output.stderr),
        app.log()
    );
}

#[tokio::test]
async fn synology_api_client_uploads() {
    let python = python();
    let corpus = crate::support::corpus::corpus();
    let app = TestApp::spawn().await;
    app.add_user("alice", "alice-pass-1", true);
    std::fs::create_dir_all(app.data_dir().join("photo/Family")).expect("mkdir");
    let port = app.port.to_string();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(repo_root().join("tests/python/conformance.py"))
            .args(["upload", "127.0.0.1", &port, "alice", "alice-pass-1"])
            .arg(&corpus)
            .output()
            .expect("run python")
    })
    .await
    .expect("join");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("all checks passed"),
        "conformance failed:\n{stdout}\n{}\nserver log:\n{}",
        String::from_utf8_lossy(&output.stderr),
        app.log()
    );
}

#[tokio::test]
async fn synology_api_client_manages_accounts_and_the_recycle_bin() {
    let python = python();
    let app = TestApp::spawn().await;
    app.add_user("alice", "alice-pass-1", true);
    app.add_user("bob", "bob-pass-1", false);
    // Something in the Shared Space's recycle bin, as a delete leaves it.
    let bin = app.data_dir().join("photo/#recycle/2020");
    std::fs::create_dir_all(&bin).expect("mkdir");
    std::fs::write(bin.join("old.jpg"), b"deleted").expect("write");
    let port = app.port.to_string();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(repo_root().join("tests/python/conformance.py"))
            .args([
                "accounts",
                "127.0.0.1",
                &port,
                "alice",
                "alice-pass-1",
                "bob",
                "bob-pass-1",
            ])
            .output()
            .expect("run python")
    })
    .await
    .expect("join");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("all checks passed"),
        "conformance failed:\n{stdout}\n{}\nserver log:\n{}",
        String::from_utf8_lossy(&output.stderr),
        app.log()
    );
    assert!(
        !app.data_dir().join("photo/#recycle/2020/old.jpg").exists(),
        "the bin was emptied on disk"
    );
    assert!(app.data_dir().join("photo/#recycle").is_dir());
}
