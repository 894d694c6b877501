//! Uploads over HTTP (`SYNO.Foto.Upload.Item`, `SYNO.FotoTeam.Upload.Item`) with multipart
//! bodies laid out as the Android app sends them: the timeline's year/month folders, a chosen
//! folder, the `duplicate` policies, rename by date taken, into an album, who may upload where,
//! bad names, and a client that goes away halfway.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use crate::support::Login;
use crate::support::api::{Library, names, people};
use crate::support::corpus::corpus_file;
use crate::support::fs::files_under;
use crate::support::upload::upload;

const UPLOAD: &str = "SYNO.Foto.Upload.Item";
const TEAM_UPLOAD: &str = "SYNO.FotoTeam.Upload.Item";

fn anna_photos(lib: &Library) -> PathBuf {
    lib.app.data_dir().join("homes/anna/Photos")
}

async fn item(lib: &Library, who: &Login, api: &str, id: i64) -> Value {
    lib.ok(who, api, "get", &[("id", &format!("[{id}]"))]).await["list"][0].clone()
}

#[tokio::test]
async fn uploads_land_where_the_seed_says() {
    let lib = people().await;
    let paris = corpus_file("metadata/gps_paris.jpg");

    // The timeline: PhotoLibrary/YYYY/MM by the date taken (2022-03-04), the item indexed
    // before the answer, the bytes as sent.
    let fields = [
        ("require_thumb_version", "false"),
        ("name", "\"paris.jpg\""),
        ("mtime", "1600000000"),
        ("folder", "[\"PhotoLibrary\"]"),
        ("duplicate", "\"ignore\""),
    ];
    let first = upload(&lib, &lib.anna, UPLOAD, "upload", &fields, &paris).await;
    assert_eq!(first["success"], true, "{first}\n{}", lib.app.log());
    let id = first["data"]["id"].as_i64().expect("id");
    assert_eq!(first["data"]["action"], "upload");
    let stored = anna_photos(&lib).join("PhotoLibrary/2022/03/paris.jpg");
    assert_eq!(std::fs::read(&stored).expect("stored"), paris);
    let got = item(&lib, &lib.anna, "SYNO.Foto.Browse.Item", id).await;
    assert_eq!(got["filename"], "paris.jpg", "{got}");

    // The same name again: ignore keeps what is there, rename stores name_1, overwrite
    // replaces the file under the same item.
    let png = corpus_file("formats/png.png");
    let mut same = fields;
    same[1] = ("name", "\"paris.jpg\"");
    // (Tokyo's photo has the same date taken, so the same month folder.)
    let other = corpus_file("metadata/gps_tokyo.jpg");
    let ignored = upload(&lib, &lib.anna, UPLOAD, "upload", &same, &other).await;
    assert_eq!(
        (&ignored["data"]["id"], &ignored["data"]["action"]),
        (&Value::from(id), &Value::from("ignore")),
        "{ignored}"
    );
    assert_eq!(std::fs::read(&stored).expect("stored"), paris);
    same[4] = ("duplicate", "\"rename\"");
    let renamed = upload(&lib, &lib.anna, UPLOAD, "upload", &same, &paris).await;
    assert_eq!(renamed["data"]["name"], "paris_1.jpg", "{renamed}");
    assert_ne!(renamed["data"]["id"], id);
    same[4] = ("duplicate", "\"overwrite\"");
    let over = upload(&lib, &lib.anna, UPLOAD, "upload", &same, &paris).await;
    assert_eq!(
        (&over["data"]["id"], &over["data"]["action"]),
        (&Value::from(id), &Value::from("overwrite")),
        "{over}"
    );
    // The replaced file is in the recycle bin, as a deleted one would be (issue 19).
    assert_eq!(
        files_under(&anna_photos(&lib)),
        [
            "#recycle/PhotoLibrary/2022/03/paris.jpg",
            "PhotoLibrary/2022/03/paris.jpg",
            "PhotoLibrary/2022/03/paris_1.jpg"
        ]
    );
    same[4] = ("duplicate", "\"sometimes\"");
    let bad = upload(&lib, &lib.anna, UPLOAD, "upload", &same, &paris).await;
    assert_eq!(bad["error"]["code"], 120, "{bad}");

    // A chosen folder, made as needed; a file without a date in it goes by the phone's date.
    let made = upload(
        &lib,
        &lib.anna,
        UPLOAD,
        "upload",
        &[
            ("name", "\"picture.png\""),
            ("folder", "[\"Trips\",\"Rome\"]"),
            ("uploadDestination", "folder"),
        ],
        &png,
    )
    .await;
    assert_eq!(made["success"], true, "{made}");
    assert!(anna_photos(&lib).join("Trips/Rome/picture.png").is_file());
    let mut clip = fields;
    clip[1] = ("name", "\"clip.mp4\"");
    clip[2] = ("date", "1262304000");
    let video = upload(
        &lib,
        &lib.anna,
        UPLOAD,
        "upload",
        &clip,
        &corpus_file("video/h264.mp4"),
    )
    .await;
    assert_eq!(video["success"], true, "{video}");
    // The video's own date (2021-05-06) wins over the phone's.
    assert!(
        anna_photos(&lib)
            .join("PhotoLibrary/2021/05/clip.mp4")
            .is_file()
    );

    // Rename by date taken, a per-user setting.
    lib.ok(
        &lib.anna,
        "SYNO.Foto.Setting.User",
        "set",
        &[("rename_by_date", "true")],
    )
    .await;
    let mut tokyo = fields;
    tokyo[1] = ("name", "\"tokyo.JPG\"");
    let dated = upload(
        &lib,
        &lib.anna,
        UPLOAD,
        "upload",
        &tokyo,
        &corpus_file("metadata/gps_tokyo.jpg"),
    )
    .await;
    assert_eq!(dated["data"]["name"], "IMG_20220304_050607.jpg", "{dated}");
    tokyo[4] = ("duplicate", "\"rename\"");
    let again = upload(
        &lib,
        &lib.anna,
        UPLOAD,
        "upload",
        &tokyo,
        &corpus_file("metadata/gps_tokyo.jpg"),
    )
    .await;
    assert_eq!(
        again["data"]["name"], "IMG_20220304_050607_1.jpg",
        "{again}"
    );

    // Into an album.
    let album = lib
        .ok(
            &lib.anna,
            "SYNO.Foto.Browse.NormalAlbum",
            "create",
            &[("name", "\"Holiday\"")],
        )
        .await["album"]["id"]
        .as_i64()
        .expect("album");
    let mut into = fields;
    into[1] = ("name", "\"album.jpg\"");
    let album_s = album.to_string();
    let mut with_album = into.to_vec();
    with_album.push(("album_id", &album_s));
    let put = upload(&lib, &lib.anna, UPLOAD, "upload", &with_album, &paris).await;
    assert_eq!(put["success"], true, "{put}");
    let listed = lib
        .items(
            &lib.anna,
            "SYNO.Foto.Browse.Item",
            &[("album_id", &album_s)],
        )
        .await;
    // (Renamed by date, its name is taken: with `ignore` the photo already there joins.)
    assert_eq!(names(&listed), ["IMG_20220304_050607.jpg"]);
    // Another user's album is not found, and nothing is stored.
    let mut bens = into.to_vec();
    bens.push(("album_id", &album_s));
    let refused = upload(&lib, &lib.ben, UPLOAD, "upload", &bens, &paris).await;
    assert_eq!(refused["error"]["code"], 642, "{refused}");
    assert!(files_under(&lib.app.data_dir().join("homes/ben/Photos")).is_empty());
}

