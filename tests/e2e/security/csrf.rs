//! Holes 1, 8 and 12 of issue 19: a forged request riding the admin's cookie, the sign-in
//! auto-block bypassed by signing in between guesses, and the `Secure` flag behind a proxy.

use reqwest::Method;
use serde_json::Value;

use crate::support::{Login, TestApp, error_code};

/// The GET link of the issue: sets the admin's password, with a `_sid` that is no session.
const FORGED: &[(&str, &str)] = &[
    ("api", "SYNO.Core.User"),
    ("version", "1"),
    ("method", "set"),
    ("name", "admin"),
    ("password", "NEW-pw-1"),
    ("_sid", "x"),
];

/// One call to `entry.cgi`: `params` in the query (GET) or the form (POST), and `headers`.
async fn send(
    app: &TestApp,
    method: Method,
    params: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = TestApp::client().request(method.clone(), app.url("/webapi/entry.cgi"));
    request = if method == Method::GET {
        request.query(params)
    } else {
        request.form(params)
    };
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    request.send().await.expect("request")
}

async fn call(
    app: &TestApp,
    method: Method,
    params: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> Value {
    send(app, method, params, headers)
        .await
        .json()
        .await
        .expect("JSON")
}

/// `SYNO.Core.User set` of `name`'s password, without any sid (the caller adds one).
fn set_password<'a>(name: &'a str, password: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("api", "SYNO.Core.User"),
        ("version", "1"),
        ("method", "set"),
        ("name", name),
        ("password", password),
    ]
}

const ME: &[(&str, &str)] = &[
    ("api", "SYNO.Foto.UserInfo"),
    ("version", "1"),
    ("method", "me"),
];

/// The portal's sign-in (`enable_syno_token=yes`).
async fn portal_login(app: &TestApp, account: &str, password: &str) -> Login {
    app.try_login(account, password, &[("enable_syno_token", "yes")])
        .await
        .expect("portal sign-in")
}

/// The Synology Photos apps' sign-in: `format=cookie`, no token.
async fn app_login(app: &TestApp, account: &str, password: &str) -> Login {
    app.try_login(
        account,
        password,
        &[("session", "SynologyPhotos"), ("format", "cookie")],
    )
    .await
    .expect("app sign-in")
}

fn cookie(login: &Login) -> String {
    format!("did=device-0001; id={}", login.sid)
}

async fn password_is(app: &TestApp, account: &str, password: &str) -> bool {
    app.try_login(account, password, &[]).await.is_ok()
}

#[tokio::test]
async fn the_forged_get_link_does_not_change_the_admin_password() {
    let app = TestApp::spawn().await;
    app.add_user("admin", "old-pw-1", true);
    let admin = portal_login(&app, "admin", "old-pw-1").await;
    let jar = cookie(&admin);

    // The link, opened by the signed-in admin: a `_sid` that is no session is 119,
    // never a fall-back to the cookie.
    let answer = call(&app, Method::GET, FORGED, &[("Cookie", &jar)]).await;
    assert_eq!(error_code(&answer), Some(119), "{answer}");
    // The same as a POST (a form on a hostile page, were the cookie sent).
    let answer = call(&app, Method::POST, FORGED, &[("Cookie", &jar)]).await;
    assert_eq!(error_code(&answer), Some(119), "{answer}");
    // Even with the right token beside it: the bad `_sid` is what the request names.
    let answer = call(
        &app,
        Method::GET,
        FORGED,
        &[("Cookie", &jar), ("X-SYNO-TOKEN", &admin.token)],
    )
    .await;
    assert_eq!(error_code(&answer), Some(119), "{answer}");

    assert!(
        password_is(&app, "admin", "old-pw-1").await,
        "password unchanged"
    );
    assert!(!password_is(&app, "admin", "NEW-pw-1").await);
}

