//! Uploads that destroy files, the endless name loop, and paths beneath a space's root (issue
//! 19, holes 5, 6 and 11): each attack made over HTTP against the real server, asserting it is
//! refused (or harmless) and that no file changed, inside the space or outside it.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::TestApp;
use crate::support::api::Library;
use crate::support::api::people;
use crate::support::corpus::corpus_file;
use crate::support::fs::files_under;
use crate::support::upload::upload;

const TEAM_UPLOAD: &str = "SYNO.FotoTeam.Upload.Item";
const UPLOAD: &str = "SYNO.Foto.Upload.Item";

/// Every entry below `dir` with its bytes (a link as `-> target`), links never followed: what
/// must not change.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let rel = p.strip_prefix(base).expect("under").display().to_string();
            let meta = p.symlink_metadata().expect("meta");
            if meta.is_symlink() {
                let to = std::fs::read_link(&p).expect("link");
                out.push((rel, format!("-> {}", to.display()).into_bytes()));
            } else if meta.is_dir() {
                out.push((format!("{rel}/"), Vec::new()));
                walk(base, &p, out);
            } else {
                out.push((rel, std::fs::read(&p).expect("read")));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

async fn folder_id(lib: &Library, api: &str, path: &str) -> i64 {
    lib.ok(&lib.anna, api, "get", &[("name", path)]).await["folder"]["id"]
        .as_i64()
        .expect("folder id")
}

/// A resumable upload in one chunk (create, then append), as `who` in the Shared Space.
async fn resumable(
    lib: &Library,
    who: &crate::support::Login,
    fields: &[(&str, &str)],
    file: &[u8],
) -> Value {
    let size = file.len().to_string();
    let mut params = vec![("size", size.as_str())];
    params.extend_from_slice(fields);
    let created = lib
        .call(who, "SYNO.FotoTeam.Upload.Resumable", "create", &params)
        .await;
    if created["success"] != true {
        return created;
    }
    let id = created["data"]["upload_id"].as_str().expect("id");
    let form = reqwest::multipart::Form::new()
        .text("api", "SYNO.FotoTeam.Upload.Resumable")
        .text("method", "append")
        .text("version", "1")
        .text("_sid", who.sid.clone())
        .text("upload_id", format!("\"{id}\""))
        .text("offset", "0")
        .part(
            "file",
            reqwest::multipart::Part::bytes(file.to_vec()).file_name("blob"),
        );
    TestApp::client()
        .post(lib.app.url("/webapi/entry.cgi"))
        .multipart(form)
        .send()
        .await
        .expect("append")
        .json()
        .await
        .expect("json")
}

/// Hole 5: a user who may upload to a Shared Space folder but not delete there cannot replace a
/// photo with `duplicate=overwrite` (nor through a resumable upload); one who may delete
/// replaces it, and the old bytes go to the space's `#recycle` as a deleted item's would.
#[tokio::test]
async fn an_upload_only_user_cannot_overwrite_and_a_replaced_photo_goes_to_the_bin() {
    let lib = people().await;
    let shared = lib.app.data_dir().join("photo");
    let original = corpus_file("metadata/gps_paris.jpg");
    let other = corpus_file("metadata/camera_phone.jpg");
    let family = folder_id(&lib, "SYNO.FotoTeam.Browse.Folder", "/Family").await;
    let target = family.to_string();
    let put = upload(
        &lib,
        &lib.anna,
        TEAM_UPLOAD,
        "upload_to_folder",
        &[("name", "\"family.jpg\""), ("target_folder_id", &target)],
        &original,
    )
    .await;
    assert_eq!(put["success"], true, "{put}");
    lib.sql(&format!(
        "UPDATE users SET team_access = 'custom' WHERE name = 'cleo';
         INSERT INTO folder_permissions (folder_id, user_id, view, download, upload, manage)
         SELECT {family}, id, 1, 1, 1, 0 FROM users WHERE name = 'cleo'"
    ))
    .await;
    let before = snapshot(&shared);

    let overwrite = [
        ("name", "\"family.jpg\""),
        ("target_folder_id", target.as_str()),
        ("duplicate", "\"overwrite\""),
    ];
    let refused = upload(
        &lib,
        &lib.cleo,
        TEAM_UPLOAD,
        "upload_to_folder",
        &overwrite,
        &other,
    )
    .await;
    assert_eq!(refused["error"]["code"], 105, "{refused}");
    let mut resumable_fields = vec![("target", "upload_to_folder")];
    resumable_fields.extend_from_slice(&overwrite);
    let refused = resumable(&lib, &lib.cleo, &resumable_fields, &other).await;
    assert_eq!(refused["error"]["code"], 105, "{refused}");
    assert_eq!(snapshot(&shared), before, "nothing changed in the space");
    assert_eq!(
        std::fs::read(shared.join("Family/family.jpg")).expect("read"),
        original
    );
    // Uploading a new name is still hers to do, overwrite or not.
    let new = upload(
        &lib,
        &lib.cleo,
        TEAM_UPLOAD,
        "upload_to_folder",
        &[
            ("name", "\"cleo.jpg\""),
            ("target_folder_id", &target),
            ("duplicate", "\"overwrite\""),
        ],
        &other,
    )
    .await;
    assert_eq!(new["success"], true, "{new}");

    // The admin may delete there: the photo is replaced, the old bytes are in the bin.
    let replaced = upload(
        &lib,
        &lib.anna,
        TEAM_UPLOAD,
        "upload_to_folder",
        &overwrite,
        &other,
    )
    .await;
    assert_eq!(replaced["success"], true, "{replaced}");
    assert_eq!(replaced["data"]["action"], "overwrite", "{replaced}");
    assert_eq!(
        replaced["data"]["id"], put["data"]["id"],
        "the item keeps its id"
    );
    assert_eq!(
        std::fs::read(shared.join("Family/family.jpg")).expect("read"),
        other
    );
    assert_eq!(
        std::fs::read(shared.join("#recycle/Family/family.jpg")).expect("the old bytes"),
        original
    );
    // With the bin off, the replaced file is gone for good, as a deleted one would be.
    lib.ok(
        &lib.anna,
        "SYNO.Core.RecycleBin",
        "set",
        &[("enable", "false")],
    )
    .await;
    let again = upload(
        &lib,
        &lib.anna,
        TEAM_UPLOAD,
        "upload_to_folder",
        &overwrite,
        &original,
    )
    .await;
    assert_eq!(again["success"], true, "{again}");
    assert_eq!(
        files_under(&shared.join("#recycle")),
        ["Family/family.jpg"],
        "nothing more in the bin"
    );
}

/// Hole 6: a 255-byte name uploaded twice with `duplicate=rename` (a normal upload and a Photo
/// Request's) answers at once with a shortened numbered name within 255 bytes, and the folder
/// takes further uploads; a name over 255 bytes is a 120 that names the parameter.
#[tokio::test]
async fn a_long_name_uploaded_twice_is_renamed_at_once() {
    let lib = people().await;
    let photo = corpus_file("metadata/gps_paris.jpg");
    let long = format!("{}.jpg", "a".repeat(251));
    let quoted = format!("\"{long}\"");
    let fields = [
        ("name", quoted.as_str()),
        ("folder", "[\"Inbox\"]"),
        ("uploadDestination", "\"folder\""),
        ("duplicate", "\"rename\""),
    ];
    let mut names = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let put = tokio::time::timeout(
            Duration::from_secs(10),
            upload(&lib, &lib.ben, UPLOAD, "upload", &fields, &photo),
        )
        .await
        .expect("the upload answers within seconds");
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(put["success"], true, "{put}");
        names.push(put["data"]["name"].as_str().expect("name").to_owned());
    }
    assert_eq!(names[0], long);
    for (n, name) in names.iter().enumerate().skip(1) {
        assert!(name.len() <= 255, "{name}");
        assert!(name.ends_with(&format!("_{n}.jpg")), "{name}");
    }
    let inbox = lib.app.data_dir().join("homes/ben/Photos/Inbox");
    assert_eq!(files_under(&inbox).len(), 3);

    // The same through a Photo Request link, with no account.
    let inbox_id = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.Folder",
            "get",
            &[("name", "/Inbox")],
        )
        .await["folder"]["id"]
        .as_i64()
        .expect("id");
    let made = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.PhotoRequest",
            "create",
            &[
                ("folder_id", &inbox_id.to_string()),
                ("subject", "\"Send them\""),
            ],
        )
        .await;
    let passphrase = made["passphrase"].as_str().expect("passphrase").to_owned();
    for _ in 0..2 {
        // The link in the address, as the request page sends it.
        let form = reqwest::multipart::Form::new()
            .text("sender", "\"Aunt\"")
            .text("name", quoted.clone())
            .part(
                "file",
                reqwest::multipart::Part::bytes(photo.clone()).file_name("upload"),
            );
        let sent = TestApp::client()
            .post(lib.app.url("/webapi/entry.cgi"))
            .query(&[
                ("api", "SYNO.Foto.Upload.PhotoRequestItem"),
                ("method", "upload"),
                ("version", "1"),
                ("passphrase", passphrase.as_str()),
            ])
            .multipart(form)
            .send();
        let body: Value = tokio::time::timeout(Duration::from_secs(10), sent)
            .await
            .expect("the request upload answers within seconds")
            .expect("sent")
            .json()
            .await
            .expect("json");
        assert_eq!(body["success"], true, "{body}");
        assert!(body["data"]["name"].as_str().expect("name").len() <= 255);
    }
    assert_eq!(files_under(&inbox).len(), 5);

    // The folder is usable; a name over 255 bytes is refused, naming the parameter.
    let short = [
        ("name", "\"after.jpg\""),
        ("folder", "[\"Inbox\"]"),
        ("uploadDestination", "\"folder\""),
    ];
    let after = upload(&lib, &lib.ben, UPLOAD, "upload", &short, &photo).await;
    assert_eq!(after["success"], true, "{after}");
    let too_long = format!("\"{}.jpg\"", "b".repeat(252));
    let refused = upload(
        &lib,
        &lib.ben,
        UPLOAD,
        "upload",
        &[("name", too_long.as_str()), ("folder", "[\"Inbox\"]")],
        &photo,
    )
    .await;
    assert_eq!(refused["error"]["code"], 120, "{refused}");
    assert_eq!(refused["error"]["errors"]["name"], "name", "{refused}");
    assert_eq!(files_under(&inbox).len(), 6);
}

