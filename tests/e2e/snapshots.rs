//! Every API method the server serves, called once at its top version on a fixed small library,
//! its answer pinned by an insta snapshot (tests/e2e/snapshots/). A change to an answer's shape
//! or to any of its stable values fails this test until the snapshot is reviewed and accepted
//! (`cargo insta review`, or `INSTA_UPDATE=always` and a look at the diff).
//!
//! The library is built one step at a time (each upload, album, tag and link made and waited
//! for before the next), with one indexing worker, so every id is the same on every run. What
//! cannot be the same (sessions, tokens, link passphrases, upload ids, clock times, the temporary
//! data folder and port) is replaced by a placeholder: see `REDACTED_FIELDS` (insta redactions)
//! and `scrub`. Recognition has no models here, so the people and subject methods that need one
//! answer "no such person" (642), and that is what their snapshots pin.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::api::Library;
use crate::support::corpus::corpus_file;
use crate::support::snapshot::{Apis, binary, send};
use crate::support::{Login, TestApp};

/// Fields whose values are random or counted by the clock, wherever they appear (a time of day
/// in any field is caught by `scrub`, which knows when the test ran).
const REDACTED_FIELDS: &[&str] = &[
    "sid",
    "sharing_sid",
    "synotoken",
    "device_id",
    "did",
    "passphrase",
    "upload_id",
    "cache_key",
    "uptime",
    // The machine's, not the server's.
    "ram",
];

/// Who makes a call.
#[derive(Clone, Copy)]
enum Who {
    Anna,
    Ben,
    /// No session at all.
    Nobody,
    /// Anna's second session, for the methods that end one.
    Leaving,
}

/// How an answer is kept.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Json,
    /// Bytes served as stored (downloads, streams): their length and hash too.
    Binary,
    /// Bytes the server makes (thumbnails), which an image library's update may change: status
    /// and type only.
    Made,
}

struct Case {
    api: String,
    method: &'static str,
    params: Vec<(String, String)>,
    who: Who,
    file: Option<Vec<u8>>,
    kind: Kind,
    /// Told apart from another call of the same method in the snapshot's name.
    label: Option<&'static str>,
}

fn case(api: &str, method: &'static str, params: &[(&str, String)]) -> Case {
    Case {
        api: api.to_owned(),
        method,
        params: params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
        who: Who::Anna,
        file: None,
        kind: Kind::Json,
        label: None,
    }
}

impl Case {
    fn by(mut self, who: Who) -> Case {
        self.who = who;
        self
    }

    fn with_file(mut self, bytes: Vec<u8>) -> Case {
        self.file = Some(bytes);
        self
    }

    fn binary(mut self) -> Case {
        self.kind = Kind::Binary;
        self
    }

    fn made(mut self) -> Case {
        self.kind = Kind::Made;
        self
    }

    fn labelled(mut self, label: &'static str) -> Case {
        self.label = Some(label);
        self
    }
}

fn q(s: &str) -> String {
    format!("\"{s}\"")
}

fn n(v: i64) -> String {
    v.to_string()
}

fn list(v: i64) -> String {
    format!("[{v}]")
}

/// The ids of the fixed library: one per space of everything a call needs.
struct Ids {
    /// The Personal Space's root folder, and the Shared Space's.
    root: i64,
    team_root: i64,
    /// Anna's `PhotoLibrary/2022/03` and the Shared Space's `/Family`.
    month: i64,
    family: i64,
    /// A folder of each space that is renamed, and one that is deleted.
    rename_me: i64,
    team_rename_me: i64,
    delete_me: i64,
    team_delete_me: i64,
    /// Items: Paris (GPS), the rotated photo, the video, and one that is deleted.
    paris: i64,
    mine: i64,
    clip: i64,
    victim: i64,
    tokyo: i64,
    picture: i64,
    team_clip: i64,
    team_victim: i64,
    /// Tags.
    holiday: i64,
    family_tag: i64,
    /// Albums: a normal one (shared by link), one that is deleted, a conditional one.
    trip: i64,
    doomed: i64,
    photos: i64,
    /// Places: Paris's city, Tokyo's city.
    paris_place: i64,
    tokyo_place: i64,
    /// The album's and the Family folder's share link.
    link: String,
    team_link: String,
    /// Photo Requests: into anna's root, and into /Family.
    request: String,
    team_request: String,
    /// Resumable uploads: one appended to, one cancelled (each space).
    resumable: String,
    resumable_cancel: String,
    team_resumable: String,
    team_resumable_cancel: String,
    /// Ben's user id.
    ben_id: i64,
}

/// Waits until both spaces are indexed, thumbnails and places included.
async fn settle(lib: &Library) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let team = lib.call(&lib.anna, "SYNO.FotoTeam.Index", "get", &[]).await;
        let mine = lib.call(&lib.anna, "SYNO.Foto.Index", "get", &[]).await;
        let idle = |v: &Value| v["data"]["pending_count"] == 0;
        if idle(&team) && idle(&mine) {
            break;
        }
        assert!(Instant::now() < deadline, "not indexed: {team} {mine}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn upload_one(
    lib: &Library,
    api: &str,
    method: &str,
    fields: &[(&str, &str)],
    file: &str,
) -> i64 {
    let body =
        crate::support::upload::upload(lib, &lib.anna, api, method, fields, &corpus_file(file))
            .await;
    assert_eq!(body["success"], true, "{api} {method} {fields:?}: {body}");
    body["data"]["id"].as_i64().expect("id")
}

