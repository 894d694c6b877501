//! Album share links (`SYNO.Foto.Sharing.Passphrase`, `SYNO.Core.Sharing.Login`): who reaches
//! what through a link. A matrix of callers (the owner, invitees of each kind, a user not
//! invited, an admin, guests with a good link, a wrong password, an expired link, no link) by
//! operations; every cell is checked both ways, so the test fails if anyone gets more, or
//! less, than they should.

use serde_json::Value;

use crate::support::api::Library;
use crate::support::api::people;
use crate::support::corpus::corpus_file;
use crate::support::upload::upload;
use crate::support::{Login, TestApp};

const PASSPHRASE: &str = "SYNO.Foto.Sharing.Passphrase";

/// Who calls.
#[derive(Clone)]
enum Who {
    User(Login),
    /// A guest's `sharing_sid` cookie, or none.
    Guest(Option<String>),
}

/// One request as `who`: the body's JSON, or for binary answers `{"binary": status}`.
async fn request(lib: &Library, who: &Who, params: &[(&str, &str)]) -> Value {
    let mut all: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let mut req = TestApp::client().post(lib.app.url("/webapi/entry.cgi"));
    match who {
        Who::User(login) => all.push(("_sid".into(), login.sid.clone())),
        Who::Guest(Some(sid)) => req = req.header("Cookie", format!("sharing_sid={sid}")),
        Who::Guest(None) => {}
    }
    let response = req.form(&all).send().await.expect("request");
    let status = response.status().as_u16();
    let json = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if json {
        response.json().await.expect("json")
    } else {
        serde_json::json!({"binary": status, "success": status == 200})
    }
}

async fn guest_login(lib: &Library, passphrase: &str, password: Option<&str>) -> Value {
    let mut form = vec![
        ("api", "SYNO.Core.Sharing.Login"),
        ("method", "login"),
        ("version", "1"),
        ("sharing_id", passphrase),
    ];
    if let Some(p) = password {
        form.push(("password", p));
    }
    let response = TestApp::client()
        .post(lib.app.url("/webapi/entry.cgi"))
        .form(&form)
        .send()
        .await
        .expect("guest login");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("sharing_sid="))
        .map(str::to_owned);
    let mut body: Value = response.json().await.expect("json");
    if let Some(c) = cookie {
        body["cookie"] = Value::String(c);
    }
    body
}

fn guest_sid(login: &Value) -> Option<String> {
    login["cookie"]
        .as_str()
        .and_then(|c| c.split(';').next())
        .and_then(|c| c.strip_prefix("sharing_sid="))
        .map(str::to_owned)
}

/// The operations of the matrix, by name.
const OPS: [&str; 20] = [
    "list",
    "count",
    "thumbnail",
    "thumbnail outside the album",
    "download",
    "link info",
    "change the link",
    "list the owner's space",
    "item get",
    "rate the item",
    "add to the album",
    "album get",
    "zip download",
    "stream the video",
    "download outside the album",
    "rename the album",
    "set the cover",
    "upload into the album",
    "remove the owner's photo",
    "share again",
];

/// A row of the matrix: one `y` (allowed) or `.` (refused) per operation of [`OPS`], in order;
/// spaces group them for reading.
fn cells(row: &str) -> Vec<bool> {
    let cells: Vec<bool> = row
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            'y' => true,
            '.' => false,
            other => panic!("matrix cell {other:?}"),
        })
        .collect();
    assert_eq!(cells.len(), OPS.len(), "row {row:?}");
    cells
}

/// The album under test: its link, its two items (a photo and a video), the owner's photo
/// outside it, and the owner (who puts things back after an operation that changed them).
struct Shared {
    p: String,
    album: i64,
    inside: i64,
    video: i64,
    outside: i64,
    owner: Who,
}

/// The album's item ids as the owner lists them (by the album's id, links or not), sorted.
async fn album_ids(lib: &Library, s: &Shared) -> Vec<i64> {
    let body = request(
        lib,
        &s.owner,
        &[
            ("api", "SYNO.Foto.Browse.Item"),
            ("method", "list"),
            ("version", "1"),
            ("album_id", &s.album.to_string()),
            ("offset", "0"),
            ("limit", "100"),
        ],
    )
    .await;
    let mut ids: Vec<i64> = body["data"]["list"]
        .as_array()
        .expect("the owner lists the album")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect();
    ids.sort_unstable();
    ids
}

/// A multipart upload into the album as `who` (the file's name made unique).
async fn upload_into(lib: &Library, who: &Who, s: &Shared) -> Value {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let mut form = reqwest::multipart::Form::new()
        .text("api", "SYNO.Foto.Upload.Item")
        .text("method", "upload")
        .text("version", "1")
        .text("name", format!("\"added-{n}.jpg\""))
        .text("duplicate", "\"rename\"")
        .text("album_id", s.album.to_string())
        .text("passphrase", format!("\"{}\"", s.p));
    let mut req = TestApp::client().post(lib.app.url("/webapi/entry.cgi"));
    match who {
        Who::User(login) => form = form.text("_sid", login.sid.clone()),
        Who::Guest(Some(sid)) => req = req.header("Cookie", format!("sharing_sid={sid}")),
        Who::Guest(None) => {}
    }
    let part = reqwest::multipart::Part::bytes(corpus_file("metadata/camera_phone.jpg"))
        .file_name("file")
        .mime_str("application/octet-stream")
        .expect("mime");
    req.multipart(form.part("file", part))
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json")
}

