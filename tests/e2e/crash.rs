//! A server killed with SIGKILL (issue 20): what its uploads were writing does not stay behind
//! (the spool in `DATA/tmp`, the staging file in the space, cleaned at the next start), the
//! library and the index keep what was acknowledged, the programs it ran die with it; and the
//! uploads in flight count against a quota.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::TestApp;
use crate::support::api::Library;
use crate::support::corpus::corpus_file;
use crate::support::fs::files_under;
use crate::support::upload::upload;

const UPLOAD: &str = "SYNO.Foto.Upload.Item";
/// The test-only pause point of an upload whose file is staged (server/src/inflight.rs).
const PAUSE: &str = "SHOEBOX_TEST_PAUSE_STAGED";

/// anna (admin) and ben, signed in, on a server with `env`.
async fn people_with(env: &[(&str, &str)]) -> Library {
    let app = TestApp::spawn_with_env("", true, env).await;
    app.add_user("anna", "anna-pass-1", true);
    app.add_user("ben", "ben-pass-1", false);
    app.add_user("cleo", "cleo-pass-1", false);
    let anna = app.login("anna", "anna-pass-1").await;
    let ben = app.login("ben", "ben-pass-1").await;
    let cleo = app.login("cleo", "cleo-pass-1").await;
    Library {
        app,
        anna,
        ben,
        cleo,
    }
}

/// Every file below the data folder that an upload writes on its way: spool files
/// (`tmp/upload-*`), staging files (`.shoebox-upload-*`, in any space) and staging journal
/// entries (`staging/*`).
fn upload_leftovers(data: &Path) -> Vec<String> {
    files_under(data)
        .into_iter()
        .filter(|f| {
            let name = f.rsplit('/').next().unwrap_or(f);
            (f.starts_with("tmp/") && name.starts_with("upload-"))
                || name.starts_with(".shoebox-upload-")
                || f.starts_with("staging/")
        })
        .collect()
}