#[tokio::test]
async fn who_may_upload_where_and_bad_names() {
    let lib = people().await;
    let paris = corpus_file("metadata/gps_paris.jpg");
    let family = lib
        .ok(
            &lib.anna,
            "SYNO.FotoTeam.Browse.Folder",
            "get",
            &[("name", "/Family")],
        )
        .await["folder"]["id"]
        .as_i64()
        .expect("id");
    let target = family.to_string();
    let to_family = [
        ("name", "\"family.jpg\""),
        ("target_folder_id", target.as_str()),
    ];
    let shared = lib.app.data_dir().join("photo");

    // Anna (admin) may; ben has no Shared Space; cleo may view but not upload.
    let put = upload(
        &lib,
        &lib.anna,
        TEAM_UPLOAD,
        "upload_to_folder",
        &to_family,
        &paris,
    )
    .await;
    assert_eq!(put["success"], true, "{put}");
    let id = put["data"]["id"].as_i64().expect("id");
    assert_eq!(
        item(&lib, &lib.anna, "SYNO.FotoTeam.Browse.Item", id).await["filename"],
        "family.jpg"
    );
    let other = [
        ("name", "\"other.jpg\""),
        ("target_folder_id", target.as_str()),
    ];
    let ben = upload(
        &lib,
        &lib.ben,
        TEAM_UPLOAD,
        "upload_to_folder",
        &other,
        &paris,
    )
    .await;
    assert_eq!(ben["error"]["code"], 105, "{ben}");
    lib.give_cleo_view_of("/Family").await;
    let cleo = upload(
        &lib,
        &lib.cleo,
        TEAM_UPLOAD,
        "upload_to_folder",
        &other,
        &paris,
    )
    .await;
    assert_eq!(cleo["error"]["code"], 105, "{cleo}");
    let cleo_timeline = upload(
        &lib,
        &lib.cleo,
        TEAM_UPLOAD,
        "upload",
        &[("name", "\"t.jpg\"")],
        &paris,
    )
    .await;
    assert_eq!(cleo_timeline["error"]["code"], 105, "{cleo_timeline}");
    assert_eq!(files_under(&shared), ["Family/family.jpg"]);

    // Names that are paths, hidden, reserved, or not media are refused before anything is
    // written; so are folder parts that climb out.
    for name in [
        "\"../escape.jpg\"",
        "\"a/b.jpg\"",
        "\"..\"",
        "\".hidden.jpg\"",
        "\"CON.jpg\"",
        "\"notes.txt\"",
        "\"\"",
        "\"tab\\tname.jpg\"",
    ] {
        let body = upload(&lib, &lib.anna, UPLOAD, "upload", &[("name", name)], &paris).await;
        assert_eq!(body["error"]["code"], 120, "{name}: {body}");
    }
    for folder in ["[\"..\"]", "[\"PhotoLibrary\",\"../../x\"]", "[\"@eaDir\"]"] {
        let body = upload(
            &lib,
            &lib.anna,
            UPLOAD,
            "upload",
            &[
                ("name", "\"ok.jpg\""),
                ("folder", folder),
                ("uploadDestination", "folder"),
            ],
            &paris,
        )
        .await;
        assert_eq!(body["error"]["code"], 120, "{folder}: {body}");
    }
    let missing = upload(
        &lib,
        &lib.anna,
        UPLOAD,
        "upload_to_folder",
        &[("name", "\"x.jpg\"")],
        &paris,
    )
    .await;
    assert_eq!(missing["error"]["code"], 114, "{missing}");
    assert!(files_under(&anna_photos(&lib)).is_empty());
    assert!(files_under(&lib.app.data_dir().join("homes")).is_empty());
    assert_eq!(files_under(&shared), ["Family/family.jpg"]);
}

