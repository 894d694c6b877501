//! The resumable upload extension (`SYNO.Foto.Upload.Resumable`, docs/protocol-choices.md
//! "Resumable upload"): an upload in chunks that survives a dropped connection and ends with a
//! byte-identical file in the library, refused offsets, other users' uploads, checksums,
//! cancelling.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::support::api::Library;
use crate::support::corpus::corpus;
use crate::support::upload::{file_part, post_form};
use crate::support::{Login, TestApp};

const RESUMABLE: &str = "SYNO.Foto.Upload.Resumable";
const CHUNK: usize = 64 * 1024;

async fn people() -> Library {
    let app = TestApp::spawn().await;
    app.add_user("anna", "anna-pass-1", true);
    app.add_user("ben", "ben-pass-1", false);
    let anna = app.login("anna", "anna-pass-1").await;
    let ben = app.login("ben", "ben-pass-1").await;
    let cleo = app.login("ben", "ben-pass-1").await;
    Library {
        app,
        anna,
        ben,
        cleo,
    }
}

/// One `append`: the chunk as the multipart `file`, or none.
async fn append(
    lib: &Library,
    who: &Login,
    id: &str,
    offset: usize,
    chunk: Option<&[u8]>,
) -> Value {
    let mut form = reqwest::multipart::Form::new()
        .text("api", RESUMABLE)
        .text("method", "append")
        .text("version", "1")
        .text("_sid", who.sid.clone())
        .text("upload_id", format!("\"{id}\""))
        .text("offset", offset.to_string());
    if let Some(chunk) = chunk {
        form = form.part("file", file_part(chunk, "blob"));
    }
    post_form(lib, form).await
}

/// An `append` whose connection drops after `sent` of the chunk's bytes.
async fn append_cut_off(
    lib: &Library,
    who: &Login,
    id: &str,
    offset: usize,
    chunk: &[u8],
    sent: usize,
) {
    let addr = lib
        .app
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let boundary = "cutoffboundary";
    let mut head = String::new();
    for (k, v) in [
        ("api", RESUMABLE),
        ("method", "append"),
        ("version", "1"),
        ("_sid", who.sid.as_str()),
        ("upload_id", id),
        ("offset", &offset.to_string()),
    ] {
        head.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    head.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"blob\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    ));
    let declared = head.len() + chunk.len() + boundary.len() + 8;
    let request = format!(
        "POST /webapi/entry.cgi HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {declared}\r\n\r\n{head}"
    );
    let body = chunk[..sent].to_vec();
    tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).expect("connect");
        s.write_all(request.as_bytes()).expect("head");
        s.write_all(&body).expect("part");
        s.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(300));
    })
    .await
    .expect("client");
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

async fn offset_of(lib: &Library, who: &Login, id: &str) -> u64 {
    let status = lib
        .ok(
            who,
            RESUMABLE,
            "status",
            &[("upload_id", &format!("\"{id}\""))],
        )
        .await;
    status["offset"].as_u64().expect("offset")
}

