//! Photo Requests: anyone with the link uploads, without an account, into the requester's
//! folder and album, through the upload's own safe path; the requester sees who sent what;
//! limits, closing, and what a sender cannot choose.

use serde_json::Value;

use crate::support::TestApp;
use crate::support::api::Library;
use crate::support::api::people;
use crate::support::corpus::corpus_file;
use crate::support::upload::{file_part, post_form, upload};

const PUBLIC: &str = "SYNO.Foto.Upload.PhotoRequestItem";

/// A call with no session at all, as the public page makes it.
async fn public(
    lib: &Library,
    method: &str,
    fields: &[(&str, &str)],
    file: Option<&[u8]>,
) -> Value {
    let mut form = reqwest::multipart::Form::new()
        .text("api", PUBLIC)
        .text("method", method.to_owned())
        .text("version", "1");
    for (k, v) in fields {
        form = form.text((*k).to_owned(), (*v).to_owned());
    }
    if let Some(bytes) = file {
        form = form.part("file", file_part(bytes, "upload"));
    }
    post_form(lib, form).await
}

#[tokio::test]
async fn a_photo_request_takes_anonymous_uploads_into_the_folder_and_album() {
    let lib = people().await;
    let existing = corpus_file("metadata/camera_phone.jpg");
    let placed = upload(
        &lib,
        &lib.ben,
        "SYNO.Foto.Upload.Item",
        "upload",
        &[
            ("name", "\"x.jpg\""),
            ("folder", "[\"Inbox\"]"),
            ("uploadDestination", "\"folder\""),
        ],
        &existing,
    )
    .await;
    let first = placed["data"]["id"].as_i64().expect("id");
    let item = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.Item",
            "get",
            &[("id", &format!("[{first}]"))],
        )
        .await;
    let inbox = item["list"][0]["folder_id"].as_i64().expect("folder id");
    let album = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.NormalAlbum",
            "create",
            &[("name", "\"From family\"")],
        )
        .await["album"]["id"]
        .as_i64()
        .expect("album");
    let other_album = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.NormalAlbum",
            "create",
            &[("name", "\"Private\"")],
        )
        .await["album"]["id"]
        .as_i64()
        .expect("album");
    // Checked: a subject, a folder the caller may upload to.
    let no_subject = lib
        .call(
            &lib.ben,
            "SYNO.Foto.PhotoRequest",
            "create",
            &[("folder_id", &inbox.to_string())],
        )
        .await;
    assert_eq!(no_subject["error"]["code"], 114, "{no_subject}");
    let not_hers = lib
        .call(
            &lib.cleo,
            "SYNO.Foto.PhotoRequest",
            "create",
            &[("folder_id", &inbox.to_string()), ("subject", "\"mine\"")],
        )
        .await;
    assert_eq!(not_hers["error"]["code"], 642, "{not_hers}");
    let made = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.PhotoRequest",
            "create",
            &[
                ("folder_id", &inbox.to_string()),
                ("subject", "\"Summer party\""),
                ("description", "\"Send us your photos!\""),
                ("album_id", &album.to_string()),
                ("max_files", "2"),
                ("max_bytes", "100000"),
            ],
        )
        .await;
    let p = made["passphrase"].as_str().expect("passphrase").to_owned();
    assert!(
        made["link"]
            .as_str()
            .expect("link")
            .ends_with(&format!("/mo/request/{p}"))
    );
    let quoted = format!("\"{p}\"");

    // The public page and its information, without an account.
    let page = TestApp::client()
        .get(lib.app.url(&format!("/mo/request/{p}")))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .expect("html")
            .contains("/js/request-page.js")
    );
    let script = TestApp::client()
        .get(lib.app.url("/js/request-page.js"))
        .send()
        .await
        .expect("script");
    assert_eq!(script.status(), 200);
    assert!(
        script
            .text()
            .await
            .expect("js")
            .contains("PhotoRequestItem")
    );
    let info = public(&lib, "get_info", &[("passphrase", &quoted)], None).await;
    assert_eq!(info["data"]["subject"], "Summer party", "{info}");
    assert_eq!(info["data"]["owner"], "ben");

    // A sender names themselves and the file; nothing else is theirs to choose.
    let photo = corpus_file("metadata/camera_dslr.jpg");
    let nameless = public(
        &lib,
        "upload",
        &[("passphrase", &quoted), ("name", "\"a.jpg\"")],
        Some(&photo),
    )
    .await;
    assert_eq!(nameless["error"]["code"], 114, "{nameless}");
    let bad_name = public(
        &lib,
        "upload",
        &[
            ("passphrase", &quoted),
            ("sender", "Grandma"),
            ("name", "\"../../x.jpg\""),
        ],
        Some(&photo),
    )
    .await;
    assert_eq!(bad_name["error"]["code"], 120, "{bad_name}");
    let sent = public(
        &lib,
        "upload",
        &[
            ("passphrase", &quoted),
            ("sender", "Grandma"),
            ("name", "\"x.jpg\""),
            ("duplicate", "\"overwrite\""),
            ("album_id", &other_album.to_string()),
            ("folder", "[\"Elsewhere\"]"),
        ],
        Some(&photo),
    )
    .await;
    assert_eq!(sent["success"], true, "{sent}");
    assert_eq!(
        sent["data"]["name"], "x_1.jpg",
        "renamed, never overwritten"
    );
    let new_id = sent["data"]["id"].as_i64().expect("id");
    let inbox_dir = lib.app.data_dir().join("homes/ben/Photos/Inbox");
    assert_eq!(
        std::fs::read(inbox_dir.join("x.jpg")).expect("kept"),
        existing
    );
    assert_eq!(
        std::fs::read(inbox_dir.join("x_1.jpg")).expect("stored"),
        photo
    );
    assert!(
        !lib.app
            .data_dir()
            .join("homes/ben/Photos/Elsewhere")
            .exists()
    );
    // In the request's album, not the one the sender named.
    let in_album = |id: i64| {
        let lib = &lib;
        async move {
            lib.ok(
                &lib.ben,
                "SYNO.Foto.Browse.Item",
                "list",
                &[
                    ("album_id", &id.to_string()),
                    ("offset", "0"),
                    ("limit", "10"),
                ],
            )
            .await["list"]
                .as_array()
                .expect("list")
                .iter()
                .map(|i| i["id"].as_i64().expect("id"))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(in_album(album).await, vec![new_id]);
    assert_eq!(in_album(other_album).await, Vec::<i64>::new());

    // The requester sees who sent what; nobody else sees the request.
    let seen = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.PhotoRequest",
            "get",
            &[("passphrase", &quoted)],
        )
        .await;
    assert_eq!(seen["uploads"][0]["sender"], "Grandma", "{seen}");
    assert_eq!(seen["uploads"][0]["filename"], "x_1.jpg");
    assert_eq!(seen["uploads"][0]["item_id"], new_id);
    assert_eq!(seen["upload_count"], 1);
    let listed = lib
        .ok(&lib.ben, "SYNO.Foto.PhotoRequest", "list", &[])
        .await;
    assert_eq!(listed["list"][0]["passphrase"], p.as_str());
    let theirs = lib
        .call(
            &lib.cleo,
            "SYNO.Foto.PhotoRequest",
            "get",
            &[("passphrase", &quoted)],
        )
        .await;
    assert_eq!(theirs["error"]["code"], 642, "{theirs}");

    // At most max_bytes in all: a file that would pass it is refused.
    let big = corpus_file("real/pug.heic");
    let too_big = public(
        &lib,
        "upload",
        &[
            ("passphrase", &quoted),
            ("sender", "Uncle"),
            ("name", "\"big.heic\""),
        ],
        Some(&big),
    )
    .await;
    assert_eq!(too_big["error"]["code"], 120, "{too_big}");
    assert!(!inbox_dir.join("big.heic").exists());
    // With the link in the address (as the public page sends it), the body is held to what the
    // link still takes while it is read: refused as too large (413) before it is spooled whole.
    let form = reqwest::multipart::Form::new()
        .text("api", PUBLIC)
        .text("method", "upload")
        .text("version", "1")
        .text("sender", "Uncle")
        .text("name", "\"big.heic\"")
        .part(
            "file",
            reqwest::multipart::Part::bytes(big.clone())
                .file_name("upload")
                .mime_str("application/octet-stream")
                .expect("mime"),
        );
    let early = TestApp::client()
        .post(lib.app.url(&format!(
            "/webapi/entry.cgi?api={PUBLIC}&method=upload&passphrase={}",
            form_urlencoded::byte_serialize(quoted.as_bytes()).collect::<String>()
        )))
        .multipart(form)
        .send()
        .await
        .expect("request");
    assert_eq!(early.status(), 413);
    let early: Value = early.json().await.expect("json");
    assert_eq!(early["error"]["code"], 120, "{early}");
    assert!(!inbox_dir.join("big.heic").exists());
    assert_eq!(
        crate::support::fs::files_under(&lib.app.data_dir().join("tmp")),
        Vec::<String>::new(),
        "nothing left in the spool"
    );
    // At most max_files.
    let second = public(
        &lib,
        "upload",
        &[
            ("passphrase", &quoted),
            ("sender", "Uncle"),
            ("name", "\"y.jpg\""),
        ],
        Some(&photo),
    )
    .await;
    assert_eq!(second["success"], true, "{second}");
    let third = public(
        &lib,
        "upload",
        &[
            ("passphrase", &quoted),
            ("sender", "Uncle"),
            ("name", "\"z.jpg\""),
        ],
        Some(&photo),
    )
    .await;
    assert_eq!(third["error"]["code"], 120, "{third}");
    assert!(!inbox_dir.join("z.jpg").exists());

    // Closed: as if it never existed.
    lib.ok(
        &lib.ben,
        "SYNO.Foto.PhotoRequest",
        "close",
        &[("passphrase", &quoted)],
    )
    .await;
    let closed = public(&lib, "get_info", &[("passphrase", &quoted)], None).await;
    assert_eq!(closed["error"]["code"], 642, "{closed}");
    let late = public(
        &lib,
        "upload",
        &[
            ("passphrase", &quoted),
            ("sender", "Late"),
            ("name", "\"late.jpg\""),
        ],
        Some(&photo),
    )
    .await;
    assert_eq!(late["error"]["code"], 642, "{late}");
    let unknown = public(
        &lib,
        "get_info",
        &[("passphrase", "\"nothing-here\"")],
        None,
    )
    .await;
    assert_eq!(unknown["error"]["code"], 642, "{unknown}");
}

