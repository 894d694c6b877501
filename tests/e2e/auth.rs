//! Sign-in, sessions, tokens, sign-out, restarts, disabled accounts and the auto-block.

use serde_json::Value;

use crate::support::{TestApp, error_code};

fn me(sid: &str) -> Vec<(&'static str, &str)> {
    vec![
        ("api", "SYNO.Foto.UserInfo"),
        ("version", "1"),
        ("method", "me"),
        ("_sid", sid),
    ]
}

async fn me_with(app: &TestApp, headers: &[(&str, &str)], params: &[(&str, &str)]) -> Value {
    let mut request = TestApp::client()
        .get(app.url("/webapi/entry.cgi"))
        .query(&[
            ("api", "SYNO.Foto.UserInfo"),
            ("version", "1"),
            ("method", "me"),
        ])
        .query(params);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    request
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn login_returns_session_fields_cookies_and_makes_the_personal_space() {
    let app = TestApp::spawn().await;
    app.add_user("alice", "wonderland", false);
    let home = app.data_dir().join("homes/alice/Photos");
    assert!(!home.exists());
    assert!(
        app.data_dir().join("photo").is_dir(),
        "Shared Space root exists from start"
    );
    let login = app.login("alice", "wonderland").await;
    for key in ["sid", "synotoken", "did", "device_id"] {
        assert!(
            login.data[key].as_str().is_some_and(|s| !s.is_empty()),
            "{key} in {}",
            login.data
        );
    }
    assert!(login.data.get("ik_message").is_none());
    assert!(
        login
            .set_cookies
            .iter()
            .any(|c| c.starts_with(&format!("id={};", login.sid)))
    );
    assert!(login.set_cookies.iter().any(|c| c.starts_with("did=")));
    assert!(home.is_dir(), "Personal Space created on first sign-in");
    let body = app.get(&me(&login.sid)).await;
    assert_eq!(body["data"]["name"], "alice");
}

#[tokio::test]
async fn login_works_on_every_path_and_method() {
    let app = TestApp::spawn().await;
    app.add_user("bob", "builder", false);
    let form = [
        ("api", "SYNO.API.Auth"),
        ("version", "6"),
        ("method", "login"),
        ("account", "bob"),
        ("passwd", "builder"),
    ];
    for path in [
        "/webapi/auth.cgi",
        "/webapi/entry.cgi",
        "/webapi/query.cgi",
        "/photo/webapi/entry.cgi",
        "/webapi/entry.cgi/SYNO.API.Auth",
    ] {
        let body: Value = app.post_form(path, &form).await.json().await.expect("json");
        assert_eq!(body["success"], true, "POST {path}: {body}");
        let body = app.get_at(path, &form).await;
        assert_eq!(body["success"], true, "GET {path}: {body}");
    }
    // Routing split between query and body, as py-synologydsm-api and syno-photos-util do.
    let response = TestApp::client()
        .post(app.url("/webapi/entry.cgi?api=SYNO.API.Auth"))
        .form(&[
            ("version", "3"),
            ("method", "login"),
            ("account", "bob"),
            ("passwd", "builder"),
        ])
        .send()
        .await
        .expect("request");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["success"], true, "{body}");
    // Multipart form fields count as parameters too.
    let multipart = reqwest::multipart::Form::new()
        .text("api", "SYNO.API.Auth")
        .text("version", "7")
        .text("method", "login")
        .text("account", "bob")
        .text("passwd", "builder");
    let response = TestApp::client()
        .post(app.url("/webapi/entry.cgi"))
        .multipart(multipart)
        .send()
        .await
        .expect("request");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["success"], true, "{body}");
}

