//! Browsing both spaces over HTTP: items, timeline, folders, edits, tags, search, thumbnails,
//! downloads with ranges, streaming, recycle-bin deletes, and who sees what.

use std::time::Duration;

use serde_json::Value;

use crate::support::api::{Library, library, names};
use crate::support::corpus::{copy, corpus};
use crate::support::{TestApp, error_code};

/// Checks a zip with Python's zipfile (CRCs included): "ok" and the sorted names.
fn unzip(bytes: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("x.zip");
    std::fs::write(&path, bytes).expect("write");
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); bad = z.testzip(); \
             print('ok' if bad is None else 'bad ' + bad); print('\\n'.join(sorted(z.namelist())))",
        ])
        .arg(&path)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}
#[tokio::test]
async fn items_timeline_and_folders_of_both_spaces() {
    let lib = library().await;
    let team = "SYNO.FotoTeam.Browse.Item";
    let all = lib
        .items(
            &lib.anna,
            team,
            &[("additional", r#"["thumbnail","resolution","exif","gps"]"#)],
        )
        .await;
    assert_eq!(
        names(&all),
        ["clip.mp4", "paris.jpg", "picture.png", "tokyo.jpg"]
    );
    // Newest first, each with the §4.1 fields.
    let times: Vec<i64> = all
        .iter()
        .map(|i| i["time"].as_i64().expect("time"))
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    let paris = all
        .iter()
        .find(|i| i["filename"] == "paris.jpg")
        .expect("paris");
    assert_eq!(paris["owner_user_id"], 0);
    assert_eq!(paris["type"], "photo");
    assert_eq!(paris["additional"]["thumbnail"]["xl"], "ready");
    assert_eq!(paris["additional"]["thumbnail"]["unit_id"], paris["id"]);
    let lat = paris["additional"]["gps"]["latitude"]
        .as_f64()
        .expect("gps");
    assert!((lat - 48.85).abs() < 0.1, "{paris}");
    assert!(
        paris["additional"]["resolution"]["width"]
            .as_i64()
            .expect("w")
            > 0
    );
    let clip = all
        .iter()
        .find(|i| i["filename"] == "clip.mp4")
        .expect("clip");
    assert_eq!(clip["type"], "video");

    // Count and timeline agree.
    let count = lib.ok(&lib.anna, team, "count", &[]).await["count"]
        .as_i64()
        .expect("count");
    assert_eq!(count, 4);
    let timeline = lib
        .ok(&lib.anna, "SYNO.FotoTeam.Browse.Timeline", "get", &[])
        .await;
    let sections = timeline["section"].as_array().expect("sections");
    let sum: i64 = sections
        .iter()
        .flat_map(|s| s["list"].as_array().expect("list").iter())
        .map(|d| d["item_count"].as_i64().expect("n"))
        .sum();
    assert_eq!(sum, count);
    assert_eq!(sections[0]["offset"], 0);
    // A day loads with start_time/end_time, as WP does.
    let day = &sections[0]["list"][0];
    let start = shoebox_indexer::metadata::time::days_from_civil(
        day["year"].as_i64().expect("y"),
        u32::try_from(day["month"].as_i64().expect("m")).expect("m"),
        u32::try_from(day["day"].as_i64().expect("d")).expect("d"),
    ) * 86_400;
    let (s, e) = (start.to_string(), (start + 86_399).to_string());
    let on_day = lib
        .items(&lib.anna, team, &[("start_time", &s), ("end_time", &e)])
        .await;
    assert_eq!(on_day.len() as i64, day["item_count"].as_i64().expect("n"));

    // Folders: full paths in `name`, root by id 0, lookup by path, items of a folder.
    let folder_api = "SYNO.FotoTeam.Browse.Folder";
    let root = lib.ok(&lib.anna, folder_api, "get", &[("id", "0")]).await;
    assert_eq!(root["folder"]["name"], "/");
    let top = lib
        .ok(
            &lib.anna,
            folder_api,
            "list",
            &[("id", "0"), ("offset", "0"), ("limit", "10")],
        )
        .await;
    let top: Vec<&str> = top["list"]
        .as_array()
        .expect("list")
        .iter()
        .map(|f| f["name"].as_str().expect("name"))
        .collect();
    assert_eq!(top, ["/2020", "/Family"]);
    assert_eq!(
        lib.ok(&lib.anna, folder_api, "count", &[("id", "0")]).await["count"],
        2
    );
    let trip = lib
        .ok(
            &lib.anna,
            folder_api,
            "get",
            &[
                ("name", "\"/2020/Trip\""),
                ("additional", r#"["access_permission","thumbnail"]"#),
            ],
        )
        .await;
    assert_eq!(trip["folder"]["name"], "/2020/Trip");
    assert_eq!(
        trip["folder"]["additional"]["access_permission"]["manage"],
        true
    );
    assert!(
        trip["folder"]["additional"]["thumbnail"]["cache_key"].is_string(),
        "{trip}"
    );
    let trip_id = trip["folder"]["id"].to_string();
    let in_trip = lib
        .items(
            &lib.anna,
            team,
            &[("folder_id", &trip_id), ("sort_by", "filename")],
        )
        .await;
    assert_eq!(
        in_trip
            .iter()
            .map(|i| i["filename"].as_str().expect("n"))
            .collect::<Vec<_>>(),
        ["paris.jpg", "tokyo.jpg"]
    );
    let parents = lib.ok(&lib.anna, folder_api, "list_parents", &[]).await;
    assert_eq!(parents["list"][0]["name"], "/");

    // Ben's Personal Space: his items only, the Live Photo as one item.
    let mine = lib.items(&lib.ben, "SYNO.Foto.Browse.Item", &[]).await;
    assert_eq!(names(&mine), ["IMG_0001.HEIC", "mine.jpg"]);
    let live = mine
        .iter()
        .find(|i| i["type"] == "live")
        .expect("a live item");
    assert_eq!(live["live_type"], "photo");
    assert!(mine.iter().all(|i| i["owner_user_id"] != 0));

    // Bad input: clear errors.
    assert_eq!(
        lib.code(&lib.anna, team, "list", &[("offset", "0")]).await,
        114
    );
    assert_eq!(
        lib.code(&lib.anna, team, "list", &[("limit", "0")]).await,
        120
    );
    assert_eq!(
        lib.code(
            &lib.anna,
            team,
            "list",
            &[("limit", "5"), ("sort_by", "\"color\"")]
        )
        .await,
        120
    );
    assert_eq!(
        lib.code(&lib.anna, team, "get", &[("id", "[999999]")])
            .await,
        642
    );
    assert_eq!(
        lib.code(&lib.anna, folder_api, "get", &[("id", "999999")])
            .await,
        642
    );
    assert_eq!(
        lib.code(&lib.anna, folder_api, "get", &[("name", "\"/../etc\"")])
            .await,
        120
    );
}

#[tokio::test]
async fn who_sees_what() {
    let lib = library().await;
    let team = "SYNO.FotoTeam.Browse.Item";
    let ben_item = lib
        .id_of(&lib.ben, "SYNO.Foto.Browse.Item", "mine.jpg")
        .await;
    let paris = lib.id_of(&lib.anna, team, "paris.jpg").await;
    let ben_ids = format!("[{ben_item}]");
    let paris_ids = format!("[{paris}]");
    // Another user's Personal Space item is as unknown as a missing id, even to an admin.
    assert_eq!(
        lib.code(
            &lib.anna,
            "SYNO.Foto.Browse.Item",
            "get",
            &[("id", &ben_ids)]
        )
        .await,
        642
    );
    assert_eq!(
        lib.code(
            &lib.anna,
            "SYNO.Foto.Thumbnail",
            "get",
            &[("id", &ben_item.to_string()), ("size", "sm")]
        )
        .await,
        642
    );
    assert_eq!(
        lib.code(
            &lib.anna,
            "SYNO.Foto.Download",
            "download",
            &[("unit_id", &ben_ids)]
        )
        .await,
        642
    );
    // A Shared Space id asked through the personal API is not found there either.
    assert_eq!(
        lib.code(
            &lib.anna,
            "SYNO.Foto.Browse.Item",
            "get",
            &[("id", &paris_ids)]
        )
        .await,
        642
    );
    // No Shared Space access: the space is closed.
    assert_eq!(
        lib.code(&lib.ben, team, "list", &[("offset", "0"), ("limit", "10")])
            .await,
        105
    );
    assert_eq!(
        lib.code(
            &lib.ben,
            "SYNO.FotoTeam.Browse.Folder",
            "get",
            &[("id", "0")]
        )
        .await,
        105
    );
    // Custom access: view on /2020/Trip only; /2020 is shown as the way there, without items.
    lib.give_cleo_view_of("/2020/Trip").await;
    let seen = lib.items(&lib.cleo, team, &[]).await;
    assert_eq!(names(&seen), ["paris.jpg", "tokyo.jpg"]);
    assert_eq!(lib.ok(&lib.cleo, team, "count", &[]).await["count"], 2);
    let top = lib
        .ok(
            &lib.cleo,
            "SYNO.FotoTeam.Browse.Folder",
            "list",
            &[("id", "0"), ("limit", "10")],
        )
        .await;
    assert_eq!(top["list"].as_array().expect("list").len(), 1, "{top}");
    assert_eq!(top["list"][0]["name"], "/2020");
    let clip = lib.id_of(&lib.anna, team, "clip.mp4").await;
    assert_eq!(
        lib.code(&lib.cleo, team, "get", &[("id", &format!("[{clip}]"))])
            .await,
        642
    );
    // The error code of cleo's thumbnail request, 0 for a JPEG.
    let thumb_code = || async {
        let r = TestApp::client()
            .get(lib.app.url("/webapi/entry.cgi"))
            .query(&[
                ("api", "SYNO.FotoTeam.Thumbnail"),
                ("method", "get"),
                ("version", "1"),
                ("id", &paris.to_string()),
                ("_sid", &lib.cleo.sid),
            ])
            .send()
            .await
            .expect("thumbnail");
        if r.headers()["content-type"] == "image/jpeg" {
            return 0;
        }
        error_code(&r.json::<Value>().await.expect("json")).expect("an error code")
    };
    // View without download right: the thumbnail yes, the original no; no edits.
    assert_eq!(thumb_code().await, 0, "cleo sees the thumbnail");
    // Thumbnails trust a session and reach read a moment ago (server/src/recent.rs), but a
    // change made through the API applies to the very next one: here access is taken away,
    // then given back.
    let cleo_id = lib
        .ok(
            &lib.anna,
            "SYNO.Foto.Setting.TeamSpace",
            "list_permission",
            &[],
        )
        .await["list"]
        .as_array()
        .expect("list")
        .iter()
        .find(|u| u["name"] == "cleo")
        .expect("cleo")["user_id"]
        .to_string();
    assert_eq!(thumb_code().await, 0, "read again from what was kept");
    for (access, code) in [("none", 105), ("custom", 0)] {
        let permission = format!(r#"[{{"user_id":{cleo_id},"access":"{access}"}}]"#);
        lib.ok(
            &lib.anna,
            "SYNO.Foto.Setting.TeamSpace",
            "update_permission",
            &[("permission", &permission)],
        )
        .await;
        assert_eq!(
            thumb_code().await,
            code,
            "the next thumbnail with {access} access"
        );
    }
    assert_eq!(
        lib.code(
            &lib.cleo,
            "SYNO.FotoTeam.Download",
            "download",
            &[("unit_id", &paris_ids)]
        )
        .await,
        105
    );
    assert_eq!(
        lib.code(
            &lib.cleo,
            team,
            "set",
            &[("id", &paris_ids), ("rating", "3")]
        )
        .await,
        105
    );
    // Without a session nothing is served.
    let anon = lib
        .app
        .get(&[
            ("api", team),
            ("method", "list"),
            ("version", "1"),
            ("limit", "1"),
        ])
        .await;
    assert_eq!(error_code(&anon), Some(119));
}

async fn get_item(lib: &Library, ids: &str) -> Value {
    lib.ok(
        &lib.anna,
        "SYNO.FotoTeam.Browse.Item",
        "get",
        &[
            ("id", ids),
            ("additional", r#"["rating","description","tag","favorite"]"#),
        ],
    )
    .await["list"][0]
        .clone()
}

#[tokio::test]
async fn edits_tags_favourites_and_search() {
    let lib = library().await;
    let team = "SYNO.FotoTeam.Browse.Item";
    let paris = lib.id_of(&lib.anna, team, "paris.jpg").await;
    let ids = format!("[{paris}]");
    lib.ok(
        &lib.anna,
        team,
        "set",
        &[
            ("id", &ids),
            ("rating", "4"),
            ("description", "\"Eiffel\""),
            ("time", "1000000000"),
        ],
    )
    .await;
    lib.ok(
        &lib.anna,
        team,
        "set_favorite",
        &[("id", &ids), ("favorite", "true")],
    )
    .await;
    let tag = lib
        .ok(
            &lib.anna,
            "SYNO.FotoTeam.Browse.GeneralTag",
            "create",
            &[("name", "\"Holiday\"")],
        )
        .await["tag"]["id"]
        .to_string();
    lib.ok(
        &lib.anna,
        team,
        "add_tag",
        &[("id", &ids), ("tag", &format!("[{tag}]"))],
    )
    .await;
    let item = get_item(&lib, &ids).await;
    assert_eq!(item["time"], 1_000_000_000);
    assert_eq!(item["additional"]["rating"], 4);
    assert_eq!(item["additional"]["description"], "Eiffel");
    assert_eq!(item["additional"]["favorite"], true);
    assert_eq!(item["additional"]["tag"][0]["name"], "Holiday");
    // A full re-read of the file keeps the user's edits; the original is untouched.
    let before = std::fs::read(lib.app.data_dir().join("photo/2020/Trip/paris.jpg")).expect("read");
    lib.ok(&lib.anna, "SYNO.FotoTeam.Index", "reindex", &[])
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    lib.wait_indexed(4, 3).await;
    let item = get_item(&lib, &ids).await;
    assert_eq!(
        (item["time"].clone(), item["additional"]["rating"].clone()),
        (1_000_000_000.into(), 4.into())
    );
    assert_eq!(item["additional"]["description"], "Eiffel");
    let after = std::fs::read(lib.app.data_dir().join("photo/2020/Trip/paris.jpg")).expect("read");
    assert!(before == after, "the original was written to");
    // The edited time moved it in the timeline: it is now the oldest.
    let all = lib.items(&lib.anna, team, &[]).await;
    assert_eq!(all.last().expect("last")["id"], paris);
    // Tags list with counts; filters by tag and rating; favourites filter.
    let tags = lib
        .ok(
            &lib.anna,
            "SYNO.FotoTeam.Browse.GeneralTag",
            "list",
            &[("offset", "0"), ("limit", "10")],
        )
        .await;
    let holiday = tags["list"]
        .as_array()
        .expect("tags")
        .iter()
        .find(|t| t["name"] == "Holiday")
        .expect("tag")
        .clone();
    assert_eq!(holiday["item_count"], 1);
    let tagged = lib
        .items(&lib.anna, team, &[("general_tag_id", &tag)])
        .await;
    assert_eq!(names(&tagged), ["paris.jpg"]);
    let filtered = lib
        .ok(
            &lib.anna,
            team,
            "list_with_filter",
            &[("offset", "0"), ("limit", "10"), ("rating", "[4]")],
        )
        .await;
    assert_eq!(filtered["list"].as_array().expect("list").len(), 1);
    assert_eq!(
        lib.ok(
            &lib.anna,
            team,
            "count_with_filter",
            &[("item_type", "[1]")]
        )
        .await["count"],
        1
    );
    // Search: by tag, by file name, by the special word "video", and suggestions.
    let search = "SYNO.FotoTeam.Search.Search";
    let found = lib
        .ok(
            &lib.anna,
            search,
            "list_item",
            &[("keyword", "\"holiday\""), ("offset", "0"), ("limit", "10")],
        )
        .await;
    assert_eq!(found["list"][0]["id"], paris);
    assert_eq!(
        lib.ok(&lib.anna, search, "count_item", &[("keyword", "tokyo")])
            .await["count"],
        1
    );
    assert_eq!(
        lib.ok(&lib.anna, search, "count_item", &[("keyword", "video")])
            .await["count"],
        1
    );
    assert_eq!(
        lib.ok(&lib.anna, search, "count_item", &[("keyword", "eiffel")])
            .await["count"],
        1
    );
    assert_eq!(
        lib.ok(&lib.anna, search, "count_item", &[("keyword", "%")])
            .await["count"],
        0
    );
    // Folder paths, several words (all must match), short words, quotes.
    for (keyword, count) in [
        ("trip", 2),
        ("holiday trip", 1),
        ("HOLIDAY", 1),
        ("ky", 1),
        ("\"a\"b\"", 0),
        ("trip nowhere", 0),
    ] {
        assert_eq!(
            lib.ok(&lib.anna, search, "count_item", &[("keyword", keyword)])
                .await["count"],
            count,
            "{keyword}"
        );
    }
    let suggest = lib
        .ok(&lib.anna, search, "suggest", &[("keyword", "hol")])
        .await;
    assert!(
        suggest["list"]
            .as_array()
            .expect("list")
            .iter()
            .any(|s| s["name"] == "Holiday"),
        "{suggest}"
    );
    let filters = lib
        .ok(&lib.anna, "SYNO.FotoTeam.Search.Filter", "list", &[])
        .await;
    assert!(filters["item_type"].as_array().expect("types").len() >= 3);
    assert!(
        filters["time"]
            .as_array()
            .expect("time")
            .iter()
            .any(|t| t["year"] == 2001)
    );
    // Removing the tag and the favourite.
    lib.ok(
        &lib.anna,
        team,
        "remove_tag",
        &[("id", &ids), ("tag", &format!("[{tag}]"))],
    )
    .await;
    lib.ok(
        &lib.anna,
        team,
        "set_favorite",
        &[("id", &ids), ("favorite", "false")],
    )
    .await;
    let item = get_item(&lib, &ids).await;
    assert_eq!(item["additional"]["tag"], serde_json::json!([]));
    assert_eq!(item["additional"]["favorite"], false);
    // Bad edits are refused and change nothing.
    assert_eq!(
        lib.code(&lib.anna, team, "set", &[("id", &ids), ("rating", "9")])
            .await,
        120
    );
    assert_eq!(
        lib.code(
            &lib.anna,
            team,
            "add_tag",
            &[("id", &ids), ("tag", "[987654]")]
        )
        .await,
        642
    );
    assert_eq!(get_item(&lib, &ids).await["additional"]["rating"], 4);
}

#[tokio::test]
async fn thumbnails_downloads_ranges_and_streaming() {
    let lib = library().await;
    let team = "SYNO.FotoTeam.Browse.Item";
    let all = lib
        .items(&lib.anna, team, &[("additional", r#"["thumbnail"]"#)])
        .await;
    let paris = all
        .iter()
        .find(|i| i["filename"] == "paris.jpg")
        .expect("paris");
    let id = paris["id"].to_string();
    let key = paris["additional"]["thumbnail"]["cache_key"]
        .as_str()
        .expect("key")
        .to_owned();
    let client = TestApp::client();
    let thumb_url = lib.app.url("/webapi/entry.cgi");
    let query = [
        ("api", "SYNO.FotoTeam.Thumbnail"),
        ("method", "get"),
        ("version", "2"),
        ("id", id.as_str()),
        ("cache_key", key.as_str()),
        ("type", "unit"),
        ("size", "xl"),
        ("_sid", lib.anna.sid.as_str()),
    ];
    let r = client
        .get(&thumb_url)
        .query(&query)
        .send()
        .await
        .expect("thumb");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .expect("cc")
            .contains("immutable")
    );
    let etag = r.headers()["etag"].clone();
    let bytes = r.bytes().await.expect("body");
    let img = image::load_from_memory(&bytes).expect("a JPEG");
    assert_eq!(
        img.width().min(img.height()),
        1280.min(img.width().min(img.height()))
    );
    let again = client
        .get(&thumb_url)
        .query(&query)
        .header("If-None-Match", etag)
        .send()
        .await
        .expect("thumb");
    assert_eq!(again.status(), 304);
    // The web UI's REST route: cookie session, JSON-quoted values.
    // (The 600x400 picture: m is 480x320.)
    let picture = all
        .iter()
        .find(|i| i["filename"] == "picture.png")
        .expect("picture");
    let picture_id = picture["id"].to_string();
    let picture_key = picture["additional"]["thumbnail"]["cache_key"]
        .as_str()
        .expect("key")
        .to_owned();
    let rest = client
        .get(lib.app.url("/synofoto/api/v2/t/Thumbnail/get"))
        .query(&[
            ("id", picture_id.as_str()),
            ("cache_key", &format!("\"{picture_key}\"")),
            ("type", "\"unit\""),
            ("size", "\"m\""),
        ])
        .header("Cookie", format!("id={}", lib.anna.sid))
        .header("X-SYNO-TOKEN", lib.anna.token.as_str())
        .send()
        .await
        .expect("rest");
    assert_eq!(rest.status(), 200);
    let m = image::load_from_memory(&rest.bytes().await.expect("m")).expect("JPEG");
    assert_eq!((m.width(), m.height()), (480, 320));
    let unauth = client
        .get(lib.app.url("/synofoto/api/v2/t/Thumbnail/get"))
        .query(&[("id", id.as_str()), ("size", "sm")])
        .send()
        .await
        .expect("rest");
    let body: Value = unauth.json().await.expect("json");
    assert_eq!(error_code(&body), Some(119));

    // The original, whole and in ranges.
    let original =
        std::fs::read(lib.app.data_dir().join("photo/2020/Trip/paris.jpg")).expect("read");
    let ids = format!("[{id}]");
    let download = [
        ("api", "SYNO.FotoTeam.Download"),
        ("method", "download"),
        ("version", "2"),
        ("unit_id", ids.as_str()),
        ("_sid", lib.anna.sid.as_str()),
    ];
    let whole = client
        .get(&thumb_url)
        .query(&download)
        .send()
        .await
        .expect("download");
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.headers()["content-type"], "image/jpeg");
    assert!(
        whole.headers()["content-disposition"]
            .to_str()
            .expect("cd")
            .contains("paris.jpg")
    );
    assert!(whole.bytes().await.expect("body") == original);
    let part = client
        .get(&thumb_url)
        .query(&download)
        .header("Range", "bytes=100-199")
        .send()
        .await
        .expect("range");
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 100-199/{}", original.len()).as_str()
    );
    assert!(part.bytes().await.expect("body") == original[100..200]);
    let past = client
        .get(&thumb_url)
        .query(&download)
        .header("Range", format!("bytes={}-", original.len() + 10))
        .send()
        .await
        .expect("range");
    assert_eq!(past.status(), 416);

    // Several ids, or a folder, come as one zip streamed as it is built (chunked, no length).
    let tokyo = lib.id_of(&lib.anna, team, "tokyo.jpg").await;
    let two = format!("[{id},{tokyo}]");
    let zip = client
        .get(&thumb_url)
        .query(&[
            ("api", "SYNO.FotoTeam.Download"),
            ("method", "download"),
            ("version", "2"),
            ("unit_id", two.as_str()),
            ("_sid", lib.anna.sid.as_str()),
        ])
        .send()
        .await
        .expect("zip");
    assert_eq!(zip.headers()["content-type"], "application/zip");
    assert!(
        zip.headers().get("content-length").is_none(),
        "streamed, not buffered"
    );
    let listing = unzip(&zip.bytes().await.expect("zip body"));
    assert_eq!(listing, ["ok", "paris.jpg", "tokyo.jpg"]);
    let folder = lib
        .ok(
            &lib.anna,
            "SYNO.FotoTeam.Browse.Folder",
            "get",
            &[("name", "/2020")],
        )
        .await["folder"]["id"]
        .to_string();
    let zip = client
        .get(&thumb_url)
        .query(&[
            ("api", "SYNO.FotoTeam.Download"),
            ("method", "download"),
            ("version", "2"),
            ("folder_id", folder.as_str()),
            ("_sid", lib.anna.sid.as_str()),
        ])
        .send()
        .await
        .expect("zip");
    assert!(
        zip.headers()["content-disposition"]
            .to_str()
            .expect("cd")
            .contains("2020.zip")
    );
    let listing = unzip(&zip.bytes().await.expect("zip body"));
    assert_eq!(
        listing,
        ["ok", "Trip/paris.jpg", "Trip/tokyo.jpg", "clip.mp4"]
    );

    // A video streams with ranges and a player's type.
    let clip = lib.id_of(&lib.anna, team, "clip.mp4").await.to_string();
    let stream = client
        .get(&thumb_url)
        .query(&[
            ("api", "SYNO.FotoTeam.Streaming"),
            ("method", "streaming"),
            ("version", "1"),
            ("id", clip.as_str()),
            ("_sid", lib.anna.sid.as_str()),
        ])
        .header("Range", "bytes=0-9")
        .send()
        .await
        .expect("stream");
    assert_eq!(stream.status(), 206);
    assert_eq!(stream.headers()["content-type"], "video/mp4");
    assert_eq!(stream.bytes().await.expect("body").len(), 10);
    // A photo does not stream.
    assert_eq!(
        lib.code(
            &lib.anna,
            "SYNO.FotoTeam.Streaming",
            "streaming",
            &[("id", &id)]
        )
        .await,
        642
    );
}

#[tokio::test]
async fn folder_changes_and_recycle_bin_deletes() {
    let lib = library().await;
    let team = "SYNO.FotoTeam.Browse.Item";
    let folder_api = "SYNO.FotoTeam.Browse.Folder";
    let shared = lib.app.data_dir().join("photo");
    let tokyo = lib.id_of(&lib.anna, team, "tokyo.jpg").await;
    // Create, then rename a folder with items: ids kept, paths follow.
    let made = lib
        .ok(
            &lib.anna,
            folder_api,
            "create",
            &[("target_id", "0"), ("name", "\"New\"")],
        )
        .await;
    assert_eq!(made["folder"]["name"], "/New");
    assert!(shared.join("New").is_dir());
    assert_eq!(
        lib.code(
            &lib.anna,
            folder_api,
            "create",
            &[("target_id", "0"), ("name", "\"../x\"")]
        )
        .await,
        120
    );
    assert_eq!(
        lib.code(
            &lib.anna,
            folder_api,
            "create",
            &[("target_id", "0"), ("name", "\"#recycle\"")]
        )
        .await,
        120
    );
    let trip = lib
        .ok(&lib.anna, folder_api, "get", &[("name", "/2020/Trip")])
        .await["folder"]["id"]
        .to_string();
    let renamed = lib
        .ok(
            &lib.anna,
            folder_api,
            "rename",
            &[("id", &trip), ("name", "\"Journey\"")],
        )
        .await;
    assert_eq!(renamed["folder"]["name"], "/2020/Journey");
    assert!(shared.join("2020/Journey/tokyo.jpg").is_file());
    tokio::time::sleep(Duration::from_secs(3)).await; // let the watcher see the rename
    assert_eq!(lib.id_of(&lib.anna, team, "tokyo.jpg").await, tokyo);
    let in_folder = lib.items(&lib.anna, team, &[("folder_id", &trip)]).await;
    assert_eq!(in_folder.len(), 2);
    // Search follows the new path.
    let search = "SYNO.FotoTeam.Search.Search";
    for (keyword, count) in [("journey", 2), ("trip", 0)] {
        assert_eq!(
            lib.ok(&lib.anna, search, "count_item", &[("keyword", keyword)])
                .await["count"],
            count,
            "{keyword}"
        );
    }

    // Deleting an item moves its file into the space's #recycle, and it leaves every view.
    lib.ok(&lib.anna, team, "delete", &[("id", &format!("[{tokyo}]"))])
        .await;
    assert!(!shared.join("2020/Journey/tokyo.jpg").exists());
    assert!(shared.join("#recycle/2020/Journey/tokyo.jpg").is_file());
    assert_eq!(
        lib.code(&lib.anna, team, "get", &[("id", &format!("[{tokyo}]"))])
            .await,
        642
    );
    assert_eq!(lib.ok(&lib.anna, team, "count", &[]).await["count"], 3);
    // Deleting a Live Photo takes both halves.
    let live = lib
        .id_of(&lib.ben, "SYNO.Foto.Browse.Item", "IMG_0001.HEIC")
        .await;
    lib.ok(
        &lib.ben,
        "SYNO.Foto.Browse.Item",
        "delete",
        &[("id", &format!("[{live}]"))],
    )
    .await;
    let bin = lib.app.data_dir().join("homes/ben/Photos/#recycle/Live");
    assert!(bin.join("IMG_0001.HEIC").is_file() && bin.join("IMG_0001.MOV").is_file());
    // A folder goes whole.
    lib.ok(
        &lib.anna,
        folder_api,
        "delete",
        &[("id", &format!("[{trip}]"))],
    )
    .await;
    // The bin already holds a /2020/Journey (tokyo's): the folder lands beside it.
    assert!(shared.join("#recycle/2020/Journey (1)/paris.jpg").is_file());
    assert_eq!(lib.ok(&lib.anna, team, "count", &[]).await["count"], 2);
    assert_eq!(
        lib.code(&lib.anna, folder_api, "get", &[("id", &trip)])
            .await,
        642
    );
    // The root cannot go; the bin stays out of the index after a rescan.
    assert_eq!(
        lib.code(&lib.anna, folder_api, "delete", &[("id", "[0]")])
            .await,
        120
    );
    lib.ok(&lib.anna, "SYNO.FotoTeam.Index", "reindex", &[])
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(lib.ok(&lib.anna, team, "count", &[]).await["count"], 2);
}

/// The ids in a Diff reply's `item.list`.
fn diff_ids(data: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = data["item"]["list"]
        .as_array()
        .expect("item list")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn changes_feed_tells_what_changed_since_a_version() {
    let lib = library().await;
    let diff = "SYNO.FotoTeam.Browse.Diff";
    let team = "SYNO.FotoTeam.Browse.Item";
    let shared = lib.app.data_dir().join("photo");
    // From version 0: everything there is, in pages.
    let start = lib.ok(&lib.anna, diff, "get_version", &[]).await;
    let v0 = start["version"].as_i64().expect("version");
    assert!(
        v0 > 0 && start["version_time"].as_i64().expect("time") > 0,
        "{start}"
    );
    let all = lib
        .ok(
            &lib.anna,
            diff,
            "get",
            &[("diff_version", "0"), ("additional", "[\"thumbnail\"]")],
        )
        .await;
    assert_eq!(all["version"], v0, "{all}");
    assert_eq!(all["has_more"], false);
    assert_eq!(diff_ids(&all).len(), 4, "{all}");
    assert!(all["item"]["list"][0]["additional"]["thumbnail"]["cache_key"].is_string());
    let folders: Vec<&str> = all["folder"]["list"]
        .as_array()
        .expect("folders")
        .iter()
        .map(|f| f["name"].as_str().expect("name"))
        .collect();
    for path in ["/", "/2020", "/2020/Trip", "/Family"] {
        assert!(folders.contains(&path), "{path} missing: {folders:?}");
    }
    // Paging: two at a time until has_more is false, every entry once.
    let mut seen = Vec::new();
    let mut version = "0".to_owned();
    for _ in 0..10 {
        let page = lib
            .ok(
                &lib.anna,
                diff,
                "get",
                &[("diff_version", &version), ("limit", "2")],
            )
            .await;
        seen.extend(diff_ids(&page));
        version = page["version"].to_string();
        if page["has_more"] == false {
            break;
        }
    }
    seen.sort_unstable();
    assert_eq!(seen, diff_ids(&all));
    assert_eq!(version, v0.to_string());
    // Nothing changed: nothing to say.
    let none = lib
        .ok(&lib.anna, diff, "get", &[("diff_version", &version)])
        .await;
    assert_eq!(diff_ids(&none), Vec::<i64>::new());
    assert_eq!(none["item"]["removed"], serde_json::json!([]));
    assert_eq!(none["version"], v0);

    // An edit, a new file and a deletion show up after that version, and only they.
    let paris = lib.id_of(&lib.anna, team, "paris.jpg").await;
    let png = lib.id_of(&lib.anna, team, "picture.png").await;
    lib.ok(
        &lib.anna,
        team,
        "set",
        &[("id", &format!("[{paris}]")), ("rating", "4")],
    )
    .await;
    lib.ok(&lib.anna, team, "delete", &[("id", &format!("[{png}]"))])
        .await;
    copy(&corpus(), "formats/jpeg.jpg", &shared.join("2020/new.jpg"));
    lib.wait_indexed(4, 3).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let changed = loop {
        let changed = lib
            .ok(
                &lib.anna,
                diff,
                "get",
                &[("diff_version", &version), ("additional", "[\"rating\"]")],
            )
            .await;
        if changed["item"]["list"]
            .as_array()
            .expect("list")
            .iter()
            .any(|i| i["filename"] == "new.jpg")
        {
            break changed;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "new.jpg not in {changed}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let new = lib.id_of(&lib.anna, team, "new.jpg").await;
    let mut expected = vec![paris, new];
    expected.sort_unstable();
    assert_eq!(diff_ids(&changed), expected, "{changed}");
    let edited = changed["item"]["list"]
        .as_array()
        .expect("list")
        .iter()
        .find(|i| i["id"] == paris)
        .expect("paris");
    assert_eq!(edited["additional"]["rating"], 4);
    assert_eq!(
        changed["item"]["removed"],
        serde_json::json!([png]),
        "{changed}"
    );
    assert!(changed["version"].as_i64().expect("v") > v0);

    // Cleo sees only /2020/Trip: its items, and nothing of the rest.
    lib.give_cleo_view_of("/2020/Trip").await;
    let hers = lib
        .ok(&lib.cleo, diff, "get", &[("diff_version", "0")])
        .await;
    let tokyo = lib.id_of(&lib.anna, team, "tokyo.jpg").await;
    let mut trip_items = vec![paris, tokyo];
    trip_items.sort_unstable();
    assert_eq!(diff_ids(&hers), trip_items, "{hers}");
    let since = lib
        .ok(&lib.cleo, diff, "get", &[("diff_version", &version)])
        .await;
    assert_eq!(diff_ids(&since), vec![paris], "{since}");
    assert_eq!(since["item"]["removed"], serde_json::json!([]), "{since}");
    // Ben has no Shared Space; his own space has its own feed.
    assert_eq!(lib.code(&lib.ben, diff, "get_version", &[]).await, 105);
    let his = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.Diff",
            "get",
            &[("diff_version", "0")],
        )
        .await;
    assert_eq!(diff_ids(&his).len(), 2, "{his}"); // mine.jpg and the Live Photo as one
    // Deleting a Live Photo removes it, as one item, from its owner's feed.
    let mine = "SYNO.Foto.Browse.Diff";
    let before = lib.ok(&lib.ben, mine, "get_version", &[]).await["version"].to_string();
    let live = lib
        .id_of(&lib.ben, "SYNO.Foto.Browse.Item", "IMG_0001.HEIC")
        .await;
    lib.ok(
        &lib.ben,
        "SYNO.Foto.Browse.Item",
        "delete",
        &[("id", &format!("[{live}]"))],
    )
    .await;
    let after = lib
        .ok(&lib.ben, mine, "get", &[("diff_version", &before)])
        .await;
    assert!(
        after["item"]["removed"]
            .as_array()
            .expect("removed")
            .contains(&serde_json::json!(live)),
        "{after}"
    );
    assert_eq!(diff_ids(&after), Vec::<i64>::new(), "{after}");
    // Bad input is refused.
    for (k, v) in [
        ("diff_version", "-1"),
        ("diff_version", "x"),
        ("limit", "0"),
        ("diff_version", "99999999"),
    ] {
        assert_eq!(
            lib.code(&lib.anna, diff, "get", &[(k, v)]).await,
            120,
            "{k}={v}"
        );
    }
}

#[tokio::test]
async fn admins_set_shared_space_access_and_settings() {
    let lib = library().await;
    let team = "SYNO.FotoTeam.Browse.Item";
    let space = "SYNO.Foto.Setting.TeamSpace";
    let users = lib.ok(&lib.anna, space, "list_permission", &[]).await;
    let id_of = |name: &str| {
        users["list"]
            .as_array()
            .expect("list")
            .iter()
            .find(|u| u["name"] == name)
            .expect("user")["user_id"]
            .as_i64()
            .expect("id")
    };
    let (ben, cleo) = (id_of("ben"), id_of("cleo"));
    assert_eq!(
        users["list"]
            .as_array()
            .expect("list")
            .iter()
            .map(|u| u["access"].as_str().expect("a"))
            .collect::<Vec<_>>(),
        ["full", "none", "none"]
    );
    // Only administrators change access.
    let grant_ben = format!(r#"[{{"user_id":{ben},"access":"full"}}]"#);
    assert_eq!(
        lib.code(
            &lib.ben,
            space,
            "update_permission",
            &[("permission", &grant_ben)]
        )
        .await,
        105
    );
    lib.ok(
        &lib.anna,
        space,
        "update_permission",
        &[("permission", &grant_ben)],
    )
    .await;
    assert_eq!(lib.items(&lib.ben, team, &[]).await.len(), 4);
    assert_eq!(
        lib.ok(&lib.ben, "SYNO.Foto.Setting.User", "get", &[]).await["team_space_permission"],
        "full"
    );
    // Custom access through folder permissions: view on /Family only.
    let family = lib
        .ok(
            &lib.anna,
            "SYNO.FotoTeam.Browse.Folder",
            "get",
            &[("name", "/Family")],
        )
        .await["folder"]["id"]
        .to_string();
    let perms = "SYNO.FotoTeam.Sharing.FolderPermission";
    lib.ok(
        &lib.anna,
        space,
        "update_permission",
        &[(
            "permission",
            &format!(r#"[{{"user_id":{cleo},"access":"custom"}}]"#),
        )],
    )
    .await;
    assert_eq!(lib.items(&lib.cleo, team, &[]).await.len(), 0);
    lib.ok(
        &lib.anna,
        perms,
        "update",
        &[
            ("id", &family),
            (
                "permission",
                &format!(r#"[{{"user_id":{cleo},"download":true}}]"#),
            ),
        ],
    )
    .await;
    let listed = lib.ok(&lib.anna, perms, "list", &[("id", &family)]).await;
    assert_eq!(
        listed["list"][0]["view"], true,
        "download implies view: {listed}"
    );
    assert_eq!(
        names(&lib.items(&lib.cleo, team, &[]).await),
        ["picture.png"]
    );
    assert_eq!(
        lib.code(
            &lib.anna,
            perms,
            "update",
            &[("id", &family), ("permission", r#"[{"user_id":424242}]"#)]
        )
        .await,
        642
    );
    assert_eq!(
        lib.code(
            &lib.anna,
            space,
            "update_permission",
            &[("permission", r#"[{"user_id":1,"access":"some"}]"#)]
        )
        .await,
        120
    );
    // Switching the Shared Space off closes it for everyone; the guest settings say so.
    lib.ok(&lib.anna, space, "set_enable", &[("enable", "false")])
        .await;
    assert_eq!(lib.code(&lib.anna, team, "count", &[]).await, 105);
    let guest = lib
        .app
        .get(&[
            ("api", "SYNO.Foto.Setting.Guest"),
            ("method", "get"),
            ("version", "1"),
        ])
        .await;
    assert_eq!(guest["data"]["enable_team_space"], false, "{guest}");
    lib.ok(&lib.anna, space, "set_enable", &[("enable", "true")])
        .await;
    assert_eq!(lib.ok(&lib.anna, team, "count", &[]).await["count"], 4);
    // Admin settings are stored and checked.
    let admin = "SYNO.Foto.Setting.Admin";
    lib.ok(
        &lib.anna,
        admin,
        "set",
        &[("default_thumbnail_size", "\"m\"")],
    )
    .await;
    assert_eq!(
        lib.ok(&lib.ben, admin, "get", &[]).await["default_thumbnail_size"],
        "m"
    );
    assert_eq!(
        lib.code(
            &lib.anna,
            admin,
            "set",
            &[("default_thumbnail_size", "\"huge\"")]
        )
        .await,
        120
    );
    assert_eq!(
        lib.code(&lib.anna, admin, "set", &[("enable_person", "3")])
            .await,
        120
    );
    assert_eq!(
        lib.code(&lib.ben, admin, "set", &[("enable_person", "false")])
            .await,
        105
    );
}