/// Whether `who` may do `op` on the album shared as `s.p`. Operations that change something
/// are undone when they succeed, so every cell sees the same album.
async fn allowed(lib: &Library, who: &Who, op: &str, s: &Shared) -> bool {
    let p = s.p.as_str();
    let quoted = format!("\"{p}\"");
    let (inside, outside, video) = (s.inside, s.outside, s.video);
    let inside_s = inside.to_string();
    let outside_s = outside.to_string();
    let body = match op {
        "list" => {
            let body = request(
                lib,
                who,
                &[
                    ("api", "SYNO.Foto.Browse.Item"),
                    ("method", "list"),
                    ("version", "1"),
                    ("passphrase", &quoted),
                    ("offset", "0"),
                    ("limit", "100"),
                ],
            )
            .await;
            if body["success"] == true {
                let mut ids: Vec<i64> = body["data"]["list"]
                    .as_array()
                    .expect("list")
                    .iter()
                    .map(|i| i["id"].as_i64().expect("id"))
                    .collect();
                ids.sort_unstable();
                let mut want = vec![inside, video];
                want.sort_unstable();
                assert_eq!(ids, want, "exactly the album's items");
            }
            body
        }
        "count" => {
            let body = request(
                lib,
                who,
                &[
                    ("api", "SYNO.Foto.Browse.Item"),
                    ("method", "count"),
                    ("version", "1"),
                    ("passphrase", &quoted),
                ],
            )
            .await;
            if body["success"] == true {
                assert_eq!(body["data"]["count"], 2, "{body}");
            }
            body
        }
        "thumbnail" | "thumbnail outside the album" => {
            let id = if op == "thumbnail" {
                &inside_s
            } else {
                &outside_s
            };
            request(
                lib,
                who,
                &[
                    ("api", "SYNO.Foto.Thumbnail"),
                    ("method", "get"),
                    ("version", "2"),
                    ("id", id),
                    ("size", "sm"),
                    ("_sharing_id", p),
                ],
            )
            .await
        }
        "download" | "download outside the album" | "zip download" => {
            let ids = match op {
                "download" => format!("[{inside}]"),
                "zip download" => format!("[{inside},{video}]"),
                _ => format!("[{outside}]"),
            };
            request(
                lib,
                who,
                &[
                    ("api", "SYNO.Foto.Download"),
                    ("method", "download"),
                    ("version", "2"),
                    ("unit_id", &ids),
                    ("passphrase", &quoted),
                ],
            )
            .await
        }
        "stream the video" => {
            request(
                lib,
                who,
                &[
                    ("api", "SYNO.Foto.Streaming"),
                    ("method", "streaming"),
                    ("version", "1"),
                    ("id", &video.to_string()),
                    ("passphrase", &quoted),
                ],
            )
            .await
        }
        "link info" => {
            request(
                lib,
                who,
                &[
                    ("api", PASSPHRASE),
                    ("method", "get"),
                    ("version", "1"),
                    ("passphrase", &quoted),
                ],
            )
            .await
        }
        "change the link" => {
            request(
                lib,
                who,
                &[
                    ("api", PASSPHRASE),
                    ("method", "update"),
                    ("version", "1"),
                    ("passphrase", &quoted),
                    ("expiration", "0"),
                ],
            )
            .await
        }
        "share again" => {
            let body = request(
                lib,
                who,
                &[
                    ("api", PASSPHRASE),
                    ("method", "set_shared"),
                    ("version", "1"),
                    ("album_id", &s.album.to_string()),
                ],
            )
            .await;
            if body["success"] == true {
                assert_eq!(body["data"]["passphrase"], p, "the link there: {body}");
            }
            body
        }
        "list the owner's space" => {
            let body = request(
                lib,
                who,
                &[
                    ("api", "SYNO.Foto.Browse.Item"),
                    ("method", "list"),
                    ("version", "1"),
                    ("offset", "0"),
                    ("limit", "100"),
                ],
            )
            .await;
            // Everyone has a Personal Space of their own: only the owner's holds `outside`.
            let sees_outside = body["data"]["list"]
                .as_array()
                .is_some_and(|l| l.iter().any(|i| i["id"] == outside));
            serde_json::json!({"success": sees_outside})
        }
        "item get" => {
            let body = request(
                lib,
                who,
                &[
                    ("api", "SYNO.Foto.Browse.Item"),
                    ("method", "get"),
                    ("version", "1"),
                    ("id", &format!("[{inside},{outside}]")),
                    ("passphrase", &quoted),
                ],
            )
            .await;
            // Through the link only the album's item; the other id is nobody's business.
            let ids: Vec<i64> = body["data"]["list"]
                .as_array()
                .map(|l| l.iter().filter_map(|i| i["id"].as_i64()).collect())
                .unwrap_or_default();
            serde_json::json!({"success": ids == vec![inside]})
        }
        "rate the item" => {
            request(
                lib,
                who,
                &[
                    ("api", "SYNO.Foto.Browse.Item"),
                    ("method", "set"),
                    ("version", "1"),
                    ("id", &format!("[{inside}]")),
                    ("rating", "3"),
                    ("passphrase", &quoted),
                ],
            )
            .await
        }
        "add to the album" => {
            // The owner's photo: only the owner may put it in (others do not see it).
            let body = request(
                lib,
                who,
                &[
                    ("api", "SYNO.Foto.Browse.NormalAlbum"),
                    ("method", "add_item"),
                    ("version", "1"),
                    ("item", &format!("[{inside}]")),
                    ("passphrase", &quoted),
                ],
            )
            .await;
            let added = body["success"] == true
                && body["data"]["error_list"]
                    .as_array()
                    .is_some_and(Vec::is_empty);
            serde_json::json!({ "success": added })
        }
        "album get" => {
            let body = request(
                lib,
                who,
                &[
                    ("api", "SYNO.Foto.Browse.Album"),
                    ("method", "get"),
                    ("version", "2"),
                    ("passphrase", &quoted),
                ],
            )
            .await;
            if body["success"] == true {
                assert_eq!(body["data"]["list"][0]["id"], s.album, "{body}");
            }
            body
        }
        "rename the album" | "set the cover" => {
            let change: &[(&str, &str)] = if op == "rename the album" {
                &[("method", "set_name"), ("name", "\"Summer\"")]
            } else {
                &[("method", "set_cover"), ("id_item", &inside_s)]
            };
            let mut params = vec![
                ("api", "SYNO.Foto.Browse.Album"),
                ("version", "2"),
                ("passphrase", quoted.as_str()),
            ];
            params.extend_from_slice(change);
            request(lib, who, &params).await
        }
        "upload into the album" => {
            let body = upload_into(lib, who, s).await;
            if body["success"] == true {
                // It joined the album; the uploader takes it back out of their library.
                let id = body["data"]["id"].as_i64().expect("id");
                assert!(album_ids(lib, s).await.contains(&id), "{body}");
                let gone = request(
                    lib,
                    who,
                    &[
                        ("api", "SYNO.Foto.Browse.Item"),
                        ("method", "delete"),
                        ("version", "1"),
                        ("id", &format!("[{id}]")),
                    ],
                )
                .await;
                assert_eq!(gone["success"], true, "{gone}");
                assert!(!album_ids(lib, s).await.contains(&id));
            }
            body
        }
        "remove the owner's photo" => {
            let body = request(
                lib,
                who,
                &[
                    ("api", "SYNO.Foto.Browse.NormalAlbum"),
                    ("method", "delete_item"),
                    ("version", "1"),
                    ("item", &format!("[{inside}]")),
                    ("passphrase", &quoted),
                ],
            )
            .await;
            // Allowed when the photo left the album (a Provider's call succeeds, but takes out
            // only their own additions); the owner puts it back.
            let removed = !album_ids(lib, s).await.contains(&inside);
            if removed {
                let back = request(
                    lib,
                    &s.owner,
                    &[
                        ("api", "SYNO.Foto.Browse.NormalAlbum"),
                        ("method", "add_item"),
                        ("version", "1"),
                        ("item", &format!("[{inside}]")),
                        ("passphrase", &quoted),
                    ],
                )
                .await;
                assert_eq!(back["success"], true, "{back}");
            }
            serde_json::json!({ "success": body["success"] == true && removed })
        }
        other => unreachable!("{other}"),
    };
    body["success"] == true
}

/// The `additional` of the album's item as `who` lists it through the link.
async fn guest_list(lib: &Library, who: Who, p: &str) -> Value {
    request(
        lib,
        &who,
        &[
            ("api", "SYNO.Foto.Browse.Item"),
            ("method", "list"),
            ("version", "1"),
            ("passphrase", &format!("\"{p}\"")),
            ("offset", "0"),
            ("limit", "10"),
            ("additional", "[\"exif\",\"description\",\"thumbnail\"]"),
        ],
    )
    .await["data"]["list"][0]["additional"]
        .clone()
}