fn id_in(data: &Value, key: &str) -> i64 {
    data[key]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{key}.id in {data}"))
}

fn text(data: &Value, key: &str) -> String {
    data[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {data}"))
        .to_owned()
}

/// The library, step by step.
async fn build() -> (Library, Login, Ids) {
    let app = TestApp::spawn_with("[indexer]\nworkers = 1\n", true).await;
    app.add_user("anna", "anna-pass-1", true);
    app.add_user("ben", "ben-pass-1", false);
    app.add_user("cleo", "cleo-pass-1", false);
    wait_count_app(&app, "SELECT COUNT(*) FROM folders", 1).await;
    // Each sign-in makes a Personal Space; its root folder is found before the next.
    let anna = app.login("anna", "anna-pass-1").await;
    wait_count_app(&app, "SELECT COUNT(*) FROM folders", 2).await;
    let ben = app.login("ben", "ben-pass-1").await;
    wait_count_app(&app, "SELECT COUNT(*) FROM folders", 3).await;
    let cleo = app.login("cleo", "cleo-pass-1").await;
    wait_count_app(&app, "SELECT COUNT(*) FROM folders", 4).await;
    let leaving = app.login("anna", "anna-pass-1").await;
    let lib = Library {
        app,
        anna,
        ben,
        cleo,
    };

    let folder = |api: &'static str, name: &'static str| {
        let lib = &lib;
        async move {
            lib.ok(&lib.anna, api, "get", &[("name", name)]).await["folder"]["id"]
                .as_i64()
                .expect("folder id")
        }
    };
    let root = folder("SYNO.Foto.Browse.Folder", "/").await;
    let team_root = folder("SYNO.FotoTeam.Browse.Folder", "/").await;

    // Anna's timeline: PhotoLibrary/2022/03 by the date taken.
    let timeline = |name: &'static str, file: &'static str| {
        let lib = &lib;
        async move {
            let name = q(name);
            upload_one(
                lib,
                "SYNO.Foto.Upload.Item",
                "upload",
                &[
                    ("name", name.as_str()),
                    ("mtime", "1600000000"),
                    ("folder", "[\"PhotoLibrary\"]"),
                    ("duplicate", "\"ignore\""),
                ],
                file,
            )
            .await
        }
    };
    let paris = timeline("paris.jpg", "metadata/gps_paris.jpg").await;
    let mine = timeline("mine.jpg", "orientation/orient_6.jpg").await;
    let clip = timeline("clip.mp4", "video/h264.mp4").await;
    let victim = timeline("victim.png", "formats/png.png").await;
    let month = lib
        .ok(
            &lib.anna,
            "SYNO.Foto.Browse.Item",
            "get",
            &[("id", &list(paris))],
        )
        .await["list"][0]["folder_id"]
        .as_i64()
        .expect("folder_id");

    // The Shared Space's /Family.
    let make = |api: &'static str, parent: i64, name: &'static str| {
        let lib = &lib;
        async move {
            let made = lib
                .ok(
                    &lib.anna,
                    api,
                    "create",
                    &[("target_id", &n(parent)), ("name", &q(name))],
                )
                .await;
            id_in(&made, "folder")
        }
    };
    let family = make("SYNO.FotoTeam.Browse.Folder", team_root, "Family").await;
    let shared = |name: &'static str, file: &'static str| {
        let lib = &lib;
        async move {
            let name = q(name);
            let target = n(family);
            upload_one(
                lib,
                "SYNO.FotoTeam.Upload.Item",
                "upload_to_folder",
                &[
                    ("name", name.as_str()),
                    ("mtime", "1600000000"),
                    ("target_folder_id", target.as_str()),
                ],
                file,
            )
            .await
        }
    };
    let tokyo = shared("tokyo.jpg", "metadata/gps_tokyo.jpg").await;
    let picture = shared("picture.png", "formats/png.png").await;
    let team_clip = shared("clip.mp4", "video/h264.mp4").await;
    let team_victim = shared("victim.png", "formats/png.png").await;
    let rename_me = make("SYNO.Foto.Browse.Folder", root, "Rename me").await;
    let delete_me = make("SYNO.Foto.Browse.Folder", root, "Delete me").await;
    let team_rename_me = make("SYNO.FotoTeam.Browse.Folder", team_root, "Rename me").await;
    let team_delete_me = make("SYNO.FotoTeam.Browse.Folder", team_root, "Delete me").await;
    settle(&lib).await;
    lib.wait_placed("SYNO.Foto.Browse.Geocoding", 1).await;
    lib.wait_placed("SYNO.FotoTeam.Browse.Geocoding", 1).await;
    let city = |api: &'static str| {
        let lib = &lib;
        async move {
            lib.ok(
                &lib.anna,
                api,
                "list",
                &[("offset", "0"), ("limit", "100"), ("level", "3")],
            )
            .await["list"][0]["id"]
                .as_i64()
                .expect("place id")
        }
    };
    let paris_place = city("SYNO.Foto.Browse.Geocoding").await;
    let tokyo_place = city("SYNO.FotoTeam.Browse.Geocoding").await;

    // Tags, albums.
    let holiday = id_in(
        &lib.ok(
            &lib.anna,
            "SYNO.Foto.Browse.GeneralTag",
            "create",
            &[("name", &q("holiday"))],
        )
        .await,
        "tag",
    );
    lib.ok(
        &lib.anna,
        "SYNO.Foto.Browse.Item",
        "add_tag",
        &[("id", &list(paris)), ("tag", &list(holiday))],
    )
    .await;
    let family_tag = id_in(
        &lib.ok(
            &lib.anna,
            "SYNO.FotoTeam.Browse.GeneralTag",
            "create",
            &[("name", &q("family"))],
        )
        .await,
        "tag",
    );
    lib.ok(
        &lib.anna,
        "SYNO.FotoTeam.Browse.Item",
        "add_tag",
        &[("id", &list(tokyo)), ("tag", &list(family_tag))],
    )
    .await;
    let album = |name: &'static str, items: String| {
        let lib = &lib;
        async move {
            id_in(
                &lib.ok(
                    &lib.anna,
                    "SYNO.Foto.Browse.NormalAlbum",
                    "create",
                    &[("name", &q(name)), ("item", &items)],
                )
                .await,
                "album",
            )
        }
    };
    let trip = album("Trip", format!("[{paris},{mine}]")).await;
    let doomed = album("Doomed", list(mine)).await;
    let photos = id_in(
        &lib.ok(
            &lib.anna,
            "SYNO.Foto.Browse.ConditionAlbum",
            "create",
            &[
                ("name", &q("Photos")),
                (
                    "condition",
                    &format!(r#"{{"folder_filter":[{month}],"item_type":[0],"user_id":0}}"#),
                ),
            ],
        )
        .await,
        "album",
    );

    // Share links.
    let link = text(
        &lib.ok(
            &lib.anna,
            "SYNO.Foto.Sharing.Passphrase",
            "set_shared",
            &[
                ("policy", q("album").as_str()),
                ("album_id", &n(trip)),
                ("enabled", "true"),
            ],
        )
        .await,
        "passphrase",
    );
    let team_link = text(
        &lib.ok(
            &lib.anna,
            "SYNO.FotoTeam.Sharing.Passphrase",
            "set_shared",
            &[
                ("policy", q("folder").as_str()),
                ("folder_id", &n(family)),
                ("enabled", "true"),
            ],
        )
        .await,
        "passphrase",
    );

    // The album's link opens to anyone (a guest can sign in with it).
    lib.ok(
        &lib.anna,
        "SYNO.Foto.Sharing.Passphrase",
        "update",
        &[
            ("passphrase", &q(&link)),
            (
                "permission",
                r#"[{"action":"update","role":"view","member":{"type":"public"}}]"#,
            ),
        ],
    )
    .await;

    // Photo Requests.
    let request = |api: &'static str, folder: i64, subject: &'static str| {
        let lib = &lib;
        async move {
            let made = lib
                .ok(
                    &lib.anna,
                    api,
                    "create",
                    &[
                        ("folder_id", &n(folder)),
                        ("subject", &q(subject)),
                        ("description", &q("Send us your photos!")),
                    ],
                )
                .await;
            made["passphrase"]
                .as_str()
                .or_else(|| made["request"]["passphrase"].as_str())
                .unwrap_or_else(|| panic!("passphrase in {made}"))
                .to_owned()
        }
    };
    let request_id = request("SYNO.Foto.PhotoRequest", root, "Party").await;
    let team_request = request("SYNO.FotoTeam.PhotoRequest", family, "Reunion").await;

    // Resumable uploads.
    let resumable = |api: &'static str, name: &'static str| {
        let lib = &lib;
        async move {
            let size = corpus_file("formats/png.png").len().to_string();
            text(
                &lib.ok(
                    &lib.anna,
                    api,
                    "create",
                    &[
                        ("name", q(name).as_str()),
                        ("size", &size),
                        ("mtime", "1600000000"),
                    ],
                )
                .await,
                "upload_id",
            )
        }
    };
    let resumable_one = resumable("SYNO.Foto.Upload.Resumable", "resumed.png").await;
    let resumable_cancel = resumable("SYNO.Foto.Upload.Resumable", "cancelled.png").await;
    let team_resumable = resumable("SYNO.FotoTeam.Upload.Resumable", "resumed.png").await;
    let team_resumable_cancel = resumable("SYNO.FotoTeam.Upload.Resumable", "cancelled.png").await;
    settle(&lib).await;

    let me = |who: &Login| {
        let lib = &lib;
        let who = who.clone();
        async move {
            lib.ok(&who, "SYNO.Foto.UserInfo", "me", &[]).await["id"]
                .as_i64()
                .expect("user id")
        }
    };
    let ben_id = me(&lib.ben).await;
    let ids = Ids {
        root,
        team_root,
        month,
        family,
        rename_me,
        team_rename_me,
        delete_me,
        team_delete_me,
        paris,
        mine,
        clip,
        victim,
        tokyo,
        picture,
        team_clip,
        team_victim,
        holiday,
        family_tag,
        trip,
        doomed,
        photos,
        paris_place,
        tokyo_place,
        link,
        team_link,
        request: request_id,
        team_request,
        resumable: resumable_one,
        resumable_cancel,
        team_resumable,
        team_resumable_cancel,
        ben_id,
    };
    (lib, leaving, ids)
}