/// Waits until `found` says yes (up to 60 s), panicking with `what` and the log after that.
async fn wait_for(app: &TestApp, what: &str, mut found: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !found() {
        assert!(
            Instant::now() < deadline,
            "{what}: not in time\n{}",
            app.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// An upload acknowledged before the crash, and that it is still there after: on disk and in
/// the index, under the same id.
async fn still_there(lib: &Library, id: i64) {
    let got = lib
        .ok(
            &lib.anna,
            "SYNO.Foto.Browse.Item",
            "get",
            &[("id", &format!("[{id}]"))],
        )
        .await;
    assert_eq!(got["list"][0]["id"], id, "{got}");
    assert_eq!(got["list"][0]["filename"], "before.jpg", "{got}");
    let photos = lib.app.data_dir().join("homes/anna/Photos");
    assert!(
        files_under(&photos)
            .iter()
            .any(|f| f.ends_with("/before.jpg")),
        "{:?}",
        files_under(&photos)
    );
}

async fn upload_before(lib: &Library) -> i64 {
    let first = upload(
        lib,
        &lib.anna,
        UPLOAD,
        "upload",
        &[("name", "\"before.jpg\"")],
        &corpus_file("metadata/camera_phone.jpg"),
    )
    .await;
    assert_eq!(first["success"], true, "{first}");
    first["data"]["id"].as_i64().expect("id")
}

#[tokio::test]
async fn a_server_killed_while_a_body_arrives_leaves_no_spool_file() {
    let mut lib = people_with(&[]).await;
    let id = upload_before(&lib).await;

    // A body of 8 MB declared, 3 MB sent, then nothing more: the spool file exists.
    let boundary = "crash-test-boundary";
    let mut head = String::new();
    for (k, v) in [
        ("api", UPLOAD),
        ("method", "upload"),
        ("version", "1"),
        ("_sid", lib.anna.sid.as_str()),
        ("name", "\"big.jpg\""),
    ] {
        head.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    head.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.jpg\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    ));
    let total = head.len() + (8 << 20) + format!("\r\n--{boundary}--\r\n").len();
    let mut socket = std::net::TcpStream::connect(("127.0.0.1", lib.app.port)).expect("connect");
    write!(
        socket,
        "POST /webapi/entry.cgi HTTP/1.1\r\nHost: 127.0.0.1\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {total}\r\n\r\n{head}"
    )
    .expect("send the head");
    socket.write_all(&vec![0x5a; 3 << 20]).expect("send a part");
    let spool = lib.app.data_dir().join("tmp");
    let spooled = || {
        files_under(&spool).iter().any(|f| {
            f.starts_with("upload-") && spool.join(f).metadata().is_ok_and(|m| m.len() > 0)
        })
    };
    wait_for(&lib.app, "the spool file", spooled).await;

    lib.app.kill();
    drop(socket);
    assert!(
        !upload_leftovers(lib.app.data_dir()).is_empty(),
        "the killed server left its spool file"
    );
    lib.app.start_again();
    assert_eq!(upload_leftovers(lib.app.data_dir()), Vec::<String>::new());
    still_there(&lib, id).await;
    assert!(
        lib.app
            .log()
            .contains("removed what interrupted uploads left"),
        "{}",
        lib.app.log()
    );
}

#[tokio::test]
async fn a_server_killed_with_an_upload_staged_leaves_no_staging_file() {
    let pause = tempfile::tempdir().expect("tmp");
    let pause_file = pause.path().join("pause");
    let pause_env = pause_file.display().to_string();
    let mut lib = people_with(&[(PAUSE, pause_env.as_str())]).await;
    let id = upload_before(&lib).await;

    // The next upload stops with its file staged in the folder (the pause point), and the
    // server is killed there.
    std::fs::write(&pause_file, b"").expect("pause");
    let (base, sid) = (lib.app.base.clone(), lib.anna.sid.clone());
    let pending = tokio::spawn(async move {
        let form = reqwest::multipart::Form::new()
            .text("api", UPLOAD)
            .text("method", "upload")
            .text("version", "1")
            .text("_sid", sid)
            .text("name", "\"staged.jpg\"")
            .part(
                "file",
                reqwest::multipart::Part::bytes(corpus_file("metadata/gps_paris.jpg"))
                    .file_name("staged.jpg"),
            );
        TestApp::client()
            .post(format!("{base}/webapi/entry.cgi"))
            .multipart(form)
            .send()
            .await
    });
    let data = lib.app.data_dir().to_path_buf();
    let staged = || {
        let left = upload_leftovers(&data);
        left.iter().any(|f| f.contains("/.shoebox-upload-"))
            && left.iter().any(|f| f.starts_with("staging/"))
    };
    wait_for(&lib.app, "the staging file and its journal entry", staged).await;

    lib.app.kill();
    let _ = pending.await;
    std::fs::remove_file(&pause_file).expect("unpause");
    lib.app.start_again();
    assert_eq!(upload_leftovers(lib.app.data_dir()), Vec::<String>::new());
    still_there(&lib, id).await;
    // Never acknowledged, never kept.
    let photos = lib.app.data_dir().join("homes/anna/Photos");
    assert!(
        !files_under(&photos).iter().any(|f| f.contains("staged")),
        "{:?}",
        files_under(&photos)
    );
    // And uploads work as before.
    let after = upload(
        &lib,
        &lib.anna,
        UPLOAD,
        "upload",
        &[("name", "\"after.jpg\"")],
        &corpus_file("metadata/gps_paris.jpg"),
    )
    .await;
    assert_eq!(after["success"], true, "{after}");
    assert_eq!(upload_leftovers(lib.app.data_dir()), Vec::<String>::new());
}

#[tokio::test]
async fn uploads_in_flight_count_against_the_quota() {
    let pause = tempfile::tempdir().expect("tmp");
    let pause_file = pause.path().join("pause");
    let pause_env = pause_file.display().to_string();
    let lib = people_with(&[(PAUSE, pause_env.as_str())]).await;
    let photo = corpus_file("metadata/camera_phone.jpg");
    // Room for one of the two, not for both.
    let quota = (photo.len() * 3 / 2).to_string();
    let set = lib.app.cli(&["user", "quota", "anna", &quota], "");
    assert!(set.status.success(), "{set:?}");

    std::fs::write(&pause_file, b"").expect("pause");
    let (base, sid, bytes) = (lib.app.base.clone(), lib.anna.sid.clone(), photo.clone());
    let first = tokio::spawn(async move {
        let form = reqwest::multipart::Form::new()
            .text("api", UPLOAD)
            .text("method", "upload")
            .text("version", "1")
            .text("_sid", sid)
            .text("name", "\"one.jpg\"")
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name("one.jpg"),
            );
        TestApp::client()
            .post(format!("{base}/webapi/entry.cgi"))
            .multipart(form)
            .send()
            .await
            .expect("upload")
            .json::<Value>()
            .await
            .expect("json")
    });
    let data = lib.app.data_dir().to_path_buf();
    wait_for(&lib.app, "the first upload staged", || {
        upload_leftovers(&data)
            .iter()
            .any(|f| f.contains("/.shoebox-upload-"))
    })
    .await;

    // The second alone would fit; with the first in flight it does not.
    let second = upload(
        &lib,
        &lib.anna,
        UPLOAD,
        "upload",
        &[("name", "\"two.jpg\"")],
        &photo,
    )
    .await;
    assert_eq!(second["error"]["code"], 100, "{second}");
    let reason = second["error"]["errors"]["reason"].as_str().unwrap_or("");
    assert!(
        reason.contains("quota") && reason.contains("in flight"),
        "{second}"
    );

    std::fs::remove_file(&pause_file).expect("unpause");
    let first = first.await.expect("first upload");
    assert_eq!(first["success"], true, "{first}");
    assert_eq!(upload_leftovers(lib.app.data_dir()), Vec::<String>::new());

    // Another owner's uploads are not counted against anna's quota.
    let bens = upload(
        &lib,
        &lib.ben,
        UPLOAD,
        "upload",
        &[("name", "\"bens.jpg\"")],
        &photo,
    )
    .await;
    assert_eq!(bens["success"], true, "{bens}");
}

/// Stand-ins for ffmpeg and ffprobe in `dir`, which note their pid in `dir/pids` and sleep.
fn sleeping_tools(dir: &Path) -> PathBuf {
    let pids = dir.join("pids");
    for tool in ["ffmpeg", "ffprobe"] {
        let path = dir.join(tool);
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\necho $$ >> '{}'\nexec sleep 300\n",
                pids.display()
            ),
        )
        .expect("write the stand-in");
        let mut perms = std::fs::metadata(&path).expect("meta").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&path, perms).expect("chmod");
    }
    pids
}