#[tokio::test]
async fn a_photo_request_can_have_a_password_be_changed_and_be_deleted() {
    let lib = people().await;
    let photo = corpus_file("metadata/camera_phone.jpg");
    let placed = upload(
        &lib,
        &lib.ben,
        "SYNO.Foto.Upload.Item",
        "upload",
        &[
            ("name", "\"x.jpg\""),
            ("folder", "[\"Inbox\"]"),
            ("uploadDestination", "\"folder\""),
        ],
        &photo,
    )
    .await;
    let first = placed["data"]["id"].as_i64().expect("id");
    let item = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.Item",
            "get",
            &[("id", &format!("[{first}]"))],
        )
        .await;
    let inbox = item["list"][0]["folder_id"].as_i64().expect("folder id");
    let made = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.PhotoRequest",
            "create",
            &[
                ("folder_id", &inbox.to_string()),
                ("subject", "\"Wedding\""),
                ("password", "\"open sesame\""),
            ],
        )
        .await;
    assert_eq!(made["enable_password"], true, "{made}");
    let p = made["passphrase"].as_str().expect("passphrase").to_owned();
    let quoted = format!("\"{p}\"");

    // Without the password, or with a wrong one: 400, nothing shown, nothing taken.
    for given in [None, Some("\"wrong\"")] {
        let mut fields = vec![("passphrase", quoted.as_str())];
        if let Some(g) = given {
            fields.push(("password", g));
        }
        let info = public(&lib, "get_info", &fields, None).await;
        assert_eq!(info["error"]["code"], 400, "{info}");
        assert!(info.get("data").is_none(), "{info}");
        fields.push(("sender", "\"Eve\""));
        fields.push(("name", "\"eve.jpg\""));
        let sent = public(&lib, "upload", &fields, Some(&photo)).await;
        assert_eq!(sent["error"]["code"], 400, "{sent}");
    }
    let with = [
        ("passphrase", quoted.as_str()),
        ("password", "\"open sesame\""),
    ];
    let info = public(&lib, "get_info", &with, None).await;
    assert_eq!(info["data"]["subject"], "Wedding", "{info}");
    assert_eq!(info["data"]["enable_password"], true);
    let mut fields = with.to_vec();
    fields.extend([("sender", "\"Dora\""), ("name", "\"dora.jpg\"")]);
    let sent = public(&lib, "upload", &fields, Some(&photo)).await;
    assert_eq!(sent["success"], true, "{sent}");

    // set: a new subject, no password, closed, then opened again.
    let changed = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.PhotoRequest",
            "set",
            &[
                ("passphrase", &quoted),
                ("subject", "\"Wedding, day two\""),
                ("password", "\"\""),
                ("closed", "true"),
            ],
        )
        .await;
    assert_eq!(changed["subject"], "Wedding, day two");
    assert_eq!(changed["enable_password"], false);
    assert_eq!(changed["closed"], true);
    let info = public(&lib, "get_info", &[("passphrase", &quoted)], None).await;
    assert_eq!(info["error"]["code"], 642, "a closed request: {info}");
    lib.ok(
        &lib.ben,
        "SYNO.Foto.PhotoRequest",
        "set",
        &[("passphrase", &quoted), ("closed", "false")],
    )
    .await;
    let info = public(&lib, "get_info", &[("passphrase", &quoted)], None).await;
    assert_eq!(info["data"]["subject"], "Wedding, day two", "{info}");
    // Bad values are refused and change nothing.
    for bad in [
        ("subject", "\"\""),
        ("max_files", "0"),
        ("expiration", "1"),
        ("closed", "\"maybe\""),
    ] {
        let answer = lib
            .call(
                &lib.ben,
                "SYNO.Foto.PhotoRequest",
                "set",
                &[("passphrase", &quoted), bad],
            )
            .await;
        assert_eq!(answer["success"], false, "{bad:?}: {answer}");
        // Which parameter, said in the answer.
        assert_eq!(answer["error"]["errors"]["name"], bad.0, "{answer}");
        assert!(answer["error"]["errors"]["reason"].is_string(), "{answer}");
    }
    // Someone else's request is not theirs to change or delete.
    for method in ["set", "delete"] {
        let answer = lib
            .call(
                &lib.cleo,
                "SYNO.Foto.PhotoRequest",
                method,
                &[("passphrase", &quoted), ("subject", "\"mine\"")],
            )
            .await;
        assert_eq!(answer["error"]["code"], 642, "{method}: {answer}");
    }

    // delete: gone from the list and the link; the photo it brought stays.
    lib.ok(
        &lib.ben,
        "SYNO.Foto.PhotoRequest",
        "delete",
        &[("passphrase", &quoted)],
    )
    .await;
    let list = lib
        .ok(&lib.ben, "SYNO.Foto.PhotoRequest", "list", &[])
        .await;
    assert!(
        list["list"]
            .as_array()
            .expect("list")
            .iter()
            .all(|r| r["passphrase"] != p.as_str()),
        "{list}"
    );
    let info = public(&lib, "get_info", &[("passphrase", &quoted)], None).await;
    assert_eq!(info["error"]["code"], 642, "{info}");
    let kept = sent["data"]["id"].as_i64().expect("uploaded id");
    let still = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.Item",
            "get",
            &[("id", &format!("[{kept}]"))],
        )
        .await;
    assert_eq!(still["list"][0]["id"], kept, "{still}");
}