#[tokio::test]
async fn a_share_link_gives_each_caller_exactly_their_due() {
    let lib = people().await;
    for name in ["dave", "eve", "fay", "gus"] {
        lib.app.add_user(name, &format!("{name}-pass-1"), false);
    }
    let dave = lib.app.login("dave", "dave-pass-1").await;
    let eve = lib.app.login("eve", "eve-pass-1").await;
    let fay = lib.app.login("fay", "fay-pass-1").await;
    let gus = lib.app.login("gus", "gus-pass-1").await;
    let group = lib.app.cli(&["group", "add", "family"], "");
    assert!(group.status.success(), "{group:?}");
    let join = lib.app.cli(&["group", "adduser", "family", "dave"], "");
    assert!(join.status.success(), "{join:?}");
    let list = lib.app.cli(&["group", "list"], "");
    assert!(String::from_utf8_lossy(&list.stdout).contains("dave"));
    assert!(
        !lib.app
            .cli(&["group", "adduser", "family", "nobody"], "")
            .status
            .success()
    );

    // Ben's two photos; one goes into the album he shares.
    let photo = corpus_file("metadata/camera_phone.jpg");
    let inside = upload(
        &lib,
        &lib.ben,
        "SYNO.Foto.Upload.Item",
        "upload",
        &[("name", "\"in.jpg\"")],
        &photo,
    )
    .await["data"]["id"]
        .as_i64()
        .expect("id");
    let outside = upload(
        &lib,
        &lib.ben,
        "SYNO.Foto.Upload.Item",
        "upload",
        &[("name", "\"out.jpg\"")],
        &corpus_file("metadata/camera_dslr.jpg"),
    )
    .await["data"]["id"]
        .as_i64()
        .expect("id");
    let video = upload(
        &lib,
        &lib.ben,
        "SYNO.Foto.Upload.Item",
        "upload",
        &[("name", "\"clip.mp4\"")],
        &corpus_file("video/h264.mp4"),
    )
    .await["data"]["id"]
        .as_i64()
        .expect("id");
    let album = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.NormalAlbum",
            "create",
            &[
                ("name", "\"Summer\""),
                ("item", &format!("[{inside},{video}]")),
            ],
        )
        .await["album"]["id"]
        .as_i64()
        .expect("album");
    // Only the owner shares it.
    let not_theirs = lib
        .call(
            &lib.cleo,
            PASSPHRASE,
            "set_shared",
            &[("album_id", &album.to_string())],
        )
        .await;
    assert_eq!(not_theirs["error"]["code"], 642, "{not_theirs}");
    let shared = lib
        .ok(
            &lib.ben,
            PASSPHRASE,
            "set_shared",
            &[
                ("policy", "\"album\""),
                ("album_id", &album.to_string()),
                ("enabled", "true"),
            ],
        )
        .await;
    let p = shared["passphrase"]
        .as_str()
        .expect("passphrase")
        .to_owned();
    assert!(p.len() >= 22, "128 bits at least: {p}");
    assert_eq!(shared["privacy_type"], "private");
    // Invitations: cleo views, the family group (dave) downloads.
    let cleo_id = lib.ok(&lib.cleo, "SYNO.Foto.UserInfo", "me", &[]).await["id"]
        .as_i64()
        .expect("cleo's id");
    let groups = lib
        .ok(&lib.ben, "SYNO.Foto.Sharing.Misc", "list_user_group", &[])
        .await;
    let family = groups["list"]
        .as_array()
        .expect("list")
        .iter()
        .find(|g| g["type"] == "group" && g["name"] == "family")
        .expect("family listed")["id"]
        .as_i64()
        .expect("group id");
    let id_of = |login: Login| {
        let lib = &lib;
        async move {
            lib.ok(&login, "SYNO.Foto.UserInfo", "me", &[]).await["id"]
                .as_i64()
                .expect("id")
        }
    };
    let (fay_id, gus_id) = (id_of(fay.clone()).await, id_of(gus.clone()).await);
    let permission = serde_json::json!([
        {"action": "update", "role": "view", "member": {"type": "user", "id": cleo_id}},
        {"action": "update", "role": "download", "member": {"type": "group", "id": family}},
        {"action": "update", "role": "upload", "member": {"type": "user", "id": fay_id}},
        {"action": "update", "role": "manage", "member": {"type": "user", "id": gus_id}},
    ]);
    lib.ok(
        &lib.ben,
        PASSPHRASE,
        "update",
        &[
            ("passphrase", &format!("\"{p}\"")),
            ("permission", &permission.to_string()),
        ],
    )
    .await;
    let bad = lib
        .call(
            &lib.ben,
            PASSPHRASE,
            "update",
            &[
                ("passphrase", &format!("\"{p}\"")),
                (
                    "permission",
                    r#"[{"action":"update","role":"owner","member":{"type":"user","id":1}}]"#,
                ),
            ],
        )
        .await;
    assert_eq!(bad["error"]["code"], 120, "{bad}");

    // Thumbnails are ready before the matrix runs.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while lib.ok(&lib.ben, "SYNO.Foto.Index", "get", &[]).await["pending_count"] != 0 {
        assert!(std::time::Instant::now() < deadline);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    // A private link: guests cannot open it.
    let refused = guest_login(&lib, &p, None).await;
    assert_eq!(refused["error"]["code"], 642, "{refused}");

    let owner = Who::User(lib.ben.clone());
    let viewer = Who::User(lib.cleo.clone());
    let downloader = Who::User(dave.clone());
    let provider = Who::User(fay.clone());
    let manager = Who::User(gus.clone());
    let stranger = Who::User(eve.clone());
    let admin = Who::User(lib.anna.clone());
    let nobody = Who::Guest(None);
    let shared = Shared {
        p: p.clone(),
        album,
        inside,
        video,
        outside,
        owner: owner.clone(),
    };
    let check = |rows: Vec<(&'static str, Who, &'static str)>| {
        let lib = &lib;
        let shared = &shared;
        async move {
            for (name, who, row) in rows {
                for (op, want) in OPS.iter().zip(cells(row)) {
                    let got = allowed(lib, &who, op, shared).await;
                    assert_eq!(got, want, "{name} / {op}: allowed {got}, should be {want}");
                }
            }
        }
    };
    // Columns: the operations of OPS, in order, five to a group.
    const NOTHING: &str = "..... ..... ..... .....";
    const VIEWS: &str = "yyy.. ...y. .y.y. .....";
    const DOWNLOADS: &str = "yyy.y ...y. .yyy. .....";
    check(vec![
        ("owner", owner.clone(), "yyy.y yyyyy yyyy. yyyyy"),
        ("viewer", viewer.clone(), VIEWS),
        ("downloader (group)", downloader.clone(), DOWNLOADS),
        ("provider", provider.clone(), "yyy.y ...y. .yyy. ..y.."),
        ("manager", manager.clone(), "yyy.y ...y. .yyy. yyyy."),
        ("user not invited", stranger.clone(), NOTHING),
        ("admin not invited", admin.clone(), NOTHING),
        ("no link", nobody.clone(), NOTHING),
    ])
    .await;

    // Public (view) with a password.
    let public =
        serde_json::json!([{"action": "update", "role": "view", "member": {"type": "public"}}]);
    lib.ok(
        &lib.ben,
        PASSPHRASE,
        "update",
        &[
            ("passphrase", &format!("\"{p}\"")),
            ("permission", &public.to_string()),
            ("password", "\"open sesame\""),
        ],
    )
    .await;
    let wrong = guest_login(&lib, &p, Some("guess")).await;
    assert_eq!(wrong["error"]["code"], 400, "{wrong}");
    assert!(guest_sid(&wrong).is_none());
    let none = guest_login(&lib, &p, None).await;
    assert_eq!(none["error"]["code"], 400, "{none}");
    let unknown = guest_login(&lib, "no-such-link-at-all-xx", None).await;
    assert_eq!(unknown["error"]["code"], 642, "{unknown}");
    let good = guest_login(&lib, &p, Some("open sesame")).await;
    assert_eq!(good["success"], true, "{good}");
    assert_eq!(good["data"]["album_name"], "Summer");
    assert_eq!(good["data"]["privacy_type"], "public-view");
    // The share view the link opens, at both prefixes.
    for prefix in ["", "/photo"] {
        let page = TestApp::client()
            .get(lib.app.url(&format!("{prefix}/mo/sharing/{p}")))
            .send()
            .await
            .expect("share page");
        assert_eq!(page.status(), 200);
        assert!(
            page.text()
                .await
                .expect("html")
                .contains("/js/share-page.js")
        );
        // The page's script (no inline script: the portal's Content-Security-Policy) signs in
        // with the link.
        let script = TestApp::client()
            .get(lib.app.url(&format!("{prefix}/js/share-page.js")))
            .send()
            .await
            .expect("script");
        assert_eq!(script.status(), 200);
        assert!(
            script
                .text()
                .await
                .expect("js")
                .contains("SYNO.Core.Sharing.Login")
        );
    }
    let guest = Who::Guest(Some(guest_sid(&good).expect("sharing_sid cookie")));
    let forged = Who::Guest(Some("not-a-session".into()));
    check(vec![
        ("guest, view link", guest.clone(), VIEWS),
        ("guest, forged cookie", forged, NOTHING),
        // A public link with a password: a signed-in user not invited needs the password too
        // (tests/e2e/security/links.rs has them give it).
        ("user not invited, public link", stranger.clone(), NOTHING),
    ])
    .await;

    // Public download.
    let download =
        serde_json::json!([{"action": "update", "role": "download", "member": {"type": "public"}}]);
    lib.ok(
        &lib.ben,
        PASSPHRASE,
        "update",
        &[
            ("passphrase", &format!("\"{p}\"")),
            ("permission", &download.to_string()),
        ],
    )
    .await;
    check(vec![("guest, download link", guest.clone(), DOWNLOADS)]).await;
    // The zip holds the album's two files, whoever's space they are in.
    let Who::Guest(Some(guest_cookie)) = &guest else {
        unreachable!()
    };
    let zip = TestApp::client()
        .post(lib.app.url("/webapi/entry.cgi"))
        .header("Cookie", format!("sharing_sid={guest_cookie}"))
        .form(&[
            ("api", "SYNO.Foto.Download"),
            ("method", "download"),
            ("version", "2"),
            ("unit_id", &format!("[{inside},{video}]")),
        ])
        .send()
        .await
        .expect("zip");
    assert_eq!(
        zip.headers()["content-type"],
        "application/zip",
        "{:?}",
        zip.headers()
    );
    let bytes = zip.bytes().await.expect("zip body");
    assert!(bytes.starts_with(b"PK"));
    for name in ["in.jpg", "clip.mp4"] {
        assert!(
            bytes.windows(name.len()).any(|w| w == name.as_bytes()),
            "{name} in the zip"
        );
    }
    // The album itself through the link, without who else it is shared with.
    let album_seen = request(
        &lib,
        &guest,
        &[
            ("api", "SYNO.Foto.Browse.Album"),
            ("method", "get"),
            ("version", "2"),
            ("passphrase", &format!("\"{p}\"")),
            ("additional", "[\"sharing_info\",\"thumbnail\"]"),
        ],
    )
    .await;
    let seen = &album_seen["data"]["list"][0];
    assert_eq!(seen["name"], "Summer", "{album_seen}");
    assert_eq!(seen["item_count"], 2);
    assert!(seen["additional"].get("sharing_info").is_none(), "{seen}");
    assert!(seen["additional"]["thumbnail"].is_object(), "{seen}");
    let no_link = request(
        &lib,
        &Who::Guest(None),
        &[
            ("api", "SYNO.Foto.Browse.Album"),
            ("method", "get"),
            ("version", "2"),
            ("passphrase", &format!("\"{p}\"")),
        ],
    )
    .await;
    assert_eq!(no_link["error"]["code"], 119, "{no_link}");
    // Photo information reaches guests only as the admin allows.
    let shown = guest_list(&lib, guest.clone(), &p).await;
    assert!(
        shown.get("exif").is_some() && shown.get("thumbnail").is_some(),
        "{shown}"
    );
    lib.ok(
        &lib.anna,
        "SYNO.Foto.Setting.Admin",
        "set",
        &[("display_photo_info_to_guest", "false")],
    )
    .await;
    let hidden = guest_list(&lib, guest.clone(), &p).await;
    assert!(
        hidden.get("exif").is_none() && hidden.get("description").is_none(),
        "{hidden}"
    );
    assert!(hidden.get("thumbnail").is_some(), "{hidden}");
    let owner_view = guest_list(&lib, owner.clone(), &p).await;
    assert!(
        owner_view.get("exif").is_some(),
        "users are not guests: {owner_view}"
    );
    let info = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.Album",
            "get",
            &[
                ("id", &format!("[{album}]")),
                ("additional", "[\"sharing_info\"]"),
            ],
        )
        .await;
    let a = &info["list"][0];
    assert_eq!(a["passphrase"], p.as_str(), "{a}");
    assert_eq!(a["shared"], true);
    assert_eq!(
        a["additional"]["sharing_info"]["privacy_type"],
        "public-download"
    );
    assert_eq!(a["additional"]["sharing_info"]["enable_password"], true);
    let shared_with_cleo = lib
        .ok(
            &lib.cleo,
            "SYNO.Foto.Sharing.Misc",
            "list_shared_with_me_album",
            &[("offset", "0"), ("limit", "10")],
        )
        .await;
    assert_eq!(
        shared_with_cleo["list"][0]["id"], album,
        "{shared_with_cleo}"
    );
    assert_eq!(shared_with_cleo["list"][0]["item_count"], 2);
    // The album lists the clients ask for: cleo's own (none) then those shared with her; ben's
    // shared with others.
    let album_ids_of = |login: Login, category: &'static str| {
        let lib = &lib;
        async move {
            let list = lib
                .ok(
                    &login,
                    "SYNO.Foto.Browse.Album",
                    "list",
                    &[("category", category), ("offset", "0"), ("limit", "10")],
                )
                .await;
            let count = lib
                .ok(
                    &login,
                    "SYNO.Foto.Browse.Album",
                    "count",
                    &[("category", category)],
                )
                .await["count"]
                .as_i64()
                .expect("count");
            let ids: Vec<i64> = list["list"]
                .as_array()
                .expect("list")
                .iter()
                .map(|a| a["id"].as_i64().expect("id"))
                .collect();
            assert_eq!(ids.len() as i64, count, "{category}: {list}");
            ids
        }
    };
    assert_eq!(
        album_ids_of(lib.cleo.clone(), "normal_share_with_me").await,
        vec![album]
    );
    assert_eq!(
        album_ids_of(lib.cleo.clone(), "shared_with_me").await,
        vec![album]
    );
    assert_eq!(
        album_ids_of(lib.cleo.clone(), "normal").await,
        Vec::<i64>::new()
    );
    assert_eq!(
        album_ids_of(lib.cleo.clone(), "shared").await,
        Vec::<i64>::new()
    );
    assert_eq!(album_ids_of(lib.ben.clone(), "shared").await, vec![album]);
    assert_eq!(
        album_ids_of(lib.ben.clone(), "normal_share_with_me").await,
        vec![album]
    );
    assert_eq!(
        album_ids_of(eve.clone(), "normal_share_with_me").await,
        Vec::<i64>::new()
    );
    let shared_with_eve = lib
        .ok(
            &eve,
            "SYNO.Foto.Sharing.Misc",
            "list_shared_with_me_album",
            &[("offset", "0"), ("limit", "10")],
        )
        .await;
    assert_eq!(shared_with_eve["list"], serde_json::json!([]));

    // Expired: as if it never existed, for everyone but the owner's own album.
    let past_soon = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("now")
        .as_secs()
        + 2)
    .to_string();
    lib.ok(
        &lib.ben,
        PASSPHRASE,
        "update",
        &[
            ("passphrase", &format!("\"{p}\"")),
            ("expiration", &past_soon),
        ],
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    check(vec![
        ("guest, expired link", guest.clone(), NOTHING),
        ("viewer, expired link", viewer.clone(), NOTHING),
        ("manager, expired link", manager.clone(), NOTHING),
    ])
    .await;
    let expired_login = guest_login(&lib, &p, Some("open sesame")).await;
    assert_eq!(expired_login["error"]["code"], 642, "{expired_login}");

    // Disabled: the album is private again; the photo stays in ben's library.
    lib.ok(
        &lib.ben,
        PASSPHRASE,
        "set_shared",
        &[("album_id", &album.to_string()), ("enabled", "false")],
    )
    .await;
    let after = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.Album",
            "get",
            &[("id", &format!("[{album}]"))],
        )
        .await;
    assert_eq!(after["list"][0]["shared"], false);
    assert_eq!(after["list"][0]["passphrase"], "");
    assert_eq!(after["list"][0]["item_count"], 2);
    let gone = lib
        .call(
            &lib.cleo,
            "SYNO.Foto.Browse.Item",
            "count",
            &[("passphrase", &format!("\"{p}\""))],
        )
        .await;
    assert_eq!(gone["error"]["code"], 642, "{gone}");

    // A disabled owner's links show nothing.
    let again = lib
        .ok(
            &lib.ben,
            PASSPHRASE,
            "set_shared",
            &[("album_id", &album.to_string())],
        )
        .await["passphrase"]
        .as_str()
        .expect("passphrase")
        .to_owned();
    let public =
        serde_json::json!([{"action": "update", "role": "view", "member": {"type": "public"}}]);
    lib.ok(
        &lib.ben,
        PASSPHRASE,
        "update",
        &[
            ("passphrase", &format!("\"{again}\"")),
            ("permission", &public.to_string()),
        ],
    )
    .await;
    let count = |p: String| {
        let lib = &lib;
        let eve = eve.clone();
        async move {
            lib.call(
                &eve,
                "SYNO.Foto.Browse.Item",
                "count",
                &[("passphrase", &format!("\"{p}\""))],
            )
            .await
        }
    };
    assert_eq!(count(again.clone()).await["data"]["count"], 2);
    assert!(
        lib.app
            .cli(&["user", "disable", "ben"], "")
            .status
            .success()
    );
    assert_eq!(count(again).await["error"]["code"], 642);
}