#[tokio::test]
async fn a_token_session_needs_its_token_on_every_cookie_call() {
    let app = TestApp::spawn().await;
    app.add_user("admin", "old-pw-1", true);
    let admin = portal_login(&app, "admin", "old-pw-1").await;
    let jar = cookie(&admin);
    let set = set_password("admin", "NEW-pw-1");

    // A cookie-only POST without the token (a cross-site form) is 119, for writes and reads.
    let answer = call(&app, Method::POST, &set, &[("Cookie", &jar)]).await;
    assert_eq!(error_code(&answer), Some(119), "{answer}");
    let answer = call(&app, Method::POST, ME, &[("Cookie", &jar)]).await;
    assert_eq!(error_code(&answer), Some(119), "{answer}");
    let answer = call(
        &app,
        Method::POST,
        &set,
        &[("Cookie", &jar), ("X-SYNO-TOKEN", "not-the-token")],
    )
    .await;
    assert_eq!(error_code(&answer), Some(119), "{answer}");
    assert!(
        password_is(&app, "admin", "old-pw-1").await,
        "password unchanged"
    );

    // With the token (the portal's header), the same POST works.
    let answer = call(
        &app,
        Method::POST,
        &set,
        &[("Cookie", &jar), ("X-SYNO-TOKEN", &admin.token)],
    )
    .await;
    assert_eq!(answer["success"], true, "{answer}");
    assert!(password_is(&app, "admin", "NEW-pw-1").await);
}

#[tokio::test]
async fn a_changing_get_by_cookie_alone_is_refused_even_for_app_sessions() {
    let app = TestApp::spawn().await;
    app.add_user("admin", "old-pw-1", true);
    app.add_user("bob", "bob-pw-1", false);
    for login in [
        app_login(&app, "admin", "old-pw-1").await,
        portal_login(&app, "admin", "old-pw-1").await,
    ] {
        let jar = cookie(&login);
        // A top-level GET carries a SameSite=Lax cookie: whatever changes state refuses it.
        for headers in [
            vec![("Cookie", jar.as_str())],
            vec![
                ("Cookie", jar.as_str()),
                ("X-SYNO-TOKEN", login.token.as_str()),
            ],
        ] {
            let answer = call(
                &app,
                Method::GET,
                &set_password("bob", "NEW-pw-1"),
                &headers,
            )
            .await;
            assert_eq!(error_code(&answer), Some(119), "{answer}");
        }
        let params = [
            ("api", "SYNO.Core.User"),
            ("version", "1"),
            ("method", "create"),
            ("name", "mallory"),
            ("password", "mallory-pw-1"),
        ];
        let answer = call(&app, Method::GET, &params, &[("Cookie", &jar)]).await;
        assert_eq!(error_code(&answer), Some(119), "{answer}");
    }
    assert!(
        password_is(&app, "bob", "bob-pw-1").await,
        "password unchanged"
    );
    assert!(
        !password_is(&app, "mallory", "mallory-pw-1").await,
        "no account made"
    );
}

#[tokio::test]
async fn the_apps_cookie_only_posts_still_work() {
    let app = TestApp::spawn().await;
    app.add_user("admin", "old-pw-1", true);
    app.add_user("bob", "bob-pw-1", false);
    let login = app_login(&app, "admin", "old-pw-1").await;
    let jar = cookie(&login);
    // Reads by GET or POST, and writes by POST, with only the `id` and `did` cookies.
    for method in [Method::GET, Method::POST] {
        let answer = call(&app, method, ME, &[("Cookie", &jar)]).await;
        assert_eq!(answer["success"], true, "{answer}");
    }
    let answer = call(
        &app,
        Method::POST,
        &set_password("bob", "bob-pw-2"),
        &[("Cookie", &jar)],
    )
    .await;
    assert_eq!(answer["success"], true, "{answer}");
    assert!(password_is(&app, "bob", "bob-pw-2").await);
}

#[tokio::test]
async fn a_sid_parameter_still_works_for_reads_and_writes_by_get() {
    let app = TestApp::spawn().await;
    app.add_user("admin", "old-pw-1", true);
    app.add_user("bob", "bob-pw-1", false);
    // synology-api's way: `_sid` in the query of a GET, whatever the session was opened with.
    for (i, login) in [
        app.login("admin", "old-pw-1").await,
        portal_login(&app, "admin", "old-pw-1").await,
    ]
    .iter()
    .enumerate()
    {
        let mut me = ME.to_vec();
        me.push(("_sid", &login.sid));
        let answer = call(&app, Method::GET, &me, &[]).await;
        assert_eq!(answer["success"], true, "{answer}");
        let new = format!("bob-pw-{}", i + 2);
        let mut set = set_password("bob", &new);
        set.push(("_sid", &login.sid));
        let answer = call(&app, Method::GET, &set, &[]).await;
        assert_eq!(answer["success"], true, "{answer}");
        assert!(password_is(&app, "bob", &new).await);
    }
}