#[tokio::test]
async fn session_from_sid_cookie_or_both_and_token_rules() {
    let app = TestApp::spawn().await;
    app.add_user("carol", "secret-1", false);
    let strict = app
        .try_login("carol", "secret-1", &[("enable_syno_token", "yes")])
        .await
        .expect("login");
    let cookie = format!("id={}", strict.sid);

    // _sid alone, cookie with token header (any case), cookie with SynoToken=, both.
    assert_eq!(
        me_with(&app, &[], &[("_sid", &strict.sid)]).await["success"],
        true
    );
    assert_eq!(
        me_with(
            &app,
            &[("Cookie", &cookie), ("X-SYNO-TOKEN", &strict.token)],
            &[]
        )
        .await["success"],
        true
    );
    assert_eq!(
        me_with(
            &app,
            &[("Cookie", &cookie), ("x-syno-token", &strict.token)],
            &[]
        )
        .await["success"],
        true
    );
    assert_eq!(
        me_with(
            &app,
            &[("Cookie", &cookie)],
            &[("SynoToken", &strict.token)]
        )
        .await["success"],
        true
    );
    assert_eq!(
        me_with(&app, &[("Cookie", &cookie)], &[("_sid", &strict.sid)]).await["success"],
        true
    );

    // A token-enabled session presented only by cookie needs the token; a wrong one never passes.
    assert_eq!(
        error_code(&me_with(&app, &[("Cookie", &cookie)], &[]).await),
        Some(119)
    );
    assert_eq!(
        error_code(&me_with(&app, &[("Cookie", &cookie), ("X-SYNO-TOKEN", "wrong")], &[]).await),
        Some(119)
    );
    assert_eq!(
        error_code(&me_with(&app, &[("X-SYNO-TOKEN", "wrong")], &[("_sid", &strict.sid)]).await),
        Some(119)
    );

    // A session opened without enable_syno_token works from the cookie alone (the official app).
    let relaxed = app
        .try_login(
            "carol",
            "secret-1",
            &[("session", "SynologyPhotos"), ("format", "cookie")],
        )
        .await
        .expect("login");
    let cookie = format!("did=x; id={}", relaxed.sid);
    assert_eq!(
        me_with(&app, &[("Cookie", &cookie)], &[]).await["success"],
        true
    );

    // Unknown or empty sids.
    assert_eq!(error_code(&app.get(&me("not-a-session")).await), Some(119));
    assert_eq!(error_code(&app.get(&me("")).await), Some(119));
    assert_eq!(
        error_code(&app.get(&me(&"x".repeat(5000))).await),
        Some(119)
    );
}

#[tokio::test]
async fn logout_ends_the_session_and_succeeds_without_one() {
    let app = TestApp::spawn().await;
    app.add_user("dave", "pw-dave", false);
    let login = app.login("dave", "pw-dave").await;
    let other = app.login("dave", "pw-dave").await;
    let body = app
        .get_at(
            "/webapi/auth.cgi",
            &[
                ("api", "SYNO.API.Auth"),
                ("version", "7"),
                ("method", "logout"),
                ("_sid", &login.sid),
            ],
        )
        .await;
    assert_eq!(body, serde_json::json!({"success": true}));
    assert_eq!(error_code(&app.get(&me(&login.sid)).await), Some(119));
    assert_eq!(
        app.get(&me(&other.sid)).await["success"],
        true,
        "other sessions stay"
    );
    // synology-api signs out with neither sid nor cookie.
    let body = app
        .get_at(
            "/webapi/auth.cgi",
            &[
                ("api", "SYNO.API.Auth"),
                ("version", "7"),
                ("method", "logout"),
                ("session", "webui"),
            ],
        )
        .await;
    assert_eq!(body["success"], true);
    // By cookie alone, even on a token-enabled session.
    let strict = app
        .try_login("dave", "pw-dave", &[("enable_syno_token", "yes")])
        .await
        .expect("login");
    let response = TestApp::client()
        .get(app.url("/webapi/auth.cgi?api=SYNO.API.Auth&version=7&method=logout"))
        .header("Cookie", format!("id={}", strict.sid))
        .send()
        .await
        .expect("request");
    assert!(
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().is_ok_and(|c| c.starts_with("id=;")))
    );
    assert_eq!(error_code(&app.get(&me(&strict.sid)).await), Some(119));
}