/// Providers and Managers add to a shared album; their photos stay theirs, show to everyone
/// in the album, and leave it (not the library) when the link ends.
#[tokio::test]
async fn members_add_photos_and_a_links_end_takes_them_out() {
    let lib = people().await;
    lib.app.add_user("dave", "dave-pass-1", false);
    let dave = lib.app.login("dave", "dave-pass-1").await;
    let up = |who: Login, name: &'static str, file: &'static str| {
        let lib = &lib;
        async move {
            upload(
                lib,
                &who,
                "SYNO.Foto.Upload.Item",
                "upload",
                &[("name", &format!("\"{name}\""))],
                &corpus_file(file),
            )
            .await["data"]["id"]
                .as_i64()
                .expect("id")
        }
    };
    let bens = up(lib.ben.clone(), "ben.jpg", "metadata/camera_phone.jpg").await;
    let daves = up(dave.clone(), "dave.jpg", "metadata/camera_dslr.jpg").await;
    let album = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.NormalAlbum",
            "create",
            &[("name", "\"Party\""), ("item", &format!("[{bens}]"))],
        )
        .await["album"]["id"]
        .as_i64()
        .expect("album");
    let p = lib
        .ok(
            &lib.ben,
            PASSPHRASE,
            "set_shared",
            &[("album_id", &album.to_string())],
        )
        .await["passphrase"]
        .as_str()
        .expect("passphrase")
        .to_owned();
    let id_of = |who: Login| {
        let lib = &lib;
        async move {
            lib.ok(&who, "SYNO.Foto.UserInfo", "me", &[]).await["id"]
                .as_i64()
                .expect("id")
        }
    };
    let (dave_id, cleo_id, anna_id) = (
        id_of(dave.clone()).await,
        id_of(lib.cleo.clone()).await,
        id_of(lib.anna.clone()).await,
    );
    let permission = serde_json::json!([
        {"action": "update", "role": "upload", "member": {"type": "user", "id": dave_id}},
        {"action": "update", "role": "manage", "member": {"type": "user", "id": cleo_id}},
        {"action": "update", "role": "view", "member": {"type": "user", "id": anna_id}},
    ]);
    let quoted = format!("\"{p}\"");
    lib.ok(
        &lib.ben,
        PASSPHRASE,
        "update",
        &[
            ("passphrase", &quoted),
            ("permission", &permission.to_string()),
        ],
    )
    .await;
    let album_ids = |who: Login| {
        let lib = &lib;
        let quoted = quoted.clone();
        async move {
            let body = lib
                .ok(
                    &who,
                    "SYNO.Foto.Browse.Item",
                    "list",
                    &[
                        ("passphrase", &quoted),
                        ("offset", "0"),
                        ("limit", "10"),
                        ("additional", "[\"provider_user_id\"]"),
                    ],
                )
                .await;
            let mut ids: Vec<(i64, i64)> = body["list"]
                .as_array()
                .expect("list")
                .iter()
                .map(|i| {
                    (
                        i["id"].as_i64().expect("id"),
                        i["additional"]["provider_user_id"]
                            .as_i64()
                            .expect("provider"),
                    )
                })
                .collect();
            ids.sort_unstable();
            ids
        }
    };
    let add = |who: Login, item: i64| {
        let lib = &lib;
        let quoted = quoted.clone();
        async move {
            lib.call(
                &who,
                "SYNO.Foto.Browse.NormalAlbum",
                "add_item",
                &[("passphrase", &quoted), ("item", &format!("[{item}]"))],
            )
            .await
        }
    };
    let remove = |who: Login, item: i64| {
        let lib = &lib;
        let quoted = quoted.clone();
        async move {
            lib.call(
                &who,
                "SYNO.Foto.Browse.NormalAlbum",
                "delete_item",
                &[("passphrase", &quoted), ("item", &format!("[{item}]"))],
            )
            .await
        }
    };
    let ben_id = id_of(lib.ben.clone()).await;

    // A viewer adds nothing; a Provider adds their own photo, and it stays theirs.
    assert_eq!(add(lib.anna.clone(), bens).await["error"]["code"], 105);
    assert_eq!(add(dave.clone(), daves).await["success"], true);
    let both = vec![(bens, ben_id), (daves, dave_id)];
    let mut sorted = both.clone();
    sorted.sort_unstable();
    for who in [
        lib.ben.clone(),
        lib.cleo.clone(),
        dave.clone(),
        lib.anna.clone(),
    ] {
        assert_eq!(album_ids(who).await, sorted);
    }
    // The owner sees it in his own album view too.
    let owners = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.Item",
            "count",
            &[("album_id", &album.to_string())],
        )
        .await;
    assert_eq!(owners["count"], 2, "{owners}");
    // A Provider removes only their own; a Manager removes any.
    remove(dave.clone(), bens).await;
    assert_eq!(
        album_ids(lib.ben.clone()).await.len(),
        2,
        "ben's photo stays"
    );
    assert_eq!(remove(lib.anna.clone(), daves).await["error"]["code"], 105);
    remove(dave.clone(), daves).await;
    assert_eq!(album_ids(lib.ben.clone()).await, vec![(bens, ben_id)]);
    assert_eq!(add(dave.clone(), daves).await["success"], true);
    remove(lib.cleo.clone(), daves).await;
    assert_eq!(album_ids(lib.ben.clone()).await, vec![(bens, ben_id)]);
    assert_eq!(add(dave.clone(), daves).await["success"], true);
    // Nobody adds what they cannot see: dave cannot add ben's other photos.
    let sneaky = add(dave.clone(), bens + 1000).await;
    assert_eq!(
        sneaky["data"]["error_list"].as_array().map(Vec::len),
        Some(1),
        "{sneaky}"
    );

    // The link ends: dave's photo leaves the album, stays in dave's library; ben's stays.
    lib.ok(
        &lib.ben,
        PASSPHRASE,
        "set_shared",
        &[("album_id", &album.to_string()), ("enabled", "false")],
    )
    .await;
    let after = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.Item",
            "list",
            &[
                ("album_id", &album.to_string()),
                ("offset", "0"),
                ("limit", "10"),
            ],
        )
        .await;
    let ids: Vec<i64> = after["list"]
        .as_array()
        .expect("list")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids, vec![bens]);
    let still = lib
        .ok(
            &dave,
            "SYNO.Foto.Browse.Item",
            "get",
            &[("id", &format!("[{daves}]"))],
        )
        .await;
    assert_eq!(still["list"][0]["filename"], "dave.jpg", "{still}");
    let gone = add(dave.clone(), daves).await;
    assert_eq!(gone["error"]["code"], 642, "{gone}");
}

