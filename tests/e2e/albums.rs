//! Albums over HTTP: manual albums with items of both spaces, covers, order, renames and
//! deletes; conditional albums that fill themselves; Recently Added; categories; and who sees
//! whose album. The library is browse.rs's: anna (admin) sees the Shared Space (paris.jpg,
//! tokyo.jpg, clip.mp4, picture.png); ben has mine.jpg and a Live Photo in his Personal Space
//! and no Shared Space access.

use std::time::Duration;

use serde_json::Value;

use crate::support::api::{Library, library, names};
use crate::support::corpus::corpus;
use crate::support::{Login, TestApp};

const ALBUM: &str = "SYNO.Foto.Browse.Album";
const NORMAL: &str = "SYNO.Foto.Browse.NormalAlbum";
const CONDITION: &str = "SYNO.Foto.Browse.ConditionAlbum";
const ITEMS: &str = "SYNO.Foto.Browse.Item";
const TEAM_ITEMS: &str = "SYNO.FotoTeam.Browse.Item";

async fn album_items(lib: &Library, who: &Login, api: &str, album: i64) -> Vec<Value> {
    lib.items(who, api, &[("id", &album.to_string())]).await
}

async fn album(lib: &Library, who: &Login, id: i64) -> Value {
    lib.ok(
        who,
        ALBUM,
        "get",
        &[
            ("id", &format!("[{id}]")),
            ("additional", r#"["thumbnail"]"#),
        ],
    )
    .await["list"][0]
        .clone()
}

#[tokio::test]
async fn manual_albums_from_creation_to_deletion() {
    let lib = library().await;
    let paris = lib.id_of(&lib.anna, TEAM_ITEMS, "paris.jpg").await;
    let tokyo = lib.id_of(&lib.anna, TEAM_ITEMS, "tokyo.jpg").await;
    let clip = lib.id_of(&lib.anna, TEAM_ITEMS, "clip.mp4").await;
    let mine = lib.id_of(&lib.ben, ITEMS, "mine.jpg").await;

    // Made with two items; an id anna cannot see (ben's) is refused in the error list.
    let made = lib
        .ok(
            &lib.anna,
            NORMAL,
            "create",
            &[
                ("name", "\"Trip\""),
                ("item", &format!("[{paris},{tokyo},{mine}]")),
            ],
        )
        .await;
    let id = made["album"]["id"].as_i64().expect("album id");
    assert_eq!(made["album"]["item_count"], 2, "{made}");
    assert_eq!(made["album"]["type"], "normal");
    for key in [
        "owner_user_id",
        "passphrase",
        "shared",
        "sort_by",
        "sort_direction",
        "create_time",
        "start_time",
        "end_time",
        "version",
    ] {
        assert!(made["album"].get(key).is_some(), "no {key}: {made}");
    }
    let errors = made["error_list"].as_array().expect("error_list");
    assert_eq!(errors.len(), 1, "{made}");
    assert_eq!(errors[0]["id"], mine);
    assert_eq!(
        names(&album_items(&lib, &lib.anna, ITEMS, id).await),
        ["paris.jpg", "tokyo.jpg"]
    );

    // Added to; the Shared Space items also list through the FotoTeam API.
    let added = lib
        .ok(
            &lib.anna,
            NORMAL,
            "add_item",
            &[
                ("id", &id.to_string()),
                ("item", &format!("[{clip},{paris}]")),
            ],
        )
        .await;
    assert_eq!(added["error_list"], serde_json::json!([]));
    assert_eq!(album(&lib, &lib.anna, id).await["item_count"], 3);
    assert_eq!(album_items(&lib, &lib.anna, TEAM_ITEMS, id).await.len(), 3);
    assert_eq!(
        lib.ok(&lib.anna, ITEMS, "count", &[("album_id", &id.to_string())])
            .await["count"],
        3
    );

    // The cover: the newest item until one is chosen; then that one, also as a thumbnail.
    let before = album(&lib, &lib.anna, id).await;
    assert!(
        before["additional"]["thumbnail"]["unit_id"].is_i64(),
        "{before}"
    );
    lib.ok(
        &lib.anna,
        ALBUM,
        "set_cover",
        &[("id", &id.to_string()), ("id_item", &tokyo.to_string())],
    )
    .await;
    let after = album(&lib, &lib.anna, id).await;
    assert_eq!(
        after["additional"]["thumbnail"]["unit_id"], tokyo,
        "{after}"
    );
    assert!(after["version"].as_i64() > before["version"].as_i64());
    let cover = TestApp::client()
        .get(lib.app.url("/webapi/entry.cgi"))
        .query(&[
            ("api", "SYNO.Foto.Thumbnail"),
            ("method", "get"),
            ("version", "2"),
            ("id", &id.to_string()),
            ("type", "album"),
            ("size", "sm"),
            ("_sid", &lib.anna.sid),
        ])
        .send()
        .await
        .expect("cover");
    assert_eq!(cover.headers()["content-type"], "image/jpeg");
    // A cover must be in the album.
    assert_eq!(
        lib.code(
            &lib.anna,
            ALBUM,
            "set_cover",
            &[("id", &id.to_string()), ("id_item", &mine.to_string())],
        )
        .await,
        642
    );

    // A hand-made order, which listings then follow.
    lib.ok(
        &lib.anna,
        ALBUM,
        "set_order",
        &[
            ("id", &id.to_string()),
            ("item", &format!("[{clip},{paris}]")),
        ],
    )
    .await;
    let ordered: Vec<i64> = album_items(&lib, &lib.anna, ITEMS, id)
        .await
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ordered, [clip, paris, tokyo]);
    assert_eq!(album(&lib, &lib.anna, id).await["sort_by"], "manual");

    // Renamed; listed with the categories clients send; counted.
    lib.ok(
        &lib.anna,
        ALBUM,
        "set_name",
        &[("id", &id.to_string()), ("name", "\"Trip 2020\"")],
    )
    .await;
    let listed = lib
        .ok(
            &lib.anna,
            ALBUM,
            "list",
            &[
                ("offset", "0"),
                ("limit", "10"),
                ("category", "normal_share_with_me"),
                ("sort_by", "album_name"),
                ("additional", r#"["thumbnail","sharing_info"]"#),
            ],
        )
        .await;
    assert_eq!(listed["list"][0]["name"], "Trip 2020", "{listed}");
    assert_eq!(lib.ok(&lib.anna, ALBUM, "count", &[]).await["count"], 1);
    assert_eq!(
        lib.code(
            &lib.anna,
            ALBUM,
            "set_name",
            &[("id", &id.to_string()), ("name", "\"  \"")]
        )
        .await,
        120
    );

    // Nobody else sees it or its items, and cannot change it.
    for (api, method, params) in [
        (ALBUM, "get", vec![("id", format!("[{id}]"))]),
        (
            ITEMS,
            "list",
            vec![("id", id.to_string()), ("limit", "10".into())],
        ),
        (
            NORMAL,
            "add_item",
            vec![("id", id.to_string()), ("item", format!("[{mine}]"))],
        ),
        (ALBUM, "delete", vec![("id", format!("[{id}]"))]),
    ] {
        let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            lib.code(&lib.ben, api, method, &params).await,
            642,
            "{api} {method}"
        );
    }
    assert_eq!(lib.ok(&lib.ben, ALBUM, "count", &[]).await["count"], 0);

    // Taking an item out leaves it in the library.
    lib.ok(
        &lib.anna,
        NORMAL,
        "delete_item",
        &[("id", &id.to_string()), ("item", &format!("[{tokyo}]"))],
    )
    .await;
    let left = album(&lib, &lib.anna, id).await;
    assert_eq!(left["item_count"], 2);
    assert_ne!(
        left["additional"]["thumbnail"]["unit_id"], tokyo,
        "the cover left with its item"
    );
    lib.id_of(&lib.anna, TEAM_ITEMS, "tokyo.jpg").await;

    // An item deleted from the library leaves the album too.
    lib.ok(
        &lib.anna,
        TEAM_ITEMS,
        "delete",
        &[("id", &format!("[{clip}]"))],
    )
    .await;
    assert_eq!(
        names(&album_items(&lib, &lib.anna, ITEMS, id).await),
        ["paris.jpg"]
    );

    // Deleting the album keeps its items.
    lib.ok(&lib.anna, ALBUM, "delete", &[("id", &format!("[{id}]"))])
        .await;
    assert_eq!(lib.ok(&lib.anna, ALBUM, "count", &[]).await["count"], 0);
    assert_eq!(
        lib.code(&lib.anna, ALBUM, "get", &[("id", &format!("[{id}]"))])
            .await,
        642
    );
    lib.id_of(&lib.anna, TEAM_ITEMS, "paris.jpg").await;
}