#[tokio::test]
async fn a_client_that_goes_away_leaves_nothing() {
    let lib = people().await;
    let addr = lib
        .app
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let boundary = "XyZboundary";
    let mut head = String::new();
    for (k, v) in [
        ("method", "upload"),
        ("api", UPLOAD),
        ("version", "1"),
        ("_sid", lib.anna.sid.as_str()),
        ("name", "\"big.jpg\""),
    ] {
        head.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    head.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    ));
    // Says 8 MB, sends 1 MB, and hangs up.
    let declared = head.len() + (8 << 20);
    let request = format!(
        "POST /webapi/entry.cgi HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {declared}\r\n\r\n{head}"
    );
    let addr_for_thread = addr.clone();
    tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr_for_thread).expect("connect");
        s.write_all(request.as_bytes()).expect("head");
        s.write_all(&vec![0xAB; 1 << 20]).expect("part");
        s.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(300));
        drop(s);
    })
    .await
    .expect("client");
    // The server goes on, and nothing of the upload is anywhere: not in the space, not in the
    // spool, not in the index.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let spool = files_under(&lib.app.data_dir().join("tmp"));
        if spool.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "left in the spool: {spool:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(files_under(&anna_photos(&lib)).is_empty());
    let count = lib
        .ok(&lib.anna, "SYNO.Foto.Browse.Item", "count", &[])
        .await;
    assert_eq!(count["count"], 0);
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
}