/// Hole 11, into a link: a folder of the Shared Space that is a symbolic link to a folder
/// outside, and a file that is a link to a file outside. Uploading into the link, naming the
/// linked file as a duplicate, making a folder through it or a folder named as it, and a
/// recycle bin that is a link: all refused, and nothing outside is created, changed or read.
#[tokio::test]
async fn links_in_the_shared_space_lead_nowhere_outside() {
    let lib = people().await;
    let shared = lib.app.data_dir().join("photo");
    let outside = tempfile::tempdir().expect("outside");
    let photo = corpus_file("metadata/gps_paris.jpg");
    std::fs::create_dir_all(outside.path().join("sub")).expect("mkdir");
    std::fs::write(outside.path().join("secret.jpg"), b"OUTSIDE SECRET").expect("write");
    std::os::unix::fs::symlink(outside.path(), shared.join("Out")).expect("symlink");
    std::os::unix::fs::symlink(
        outside.path().join("secret.jpg"),
        shared.join("Family/linked.jpg"),
    )
    .expect("symlink");
    let before = snapshot(outside.path());

    // Uploads into the linked folder, by folder parts or by a backup path.
    let into = upload(
        &lib,
        &lib.anna,
        TEAM_UPLOAD,
        "upload",
        &[
            ("name", "\"x.jpg\""),
            ("folder", "[\"Out\",\"sub\"]"),
            ("uploadDestination", "\"folder\""),
        ],
        &photo,
    )
    .await;
    assert_ne!(into["success"], true, "{into}");
    let backup = upload(
        &lib,
        &lib.anna,
        TEAM_UPLOAD,
        "backup_to_path",
        &[("name", "\"y.jpg\""), ("path", "\"/Out/Phone\"")],
        &photo,
    )
    .await;
    assert_ne!(backup["success"], true, "{backup}");
    // The linked file named as a duplicate: neither taken as the item nor replaced.
    let family = folder_id(&lib, "SYNO.FotoTeam.Browse.Folder", "/Family").await;
    for duplicate in ["\"ignore\"", "\"overwrite\""] {
        let body = upload(
            &lib,
            &lib.anna,
            TEAM_UPLOAD,
            "upload_to_folder",
            &[
                ("name", "\"linked.jpg\""),
                ("target_folder_id", &family.to_string()),
                ("duplicate", duplicate),
            ],
            &photo,
        )
        .await;
        assert_ne!(body["success"], true, "{duplicate}: {body}");
    }
    // Folders: one named as the link (which exists), one through it.
    let root = "0".to_owned();
    for (target, name) in [(&root, "\"Out\"")] {
        let body = lib
            .call(
                &lib.anna,
                "SYNO.FotoTeam.Browse.Folder",
                "create",
                &[("target_id", target), ("name", name)],
            )
            .await;
        assert_ne!(body["success"], true, "{body}");
    }
    assert_eq!(
        lib.call(
            &lib.anna,
            "SYNO.FotoTeam.Browse.Folder",
            "get",
            &[("name", "/Out")]
        )
        .await["error"]["code"],
        642,
        "no folder row for the link"
    );
    assert_eq!(snapshot(outside.path()), before, "nothing outside changed");
    assert!(
        shared.join("Family/linked.jpg").is_symlink(),
        "the link itself is left as it was"
    );

    // A bin that is a link to outside: deleting puts nothing there.
    let put = upload(
        &lib,
        &lib.anna,
        TEAM_UPLOAD,
        "upload_to_folder",
        &[
            ("name", "\"gone.jpg\""),
            ("target_folder_id", &family.to_string()),
        ],
        &photo,
    )
    .await;
    assert_eq!(put["success"], true, "{put}");
    let id = put["data"]["id"].as_i64().expect("id");
    std::os::unix::fs::symlink(outside.path(), shared.join("#recycle")).expect("symlink");
    let deleted = lib
        .call(
            &lib.anna,
            "SYNO.FotoTeam.Browse.Item",
            "delete",
            &[("id", &format!("[{id}]"))],
        )
        .await;
    assert_ne!(deleted["success"], true, "{deleted}");
    assert_eq!(snapshot(outside.path()), before, "nothing outside changed");
    assert_eq!(
        std::fs::read(shared.join("Family/gone.jpg")).expect("still there"),
        photo
    );
}

