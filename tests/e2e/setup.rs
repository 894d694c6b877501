//! `SYNO.Shoebox.Setup`: the portal's first run creates the administrator, once, and only while
//! the server has no account.

use serde_json::Value;

use crate::support::{TestApp, error_code};

async fn create_admin(app: &TestApp, account: &str, passwd: &str) -> Value {
    app.post_form(
        "/webapi/entry.cgi",
        &[
            ("api", "SYNO.Shoebox.Setup"),
            ("version", "1"),
            ("method", "create_admin"),
            ("account", account),
            ("passwd", passwd),
        ],
    )
    .await
    .json()
    .await
    .expect("JSON")
}

async fn needs_admin(app: &TestApp) -> Value {
    let body = app
        .get(&[
            ("api", "SYNO.Shoebox.Setup"),
            ("version", "1"),
            ("method", "get"),
        ])
        .await;
    assert_eq!(body["success"], true, "{body}");
    body["data"]["needs_admin"].clone()
}

#[tokio::test]
async fn the_first_admin_is_created_once_and_can_sign_in() {
    let app = TestApp::spawn().await;
    assert_eq!(needs_admin(&app).await, true);

    // Names and passwords follow `shoebox user add`.
    assert_eq!(
        error_code(&create_admin(&app, "../evil", "pw").await),
        Some(120)
    );
    assert_eq!(error_code(&create_admin(&app, "root", "").await), Some(120));
    assert_eq!(error_code(&create_admin(&app, "", "pw").await), Some(114));
    assert_eq!(
        needs_admin(&app).await,
        true,
        "refused calls create nothing"
    );

    let made = create_admin(&app, "root", "\"quoted secret").await;
    assert_eq!(made["success"], true, "{made}");
    assert_eq!(made["data"]["name"], "root");
    assert_eq!(needs_admin(&app).await, false);

    // Once any account exists the method is closed, whatever the name.
    assert_eq!(
        error_code(&create_admin(&app, "mallory", "pw").await),
        Some(105)
    );
    assert_eq!(
        error_code(&create_admin(&app, "root", "other").await),
        Some(105)
    );

    let login = app.login("root", "\"quoted secret").await;
    assert_eq!(login.data["account"], "root");
    let me = app
        .get(&[
            ("api", "SYNO.Foto.UserInfo"),
            ("version", "1"),
            ("method", "me"),
            ("_sid", &login.sid),
        ])
        .await;
    assert_eq!(me["data"]["is_admin"], true, "{me}");
}

#[tokio::test]
async fn closed_when_a_user_was_added_from_the_command_line() {
    let app = TestApp::spawn().await;
    app.add_user("alice", "wonderland", false);
    assert_eq!(needs_admin(&app).await, false);
    assert_eq!(
        error_code(&create_admin(&app, "admin", "pw").await),
        Some(105)
    );
}

#[tokio::test]
async fn racing_calls_create_exactly_one_admin() {
    let app = TestApp::spawn().await;
    let names: Vec<String> = (0..8).map(|i| format!("admin{i}")).collect();
    let answers =
        futures_util::future::join_all(names.iter().map(|n| create_admin(&app, n, "pw"))).await;
    let made = answers.iter().filter(|a| a["success"] == true).count();
    assert_eq!(made, 1, "{answers:?}");
    for a in answers.iter().filter(|a| a["success"] != true) {
        assert_eq!(error_code(a), Some(105), "{a}");
    }
    let out = app.cli(&["user", "list"], "");
    let listing = String::from_utf8_lossy(&out.stdout);
    assert_eq!(listing.matches("admin").count(), 1, "{listing}");
}

#[tokio::test]
async fn api_info_lists_the_setup_api() {
    let app = TestApp::spawn().await;
    let info = app
        .get(&[
            ("api", "SYNO.API.Info"),
            ("version", "1"),
            ("method", "query"),
            ("query", "SYNO.Shoebox.Setup"),
        ])
        .await;
    assert_eq!(
        info["data"]["SYNO.Shoebox.Setup"]["path"], "entry.cgi",
        "{info}"
    );
    assert_eq!(info["data"]["SYNO.Shoebox.Setup"]["maxVersion"], 1);
}