/// Shared Space folder permissions name groups too: every member with custom access gets the
/// group's rights, and loses them when taken out of the group.
#[tokio::test]
async fn folder_permissions_reach_a_groups_members() {
    let lib = people().await;
    let put = upload(
        &lib,
        &lib.anna,
        "SYNO.FotoTeam.Upload.Item",
        "upload",
        &[
            ("name", "\"fam.jpg\""),
            ("folder", "[\"Family\"]"),
            ("uploadDestination", "\"folder\""),
        ],
        &corpus_file("metadata/camera_phone.jpg"),
    )
    .await;
    assert_eq!(put["success"], true, "{put}");
    let folder = lib
        .ok(
            &lib.anna,
            "SYNO.FotoTeam.Browse.Folder",
            "get",
            &[("name", "\"/Family\"")],
        )
        .await["folder"]["id"]
        .as_i64()
        .expect("folder");
    assert!(lib.app.cli(&["group", "add", "kin"], "").status.success());
    assert!(
        lib.app
            .cli(&["group", "adduser", "kin", "cleo"], "")
            .status
            .success()
    );
    let groups = lib
        .ok(&lib.anna, "SYNO.Foto.Sharing.Misc", "list_user_group", &[])
        .await;
    let kin = groups["list"]
        .as_array()
        .expect("list")
        .iter()
        .find(|g| g["name"] == "kin")
        .expect("kin")["id"]
        .as_i64()
        .expect("id");
    lib.sql("UPDATE users SET team_access = 'custom' WHERE name IN ('cleo', 'ben')")
        .await;
    let grant = serde_json::json!([{"group_id": kin, "view": true}]);
    lib.ok(
        &lib.anna,
        "SYNO.FotoTeam.Sharing.FolderPermission",
        "update",
        &[
            ("id", &folder.to_string()),
            ("permission", &grant.to_string()),
        ],
    )
    .await;
    let listed = lib
        .ok(
            &lib.anna,
            "SYNO.FotoTeam.Sharing.FolderPermission",
            "list",
            &[("id", &folder.to_string())],
        )
        .await;
    assert_eq!(listed["list"][0]["group_id"], kin, "{listed}");
    let sees = |who: Login| {
        let lib = &lib;
        async move {
            lib.items(&who, "SYNO.FotoTeam.Browse.Item", &[])
                .await
                .iter()
                .any(|i| i["filename"] == "fam.jpg")
        }
    };
    assert!(sees(lib.cleo.clone()).await, "a member of the group");
    assert!(!sees(lib.ben.clone()).await, "not a member");
    let bad = serde_json::json!([{"group_id": 9999, "view": true}]);
    let refused = lib
        .call(
            &lib.anna,
            "SYNO.FotoTeam.Sharing.FolderPermission",
            "update",
            &[
                ("id", &folder.to_string()),
                ("permission", &bad.to_string()),
            ],
        )
        .await;
    assert_eq!(refused["error"]["code"], 642, "{refused}");
    // Several folders at once (FolderBatchPermission): all get the grants, or none does.
    let second = upload(
        &lib,
        &lib.anna,
        "SYNO.FotoTeam.Upload.Item",
        "upload",
        &[
            ("name", "\"trip.jpg\""),
            ("folder", "[\"Trips\"]"),
            ("uploadDestination", "\"folder\""),
        ],
        &corpus_file("metadata/camera_dslr.jpg"),
    )
    .await;
    assert_eq!(second["success"], true, "{second}");
    let trips = lib
        .ok(
            &lib.anna,
            "SYNO.FotoTeam.Browse.Folder",
            "get",
            &[("name", "\"/Trips\"")],
        )
        .await["folder"]["id"]
        .as_i64()
        .expect("folder");
    let ben_id = lib.ok(&lib.ben, "SYNO.Foto.UserInfo", "me", &[]).await["id"].clone();
    let both = serde_json::json!([{"user_id": ben_id, "view": true}]);
    let names_ben_sees = || {
        let lib = &lib;
        async move {
            let mut names: Vec<String> = lib
                .items(&lib.ben, "SYNO.FotoTeam.Browse.Item", &[])
                .await
                .iter()
                .filter_map(|i| i["filename"].as_str().map(str::to_owned))
                .collect();
            names.sort();
            names
        }
    };
    let batch = |ids: String| {
        let lib = &lib;
        let both = both.to_string();
        async move {
            lib.call(
                &lib.anna,
                "SYNO.FotoTeam.Sharing.FolderBatchPermission",
                "update",
                &[("id", &ids), ("permission", &both)],
            )
            .await
        }
    };
    let unknown = batch(format!("[{folder},{trips},999999]")).await;
    assert_eq!(unknown["error"]["code"], 642, "{unknown}");
    assert_eq!(
        names_ben_sees().await,
        Vec::<String>::new(),
        "nothing changed"
    );
    let not_admin = lib
        .call(
            &lib.ben,
            "SYNO.FotoTeam.Sharing.FolderBatchPermission",
            "update",
            &[
                ("id", &format!("[{trips}]")),
                ("permission", &both.to_string()),
            ],
        )
        .await;
    assert_eq!(not_admin["error"]["code"], 105, "{not_admin}");
    let done = batch(format!("[{folder},{trips}]")).await;
    assert_eq!(done["success"], true, "{done}");
    assert_eq!(names_ben_sees().await, vec!["fam.jpg", "trip.jpg"]);
    assert!(
        lib.app
            .cli(&["group", "removeuser", "kin", "cleo"], "")
            .status
            .success()
    );
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert!(!sees(lib.cleo.clone()).await, "out of the group");
}

