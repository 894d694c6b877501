//! `SYNO.API.Info` and the helper APIs every client calls before and right after sign-in.

use base64::Engine;
use serde_json::Value;

use crate::support::{TestApp, error_code, repo_root};

#[tokio::test]
async fn api_info_lists_what_is_served_with_and_without_query() {
    let app = TestApp::spawn().await;
    let all = app
        .get_at(
            "/webapi/query.cgi",
            &[
                ("api", "SYNO.API.Info"),
                ("version", "1"),
                ("method", "query"),
                ("query", "all"),
            ],
        )
        .await;
    let none = app
        .get_at(
            "/webapi/query.cgi",
            &[
                ("api", "SYNO.API.Info"),
                ("version", "1"),
                ("method", "query"),
            ],
        )
        .await;
    assert_eq!(all["success"], true);
    assert_eq!(all, none, "no `query` means all");
    let apis = all["data"].as_object().expect("map");
    for name in [
        "SYNO.API.Info",
        "SYNO.API.Auth",
        "SYNO.API.Auth.UIConfig",
        "SYNO.API.Encryption",
        "SYNO.DSM.Info",
        "SYNO.Foto.UserInfo",
    ] {
        assert!(apis.contains_key(name), "{name} missing from {apis:?}");
    }
    assert_eq!(apis["SYNO.API.Auth"]["maxVersion"], 7);
    assert_eq!(apis["SYNO.API.Auth"]["path"], "auth.cgi");
    assert_eq!(apis["SYNO.Foto.UserInfo"]["requestFormat"], "JSON");
    assert!(apis["SYNO.API.Auth"].get("requestFormat").is_none());

    let some = app
        .get(&[
            ("api", "SYNO.API.Info"),
            ("version", "1"),
            ("method", "query"),
            ("query", "SYNO.API.Auth,SYNO.Nope"),
        ])
        .await;
    let keys: Vec<&String> = some["data"].as_object().expect("map").keys().collect();
    assert_eq!(keys, ["SYNO.API.Auth"]);
}

#[tokio::test]
async fn every_listed_api_is_served_and_nothing_else() {
    let app = TestApp::spawn().await;
    let info = app
        .get(&[
            ("api", "SYNO.API.Info"),
            ("version", "1"),
            ("method", "query"),
        ])
        .await;
    for (name, entry) in info["data"].as_object().expect("map") {
        let version = entry["maxVersion"].to_string();
        let path = format!("/webapi/{}", entry["path"].as_str().expect("path"));
        // A listed API exists: an unknown method of it is 103, never 102.
        let body = app
            .get_at(
                &path,
                &[
                    ("api", name),
                    ("version", &version),
                    ("method", "no_such_method"),
                ],
            )
            .await;
        assert_eq!(error_code(&body), Some(103), "{name}: {body}");
        // Every version in the advertised range is accepted, one past it is not.
        let past = (entry["maxVersion"].as_i64().expect("int") + 1).to_string();
        let body = app
            .get_at(
                &path,
                &[
                    ("api", name),
                    ("version", &past),
                    ("method", "no_such_method"),
                ],
            )
            .await;
        assert_eq!(
            error_code(&body),
            Some(103),
            "method is checked before version: {body}"
        );
    }
    let body = app
        .get(&[
            ("api", "SYNO.Foto.Nonexistent"),
            ("version", "1"),
            ("method", "list"),
        ])
        .await;
    assert_eq!(error_code(&body), Some(102));
}

#[tokio::test]
async fn ui_config_sets_a_32_byte_ssid_cookie() {
    let app = TestApp::spawn().await;
    let response = app
        .post_form(
            "/webapi/entry.cgi/SYNO.API.Auth.UIConfig",
            &[
                ("api", "SYNO.API.Auth.UIConfig"),
                ("method", "get"),
                ("version", "1"),
            ],
        )
        .await;
    let cookie = response
        .headers()
        .get("set-cookie")
        .expect("cookie")
        .to_str()
        .expect("text")
        .to_owned();
    let value = cookie
        .strip_prefix("_SSID=")
        .expect("_SSID")
        .split(';')
        .next()
        .expect("value");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value)
        .expect("base64url");
    assert_eq!(bytes.len(), 32);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["success"], true);
}