#[tokio::test]
async fn media_urls_need_only_the_cookie_and_other_reads_the_token() {
    let app = TestApp::spawn().await;
    app.add_user("anna", "anna-pw-1", false);
    let login = portal_login(&app, "anna", "anna-pw-1").await;
    let jar = cookie(&login);
    // An <img>, a <video> or a download link carries the cookie and no header: the session
    // is accepted (the item is unknown, so the answer is "not found", never 119).
    for params in [
        vec![
            ("api", "SYNO.Foto.Thumbnail"),
            ("version", "2"),
            ("method", "get"),
            ("id", "999"),
            ("type", "unit"),
            ("size", "sm"),
        ],
        vec![
            ("api", "SYNO.Foto.Download"),
            ("version", "2"),
            ("method", "download"),
            ("unit_id", "[999]"),
        ],
        vec![
            ("api", "SYNO.Foto.Streaming"),
            ("version", "1"),
            ("method", "streaming"),
            ("id", "999"),
        ],
    ] {
        let answer = call(&app, Method::GET, &params, &[("Cookie", &jar)]).await;
        assert_ne!(error_code(&answer), Some(119), "{params:?}: {answer}");
        assert_ne!(error_code(&answer), None, "{params:?}: {answer}");
    }
    let response = TestApp::client()
        .get(app.url("/synofoto/api/v2/p/Thumbnail/get?id=999&type=unit&size=sm"))
        .header("Cookie", &jar)
        .send()
        .await
        .expect("request");
    let answer: Value = response.json().await.expect("JSON");
    assert_ne!(error_code(&answer), Some(119), "{answer}");
    // Any other read still wants the token from a browser's session.
    let list = [
        ("api", "SYNO.Foto.Browse.Item"),
        ("version", "1"),
        ("method", "list"),
        ("offset", "0"),
        ("limit", "10"),
    ];
    let answer = call(&app, Method::GET, &list, &[("Cookie", &jar)]).await;
    assert_eq!(error_code(&answer), Some(119), "{answer}");
    let answer = call(
        &app,
        Method::GET,
        &list,
        &[("Cookie", &jar), ("X-SYNO-TOKEN", &login.token)],
    )
    .await;
    assert_eq!(answer["success"], true, "{answer}");
}

/// Three failures within the window block for ten minutes; no slowing down to wait through.
const GUARD: &str = "[login_guard]\nmax_failures = 3\nwindow_secs = 600\nblock_secs = 600\nslow_after = 10\nslow_step_ms = 0\n";

async fn sign_in(app: &TestApp, account: &str, password: &str, headers: &[(&str, &str)]) -> Value {
    let params = [
        ("api", "SYNO.API.Auth"),
        ("version", "7"),
        ("method", "login"),
        ("account", account),
        ("passwd", password),
    ];
    call(app, Method::POST, &params, headers).await
}

#[tokio::test]
async fn signing_in_between_guesses_does_not_lift_the_block() {
    let app = TestApp::spawn_with(GUARD, true).await;
    app.add_user("admin", "admin-pw-1", true);
    app.add_user("eve", "eve-pw-1", false);
    // The attacker's own account signs in between two guesses at the admin's password.
    for i in 0..3 {
        let guess = sign_in(&app, "admin", "guess", &[]).await;
        assert_eq!(error_code(&guess), Some(400), "{guess}");
        if i < 2 {
            let own = sign_in(&app, "eve", "eve-pw-1", &[]).await;
            assert_eq!(own["success"], true, "{own}");
        }
    }
    // Blocked: the address, and the admin account.
    let answer = sign_in(&app, "admin", "admin-pw-1", &[]).await;
    assert_eq!(error_code(&answer), Some(407), "{answer}");
    let answer = sign_in(&app, "eve", "eve-pw-1", &[]).await;
    assert_eq!(error_code(&answer), Some(407), "{answer}");
}