/// A Shared Space folder shared by link: guests reach the folder and what is below it, through
/// the Shared Space's APIs only; only someone who may manage the folder shares it.
#[tokio::test]
async fn a_folder_link_opens_that_folder_and_below() {
    let lib = people().await;
    let put = |name: &'static str, folder: &'static str, file: &'static str| {
        let lib = &lib;
        async move {
            upload(
                lib,
                &lib.anna,
                "SYNO.FotoTeam.Upload.Item",
                "upload",
                &[
                    ("name", &format!("\"{name}\"")),
                    ("folder", folder),
                    ("uploadDestination", "\"folder\""),
                ],
                &corpus_file(file),
            )
            .await["data"]["id"]
                .as_i64()
                .expect("id")
        }
    };
    let top = put("top.jpg", "[\"Trips\"]", "metadata/camera_phone.jpg").await;
    let below = put(
        "below.jpg",
        "[\"Trips\",\"Rome\"]",
        "metadata/camera_dslr.jpg",
    )
    .await;
    let elsewhere = put("else.jpg", "[\"trips\"]", "metadata/camera_longexp.jpg").await;
    let trips = lib
        .ok(
            &lib.anna,
            "SYNO.FotoTeam.Browse.Folder",
            "get",
            &[("name", "\"/Trips\"")],
        )
        .await["folder"]["id"]
        .as_i64()
        .expect("folder");
    // Ben may only view /Trips: he cannot share it.
    lib.sql("UPDATE users SET team_access = 'custom' WHERE name = 'ben'")
        .await;
    let ben_id = lib.ok(&lib.ben, "SYNO.Foto.UserInfo", "me", &[]).await["id"].clone();
    let grant = serde_json::json!([{"user_id": ben_id, "view": true}]);
    lib.ok(
        &lib.anna,
        "SYNO.FotoTeam.Sharing.FolderPermission",
        "update",
        &[
            ("id", &trips.to_string()),
            ("permission", &grant.to_string()),
        ],
    )
    .await;
    let refused = lib
        .call(
            &lib.ben,
            "SYNO.FotoTeam.Sharing.Passphrase",
            "set_shared",
            &[("folder_id", &trips.to_string())],
        )
        .await;
    assert_eq!(refused["error"]["code"], 105, "{refused}");
    let made = lib
        .ok(
            &lib.anna,
            "SYNO.FotoTeam.Sharing.Passphrase",
            "set_shared",
            &[("policy", "\"folder\""), ("folder_id", &trips.to_string())],
        )
        .await;
    let p = made["passphrase"].as_str().expect("passphrase").to_owned();
    assert_eq!(made["folder_id"], trips);
    let public =
        serde_json::json!([{"action": "update", "role": "view", "member": {"type": "public"}}]);
    lib.ok(
        &lib.anna,
        "SYNO.FotoTeam.Sharing.Passphrase",
        "update",
        &[
            ("passphrase", &format!("\"{p}\"")),
            ("permission", &public.to_string()),
        ],
    )
    .await;
    // "Shared with others": Anna's folder links, with their settings; not Ben's list.
    let mine = lib
        .ok(
            &lib.anna,
            "SYNO.Foto.Sharing.Misc",
            "list_shared_folder",
            &[],
        )
        .await;
    let mine = mine["list"].as_array().expect("list").clone();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["folder_id"], trips);
    assert_eq!(mine[0]["folder_path"], "/Trips");
    assert_eq!(mine[0]["sharing_info"]["passphrase"], p.as_str());
    assert_eq!(mine[0]["sharing_info"]["privacy_type"], "public-view");
    let his = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Sharing.Misc",
            "list_shared_folder",
            &[],
        )
        .await;
    assert_eq!(his["list"], serde_json::json!([]), "{his}");
    let login = guest_login(&lib, &p, None).await;
    assert_eq!(login["data"]["policy"], "folder", "{login}");
    assert_eq!(login["data"]["album_name"], "Trips");
    let guest = Who::Guest(Some(guest_sid(&login).expect("cookie")));
    let quoted = format!("\"{p}\"");
    let list = request(
        &lib,
        &guest,
        &[
            ("api", "SYNO.FotoTeam.Browse.Item"),
            ("method", "list"),
            ("version", "1"),
            ("passphrase", &quoted),
            ("offset", "0"),
            ("limit", "10"),
        ],
    )
    .await;
    let mut ids: Vec<i64> = list["data"]["list"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect();
    ids.sort_unstable();
    let mut want = vec![top, below];
    want.sort_unstable();
    assert_eq!(ids, want, "the folder and below, nothing else");
    // Signed-in users holding the public link: one with Custom access (view on /Trips) and one
    // with none see through it what a guest sees; without it, their own reach (ben: /Trips and
    // below, not the sibling; cleo: no Shared Space at all).
    lib.sql("UPDATE users SET team_access = 'none' WHERE name = 'cleo'")
        .await;
    for (name, who, link, want) in [
        ("ben", &lib.ben, true, Some(2)),
        ("cleo", &lib.cleo, true, Some(2)),
        ("ben", &lib.ben, false, Some(2)),
        ("cleo", &lib.cleo, false, None),
    ] {
        let mut params = vec![
            ("api", "SYNO.FotoTeam.Browse.Item"),
            ("method", "count"),
            ("version", "1"),
        ];
        if link {
            params.push(("passphrase", &quoted));
        }
        let body = request(&lib, &Who::User(who.clone()), &params).await;
        assert_eq!(
            body["data"]["count"].as_i64(),
            want,
            "{name} link {link}: {body}"
        );
    }
    // Through the Personal Space's APIs the folder link is nothing.
    let wrong_space = request(
        &lib,
        &guest,
        &[
            ("api", "SYNO.Foto.Browse.Item"),
            ("method", "count"),
            ("version", "1"),
            ("passphrase", &quoted),
        ],
    )
    .await;
    assert_eq!(wrong_space["error"]["code"], 642, "{wrong_space}");
    for (id, ok) in [(top, true), (below, true), (elsewhere, false)] {
        let thumb = request(
            &lib,
            &guest,
            &[
                ("api", "SYNO.FotoTeam.Thumbnail"),
                ("method", "get"),
                ("version", "2"),
                ("id", &id.to_string()),
                ("size", "sm"),
                ("_sharing_id", &p),
            ],
        )
        .await;
        assert_eq!(thumb["success"] == true, ok, "thumbnail {id}: {thumb}");
    }
    let download = request(
        &lib,
        &guest,
        &[
            ("api", "SYNO.FotoTeam.Download"),
            ("method", "download"),
            ("version", "2"),
            ("unit_id", &format!("[{top}]")),
            ("passphrase", &quoted),
        ],
    )
    .await;
    assert_eq!(download["error"]["code"], 105, "a view link: {download}");
    // Walking the folders through the link: its folder stands for the root, its subfolders
    // list, the case-different sibling and everything above stay out of sight.
    let folder_call = |method: &'static str, extra: Vec<(&'static str, String)>| {
        let lib = &lib;
        let guest = guest.clone();
        let quoted = quoted.clone();
        async move {
            let mut params = vec![
                ("api", "SYNO.FotoTeam.Browse.Folder".to_owned()),
                ("method", method.to_owned()),
                ("version", "2".to_owned()),
                ("passphrase", quoted),
            ];
            params.extend(extra);
            let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            request(lib, &guest, &params).await
        }
    };
    let root = folder_call("get", vec![("id", "0".into())]).await;
    assert_eq!(root["data"]["folder"]["id"], trips, "{root}");
    let children = folder_call(
        "list",
        vec![
            ("id", "0".into()),
            ("offset", "0".into()),
            ("limit", "10".into()),
        ],
    )
    .await;
    let names: Vec<&str> = children["data"]["list"]
        .as_array()
        .unwrap_or_else(|| panic!("{children}"))
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert_eq!(names, vec!["/Trips/Rome"], "{children}");
    let rome = children["data"]["list"][0]["id"].as_i64().expect("id");
    let count = folder_call("count", vec![("id", trips.to_string())]).await;
    assert_eq!(count["data"]["count"], 1, "{count}");
    let sibling = lib
        .ok(
            &lib.anna,
            "SYNO.FotoTeam.Browse.Folder",
            "get",
            &[("name", "\"/trips\"")],
        )
        .await["folder"]["id"]
        .as_i64()
        .expect("sibling");
    for outside in [sibling.to_string(), "1".to_owned()] {
        let hidden = folder_call("get", vec![("id", outside.clone())]).await;
        assert_eq!(hidden["error"]["code"], 642, "folder {outside}: {hidden}");
        let listed = folder_call("list", vec![("id", outside.clone())]).await;
        assert_eq!(listed["error"]["code"], 642, "folder {outside}: {listed}");
    }
    let in_rome = request(
        &lib,
        &guest,
        &[
            ("api", "SYNO.FotoTeam.Browse.Item"),
            ("method", "list"),
            ("version", "1"),
            ("passphrase", &quoted),
            ("folder_id", &rome.to_string()),
            ("offset", "0"),
            ("limit", "10"),
        ],
    )
    .await;
    assert_eq!(in_rome["data"]["list"][0]["id"], below, "{in_rome}");
    assert_eq!(in_rome["data"]["list"].as_array().map(Vec::len), Some(1));
    let in_sibling = request(
        &lib,
        &guest,
        &[
            ("api", "SYNO.FotoTeam.Browse.Item"),
            ("method", "list"),
            ("version", "1"),
            ("passphrase", &quoted),
            ("folder_id", &sibling.to_string()),
        ],
    )
    .await;
    assert_eq!(in_sibling["error"]["code"], 642, "{in_sibling}");
    // Nothing but viewing: no folder made, no upload through a view link.
    let made_folder =
        folder_call("create", vec![("id", "0".into()), ("name", "\"x\"".into())]).await;
    assert_ne!(made_folder["success"], true, "{made_folder}");
    // Ended: gone.
    lib.ok(
        &lib.anna,
        "SYNO.FotoTeam.Sharing.Passphrase",
        "set_shared",
        &[("folder_id", &trips.to_string()), ("enabled", "false")],
    )
    .await;
    let gone = request(
        &lib,
        &guest,
        &[
            ("api", "SYNO.FotoTeam.Browse.Item"),
            ("method", "count"),
            ("version", "1"),
            ("passphrase", &quoted),
        ],
    )
    .await;
    assert_eq!(
        gone["error"]["code"], 119,
        "the guest session went with the link: {gone}"
    );
}