#[tokio::test]
async fn sessions_survive_a_restart() {
    let mut app = TestApp::spawn().await;
    app.add_user("erin", "pw-erin", false);
    let login = app.login("erin", "pw-erin").await;
    app.restart();
    let body = app.get(&me(&login.sid)).await;
    assert_eq!(body["data"]["name"], "erin", "{body}");
    // The database never holds the sid itself.
    let db = std::fs::read(app.data_dir().join("shoebox.db")).expect("db");
    let wal = std::fs::read(app.data_dir().join("shoebox.db-wal")).unwrap_or_default();
    let needle = login.sid.as_bytes();
    for bytes in [&db, &wal] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "sid stored in clear"
        );
    }
}

#[tokio::test]
async fn wrong_credentials_disabled_accounts_and_password_changes() {
    let app = TestApp::spawn().await;
    app.add_user("frank", "pw-frank", false);
    let wrong = app
        .try_login("frank", "nope", &[])
        .await
        .expect_err("wrong password");
    assert_eq!(error_code(&wrong), Some(400));
    let unknown = app
        .try_login("nobody", "pw-frank", &[])
        .await
        .expect_err("unknown user");
    assert_eq!(
        error_code(&unknown),
        Some(400),
        "an unknown name looks like a wrong password"
    );
    // Names are matched without regard to case, as on DSM.
    assert!(app.try_login("FRANK", "pw-frank", &[]).await.is_ok());

    let login = app.login("frank", "pw-frank").await;
    let out = app.cli(&["user", "disable", "frank"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        error_code(&app.get(&me(&login.sid)).await),
        Some(119),
        "disabling signs out"
    );
    let disabled = app
        .try_login("frank", "pw-frank", &[])
        .await
        .expect_err("disabled");
    assert_eq!(error_code(&disabled), Some(401));
    let still_wrong = app
        .try_login("frank", "bad", &[])
        .await
        .expect_err("disabled, wrong password");
    assert_eq!(
        error_code(&still_wrong),
        Some(400),
        "401 only for someone who knows the password"
    );

    assert!(app.cli(&["user", "enable", "frank"], "").status.success());
    let login = app.login("frank", "pw-frank").await;
    let out = app.cli(&["user", "passwd", "frank", "--password-stdin"], "new-pw\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        error_code(&app.get(&me(&login.sid)).await),
        Some(119),
        "a new password signs out"
    );
    assert!(app.try_login("frank", "pw-frank", &[]).await.is_err());
    assert!(app.try_login("frank", "new-pw", &[]).await.is_ok());
}

#[tokio::test]
async fn repeated_failures_block_the_address() {
    let config = "[login_guard]\nmax_failures = 4\nwindow_secs = 600\nblock_secs = 600\nslow_after = 2\nslow_step_ms = 10\n";
    let app = TestApp::spawn_with(config, true).await;
    app.add_user("gina", "pw-gina", false);
    for attempt in 1..4 {
        let body = app
            .try_login("gina", "guess", &[])
            .await
            .expect_err("wrong");
        assert_eq!(error_code(&body), Some(400), "attempt {attempt}");
    }
    // The fourth failure triggers the block; from then on even the right password is refused.
    assert_eq!(
        error_code(
            &app.try_login("gina", "guess", &[])
                .await
                .expect_err("wrong")
        ),
        Some(400)
    );
    assert_eq!(
        error_code(
            &app.try_login("gina", "pw-gina", &[])
                .await
                .expect_err("blocked")
        ),
        Some(407)
    );
    assert!(
        app.log().contains("blocking address"),
        "the block is logged"
    );
    assert!(
        !app.log().contains("pw-gina") && !app.log().contains("guess"),
        "passwords never logged"
    );
}