/// A Photo Request into a Shared Space folder: the sender's upload lands in that folder of the
/// Shared Space (it was refused with 642 once the space came from the table, not the API name).
#[tokio::test]
async fn a_photo_request_into_a_shared_space_folder_takes_uploads_there() {
    let lib = people().await;
    let put = upload(
        &lib,
        &lib.anna,
        "SYNO.FotoTeam.Upload.Item",
        "upload",
        &[
            ("name", "\"first.jpg\""),
            ("folder", "[\"Party\"]"),
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
            &[("name", "\"/Party\"")],
        )
        .await["folder"]["id"]
        .as_i64()
        .expect("folder");
    let made = lib
        .ok(
            &lib.anna,
            "SYNO.FotoTeam.PhotoRequest",
            "create",
            &[
                ("folder_id", &folder.to_string()),
                ("subject", "\"Party photos\""),
            ],
        )
        .await;
    let quoted = format!("\"{}\"", made["passphrase"].as_str().expect("passphrase"));
    let photo = corpus_file("metadata/gps_paris.jpg");
    let sent = public(
        &lib,
        "upload",
        &[
            ("passphrase", &quoted),
            ("sender", "Grandma"),
            ("name", "\"guest.jpg\""),
        ],
        Some(&photo),
    )
    .await;
    assert_eq!(sent["success"], true, "{sent}");
    let id = sent["data"]["id"].as_i64().expect("id");
    let listed = lib
        .ok(
            &lib.anna,
            "SYNO.FotoTeam.Browse.Item",
            "list",
            &[
                ("folder_id", &folder.to_string()),
                ("offset", "0"),
                ("limit", "10"),
            ],
        )
        .await;
    let names: Vec<&str> = listed["list"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|i| i["id"] == id)
        .filter_map(|i| i["filename"].as_str())
        .collect();
    assert_eq!(names, ["guest.jpg"], "{listed}");
}
