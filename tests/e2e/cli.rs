//! The `shoebox` command line: accounts, settings and first-run guidance.

use crate::support::{BIN, TestApp, cli_in};

#[tokio::test]
async fn user_commands_manage_accounts_while_the_server_runs() {
    let app = TestApp::spawn().await;
    assert!(
        app.log()
            .contains("shoebox user add admin --admin --password-stdin"),
        "first-run hint:\n{}",
        app.log()
    );
    app.add_user("admin", "pw-admin", true);
    app.add_user("kid", "pw-kid", false);
    let dup = app.cli(&["user", "add", "Kid", "--password-stdin"], "x\n");
    assert!(!dup.status.success());
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already exists"));
    let bad = app.cli(&["user", "add", "../etc", "--password-stdin"], "x\n");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a valid user name"));
    let empty = app.cli(&["user", "add", "nopw", "--password-stdin"], "\n");
    assert!(!empty.status.success(), "empty password refused");
    let no_flag = app.cli(&["user", "add", "nopw"], "x\n");
    assert!(!no_flag.status.success(), "--password-stdin is required");

    let list = app.cli(&["user", "list"], "");
    let text = String::from_utf8_lossy(&list.stdout);
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(rows[0].contains("admin") && rows[0].contains("yes"));
    assert!(rows[1].contains("kid") && rows[1].contains("no"));
    let missing = app.cli(&["user", "disable", "ghost"], "");
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no user named"));

    // The stored hash is argon2id and the password appears nowhere in the database.
    let db = std::fs::read(app.data_dir().join("shoebox.db")).expect("db");
    let wal = std::fs::read(app.data_dir().join("shoebox.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(!bytes.windows(6).any(|w| w == b"pw-kid"));
    }
    assert!(
        db.windows(10)
            .chain(wal.windows(10))
            .any(|w| w == b"$argon2id$")
    );
    app.login("kid", "pw-kid").await;
}

#[test]
fn bad_settings_are_reported_clearly() {
    let dir = tempfile::tempdir().expect("tmp");
    let run = |args: &[&str]| {
        std::process::Command::new(BIN)
            .args(args)
            .output()
            .expect("run")
    };
    let out = run(&[
        "serve",
        "--data",
        dir.path().to_str().expect("path"),
        "--listen",
        "not-an-address",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not an address"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "listen = \"127.0.0.1:0\"\nno_such_setting = 1\n").expect("write");
    let out = run(&["serve", "--config", config.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no_such_setting"));

    std::fs::write(&config, "listen = [1, 2\n").expect("write");
    let out = run(&["serve", "--config", config.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));

    let out = run(&["serve", "--config", "/nonexistent/shoebox.toml"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));

    let help = run(&["--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("serve") && text.contains("user") && text.contains("First run"));
}

#[tokio::test]
async fn settings_layer_file_then_environment_then_flags() {
    let dir = tempfile::tempdir().expect("tmp");
    let from_file = dir.path().join("from-file");
    let from_env = dir.path().join("from-env");
    std::fs::write(
        dir.path().join("shoebox.toml"),
        format!(
            "photo_root = {:?}\nhomes_root = \"/file/loses/to/env\"\nlisten = \"127.0.0.2:9\"\n",
            from_file.display().to_string()
        ),
    )
    .expect("write");
    let mut child = std::process::Command::new(BIN)
        .args([
            "serve",
            "--data",
            dir.path().to_str().expect("path"),
            "--listen",
            "127.0.0.1:0",
        ])
        .env("SHOEBOX_HOMES_ROOT", &from_env)
        .env("SHOEBOX_LISTEN", "999.0.0.1:1")
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve");
    let mut ok = false;
    for _ in 0..100 {
        if from_file.is_dir() && from_env.is_dir() {
            ok = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let running = child.try_wait().expect("status").is_none();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        ok,
        "the file set photo_root and env beat the file for homes_root"
    );
    assert!(running, "the --listen flag beat the invalid SHOEBOX_LISTEN");
    let out = cli_in(dir.path(), &["user", "list"], "");
    assert!(out.status.success());
}

#[tokio::test]
async fn shared_space_command_switches_it_off_and_on() {
    let app = TestApp::spawn().await;
    let enabled = || async {
        let guest = app
            .get(&[
                ("api", "SYNO.Foto.Setting.Guest"),
                ("method", "get"),
                ("version", "1"),
            ])
            .await;
        guest["data"]["enable_team_space"].clone()
    };
    assert_eq!(enabled().await, true);
    let off = app.cli(&["shared-space", "off"], "");
    assert!(
        off.status.success(),
        "{}",
        String::from_utf8_lossy(&off.stderr)
    );
    assert_eq!(enabled().await, false);
    let on = app.cli(&["shared-space", "on"], "");
    assert!(on.status.success());
    assert_eq!(enabled().await, true);
    let bad = app.cli(&["shared-space", "maybe"], "");
    assert!(!bad.status.success());
}

/// A stop must not wait on a client: here an upload that sent its headers and a few bytes and
/// then nothing. The server cuts it and exits cleanly, well within the 10 s a service manager
/// gives.
#[tokio::test]
async fn sigterm_stops_the_server_within_ten_seconds_despite_a_stalled_request() {
    use std::io::Write;
    let mut app = TestApp::spawn().await;
    let mut stalled =
        std::net::TcpStream::connect(("127.0.0.1", app.port)).expect("connect to the server");
    stalled
        .write_all(
            b"POST /webapi/entry.cgi HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 100000\r\n\r\napi=SYNO.API.Info&",
        )
        .expect("send a partial request");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let (status, took) = app
        .terminate_within(std::time::Duration::from_secs(15))
        .expect("the server exits after SIGTERM");
    assert!(status.success(), "exit status {status}\n{}", app.log());
    assert!(took < std::time::Duration::from_secs(10), "took {took:?}");
    // The log reader may still be taking the last lines.
    let mut log = app.log();
    for _ in 0..100 {
        if log.contains("stopped") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        log = app.log();
    }
    assert!(log.contains("were cut") && log.contains("stopped"), "{log}");
    drop(stalled);
}
