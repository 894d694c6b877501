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