#[tokio::test]
async fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
    // Not trusted: a header that changes with every guess changes nothing.
    let app = TestApp::spawn_with(GUARD, true).await;
    app.add_user("admin", "admin-pw-1", true);
    app.add_user("eve", "eve-pw-1", false);
    for i in 0..3 {
        let from = format!("10.0.0.{i}");
        let guess = sign_in(&app, "eve", "guess", &[("X-Forwarded-For", &from)]).await;
        assert_eq!(error_code(&guess), Some(400), "{guess}");
    }
    let answer = sign_in(
        &app,
        "admin",
        "admin-pw-1",
        &[("X-Forwarded-For", "10.0.0.9")],
    )
    .await;
    assert_eq!(error_code(&answer), Some(407), "{answer}");
    drop(app);

    // Trusted (the proxy at 127.0.0.1): the right-most address it did not add is the client's.
    let config = format!("trusted_proxies = [\"127.0.0.1\", \"192.168.0.0/16\"]\n{GUARD}");
    let app = TestApp::spawn_with(&config, true).await;
    app.add_user("admin", "admin-pw-1", true);
    app.add_user("eve", "eve-pw-1", false);
    let attacker = [("X-Forwarded-For", "1.2.3.4, 10.0.0.1, 192.168.1.1")];
    for account in ["eve", "admin", "nobody"] {
        let guess = sign_in(&app, account, "guess", &attacker).await;
        assert_eq!(error_code(&guess), Some(400), "{guess}");
    }
    let answer = sign_in(&app, "eve", "eve-pw-1", &attacker).await;
    assert_eq!(error_code(&answer), Some(407), "{answer}");
    // Another client behind the same proxy is not blocked.
    let answer = sign_in(
        &app,
        "admin",
        "admin-pw-1",
        &[("X-Forwarded-For", "10.0.0.2")],
    )
    .await;
    assert_eq!(answer["success"], true, "{answer}");
    assert!(app.log().contains("10.0.0.1"), "the log names the client");
}

#[tokio::test]
async fn guessing_one_account_from_many_addresses_blocks_that_account() {
    let config = format!("trusted_proxies = [\"127.0.0.1\"]\n{GUARD}");
    let app = TestApp::spawn_with(&config, true).await;
    app.add_user("admin", "admin-pw-1", true);
    app.add_user("eve", "eve-pw-1", false);
    for i in 0..3 {
        let from = format!("10.0.1.{i}");
        let guess = sign_in(&app, "admin", "guess", &[("X-Forwarded-For", &from)]).await;
        assert_eq!(error_code(&guess), Some(400), "{guess}");
    }
    let fresh = [("X-Forwarded-For", "10.0.2.1")];
    let answer = sign_in(&app, "admin", "admin-pw-1", &fresh).await;
    assert_eq!(error_code(&answer), Some(407), "{answer}");
    // Only that account: another signs in from a fresh address.
    let answer = sign_in(&app, "eve", "eve-pw-1", &fresh).await;
    assert_eq!(answer["success"], true, "{answer}");
}

/// An album of `login`'s shared as a public link with `password`: its passphrase.
async fn shared_album(app: &TestApp, login: &Login, name: &str, password: &str) -> String {
    let quoted = format!("\"{name}\"");
    let made = call(
        app,
        Method::POST,
        &[
            ("api", "SYNO.Foto.Browse.NormalAlbum"),
            ("version", "1"),
            ("method", "create"),
            ("name", &quoted),
            ("_sid", &login.sid),
        ],
        &[],
    )
    .await;
    let album = made["data"]["album"]["id"].as_i64().expect("album id");
    let shared = call(
        app,
        Method::POST,
        &[
            ("api", "SYNO.Foto.Sharing.Passphrase"),
            ("version", "1"),
            ("method", "set_shared"),
            ("album_id", &album.to_string()),
            ("_sid", &login.sid),
        ],
        &[],
    )
    .await;
    let passphrase = shared["data"]["passphrase"]
        .as_str()
        .unwrap_or_else(|| panic!("passphrase: {shared}"))
        .to_owned();
    let public =
        serde_json::json!([{"action": "update", "role": "view", "member": {"type": "public"}}]);
    let updated = call(
        app,
        Method::POST,
        &[
            ("api", "SYNO.Foto.Sharing.Passphrase"),
            ("version", "1"),
            ("method", "update"),
            ("passphrase", &format!("\"{passphrase}\"")),
            ("permission", &public.to_string()),
            ("password", &format!("\"{password}\"")),
            ("_sid", &login.sid),
        ],
        &[],
    )
    .await;
    assert_eq!(updated["success"], true, "{updated}");
    passphrase
}