/// Whether process `pid` still runs (a zombie waiting for whoever reaps it does not).
fn running(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let state = stat.rsplit_once(')')?.1.trim_start().chars().next()?;
            Some(state != 'Z' && state != 'X')
        })
        .unwrap_or(false)
}

#[tokio::test]
async fn the_programs_of_a_killed_server_die_with_it() {
    let tools = tempfile::tempdir().expect("tmp");
    let pids = sleeping_tools(tools.path());
    let path = format!(
        "{}:{}",
        tools.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut lib = people_with(&[("PATH", path.as_str())]).await;

    // A video uploaded to the timeline is probed for its date: the stand-in ffprobe sleeps.
    let (base, sid) = (lib.app.base.clone(), lib.anna.sid.clone());
    let pending = tokio::spawn(async move {
        let form = reqwest::multipart::Form::new()
            .text("api", UPLOAD)
            .text("method", "upload")
            .text("version", "1")
            .text("_sid", sid)
            .text("name", "\"clip.mp4\"")
            .part(
                "file",
                reqwest::multipart::Part::bytes(b"not really a video".to_vec())
                    .file_name("clip.mp4"),
            );
        TestApp::client()
            .post(format!("{base}/webapi/entry.cgi"))
            .multipart(form)
            .send()
            .await
    });
    let started = || {
        std::fs::read_to_string(&pids)
            .unwrap_or_default()
            .lines()
            .any(running)
    };
    wait_for(&lib.app, "a stand-in program running", started).await;
    let seen: Vec<String> = std::fs::read_to_string(&pids)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect();

    lib.app.kill();
    let _ = pending.await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut alive: Vec<&String> = seen.iter().filter(|p| running(p)).collect();
    while !alive.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        alive.retain(|p| running(p));
    }
    let left: Vec<String> = alive.iter().map(|p| (*p).clone()).collect();
    // Not to leave them running whatever the outcome (these are this test's own programs).
    for pid in &left {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", pid])
            .status();
    }
    assert!(
        left.is_empty(),
        "still running {} s after the server was killed: {left:?}",
        10
    );
}