#[tokio::test]
async fn conditional_albums_fill_themselves() {
    let lib = library().await;
    let folders = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.Folder",
            "get",
            &[("name", "/Live")],
        )
        .await;
    let live_folder = folders["folder"]["id"].as_i64().expect("folder id");

    // Photos (not Live Photos) in /Live: none yet.
    let condition = format!(r#"{{"folder_filter":[{live_folder}],"item_type":[0],"user_id":0}}"#);
    assert_eq!(
        lib.ok(
            &lib.ben,
            CONDITION,
            "peek_item_count",
            &[("condition", &condition)]
        )
        .await["count"],
        0
    );
    let made = lib
        .ok(
            &lib.ben,
            CONDITION,
            "create",
            &[("name", "\"Live stills\""), ("condition", &condition)],
        )
        .await;
    let id = made["album"]["id"].as_i64().expect("id");
    assert_eq!(made["album"]["type"], "condition");
    assert_eq!(made["album"]["item_count"], 0);
    assert_eq!(made["album"]["condition"]["folder_filter"][0], live_folder);

    // A matching photo arrives in the library: the album has it, untouched.
    let corpus = corpus();
    std::fs::copy(
        corpus.join("orientation/orient_6.jpg"),
        lib.app.data_dir().join("homes/ben/Photos/Live/still.jpg"),
    )
    .expect("copy");
    lib.wait_indexed(4, 4).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let got = lib
            .ok(&lib.ben, CONDITION, "get", &[("id", &id.to_string())])
            .await;
        if got["album"]["item_count"] == 1 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{got}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(
        names(&album_items(&lib, &lib.ben, ITEMS, id).await),
        ["still.jpg"]
    );

    // A tag condition, both policies; a new condition replaces the old.
    let lib = &lib;
    let tag = |name: &'static str| async move {
        lib.ok(
            &lib.ben,
            "SYNO.Foto.Browse.GeneralTag",
            "create",
            &[("name", &format!("\"{name}\""))],
        )
        .await["tag"]["id"]
            .as_i64()
            .expect("tag id")
    };
    let (beach, sunset) = (tag("beach").await, tag("sunset").await);
    let mine = lib.id_of(&lib.ben, ITEMS, "mine.jpg").await;
    let still = lib.id_of(&lib.ben, ITEMS, "still.jpg").await;
    for (item, tags) in [
        (mine, format!("[{beach},{sunset}]")),
        (still, format!("[{beach}]")),
    ] {
        lib.ok(
            &lib.ben,
            ITEMS,
            "add_tag",
            &[("id", &format!("[{item}]")), ("tag", &tags)],
        )
        .await;
    }
    for (policy, expected) in [
        ("or", vec!["mine.jpg", "still.jpg"]),
        ("and", vec!["mine.jpg"]),
    ] {
        let condition =
            format!(r#"{{"general_tag":[{beach},{sunset}],"general_tag_policy":"{policy}"}}"#);
        lib.ok(
            &lib.ben,
            CONDITION,
            "set_condition",
            &[("id", &id.to_string()), ("condition", &condition)],
        )
        .await;
        assert_eq!(
            names(&album_items(lib, &lib.ben, ITEMS, id).await),
            expected,
            "{policy}"
        );
    }
    // Listed among the albums, by type.
    assert_eq!(lib.ok(&lib.ben, CONDITION, "count", &[]).await["count"], 1);
    assert_eq!(lib.ok(&lib.ben, NORMAL, "count", &[]).await["count"], 0);
    let suggested = lib
        .ok(&lib.ben, CONDITION, "suggest", &[("keyword", "\"bea\"")])
        .await;
    assert_eq!(suggested["list"][0]["name"], "beach", "{suggested}");

    // Bad conditions are refused, with nothing saved.
    for bad in [
        "[1,2]",
        r#"{"item_type":[99]}"#,
        r#"{"time":"yesterday"}"#,
        "not json",
    ] {
        assert_eq!(
            lib.code(
                &lib.ben,
                CONDITION,
                "set_condition",
                &[("id", &id.to_string()), ("condition", bad)],
            )
            .await,
            120,
            "{bad}"
        );
    }
    // Someone else's folder in a condition names nothing.
    let team_root = lib
        .ok(
            &lib.anna,
            "SYNO.FotoTeam.Browse.Folder",
            "get",
            &[("id", "0")],
        )
        .await["folder"]["id"]
        .to_string();
    assert_eq!(
        lib.code(
            &lib.ben,
            CONDITION,
            "peek_item_count",
            &[(
                "condition",
                &format!(r#"{{"folder_filter":[{team_root}]}}"#)
            )],
        )
        .await,
        642
    );
    assert_eq!(
        names(&album_items(lib, &lib.ben, ITEMS, id).await),
        ["mine.jpg"],
        "the album kept its condition"
    );
}

#[tokio::test]
async fn recently_added_and_categories() {
    let lib = library().await;
    // Everything was just indexed, so everything is recent.
    let all = lib.ok(&lib.anna, TEAM_ITEMS, "count", &[]).await["count"].clone();
    let recent = lib
        .ok(
            &lib.anna,
            "SYNO.FotoTeam.Browse.RecentlyAdded",
            "count",
            &[],
        )
        .await;
    assert_eq!(recent["count"], all);
    let listed = lib
        .items(&lib.ben, "SYNO.Foto.Browse.RecentlyAdded", &[])
        .await;
    assert_eq!(names(&listed), ["IMG_0001.HEIC", "mine.jpg"]);
    let categories = lib
        .ok(&lib.ben, "SYNO.Foto.Browse.Category", "get", &[])
        .await;
    let enabled: Vec<&str> = categories["list"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|c| c["enabled"] == true)
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    // People and Subjects need the recognition models, which this server has not.
    assert_eq!(
        enabled,
        [
            "geocoding",
            "general_tag",
            "video",
            "recently_added",
            "shared_with_me"
        ]
    );
}