#[tokio::test]
async fn an_interrupted_upload_goes_on_and_ends_byte_identical() {
    let lib = people().await;
    let file = std::fs::read(corpus().join("real/pug.heic")).expect("pug.heic");
    assert!(file.len() > 4 * CHUNK, "a file of several chunks");
    let checksum = blake3::hash(&file).to_hex().to_string();
    let size = file.len().to_string();

    // Checked at once as the upload will be: a bad name, a folder of the wrong kind.
    for (params, code) in [
        (
            vec![("name", "\"../x.heic\""), ("size", size.as_str())],
            120,
        ),
        (
            vec![("name", "\"notes.txt\""), ("size", size.as_str())],
            120,
        ),
        (vec![("name", "\"pug.heic\""), ("size", "0")], 120),
        (vec![("name", "\"pug.heic\"")], 114),
        (
            vec![
                ("name", "\"pug.heic\""),
                ("size", size.as_str()),
                ("target", "\"x\""),
            ],
            120,
        ),
    ] {
        let body = lib.call(&lib.anna, RESUMABLE, "create", &params).await;
        assert_eq!(body["error"]["code"], code, "{params:?}: {body}");
    }
    let open = lib
        .ok(
            &lib.anna,
            RESUMABLE,
            "create",
            &[
                ("name", "\"pug.heic\""),
                ("size", &size),
                ("folder", "[\"Trips\"]"),
                ("uploadDestination", "\"folder\""),
                ("mtime", "1600000000"),
                ("checksum", &format!("\"{checksum}\"")),
            ],
        )
        .await;
    let id = open["upload_id"].as_str().expect("upload_id").to_owned();
    assert_eq!(open["offset"], 0);
    assert_eq!(open["complete"], false);

    // Two chunks arrive.
    for n in 0..2 {
        let body = append(
            &lib,
            &lib.anna,
            &id,
            n * CHUNK,
            Some(&file[n * CHUNK..(n + 1) * CHUNK]),
        )
        .await;
        assert_eq!(body["success"], true, "{body}");
        assert_eq!(body["data"]["offset"], (n + 1) * CHUNK);
    }
    // The third is cut off halfway: nothing of it counts.
    append_cut_off(
        &lib,
        &lib.anna,
        &id,
        2 * CHUNK,
        &file[2 * CHUNK..3 * CHUNK],
        CHUNK / 2,
    )
    .await;
    assert_eq!(offset_of(&lib, &lib.anna, &id).await, 2 * CHUNK as u64);
    // A chunk for another offset is refused with the server's.
    let wrong = append(
        &lib,
        &lib.anna,
        &id,
        3 * CHUNK,
        Some(&file[3 * CHUNK..4 * CHUNK]),
    )
    .await;
    assert_eq!(wrong["error"]["code"], 120, "{wrong}");
    assert_eq!(wrong["error"]["errors"]["offset"], 2 * CHUNK, "{wrong}");
    // Somebody else's upload is not there for ben.
    let theirs = lib
        .call(
            &lib.ben,
            RESUMABLE,
            "status",
            &[("upload_id", &format!("\"{id}\""))],
        )
        .await;
    assert_eq!(theirs["error"]["code"], 642, "{theirs}");
    let theirs = append(
        &lib,
        &lib.ben,
        &id,
        2 * CHUNK,
        Some(&file[2 * CHUNK..3 * CHUNK]),
    )
    .await;
    assert_eq!(theirs["error"]["code"], 642, "{theirs}");
    // Not an id at all.
    let bad = lib
        .call(
            &lib.anna,
            RESUMABLE,
            "status",
            &[("upload_id", "\"../../shoebox.db\"")],
        )
        .await;
    assert_eq!(bad["error"]["code"], 120, "{bad}");
    // A chunk past the end is refused.
    let mut long = file[2 * CHUNK..].to_vec();
    long.push(0);
    let past = append(&lib, &lib.anna, &id, 2 * CHUNK, Some(&long)).await;
    assert_eq!(past["error"]["code"], 120, "{past}");
    assert_eq!(offset_of(&lib, &lib.anna, &id).await, 2 * CHUNK as u64);

    // The rest, and the upload is in the library, byte for byte.
    let mut at = 2 * CHUNK;
    let mut last = Value::Null;
    while at < file.len() {
        let end = (at + CHUNK).min(file.len());
        last = append(&lib, &lib.anna, &id, at, Some(&file[at..end])).await;
        assert_eq!(last["success"], true, "{last}");
        at = end;
    }
    assert_eq!(last["data"]["action"], "upload", "{last}");
    assert_eq!(last["data"]["name"], "pug.heic");
    let item_id = last["data"]["id"].as_i64().expect("id");
    let stored = lib.app.data_dir().join("homes/anna/Photos/Trips/pug.heic");
    assert_eq!(std::fs::read(&stored).expect("stored"), file);
    let mtime = std::fs::metadata(&stored)
        .and_then(|m| m.modified())
        .expect("mtime")
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970");
    assert_eq!(mtime.as_secs(), 1_600_000_000);
    let got = lib
        .ok(
            &lib.anna,
            "SYNO.Foto.Browse.Item",
            "get",
            &[("id", &format!("[{item_id}]"))],
        )
        .await;
    assert_eq!(got["list"][0]["filename"], "pug.heic", "{got}");
    // The open upload is gone, and so are its files.
    let gone = lib
        .call(
            &lib.anna,
            RESUMABLE,
            "status",
            &[("upload_id", &format!("\"{id}\""))],
        )
        .await;
    assert_eq!(gone["error"]["code"], 642, "{gone}");
    assert_eq!(
        files_in(&lib.app.data_dir().join("tmp/resumable")),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_wrong_checksum_or_a_cancel_leaves_nothing() {
    let lib = people().await;
    let file = std::fs::read(corpus().join("real/pug.heic")).expect("pug.heic");
    let size = file.len().to_string();
    let zeros = format!("\"{}\"", "0".repeat(64));
    let open = lib
        .ok(
            &lib.anna,
            RESUMABLE,
            "create",
            &[
                ("name", "\"a.heic\""),
                ("size", &size),
                ("checksum", &zeros),
            ],
        )
        .await;
    let id = open["upload_id"].as_str().expect("id").to_owned();
    let body = append(&lib, &lib.anna, &id, 0, Some(&file)).await;
    assert_eq!(body["error"]["code"], 120, "{body}");
    let photos = lib.app.data_dir().join("homes/anna/Photos");
    assert!(!photos.join("PhotoLibrary").exists(), "nothing stored");
    assert_eq!(
        files_in(&lib.app.data_dir().join("tmp/resumable")),
        Vec::<String>::new()
    );

    // Cancelled halfway: gone.
    let open = lib
        .ok(
            &lib.anna,
            RESUMABLE,
            "create",
            &[
                ("name", "\"b.heic\""),
                ("size", &size),
                ("target", "\"backup_to_path\""),
            ],
        )
        .await;
    let id = open["upload_id"].as_str().expect("id").to_owned();
    let body = append(&lib, &lib.anna, &id, 0, Some(&file[..CHUNK])).await;
    assert_eq!(body["data"]["offset"], CHUNK, "{body}");
    lib.ok(
        &lib.anna,
        RESUMABLE,
        "cancel",
        &[("upload_id", &format!("\"{id}\""))],
    )
    .await;
    assert_eq!(
        files_in(&lib.app.data_dir().join("tmp/resumable")),
        Vec::<String>::new()
    );
    let gone = append(&lib, &lib.anna, &id, CHUNK, Some(&file[CHUNK..])).await;
    assert_eq!(gone["error"]["code"], 642, "{gone}");

    // A whole upload to backup_to_path in one chunk, then the same name again with the default
    // `duplicate` (ignore): the answer names the item already there.
    let mut ids = Vec::new();
    for _ in 0..2 {
        let open = lib
            .ok(
                &lib.anna,
                RESUMABLE,
                "create",
                &[
                    ("name", "\"c.heic\""),
                    ("size", &size),
                    ("target", "\"backup_to_path\""),
                    ("path", "\"/MobileBackup/Pixel\""),
                ],
            )
            .await;
        let id = open["upload_id"].as_str().expect("id").to_owned();
        let done = append(&lib, &lib.anna, &id, 0, Some(&file)).await;
        assert_eq!(done["success"], true, "{done}");
        ids.push(done["data"]["id"].clone());
    }
    assert_eq!(ids[0], ids[1]);
    assert_eq!(
        std::fs::read(photos.join("MobileBackup/Pixel/c.heic")).expect("stored"),
        file
    );
}