/// Hole 11, under an indexed folder: a folder of a Personal Space, known to the index with a
/// photo and a subfolder, is replaced on disk by a link to a folder outside holding files of
/// the same names. Downloading (alone or zipped), deleting the item, uploading into the folder,
/// and creating, renaming or deleting folders through it are refused: nothing outside is read,
/// created, changed or moved.
#[tokio::test]
async fn a_folder_swapped_for_a_link_is_not_followed() {
    // No watch and no polling: the index keeps the folder as it was, as between two scans.
    let app = TestApp::spawn_with("[indexer]\nwatch = false\npoll_seconds = 0\n", true).await;
    app.add_user("ben", "ben-pass-1", false);
    let ben = app.login("ben", "ben-pass-1").await;
    let lib = Library {
        app,
        anna: ben.clone(),
        ben: ben.clone(),
        cleo: ben,
    };
    let home = lib.app.data_dir().join("homes/ben/Photos");
    let photo = corpus_file("metadata/gps_paris.jpg");
    let put = upload(
        &lib,
        &lib.ben,
        UPLOAD,
        "upload",
        &[
            ("name", "\"t.jpg\""),
            ("folder", "[\"Trip\"]"),
            ("uploadDestination", "\"folder\""),
        ],
        &photo,
    )
    .await;
    assert_eq!(put["success"], true, "{put}");
    let item = put["data"]["id"].as_i64().expect("id");
    let trip = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.Folder",
            "get",
            &[("name", "/Trip")],
        )
        .await["folder"]["id"]
        .as_i64()
        .expect("id");
    let sub = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.Folder",
            "create",
            &[("target_id", &trip.to_string()), ("name", "\"sub\"")],
        )
        .await["folder"]["id"]
        .as_i64()
        .expect("id");

    // The swap, as a NAS user with SSH would make it.
    let outside = tempfile::tempdir().expect("outside");
    let secret = b"OUTSIDE SECRET BYTES".to_vec();
    std::fs::create_dir_all(outside.path().join("sub")).expect("mkdir");
    std::fs::write(outside.path().join("t.jpg"), &secret).expect("write");
    std::fs::write(outside.path().join("sub/keep.jpg"), &secret).expect("write");
    std::fs::rename(home.join("Trip"), home.join("Trip-real")).expect("move away");
    std::os::unix::fs::symlink(outside.path(), home.join("Trip")).expect("symlink");
    let before = snapshot(outside.path());
    let leaks = |bytes: &[u8]| bytes.windows(secret.len()).any(|w| w == secret.as_slice());

    let client = TestApp::client();
    let download = |params: Vec<(&'static str, String)>| {
        let mut all = vec![
            ("api", "SYNO.Foto.Download".to_owned()),
            ("method", "download".to_owned()),
            ("version", "1".to_owned()),
            ("_sid", lib.ben.sid.clone()),
        ];
        all.extend(params);
        client
            .get(lib.app.url("/webapi/entry.cgi"))
            .query(&all)
            .send()
    };
    let one = download(vec![("unit_id", format!("[{item}]"))])
        .await
        .expect("download")
        .bytes()
        .await
        .expect("body");
    assert!(!leaks(&one), "the outside file was served");
    let zipped = download(vec![("folder_id", trip.to_string())])
        .await
        .expect("download")
        .bytes()
        .await
        .expect("body");
    assert!(!leaks(&zipped), "the outside file was zipped");
    let streamed = client
        .get(lib.app.url("/webapi/entry.cgi"))
        .query(&[
            ("api", "SYNO.Foto.Streaming"),
            ("method", "streaming"),
            ("version", "1"),
            ("_sid", lib.ben.sid.as_str()),
            ("id", &item.to_string()),
        ])
        .send()
        .await
        .expect("stream")
        .bytes()
        .await
        .expect("body");
    assert!(!leaks(&streamed));

    let refused = [
        lib.call(
            &lib.ben,
            "SYNO.Foto.Browse.Item",
            "delete",
            &[("id", &format!("[{item}]"))],
        )
        .await,
        lib.call(
            &lib.ben,
            "SYNO.Foto.Browse.Folder",
            "create",
            &[("target_id", &trip.to_string()), ("name", "\"new\"")],
        )
        .await,
        lib.call(
            &lib.ben,
            "SYNO.Foto.Browse.Folder",
            "rename",
            &[("id", &sub.to_string()), ("name", "\"renamed\"")],
        )
        .await,
        lib.call(
            &lib.ben,
            "SYNO.Foto.Browse.Folder",
            "delete",
            &[("id", &format!("[{sub}]"))],
        )
        .await,
        upload(
            &lib,
            &lib.ben,
            UPLOAD,
            "upload_to_folder",
            &[
                ("name", "\"in.jpg\""),
                ("target_folder_id", &trip.to_string()),
            ],
            &photo,
        )
        .await,
        upload(
            &lib,
            &lib.ben,
            UPLOAD,
            "upload",
            &[
                ("name", "\"in2.jpg\""),
                ("folder", "[\"Trip\",\"sub\"]"),
                ("uploadDestination", "\"folder\""),
            ],
            &photo,
        )
        .await,
    ];
    for body in &refused {
        assert_ne!(body["success"], true, "{body}");
        assert!(body["error"]["code"].is_i64(), "a DSM error code: {body}");
    }
    assert_eq!(snapshot(outside.path()), before, "nothing outside changed");
    assert!(
        files_under(&home.join("#recycle")).is_empty(),
        "nothing was moved into the bin"
    );
    // The folder itself (the link) may still go: the link is deleted, not what it points to.
    lib.ok(
        &lib.ben,
        "SYNO.Foto.Browse.Folder",
        "delete",
        &[("id", &format!("[{trip}]"))],
    )
    .await;
    assert_eq!(snapshot(outside.path()), before, "nothing outside changed");
}