/// Waits until the Personal Space's index has no work left.
async fn settled(lib: &Library, who: &Login) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let state = lib.ok(who, "SYNO.Foto.Index", "get", &[]).await;
        if state["pending_count"] == 0 {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{state}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn check(lib: &Library, files: &Value) -> Vec<(String, Value)> {
    let data = lib
        .ok(
            &lib.anna,
            UPLOAD,
            "backup_check",
            &[("files", &files.to_string())],
        )
        .await;
    data["list"]
        .as_array()
        .expect("list")
        .iter()
        .map(|e| {
            (
                e["status"].as_str().expect("status").to_owned(),
                e["id"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn backup_check_knows_what_is_there_and_what_was_deleted() {
    let lib = people().await;
    let paris = corpus_file("metadata/gps_paris.jpg");
    let tokyo = corpus_file("metadata/gps_tokyo.jpg");
    let hex = |b: &[u8]| blake3::hash(b).to_hex().to_string();
    let put = |name: &'static str, bytes: Vec<u8>| {
        let lib = &lib;
        async move {
            let body = upload(
                lib,
                &lib.anna,
                UPLOAD,
                "upload",
                &[("name", &format!("\"{name}\"")), ("mtime", "1600000000")],
                &bytes,
            )
            .await;
            assert_eq!(body["success"], true, "{body}");
            body["data"]["id"].as_i64().expect("id")
        }
    };
    let paris_id = put("paris.jpg", paris.clone()).await;
    let tokyo_id = put("tokyo.jpg", tokyo.clone()).await;
    settled(&lib, &lib.anna).await;
    // The phone's time is kept on the file.
    let stored = anna_photos(&lib).join("PhotoLibrary/2022/03/paris.jpg");
    let mtime = std::fs::metadata(&stored)
        .expect("stored")
        .modified()
        .expect("mtime");
    assert_eq!(
        mtime
            .duration_since(std::time::UNIX_EPOCH)
            .expect("epoch")
            .as_secs(),
        1_600_000_000
    );
    lib.ok(
        &lib.anna,
        "SYNO.Foto.Browse.Item",
        "delete",
        &[("id", &format!("[{tokyo_id}]"))],
    )
    .await;

    let (p, t) = (paris.len(), tokyo.len());
    let batch = serde_json::json!([
        {"name": "paris.jpg", "size": p},
        {"name": "IMG_0001.JPG", "size": p, "mtime": 1_600_000_000i64},
        {"name": "whatever.jpg", "size": p, "checksum": hex(&paris)},
        {"name": "tokyo.jpg", "size": t},
        {"name": "elsewhere.jpg", "size": t, "checksum": hex(&tokyo)},
        {"name": "new.jpg", "size": 12345},
        {"name": "paris.jpg", "size": p + 1},
    ]);
    let found = check(&lib, &batch).await;
    let expected: Vec<(String, Value)> = [
        ("exists", Value::from(paris_id)),
        ("exists", Value::from(paris_id)),
        ("exists", Value::from(paris_id)),
        ("deleted", Value::Null),
        ("deleted", Value::Null),
        ("new", Value::Null),
        ("new", Value::Null),
    ]
    .into_iter()
    .map(|(s, v)| (s.to_owned(), v))
    .collect();
    assert_eq!(found, expected);

    // Uploaded again on purpose, the photo is back and no longer "deleted".
    let again = put("tokyo.jpg", tokyo.clone()).await;
    settled(&lib, &lib.anna).await;
    let back = check(
        &lib,
        &serde_json::json!([{"name": "x.jpg", "size": t, "checksum": hex(&tokyo)}]),
    )
    .await;
    assert_eq!(back, [("exists".to_owned(), Value::from(again))]);

    // Another user's space is theirs: ben has none of it.
    let bens = lib
        .ok(
            &lib.ben,
            UPLOAD,
            "backup_check",
            &[("files", &batch.to_string())],
        )
        .await;
    assert!(
        bens["list"]
            .as_array()
            .expect("list")
            .iter()
            .all(|e| e["status"] == "new"),
        "{bens}"
    );
    // Bad batches are refused whole.
    for bad in [
        r#"[{"name": "a.jpg"}]"#,
        r#"[{"name": "a.jpg", "size": 1, "checksum": "xyz"}]"#,
        r#"{"name": "a.jpg"}"#,
        "not json",
    ] {
        assert_eq!(
            lib.code(&lib.anna, UPLOAD, "backup_check", &[("files", bad)])
                .await,
            120,
            "{bad}"
        );
    }

    // A backup into a path of its own.
    let backup = upload(
        &lib,
        &lib.anna,
        UPLOAD,
        "backup_to_path",
        &[("name", "\"IMG_9.jpg\""), ("path", "/MobileBackup/Pixel")],
        &paris,
    )
    .await;
    assert_eq!(backup["success"], true, "{backup}");
    assert!(
        anna_photos(&lib)
            .join("MobileBackup/Pixel/IMG_9.jpg")
            .is_file()
    );
}