/// A selection of photos shared in one call: a new album of the caller's holding them, shared.
#[tokio::test]
async fn a_selection_of_photos_is_shared_as_a_new_album() {
    let lib = people().await;
    let mut ids = Vec::new();
    for (name, file) in [
        ("a.jpg", "metadata/camera_phone.jpg"),
        ("b.jpg", "metadata/camera_dslr.jpg"),
    ] {
        let body = upload(
            &lib,
            &lib.ben,
            "SYNO.Foto.Upload.Item",
            "upload",
            &[("name", &format!("\"{name}\""))],
            &corpus_file(file),
        )
        .await;
        ids.push(body["data"]["id"].as_i64().expect("id"));
    }
    let cleos = upload(
        &lib,
        &lib.cleo,
        "SYNO.Foto.Upload.Item",
        "upload",
        &[("name", "\"c.jpg\"")],
        &corpus_file("metadata/camera_longexp.jpg"),
    )
    .await["data"]["id"]
        .as_i64()
        .expect("id");
    let albums_before = lib
        .ok(&lib.ben, "SYNO.Foto.Browse.Album", "count", &[])
        .await["count"]
        .clone();
    // Someone else's photo in the selection: nothing is made.
    let refused = lib
        .call(
            &lib.ben,
            PASSPHRASE,
            "set_shared",
            &[
                ("policy", "\"item\""),
                ("item_id", &format!("[{},{cleos}]", ids[0])),
            ],
        )
        .await;
    assert_eq!(refused["error"]["code"], 642, "{refused}");
    let empty = lib
        .call(
            &lib.ben,
            PASSPHRASE,
            "set_shared",
            &[("policy", "\"item\""), ("item_id", "[]")],
        )
        .await;
    assert_eq!(empty["error"]["code"], 120, "{empty}");
    assert_eq!(
        lib.ok(&lib.ben, "SYNO.Foto.Browse.Album", "count", &[])
            .await["count"],
        albums_before
    );
    let shared = lib
        .ok(
            &lib.ben,
            PASSPHRASE,
            "set_shared",
            &[
                ("policy", "\"item\""),
                ("item_id", &format!("[{},{}]", ids[0], ids[1])),
                ("name", "\"For grandma\""),
            ],
        )
        .await;
    let p = shared["passphrase"]
        .as_str()
        .expect("passphrase")
        .to_owned();
    let album = shared["album_id"].as_i64().expect("album id");
    let got = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.Album",
            "get",
            &[("id", &format!("[{album}]"))],
        )
        .await;
    assert_eq!(got["list"][0]["name"], "For grandma", "{got}");
    assert_eq!(got["list"][0]["item_count"], 2);
    assert_eq!(got["list"][0]["passphrase"], p.as_str());
    // Open to the public, a guest sees exactly the two.
    let public =
        serde_json::json!([{"action": "update", "role": "view", "member": {"type": "public"}}]);
    lib.ok(
        &lib.ben,
        PASSPHRASE,
        "update",
        &[
            ("passphrase", &format!("\"{p}\"")),
            ("permission", &public.to_string()),
        ],
    )
    .await;
    let login = guest_login(&lib, &p, None).await;
    let guest = Who::Guest(Some(guest_sid(&login).expect("cookie")));
    let count = request(
        &lib,
        &guest,
        &[
            ("api", "SYNO.Foto.Browse.Item"),
            ("method", "count"),
            ("version", "1"),
        ],
    )
    .await;
    assert_eq!(count["data"]["count"], 2, "{count}");
    // Without a name, the album is named after the day.
    let unnamed = lib
        .ok(
            &lib.ben,
            PASSPHRASE,
            "set_shared",
            &[
                ("policy", "\"item\""),
                ("item_id", &format!("[{}]", ids[0])),
            ],
        )
        .await;
    let unnamed_album = unnamed["album_id"].as_i64().expect("album");
    let named = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.Album",
            "get",
            &[("id", &format!("[{unnamed_album}]"))],
        )
        .await;
    assert!(
        named["list"][0]["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("Shared on 20")),
        "{named}"
    );
}