/// Polls a `SELECT COUNT(*)` until it is `want`.
async fn wait_count_app(app: &TestApp, sql: &str, want: i64) {
    let url = format!(
        "sqlite://{}?mode=ro",
        app.data_dir().join("shoebox.db").display()
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(pool) = sqlx::SqlitePool::connect(&url).await {
            let got: Result<i64, _> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                .fetch_one(&pool)
                .await;
            pool.close().await;
            if got.as_ref().ok() == Some(&want) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{sql}: {got:?}, not {want}\n{}",
                app.log()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every `additional` an item list can be asked for.
const ADDITIONAL: &str = concat!(
    r#"["thumbnail","resolution","orientation","video_convert","video_meta","#,
    r#""provider_user_id","exif","tag","description","gps","geocoding_id","address","#,
    r#""person","rating","favorite"]"#,
);

/// The browse methods of one space (`prefix` `SYNO.Foto` or `SYNO.FotoTeam`), reading first.
#[allow(clippy::too_many_lines)]
fn space_reads(prefix: &str, ids: &Ids, team: bool) -> Vec<Case> {
    let a = |rest: &str| format!("{prefix}.{rest}");
    let (root, folder, photo, video, tag, place, request) = if team {
        (
            ids.team_root,
            ids.family,
            ids.tokyo,
            ids.team_clip,
            ids.family_tag,
            ids.tokyo_place,
            &ids.team_request,
        )
    } else {
        (
            ids.root,
            ids.month,
            ids.paris,
            ids.clip,
            ids.holiday,
            ids.paris_place,
            &ids.request,
        )
    };
    let page: [(&'static str, String); 2] = [("offset", n(0)), ("limit", n(100))];
    let with = |extra: &[(&'static str, String)]| {
        let mut p = page.to_vec();
        p.extend_from_slice(extra);
        p
    };
    let bounds = [
        ("north", "80".to_owned()),
        ("south", "-80".to_owned()),
        ("east", "180".to_owned()),
        ("west", "-180".to_owned()),
    ];
    let mut cases = vec![
        case(
            &a("Browse.Item"),
            "list",
            &with(&[("additional", ADDITIONAL.to_owned())]),
        ),
        case(&a("Browse.Item"), "count", &[]),
        case(
            &a("Browse.Item"),
            "get",
            &[("id", list(photo)), ("additional", ADDITIONAL.to_owned())],
        ),
        case(
            &a("Browse.Item"),
            "list_with_filter",
            &with(&[("item_type", "[0]".to_owned())]),
        ),
        case(
            &a("Browse.Item"),
            "count_with_filter",
            &[("item_type", "[0]".to_owned())],
        ),
        case(&a("Browse.Folder"), "get", &[("id", n(folder))]),
        case(&a("Browse.Folder"), "list", &with(&[("id", n(root))])),
        case(&a("Browse.Folder"), "count", &[("id", n(root))]),
        case(&a("Browse.Folder"), "list_parents", &[("id", n(folder))]),
        case(
            &a("Browse.Timeline"),
            "get",
            &[("timeline_group_unit", q("day"))],
        ),
        case(&a("Browse.Timeline"), "get_geocoding", &[]),
        case(&a("Browse.Geocoding"), "list", &with(&[("level", n(3))])),
        case(&a("Browse.Geocoding"), "count", &[("level", n(3))]),
        case(&a("Browse.Geocoding"), "get", &[("id", n(place))]),
        case(
            &a("Browse.Map"),
            "list_cluster",
            &[
                bounds[0].clone(),
                bounds[1].clone(),
                bounds[2].clone(),
                bounds[3].clone(),
                ("zoom", n(2)),
                ("additional", r#"["thumbnail"]"#.to_owned()),
            ],
        ),
        case(&a("Browse.Map"), "list_item", &with(&bounds)),
        case(&a("Browse.Map"), "count_item", &bounds),
        case(&a("Browse.Diff"), "get_version", &[]),
        case(
            &a("Browse.Diff"),
            "get",
            &[("diff_version", n(0)), ("limit", n(100))],
        ),
        case(&a("Browse.GeneralTag"), "list", &page),
        case(&a("Browse.GeneralTag"), "count", &[]),
        case(&a("Browse.GeneralTag"), "get", &[("id", n(tag))]),
        case(&a("Browse.RecentlyAdded"), "list", &page),
        case(&a("Browse.RecentlyAdded"), "count", &[]),
        case(&a("Browse.Person"), "list", &page),
        case(&a("Browse.Person"), "count", &[]),
        case(&a("Browse.Person"), "get", &[("id", n(1))]),
        case(&a("Browse.Person"), "list_face", &with(&[("id", n(1))])),
        case(&a("Browse.Person"), "suggest", &[("keyword", q("an"))]),
        case(&a("Browse.Concept"), "list", &page),
        case(&a("Browse.Concept"), "count", &[]),
        case(&a("Browse.Concept"), "get", &[("id", n(1))]),
        case(
            &a("Search.Search"),
            "list_item",
            &with(&[("keyword", q(if team { "tokyo" } else { "paris" }))]),
        ),
        case(
            &a("Search.Search"),
            "count_item",
            &[("keyword", q(if team { "tokyo" } else { "paris" }))],
        ),
        case(&a("Search.Search"), "suggest", &[("keyword", q("pa"))]),
        case(&a("Search.Filter"), "list", &[]),
        case(
            &a("Upload.Item"),
            "backup_check",
            &[(
                "files",
                json!([
                    {"name": "paris.jpg", "size": 1, "mtime": 1_600_000_000},
                    {"name": "new.jpg", "size": 1, "mtime": 1_600_000_000},
                ])
                .to_string(),
            )],
        ),
        case(&a("PhotoRequest"), "list", &[]),
        case(&a("PhotoRequest"), "get", &[("passphrase", q(request))]),
        case(
            &a("Upload.Resumable"),
            "status",
            &[(
                "upload_id",
                q(if team {
                    &ids.team_resumable
                } else {
                    &ids.resumable
                }),
            )],
        ),
        case(
            &a("Thumbnail"),
            "get",
            &[("id", n(photo)), ("type", q("unit")), ("size", q("sm"))],
        )
        .made(),
        case(&a("Download"), "download", &[("unit_id", list(photo))]).binary(),
        case(
            &a("Streaming"),
            "streaming",
            &[("id", n(video)), ("quality", q("original"))],
        )
        .binary(),
    ];
    if !team {
        cases.push(
            case(
                &a("Thumbnail"),
                "get",
                &[("id", n(ids.trip)), ("type", q("album")), ("size", q("sm"))],
            )
            .made()
            .labelled("album"),
        );
    }
    cases
}

/// The changing methods of one space, each on objects nothing later reads as they were.
#[allow(clippy::too_many_lines)]
fn space_changes(prefix: &str, ids: &Ids, team: bool) -> Vec<Case> {
    let a = |rest: &str| format!("{prefix}.{rest}");
    let (root, folder, photo, other, tag, rename_me, request, resumable, resumable_cancel) = if team
    {
        (
            ids.team_root,
            ids.family,
            ids.tokyo,
            ids.picture,
            ids.family_tag,
            ids.team_rename_me,
            &ids.team_request,
            &ids.team_resumable,
            &ids.team_resumable_cancel,
        )
    } else {
        (
            ids.root,
            ids.month,
            ids.paris,
            ids.mine,
            ids.holiday,
            ids.rename_me,
            &ids.request,
            &ids.resumable,
            &ids.resumable_cancel,
        )
    };
    let png = corpus_file("formats/png.png");
    vec![
        case(
            &a("Browse.Item"),
            "set",
            &[
                ("id", list(other)),
                ("description", q("A description")),
                ("rating", n(4)),
            ],
        ),
        case(
            &a("Browse.Item"),
            "set_favorite",
            &[("id", list(other)), ("favorite", "true".to_owned())],
        ),
        case(
            &a("Browse.Item"),
            "add_tag",
            &[("id", list(other)), ("tag", list(tag))],
        ),
        case(
            &a("Browse.Item"),
            "remove_tag",
            &[("id", list(photo)), ("tag", list(tag))],
        ),
        case(
            &a("Browse.Folder"),
            "create",
            &[("target_id", n(root)), ("name", q("New folder"))],
        ),
        case(
            &a("Browse.Folder"),
            "rename",
            &[("id", n(rename_me)), ("name", q("Renamed"))],
        ),
        case(
            &a("Browse.Folder"),
            "set_cover",
            &[("id", n(folder)), ("item_id", n(photo))],
        ),
        case(&a("Browse.GeneralTag"), "create", &[("name", q("new tag"))]),
        case(
            &a("Browse.Person"),
            "set",
            &[("id", n(1)), ("name", q("Someone"))],
        ),
        case(
            &a("Browse.Person"),
            "merge",
            &[("target_id", n(1)), ("source_ids", "[2]".to_owned())],
        ),
        case(
            &a("Browse.Person"),
            "separate",
            &[("id", n(1)), ("face_id", "[1]".to_owned())],
        ),
        case(
            &a("Browse.Person"),
            "show",
            &[("id", n(1)), ("show", "true".to_owned())],
        ),
        case(
            &a("Browse.Person"),
            "set_cover",
            &[("id", n(1)), ("face_id", n(1))],
        ),
        case(
            &a("Browse.Person"),
            "delete_face",
            &[("id", n(1)), ("face_id", "[1]".to_owned())],
        ),
        case(
            &a("Upload.Item"),
            "upload",
            &[
                ("name", q("uploaded.png")),
                ("mtime", n(1_600_000_000)),
                ("folder", r#"["PhotoLibrary"]"#.to_owned()),
                ("duplicate", q("rename")),
            ],
        )
        .with_file(png.clone()),
        case(
            &a("Upload.Item"),
            "upload_to_folder",
            &[
                ("name", q("to_folder.png")),
                ("mtime", n(1_600_000_000)),
                ("target_folder_id", n(folder)),
            ],
        )
        .with_file(png.clone()),
        case(
            &a("Upload.Item"),
            "backup_to_path",
            &[
                ("name", q("IMG_0009.png")),
                ("mtime", n(1_600_000_000)),
                ("path", "/MobileBackup/Pixel".to_owned()),
            ],
        )
        .with_file(png.clone()),
        case(
            &a("Upload.Resumable"),
            "create",
            &[
                ("name", q("another.png")),
                ("size", n(i64::try_from(png.len()).expect("size"))),
                ("mtime", n(1_600_000_000)),
            ],
        ),
        case(
            &a("Upload.Resumable"),
            "append",
            &[("upload_id", q(resumable)), ("offset", n(0))],
        )
        .with_file(png),
        case(
            &a("Upload.Resumable"),
            "cancel",
            &[("upload_id", q(resumable_cancel))],
        ),
        case(
            &a("PhotoRequest"),
            "create",
            &[("folder_id", n(folder)), ("subject", q("Another"))],
        ),
        case(
            &a("PhotoRequest"),
            "set",
            &[("passphrase", q(request)), ("subject", q("Party, day two"))],
        ),
        case(&a("PhotoRequest"), "close", &[("passphrase", q(request))]),
    ]
}

/// The deleting methods of one space, last.
fn space_deletes(prefix: &str, ids: &Ids, team: bool) -> Vec<Case> {
    let a = |rest: &str| format!("{prefix}.{rest}");
    let (victim, delete_me, request) = if team {
        (ids.team_victim, ids.team_delete_me, &ids.team_request)
    } else {
        (ids.victim, ids.delete_me, &ids.request)
    };
    vec![
        case(&a("Browse.Item"), "delete", &[("id", list(victim))]),
        case(&a("Browse.Folder"), "delete", &[("id", list(delete_me))]),
        case(&a("PhotoRequest"), "delete", &[("passphrase", q(request))]),
    ]
}

/// A share link's permission: ben may view.
fn ben_views(ids: &Ids) -> String {
    json!([{"action": "update", "role": "view", "member": {"type": "user", "id": ids.ben_id}}])
        .to_string()
}

#[allow(clippy::too_many_lines)]
fn table(ids: &Ids) -> Vec<Case> {
    let mut t = vec![
        // Discovery and sign-in.
        case("SYNO.API.Info", "query", &[("query", "all".to_owned())]).by(Who::Nobody),
        case("SYNO.API.Auth.UIConfig", "get", &[]).by(Who::Nobody),
        case("SYNO.API.Encryption", "getinfo", &[]).by(Who::Nobody),
        case(
            "SYNO.API.Auth",
            "login",
            &[
                ("account", "cleo".to_owned()),
                ("passwd", "cleo-pass-1".to_owned()),
                ("enable_syno_token", "yes".to_owned()),
            ],
        )
        .by(Who::Nobody),
        case("SYNO.Shoebox.Setup", "get", &[]).by(Who::Nobody),
        case(
            "SYNO.Shoebox.Setup",
            "create_admin",
            &[
                ("account", "zed".to_owned()),
                ("passwd", "zed-pass-1".to_owned()),
            ],
        )
        .by(Who::Nobody),
        case("SYNO.Foto.Setting.Guest", "get", &[]).by(Who::Nobody),
        case("SYNO.DSM.Info", "getinfo", &[]),
        case("SYNO.Foto.UserInfo", "me", &[]),
        case("SYNO.Foto.Index", "get", &[]),
        case("SYNO.FotoTeam.Index", "get", &[]),
        // Settings and accounts.
        case("SYNO.Foto.Setting.Admin", "get", &[]),
        case("SYNO.Foto.Setting.User", "get", &[]),
        case("SYNO.Foto.Setting.TeamSpace", "get", &[]),
        case("SYNO.Foto.Setting.TeamSpace", "list_permission", &[]),
        case(
            "SYNO.FotoTeam.Sharing.FolderPermission",
            "list",
            &[("id", n(ids.family))],
        ),
        case(
            "SYNO.Core.User",
            "list",
            &[("offset", n(0)), ("limit", n(100))],
        ),
        case("SYNO.Core.User", "get", &[("name", "cleo".to_owned())]),
        case("SYNO.Core.RecycleBin", "get", &[]),
        // Albums.
        case(
            "SYNO.Foto.Browse.Album",
            "list",
            &[("offset", n(0)), ("limit", n(100))],
        ),
        case("SYNO.Foto.Browse.Album", "count", &[]),
        case("SYNO.Foto.Browse.Album", "get", &[("id", list(ids.trip))]),
        case(
            "SYNO.Foto.Browse.NormalAlbum",
            "list",
            &[("offset", n(0)), ("limit", n(100))],
        ),
        case("SYNO.Foto.Browse.NormalAlbum", "count", &[]),
        case(
            "SYNO.Foto.Browse.NormalAlbum",
            "get",
            &[("id", n(ids.trip))],
        ),
        case(
            "SYNO.Foto.Browse.ConditionAlbum",
            "list",
            &[("offset", n(0)), ("limit", n(100))],
        ),
        case("SYNO.Foto.Browse.ConditionAlbum", "count", &[]),
        case(
            "SYNO.Foto.Browse.ConditionAlbum",
            "get",
            &[("id", n(ids.photos))],
        ),
        case(
            "SYNO.Foto.Browse.ConditionAlbum",
            "peek_item_count",
            &[(
                "condition",
                format!(
                    r#"{{"folder_filter":[{}],"item_type":[0],"user_id":0}}"#,
                    ids.month
                ),
            )],
        ),
        case(
            "SYNO.Foto.Browse.ConditionAlbum",
            "suggest",
            &[("keyword", q("pa"))],
        ),
        case("SYNO.Foto.Browse.Category", "get", &[]),
        // Sharing.
        case(
            "SYNO.Foto.Sharing.Passphrase",
            "get",
            &[("passphrase", q(&ids.link))],
        ),
        case(
            "SYNO.FotoTeam.Sharing.Passphrase",
            "get",
            &[("passphrase", q(&ids.team_link))],
        ),
        case("SYNO.Foto.Sharing.Misc", "list_user_group", &[]),
        case(
            "SYNO.Foto.Sharing.Misc",
            "list_shared_with_me_album",
            &[("offset", n(0)), ("limit", n(100))],
        )
        .by(Who::Ben),
        case(
            "SYNO.Foto.Sharing.Misc",
            "list_shared_folder",
            &[("offset", n(0)), ("limit", n(100))],
        ),
        case(
            "SYNO.Core.Sharing.Login",
            "login",
            &[("sharing_id", ids.link.clone())],
        )
        .by(Who::Nobody),
        case(
            "SYNO.Foto.Upload.PhotoRequestItem",
            "get_info",
            &[("passphrase", q(&ids.request))],
        )
        .by(Who::Nobody),
        case(
            "SYNO.Foto.Upload.PhotoRequestItem",
            "upload",
            &[
                ("passphrase", q(&ids.request)),
                ("name", q("from_a_guest.png")),
                ("mtime", n(1_600_000_000)),
                ("sender", q("Grandma")),
            ],
        )
        .by(Who::Nobody)
        .with_file(corpus_file("formats/png.png")),
    ];
    t.extend(space_reads("SYNO.Foto", ids, false));
    t.extend(space_reads("SYNO.FotoTeam", ids, true));
    t.extend([
        // Changes.
        case(
            "SYNO.Foto.Setting.User",
            "set",
            &[("show_date_location", "true".to_owned())],
        ),
        case(
            "SYNO.Foto.Setting.Admin",
            "set",
            &[("default_thumbnail_size", q("m"))],
        ),
        case(
            "SYNO.Foto.Setting.TeamSpace",
            "set",
            &[("enable_person", "true".to_owned())],
        ),
        case(
            "SYNO.Foto.Setting.TeamSpace",
            "update_permission",
            &[(
                "permission",
                format!(r#"[{{"user_id":{},"access":"custom"}}]"#, ids.ben_id),
            )],
        ),
        case(
            "SYNO.FotoTeam.Sharing.FolderPermission",
            "update",
            &[
                ("id", n(ids.family)),
                (
                    "permission",
                    format!(r#"[{{"user_id":{},"download":true}}]"#, ids.ben_id),
                ),
            ],
        ),
        case(
            "SYNO.FotoTeam.Sharing.FolderBatchPermission",
            "update",
            &[
                ("id", list(ids.family)),
                (
                    "permission",
                    format!(r#"[{{"user_id":{},"view":true}}]"#, ids.ben_id),
                ),
            ],
        ),
        case(
            "SYNO.Core.User",
            "create",
            &[
                ("name", "dora".to_owned()),
                ("password", "dora-pass-1".to_owned()),
            ],
        ),
        case(
            "SYNO.Core.User",
            "set",
            &[
                ("name", "dora".to_owned()),
                ("expired", "normal".to_owned()),
            ],
        ),
        case(
            "SYNO.Core.RecycleBin",
            "set",
            &[("enable", "true".to_owned())],
        ),
        case(
            "SYNO.Foto.Browse.Album",
            "set_name",
            &[("id", n(ids.trip)), ("name", q("Trip to Paris"))],
        ),
        case(
            "SYNO.Foto.Browse.Album",
            "set_cover",
            &[("id", n(ids.trip)), ("id_item", n(ids.mine))],
        ),
        case(
            "SYNO.Foto.Browse.Album",
            "set_order",
            &[
                ("id", n(ids.trip)),
                ("item", format!("[{},{}]", ids.mine, ids.paris)),
            ],
        ),
        case(
            "SYNO.Foto.Browse.NormalAlbum",
            "create",
            &[("name", q("New album")), ("item", list(ids.clip))],
        ),
        case(
            "SYNO.Foto.Browse.NormalAlbum",
            "add_item",
            &[("id", n(ids.trip)), ("item", list(ids.clip))],
        ),
        case(
            "SYNO.Foto.Browse.NormalAlbum",
            "delete_item",
            &[("id", n(ids.trip)), ("item", list(ids.clip))],
        ),
        case(
            "SYNO.Foto.Browse.ConditionAlbum",
            "create",
            &[
                ("name", q("Videos")),
                (
                    "condition",
                    format!(
                        r#"{{"folder_filter":[{}],"item_type":[1],"user_id":0}}"#,
                        ids.month
                    ),
                ),
            ],
        ),
        case(
            "SYNO.Foto.Browse.ConditionAlbum",
            "set_condition",
            &[
                ("id", n(ids.photos)),
                (
                    "condition",
                    format!(
                        r#"{{"folder_filter":[{}],"item_type":[0,1],"user_id":0}}"#,
                        ids.month
                    ),
                ),
            ],
        ),
        case(
            "SYNO.Foto.Sharing.Passphrase",
            "update",
            &[("passphrase", q(&ids.link)), ("permission", ben_views(ids))],
        ),
        case(
            "SYNO.FotoTeam.Sharing.Passphrase",
            "update",
            &[
                ("passphrase", q(&ids.team_link)),
                ("permission", ben_views(ids)),
            ],
        ),
        case(
            "SYNO.Foto.Sharing.Passphrase",
            "set_shared",
            &[
                ("policy", q("item")),
                ("item_id", list(ids.mine)),
                ("enabled", "true".to_owned()),
            ],
        ),
        case(
            "SYNO.FotoTeam.Sharing.Passphrase",
            "set_shared",
            &[
                ("policy", q("folder")),
                ("folder_id", n(ids.team_rename_me)),
                ("enabled", "true".to_owned()),
            ],
        ),
    ]);
    t.extend(space_changes("SYNO.Foto", ids, false));
    t.extend(space_changes("SYNO.FotoTeam", ids, true));
    t.extend([
        case(
            "SYNO.Foto.Browse.Album",
            "delete",
            &[("id", list(ids.doomed))],
        ),
        case("SYNO.Core.User", "delete", &[("name", "dora".to_owned())]),
    ]);
    t.extend(space_deletes("SYNO.Foto", ids, false));
    t.extend(space_deletes("SYNO.FotoTeam", ids, true));
    t.extend([
        case("SYNO.Core.RecycleBin", "clean", &[]),
        case(
            "SYNO.Foto.Setting.TeamSpace",
            "set_enable",
            &[("enable", "true".to_owned())],
        ),
        case("SYNO.API.Auth", "logout", &[]).by(Who::Leaving),
        case("SYNO.Foto.Index", "reindex", &[]),
        case("SYNO.FotoTeam.Index", "reindex", &[]),
    ]);
    t
}

/// Seconds since the epoch.
fn now() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    i64::try_from(secs).expect("seconds")
}

/// What changes from run to run inside an answer, replaced by placeholders: every occurrence of
/// a volatile text (the data folder, the port, sessions, link passphrases) inside strings, the
/// passphrase at the end of a link's address, and any number that is a time of day while the
/// test ran (`clock`: its start and end, in seconds; also as milliseconds), so that the times
/// of photos stay as they are.
fn scrub(value: &mut Value, volatile: &[(String, &str)], clock: (i64, i64)) {
    match value {
        Value::String(s) => {
            for (needle, placeholder) in volatile {
                if !needle.is_empty() && s.contains(needle.as_str()) {
                    *s = s.replace(needle.as_str(), placeholder);
                }
            }
            for link in ["/mo/request/", "/mo/sharing/"] {
                if let Some(at) = s.find(link) {
                    s.truncate(at + link.len());
                    s.push_str("[passphrase]");
                }
            }
        }
        Value::Number(number) => {
            let during = |t: i64| (clock.0 - 60..=clock.1 + 60).contains(&t);
            if let Some(t) = number.as_i64()
                && (during(t) || during(t / 1000))
            {
                *value = Value::String("[clock]".to_owned());
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| scrub(v, volatile, clock)),
        Value::Object(map) => map.values_mut().for_each(|v| scrub(v, volatile, clock)),
        _ => {}
    }
}

/// Insta settings that replace the values of the clock's and randomness's fields, wherever
/// they are in an answer (a `null` stays `null`: that is shape).
fn redactions() -> insta::Settings {
    use insta::internals::Content;
    let mut settings = insta::Settings::clone_current();
    for field in REDACTED_FIELDS {
        let placeholder = format!("[{field}]");
        settings.add_redaction(
            &format!(".**.{field}"),
            insta::dynamic_redaction(move |value, _| match value {
                Content::None | Content::Unit => value,
                _ => Content::String(placeholder.clone()),
            }),
        );
    }
    settings
}

#[tokio::test]
async fn every_api_answer_keeps_its_shape() {
    let started = now();
    let (lib, leaving, ids) = build().await;
    let apis = Apis::of(&lib.app).await;
    let cases = table(&ids);
    let volatile: Vec<(String, &str)> = vec![
        (lib.app.data_dir().display().to_string(), "[data]"),
        (lib.app.base.clone(), "[base]"),
        (format!(":{}", lib.app.port), ":[port]"),
        (ids.link.clone(), "[link]"),
        (ids.team_link.clone(), "[team_link]"),
        (ids.request.clone(), "[request]"),
        (ids.team_request.clone(), "[team_request]"),
        (lib.anna.sid.clone(), "[sid]"),
        (lib.anna.token.clone(), "[synotoken]"),
    ];
    let _redacted = redactions().bind_to_scope();
    let mut covered = BTreeSet::new();
    for c in &cases {
        let sid = match c.who {
            Who::Anna => Some(lib.anna.sid.as_str()),
            Who::Ben => Some(lib.ben.sid.as_str()),
            Who::Leaving => Some(leaving.sid.as_str()),
            Who::Nobody => None,
        };
        let response = send(
            &lib.app,
            &apis,
            &c.api,
            c.method,
            &c.params,
            sid,
            c.file.as_deref(),
        )
        .await;
        let mut answer = match c.kind {
            Kind::Binary => binary(response, true).await,
            Kind::Made => binary(response, false).await,
            Kind::Json => response.json().await.expect("JSON answer"),
        };
        scrub(&mut answer, &volatile, (started, now()));
        if c.file.is_some() {
            // What an upload starts (metadata, thumbnails) is done before the next answer.
            settle(&lib).await;
        }
        let mut name = format!("{}__{}", c.api, c.method);
        if let Some(label) = c.label {
            name = format!("{name}__{label}");
        }
        covered.insert((c.api.clone(), c.method));
        insta::assert_json_snapshot!(name.as_str(), answer);
    }
    // Every API that API.Info lists is in the table.
    let missing: Vec<&String> = apis
        .0
        .keys()
        .filter(|api| !covered.iter().any(|(a, _)| a == *api))
        .collect();
    assert!(missing.is_empty(), "not in the table: {missing:?}");
}