async fn open_link(app: &TestApp, passphrase: &str, password: &str, from: &str) -> Value {
    let params = [
        ("api", "SYNO.Core.Sharing.Login"),
        ("version", "1"),
        ("method", "login"),
        ("sharing_id", passphrase),
        ("password", password),
    ];
    call(app, Method::POST, &params, &[("X-Forwarded-For", from)]).await
}

#[tokio::test]
async fn wrong_link_passwords_are_throttled_per_address_and_per_link() {
    let config = format!("trusted_proxies = [\"127.0.0.1\"]\n{GUARD}");
    let app = TestApp::spawn_with(&config, true).await;
    app.add_user("ben", "ben-pw-1", false);
    let ben = app.login("ben", "ben-pw-1").await;
    let target = shared_album(&app, &ben, "Target", "secret-one").await;
    let own = shared_album(&app, &ben, "Own", "secret-two").await;
    let other = shared_album(&app, &ben, "Other", "secret-three").await;

    // One address guessing, opening a link it knows between guesses: blocked all the same.
    for i in 0..3 {
        let guess = open_link(&app, &target, "guess", "10.0.3.1").await;
        assert_eq!(error_code(&guess), Some(400), "{guess}");
        if i < 2 {
            let known = open_link(&app, &own, "secret-two", "10.0.3.1").await;
            assert_eq!(known["success"], true, "{known}");
        }
    }
    let answer = open_link(&app, &own, "secret-two", "10.0.3.1").await;
    assert_eq!(error_code(&answer), Some(407), "{answer}");

    // Many addresses guessing one link: that link is blocked, for everyone, and only it.
    for i in 0..3 {
        let guess = open_link(&app, &own, "guess", &format!("10.0.4.{i}")).await;
        assert_eq!(error_code(&guess), Some(400), "{guess}");
    }
    let answer = open_link(&app, &own, "secret-two", "10.0.5.1").await;
    assert_eq!(error_code(&answer), Some(407), "{answer}");
    let answer = open_link(&app, &other, "secret-three", "10.0.5.1").await;
    assert_eq!(answer["success"], true, "{answer}");
}

fn session_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn cookies_are_secure_when_a_trusted_proxy_says_https() {
    let https = [("X-Forwarded-Proto", "https")];
    let params = [
        ("api", "SYNO.API.Auth"),
        ("version", "7"),
        ("method", "login"),
        ("account", "anna"),
        ("passwd", "anna-pw-1"),
    ];
    let ui_config = [
        ("api", "SYNO.API.Auth.UIConfig"),
        ("version", "1"),
        ("method", "get"),
    ];
    for (config, secure) in [("trusted_proxies = [\"127.0.0.1\"]\n", true), ("", false)] {
        let app = TestApp::spawn_with(config, true).await;
        app.add_user("anna", "anna-pw-1", false);
        let signed_in = send(&app, Method::POST, &params, &https).await;
        let mut cookies = session_cookies(&signed_in);
        cookies.extend(session_cookies(
            &send(&app, Method::GET, &ui_config, &https).await,
        ));
        for name in ["id=", "did=", "_SSID="] {
            let cookie = cookies
                .iter()
                .find(|c| c.starts_with(name))
                .unwrap_or_else(|| panic!("{name} in {cookies:?}"));
            assert_eq!(
                cookie.split(';').any(|a| a.trim() == "Secure"),
                secure,
                "{config:?}: {cookie}"
            );
        }
        // Plain HTTP through the proxy: never Secure.
        let plain = send(
            &app,
            Method::POST,
            &params,
            &[("X-Forwarded-Proto", "http")],
        )
        .await;
        assert!(
            session_cookies(&plain)
                .iter()
                .all(|c| !c.contains("Secure")),
            "{:?}",
            session_cookies(&plain)
        );
    }
}