#[tokio::test]
async fn encryption_getinfo_hands_out_a_4096_bit_key() {
    let app = TestApp::spawn().await;
    let body = app
        .get_at(
            "/webapi/encryption.cgi",
            &[
                ("api", "SYNO.API.Encryption"),
                ("version", "1"),
                ("method", "getinfo"),
                ("format", "module"),
                ("_sid", ""),
            ],
        )
        .await;
    let data = &body["data"];
    let modulus = data["public_key"].as_str().expect("hex");
    assert_eq!(modulus.len(), 1024, "4096 bits of hex");
    assert!(modulus.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(data["cipherkey"], "__cIpHeRtExT");
    assert_eq!(data["ciphertoken"], "__cIpHeRtOkEn");
    assert!(data["server_time"].as_i64().expect("time") > 1_700_000_000);
}

#[tokio::test]
async fn a_missing_key_is_generated_once_and_kept() {
    let mut app = TestApp::spawn_with("", false).await;
    let first = app
        .get_at(
            "/webapi/encryption.cgi",
            &[
                ("api", "SYNO.API.Encryption"),
                ("version", "1"),
                ("method", "getinfo"),
            ],
        )
        .await;
    let key_file = app.data_dir().join("keys/login-rsa.pem");
    assert!(key_file.is_file(), "key saved");
    app.restart();
    let second = app
        .get_at(
            "/webapi/encryption.cgi",
            &[
                ("api", "SYNO.API.Encryption"),
                ("version", "1"),
                ("method", "getinfo"),
            ],
        )
        .await;
    assert_eq!(
        first["data"]["public_key"].as_str().map(str::len),
        Some(1024)
    );
    assert_eq!(first["data"]["public_key"], second["data"]["public_key"]);
}

#[tokio::test]
async fn dsm_info_and_user_info_need_a_session() {
    let app = TestApp::spawn().await;
    app.add_user("alice", "wonderland", true);
    let body = app
        .get(&[
            ("api", "SYNO.DSM.Info"),
            ("version", "2"),
            ("method", "getinfo"),
        ])
        .await;
    assert_eq!(error_code(&body), Some(119));
    let login = app.login("alice", "wonderland").await;
    let dsm = app
        .get(&[
            ("api", "SYNO.DSM.Info"),
            ("version", "2"),
            ("method", "getinfo"),
            ("_sid", &login.sid),
        ])
        .await;
    assert_eq!(dsm["success"], true);
    assert!(
        dsm["data"]["version_string"]
            .as_str()
            .expect("string")
            .starts_with("DSM 7")
    );
    let me = app
        .get(&[
            ("api", "SYNO.Foto.UserInfo"),
            ("version", "1"),
            ("method", "me"),
            ("_sid", &login.sid),
        ])
        .await;
    assert_eq!(me["data"]["name"], "alice");
    assert_eq!(me["data"]["is_admin"], true);
    assert!(
        me["data"]["id"].as_i64().expect("id") >= 1,
        "0 is the Shared Space"
    );
}

#[tokio::test]
async fn the_portal_is_served_from_the_binary() {
    let app = TestApp::spawn().await;
    for path in ["/", "/photo/", "/photo"] {
        let response = TestApp::client()
            .get(app.url(path))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200, "{path}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .expect("type")
                .starts_with("text/html")
        );
        let html = response.text().await.expect("text");
        assert!(
            html.contains("id=\"app\"") && html.contains("js/main.js"),
            "{path}"
        );
    }
    let js = TestApp::client()
        .get(app.url("/photo/js/lib/api.js"))
        .send()
        .await
        .expect("request");
    assert!(
        js.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/javascript")
    );
    assert!(
        js.text().await.expect("text").contains("/webapi/entry.cgi"),
        "the portal uses the web API"
    );
    let missing = TestApp::client()
        .get(app.url("/no/such/file.png"))
        .send()
        .await
        .expect("request");
    assert_eq!(missing.status(), 404);

    // The first screen's modules (main.js and what it imports, statically) are all preloaded by
    // the page, in one round of requests instead of one per level of imports; the modules it
    // loads later (`import("./lib/viewer.js")`) are not, so they do not hold up the first screen.
    let index = std::fs::read_to_string(repo_root().join("web/index.html")).expect("index.html");
    let mut graph = std::collections::BTreeSet::new();
    let mut todo = vec!["main.js".to_owned()];
    while let Some(module) = todo.pop() {
        if !graph.insert(module.clone()) {
            continue;
        }
        let text = std::fs::read_to_string(repo_root().join("web/js").join(&module))
            .unwrap_or_else(|e| panic!("web/js/{module}: {e}"));
        // An import is relative to its module's folder: main.js's "./lib/api.js" is lib/api.js,
        // lib/grid.js's "./dom.js" is lib/dom.js.
        let dir = module
            .rsplit_once('/')
            .map_or(String::new(), |(dir, _)| format!("{dir}/"));
        for part in text.split("from \"./").skip(1) {
            let name = part.split('"').next().expect("module name");
            todo.push(format!("{dir}{name}"));
        }
    }
    let preloaded: std::collections::BTreeSet<String> = index
        .split("<link rel=\"modulepreload\" href=\"js/")
        .skip(1)
        .map(|rest| rest.split('"').next().expect("href").to_owned())
        .collect();
    assert_eq!(preloaded, graph, "web/index.html's modulepreload list");

    // Every page says what it may load: scripts from the server only, so no inline script may
    // be in any page (a guest's share or request page included).
    for path in ["/", "/photo/", "/mo/sharing/abc", "/photo/mo/request/abc"] {
        let response = TestApp::client()
            .get(app.url(path))
            .send()
            .await
            .expect("request");
        let h = response.headers().clone();
        let csp = h["content-security-policy"].to_str().expect("csp");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "SAMEORIGIN");
        let html = response.text().await.expect("text");
        let mut rest = html.as_str();
        while let Some(at) = rest.find("<script") {
            let tag_end = rest[at..].find('>').expect("tag end") + at;
            assert!(
                rest[at..tag_end].contains("src="),
                "{path} has an inline script: {}",
                &rest[at..tag_end + 1]
            );
            rest = &rest[tag_end..];
        }
        assert!(
            !html.contains(" onclick=") && !html.contains("javascript:"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn web_dir_serves_the_portal_from_a_folder_and_nothing_outside_it() {
    let web = tempfile::tempdir().expect("web folder");
    std::fs::write(web.path().join("index.html"), "<p>from the folder</p>").expect("index");
    std::fs::write(web.path().join(".secret.js"), "hidden").expect("hidden");
    let config = format!("web_dir = {:?}\n", web.path().display().to_string());
    let app = TestApp::spawn_with(&config, true).await;
    let get = |path: &str| TestApp::client().get(app.url(path)).send();
    let index = get("/photo/").await.expect("request");
    assert_eq!(index.status(), 200);
    assert_eq!(index.text().await.expect("text"), "<p>from the folder</p>");
    for path in [
        "/.secret.js",
        "/photo/.secret.js",
        "/js/main.js",
        "/%2e%2e/shoebox.toml",
    ] {
        assert_eq!(get(path).await.expect("request").status(), 404, "{path}");
    }
}
