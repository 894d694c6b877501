//! Hole 7: nobody fills the disk before being asked who they are. A request's file parts are
//! spooled to `DATA/tmp` only once its API, method, version, session and rights are checked
//! (a Photo Request link's upload without a session, held to what the link still takes); one
//! address spools only so many bodies at once; a client that stops sending its headers or its
//! body is cut off.
//!
//! Each test streams its body (never built in memory) while a watcher polls how much `DATA/tmp`
//! holds, so a file spooled and removed before the answer is still seen.

use std::future::Future;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use futures_util::StreamExt;
use serde_json::Value;

use crate::support::TestApp;
use crate::support::api::Library;
use crate::support::corpus::corpus_file;
use crate::support::fs::files_under;
use crate::support::upload::upload;

const BOUNDARY: &str = "shoebox-security-bodies-7f3a";
const MIB: usize = 1 << 20;
/// What `DATA/tmp` may hold at most while a refused body is sent: the refusal drains a little
/// of it (never to disk), so anything near the body's size is a spool.
const SMALL: u64 = 2 * MIB as u64;

/// The bytes of the files below `dir`.
fn spooled_bytes(dir: &Path) -> u64 {
    fn walk(dir: &Path) -> u64 {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return 0;
        };
        entries
            .flatten()
            .map(|e| match e.metadata() {
                Ok(m) if m.is_dir() => walk(&e.path()),
                Ok(m) => m.len(),
                Err(_) => 0,
            })
            .sum()
    }
    walk(dir)
}

/// Runs `fut` while polling `DATA/tmp`: its output, and the most bytes the spool held meanwhile.
async fn watching_spool<F: Future>(app: &TestApp, fut: F) -> (F::Output, u64) {
    let dir = app.data_dir().join("tmp");
    let most = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (most, done) = (most.clone(), done.clone());
        tokio::spawn(async move {
            while !done.load(Ordering::SeqCst) {
                most.fetch_max(spooled_bytes(&dir), Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let out = fut.await;
    done.store(true, Ordering::SeqCst);
    watcher.await.expect("watcher");
    most.fetch_max(spooled_bytes(&app.data_dir().join("tmp")), Ordering::SeqCst);
    (out, most.load(Ordering::SeqCst))
}

/// The multipart text fields, then the head of a file part named `file`.
fn head(fields: &[(&str, &str)]) -> Bytes {
    let mut out = String::new();
    for (k, v) in fields {
        out.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    out.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.jpg\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    ));
    Bytes::from(out)
}

fn tail() -> Bytes {
    Bytes::from(format!("\r\n--{BOUNDARY}--\r\n"))
}

type Chunks = futures_util::stream::BoxStream<'static, Result<Bytes, std::io::Error>>;

/// `mib` MiB of file content, in chunks of 256 KiB, made as they are sent.
fn content(mib: usize) -> Chunks {
    let chunk = Bytes::from(vec![0x5a; 256 << 10]);
    futures_util::stream::iter((0..mib * 4).map(move |_| Ok(chunk.clone()))).boxed()
}

/// A whole multipart body: `fields`, then a file part of `mib` MiB, streamed.
fn streamed(fields: &[(&str, &str)], mib: usize) -> Chunks {
    futures_util::stream::iter([Ok(head(fields))])
        .chain(content(mib))
        .chain(futures_util::stream::iter([Ok(tail())]))
        .boxed()
}

/// POSTs a streamed multipart body to `entry.cgi` (with `query` in the address). The answer, or
/// the transport error when the server answered and closed before the client finished sending.
async fn send(app: &TestApp, query: &str, body: Chunks) -> Result<(u16, Value), String> {
    let response = TestApp::client()
        .post(app.url(&format!("/webapi/entry.cgi{query}")))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?;
    let status = response.status().as_u16();
    let body = response.json().await.map_err(|e| format!("{e:?}"))?;
    Ok((status, body))
}

/// A refused body: the answer carries `code` (or the connection was closed on a client still
/// sending, once the server had answered), and the spool never held more than [`SMALL`].
async fn assert_refused_unspooled(app: &TestApp, what: &str, query: &str, body: Chunks, code: i64) {
    let started = Instant::now();
    let (answer, most) = watching_spool(app, send(app, query, body)).await;
    match &answer {
        Ok((_, body)) => assert_eq!(body["error"]["code"], code, "{what}: {body}"),
        // The server may close a connection whose body it will not read; the client, still
        // writing, then sees a reset instead of the answer.
        Err(e) => eprintln!("{what}: the connection was closed while sending: {e}"),
    }
    assert!(
        most <= SMALL,
        "{what}: DATA/tmp held {most} bytes while the body was refused ({answer:?})"
    );
    assert_eq!(
        files_under(&app.data_dir().join("tmp")),
        Vec::<String>::new(),
        "{what}: nothing left in the spool"
    );
    eprintln!("{what}: refused in {:?}", started.elapsed());
}

fn routed<'a>(api: &'a str, method: &'a str, sid: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![("api", api), ("method", method), ("version", "1")];
    if let Some(sid) = sid {
        fields.push(("_sid", sid));
    }
    fields
}

async fn people() -> Library {
    crate::support::api::people().await
}

#[tokio::test]
async fn a_big_upload_without_a_session_is_refused_before_anything_is_spooled() {
    let lib = people().await;
    let mut fields = routed("SYNO.Foto.Upload.Item", "upload", None);
    fields.push(("name", "\"big.jpg\""));
    assert_refused_unspooled(&lib.app, "no session", "", streamed(&fields, 120), 119).await;
    // The routing parameters in the address, the body only a file.
    assert_refused_unspooled(
        &lib.app,
        "no session, routing in the query",
        "?api=SYNO.Foto.Upload.Item&method=upload&version=1",
        streamed(&[("name", "\"big.jpg\"")], 120),
        119,
    )
    .await;
    // No such API, method or version: nothing read either.
    let fields = routed("SYNO.Foto.Nothing", "upload", Some(&lib.anna.sid));
    assert_refused_unspooled(&lib.app, "no such API", "", streamed(&fields, 100), 102).await;
}

#[tokio::test]
async fn a_wrong_session_no_right_or_a_method_without_files_spools_nothing() {
    let lib = people().await;
    let mut fields = routed("SYNO.Foto.Upload.Item", "upload", Some("not-a-session"));
    fields.push(("name", "\"big.jpg\""));
    assert_refused_unspooled(&lib.app, "a wrong _sid", "", streamed(&fields, 100), 119).await;

    // Ben has no right in the Shared Space: refused before his file is read.
    let mut fields = routed("SYNO.FotoTeam.Upload.Item", "upload", Some(&lib.ben.sid));
    fields.extend([
        ("name", "\"big.jpg\""),
        ("folder", "[\"Family\"]"),
        ("uploadDestination", "\"folder\""),
    ]);
    assert_refused_unspooled(&lib.app, "no upload right", "", streamed(&fields, 100), 105).await;
    assert!(!lib.app.data_dir().join("photo/Family/big.jpg").exists());

    // A method that takes no files takes none, from anyone (115: not allowed to upload a file).
    let fields = routed("SYNO.Foto.Browse.Album", "list", Some(&lib.anna.sid));
    assert_refused_unspooled(
        &lib.app,
        "a method without files",
        "",
        streamed(&fields, 100),
        115,
    )
    .await;

    // The same upload by someone who may: stored, and the spool is empty afterwards.
    let photo = corpus_file("metadata/camera_phone.jpg");
    let ok = upload(
        &lib,
        &lib.anna,
        "SYNO.FotoTeam.Upload.Item",
        "upload",
        &[
            ("name", "\"fine.jpg\""),
            ("folder", "[\"Family\"]"),
            ("uploadDestination", "\"folder\""),
        ],
        &photo,
    )
    .await;
    assert_eq!(ok["success"], true, "{ok}");
    assert_eq!(
        std::fs::read(lib.app.data_dir().join("photo/Family/fine.jpg")).expect("stored"),
        photo
    );
    assert_eq!(
        files_under(&lib.app.data_dir().join("tmp")),
        Vec::<String>::new()
    );
}

/// A Photo Request of ben's into his folder `Inbox`, taking `max_bytes` in all.
async fn request(lib: &Library, max_bytes: u64) -> String {
    let placed = upload(
        lib,
        &lib.ben,
        "SYNO.Foto.Upload.Item",
        "upload",
        &[
            ("name", "\"x.jpg\""),
            ("folder", "[\"Inbox\"]"),
            ("uploadDestination", "\"folder\""),
        ],
        &corpus_file("metadata/camera_phone.jpg"),
    )
    .await;
    let id = placed["data"]["id"].as_i64().expect("id");
    let item = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.Item",
            "get",
            &[("id", &format!("[{id}]"))],
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
                ("subject", "\"Send them\""),
                ("max_bytes", &max_bytes.to_string()),
            ],
        )
        .await;
    made["passphrase"].as_str().expect("passphrase").to_owned()
}

#[tokio::test]
async fn an_anonymous_photo_request_upload_is_held_to_its_link() {
    let lib = people().await;
    let passphrase = request(&lib, 1 << 20).await;
    let quoted = format!("\"{passphrase}\"");
    let public = |name: &'static str| {
        let mut fields = routed("SYNO.Foto.Upload.PhotoRequestItem", "upload", None);
        fields.extend([
            ("passphrase", quoted.as_str()),
            ("sender", "Uncle"),
            ("name", name),
        ]);
        fields
    };
    // Past what the link takes, with the link named in the body: cut at the link's limit.
    let fields = public("\"huge.jpg\"");
    let (answer, most) = watching_spool(&lib.app, send(&lib.app, "", streamed(&fields, 60))).await;
    if let Ok((status, body)) = &answer {
        assert_eq!(body["error"]["code"], 120, "{body}");
        assert_eq!(*status, 413, "{body}");
    }
    assert!(
        most <= SMALL,
        "DATA/tmp held {most} bytes of a body past the link's limit"
    );
    assert_eq!(
        files_under(&lib.app.data_dir().join("tmp")),
        Vec::<String>::new()
    );
    let inbox = lib.app.data_dir().join("homes/ben/Photos/Inbox");
    assert!(!inbox.join("huge.jpg").exists());
    // A wrong link: nothing read.
    let mut fields = routed("SYNO.Foto.Upload.PhotoRequestItem", "upload", None);
    fields.extend([
        ("passphrase", "\"no-such-link\""),
        ("sender", "Uncle"),
        ("name", "\"a.jpg\""),
    ]);
    assert_refused_unspooled(&lib.app, "an unknown link", "", streamed(&fields, 100), 642).await;

    // A photo that fits goes in, without an account.
    let photo = corpus_file("metadata/camera_phone.jpg");
    let fields = public("\"gift.jpg\"");
    let body = futures_util::stream::iter([
        Ok(head(&fields)),
        Ok(Bytes::from(photo.clone())),
        Ok(tail()),
    ])
    .boxed();
    let (status, sent) = send(&lib.app, "", body).await.expect("answer");
    assert_eq!(
        (status, &sent["success"]),
        (200, &Value::Bool(true)),
        "{sent}"
    );
    assert_eq!(
        std::fs::read(inbox.join("gift.jpg")).expect("stored"),
        photo
    );
}

#[tokio::test]
async fn one_address_spools_only_so_many_bodies_at_once() {
    // One more waits up to body_idle_secs for a slot, reading nothing, then is refused.
    let app = TestApp::spawn_with(
        "[limits]\nspools_per_address = 2\nbody_idle_secs = 3\n",
        true,
    )
    .await;
    app.add_user("anna", "anna-pass-1", true);
    let anna = app.login("anna", "anna-pass-1").await;
    let tmp = app.data_dir().join("tmp");
    // Two uploads that send a little of their file and wait.
    let mut held = Vec::new();
    for n in 0..2 {
        let (go, wait) = tokio::sync::oneshot::channel::<()>();
        let mut fields = routed("SYNO.Foto.Upload.Item", "upload", Some(&anna.sid));
        let name = format!("\"held{n}.jpg\"");
        fields.push(("name", &name));
        // Alive all the while: a little more every half second (body_idle_secs is 3 here).
        let alive = futures_util::stream::unfold((wait, false), |(mut wait, done)| async move {
            if done {
                return None;
            }
            tokio::select! {
                _ = &mut wait => Some((Ok(tail()), (wait, true))),
                () = tokio::time::sleep(Duration::from_millis(500)) => {
                    Some((Ok(Bytes::from_static(&[0x5a; 4096])), (wait, false)))
                }
            }
        });
        let body = futures_util::stream::iter([Ok(head(&fields))])
            .chain(content(1))
            .chain(alive)
            .boxed();
        let url = app.base.clone();
        let answer = tokio::spawn(async move {
            let response = TestApp::client()
                .post(format!("{url}/webapi/entry.cgi"))
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(reqwest::Body::wrap_stream(body))
                .send()
                .await
                .expect("request");
            response.json::<Value>().await.expect("json")
        });
        held.push((go, answer));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while files_under(&tmp).len() < 2 {
        assert!(Instant::now() < deadline, "the two uploads never spooled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A third from the same address: it waits, nothing of it read, and is refused (109, the
    // system is busy) when no slot comes free. Its body is small enough to be drained, so
    // the answer reaches the client.
    let mut fields = routed("SYNO.Foto.Upload.Item", "upload", Some(&anna.sid));
    fields.push(("name", "\"third.jpg\""));
    let started = Instant::now();
    let (answer, most) = watching_spool(&app, send(&app, "", streamed(&fields, 1))).await;
    let (_, body) = answer.expect("an answer");
    assert_eq!(body["error"]["code"], 109, "{body}");
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "it waited for a slot"
    );
    assert!(most < 3 * MIB as u64, "the third was spooled: {most} bytes");
    assert_eq!(files_under(&tmp).len(), 2);
    // One waiting while a held one ends gets its slot: a burst from one phone is served in turn.
    let photo = corpus_file("metadata/camera_phone.jpg");
    let mut fields = routed("SYNO.Foto.Upload.Item", "upload", Some(&anna.sid));
    fields.push(("name", "\"queued.jpg\""));
    let body = futures_util::stream::iter([
        Ok(head(&fields)),
        Ok(Bytes::from(photo.clone())),
        Ok(tail()),
    ])
    .boxed();
    let queued = send(&app, "", body);
    let mut held = held.into_iter();
    let (go, first) = held.next().expect("first held");
    let release = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let _ = go.send(());
        first.await.expect("task")
    };
    let (queued, first) = tokio::join!(queued, release);
    assert_ne!(first["error"]["code"], 109, "{first}");
    let (_, queued) = queued.expect("answer");
    assert_eq!(queued["success"], true, "{queued}");
    // The other held one finishes too (a megabyte of Z is stored or refused by the upload's
    // own checks; what matters is that it was read), and then there is room again.
    for (go, answer) in held {
        let _ = go.send(());
        let body = answer.await.expect("task");
        assert_ne!(body["error"]["code"], 109, "{body}");
    }
    let fields = {
        let mut f = routed("SYNO.Foto.Upload.Item", "upload", Some(&anna.sid));
        f.push(("name", "\"after.jpg\""));
        f
    };
    let body =
        futures_util::stream::iter([Ok(head(&fields)), Ok(Bytes::from(photo)), Ok(tail())]).boxed();
    let (_, sent) = send(&app, "", body).await.expect("answer");
    assert_eq!(sent["success"], true, "{sent}");
}

/// Reads from `stream` until it is closed; how long that took, or `None` if it was still open
/// after `limit`.
fn closed_within(stream: &mut std::net::TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    let mut buf = [0u8; 4096];
    while started.elapsed() < limit {
        match stream.read(&mut buf) {
            Ok(0) => return Some(started.elapsed()),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return Some(started.elapsed()),
        }
    }
    None
}

#[tokio::test]
async fn slow_headers_and_stalled_bodies_are_cut_off() {
    let app = TestApp::spawn_with(
        "[limits]\nheader_timeout_secs = 2\nbody_idle_secs = 2\n",
        true,
    )
    .await;
    app.add_user("anna", "anna-pass-1", true);
    let anna = app.login("anna", "anna-pass-1").await;
    let addr = format!("127.0.0.1:{}", app.port);

    // Half a request line and headers, then nothing.
    let mut half = std::net::TcpStream::connect(&addr).expect("connect");
    half.write_all(b"GET /webapi/entry.cgi?api=SYNO.API.Info&version=1&method=query HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .expect("write");
    // A connection that never says anything.
    let mut silent = std::net::TcpStream::connect(&addr).expect("connect");
    let (half_closed, silent_closed) = tokio::task::spawn_blocking(move || {
        (
            closed_within(&mut half, Duration::from_secs(10)),
            closed_within(&mut silent, Duration::from_secs(10)),
        )
    })
    .await
    .expect("readers");
    assert!(
        half_closed.is_some(),
        "half a request is still held after 10 s"
    );
    assert!(
        silent_closed.is_some(),
        "a silent connection is still held after 10 s"
    );

    // A body that trickles in, then stalls: cut, and its spool file removed.
    let mut fields = routed("SYNO.Foto.Upload.Item", "upload", Some(&anna.sid));
    fields.push(("name", "\"stalled.jpg\""));
    let trickle = futures_util::stream::iter([Ok(head(&fields))])
        .chain(content(1))
        .chain(futures_util::stream::iter(0..3).then(|_| async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            Ok(Bytes::from_static(&[0x5a; 4096]))
        }))
        .chain(futures_util::stream::pending())
        .boxed();
    let url = app.url("/webapi/entry.cgi");
    let client = tokio::spawn(async move {
        TestApp::client()
            .post(url)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(reqwest::Body::wrap_stream(trickle))
            .send()
            .await
            .map(|r| r.status())
    });
    let tmp: PathBuf = app.data_dir().join("tmp");
    let deadline = Instant::now() + Duration::from_secs(5);
    while files_under(&tmp).is_empty() {
        assert!(Instant::now() < deadline, "the upload never spooled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(12);
    while !files_under(&tmp).is_empty() {
        assert!(
            Instant::now() < deadline,
            "a stalled body still holds its spool after 12 s: {:?}",
            files_under(&tmp)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The request ended (answered or closed), well before the client's own 30 s timeout.
    let ended = tokio::time::timeout(Duration::from_secs(5), client).await;
    assert!(ended.is_ok(), "the stalled request is still open");
    assert!(
        !app.data_dir()
            .join("homes/anna/Photos/stalled.jpg")
            .exists()
    );
}

/// Sends `bytes` on `stream` one at a time, `every` apart, until the server closes it (a write
/// or a read fails or sees the end) or `limit` passes: how long that took, or `None`.
fn trickled_until_closed(
    stream: &mut std::net::TcpStream,
    bytes: &[u8],
    every: Duration,
    limit: Duration,
) -> Option<Duration> {
    let started = Instant::now();
    stream.set_nonblocking(true).expect("nonblocking");
    let mut buf = [0u8; 4096];
    for byte in bytes.iter().cycle() {
        if started.elapsed() >= limit {
            return None;
        }
        if stream.write_all(std::slice::from_ref(byte)).is_err() {
            return Some(started.elapsed());
        }
        match stream.read(&mut buf) {
            Ok(0) => return Some(started.elapsed()),
            Err(e) if e.kind() != std::io::ErrorKind::WouldBlock => {
                return Some(started.elapsed());
            }
            _ => {}
        }
        std::thread::sleep(every);
    }
    None
}

#[tokio::test]
async fn trickled_headers_and_idle_keep_alive_connections_are_closed() {
    let app = TestApp::spawn_with("[limits]\nheader_timeout_secs = 2\n", true).await;
    let addr = format!("127.0.0.1:{}", app.port);
    // A request line and then a header that never ends, a byte every 300 ms: each byte is
    // progress, but the headers as a whole are not in within the time-out.
    let mut trickle = std::net::TcpStream::connect(&addr).expect("connect");
    trickle
        .write_all(b"GET /webapi/query.cgi HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .expect("write");
    // A keep-alive connection that asked one thing and then says nothing more.
    let mut kept = std::net::TcpStream::connect(&addr).expect("connect");
    kept.write_all(
        b"GET /webapi/query.cgi?api=SYNO.API.Info&version=1&method=query&query=all HTTP/1.1\r\n\
          Host: x\r\n\r\n",
    )
    .expect("write");
    let trickled = tokio::task::spawn_blocking(move || {
        trickled_until_closed(
            &mut trickle,
            b"abcdefgh",
            Duration::from_millis(300),
            Duration::from_secs(20),
        )
    });
    let idle = tokio::task::spawn_blocking(move || {
        // Its answer first: the connection was served, and kept until the time-out.
        let mut answer = [0u8; 12];
        kept.read_exact(&mut answer).expect("an answer");
        assert_eq!(&answer, b"HTTP/1.1 200");
        closed_within(&mut kept, Duration::from_secs(20))
    });
    let (trickled, idle) = (trickled.await.expect("trickle"), idle.await.expect("kept"));
    assert!(
        trickled.is_some(),
        "headers trickled a byte at a time are still read after 20 s"
    );
    assert!(
        idle.is_some(),
        "an idle keep-alive connection is still open after 20 s"
    );
    eprintln!("trickled headers closed after {trickled:?}, the idle connection after {idle:?}");
}

/// Posts `body` (a multipart upload) from another task; its status, or the transport error.
fn post_in_background(app: &TestApp, body: Chunks) -> tokio::task::JoinHandle<Result<u16, String>> {
    let url = app.url("/webapi/entry.cgi");
    tokio::spawn(async move {
        TestApp::client()
            .post(url)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(reqwest::Body::wrap_stream(body))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .map_err(|e| format!("{e:?}"))
    })
}

#[tokio::test]
async fn a_body_slower_than_the_minimum_rate_is_cut_off() {
    // 600 bytes every 0.8 s: more than 1 KiB in every 2 s (the stall rule alone lets it go on
    // for ever), but 750 bytes a second, under the default minimum of 1 KiB a second.
    let app = TestApp::spawn_with("[limits]\nbody_idle_secs = 2\n", true).await;
    app.add_user("anna", "anna-pass-1", true);
    let anna = app.login("anna", "anna-pass-1").await;
    let mut fields = routed("SYNO.Foto.Upload.Item", "upload", Some(&anna.sid));
    fields.push(("name", "\"crawling.jpg\""));
    let crawl = futures_util::stream::iter([Ok(head(&fields))])
        .chain(content(1))
        .chain(futures_util::stream::repeat(()).then(|()| async {
            tokio::time::sleep(Duration::from_millis(800)).await;
            Ok(Bytes::from_static(&[0x5a; 600]))
        }))
        .boxed();
    let client = post_in_background(&app, crawl);
    let tmp: PathBuf = app.data_dir().join("tmp");
    let deadline = Instant::now() + Duration::from_secs(5);
    while files_under(&tmp).is_empty() {
        assert!(Instant::now() < deadline, "the upload never spooled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let started = Instant::now();
    let ended = tokio::time::timeout(Duration::from_secs(25), client).await;
    assert!(
        ended.is_ok(),
        "a body crawling at 750 bytes a second is still read after 25 s"
    );
    eprintln!("cut after {:?}: {:?}", started.elapsed(), ended);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !files_under(&tmp).is_empty() {
        assert!(
            Instant::now() < deadline,
            "its spool is left: {:?}",
            files_under(&tmp)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let photos = app.data_dir().join("homes/anna/Photos");
    let kept: Vec<String> = files_under(&photos)
        .into_iter()
        .filter(|f| std::fs::metadata(photos.join(f)).is_ok_and(|m| m.len() >= MIB as u64))
        .collect();
    assert!(kept.is_empty(), "the cut body was stored: {kept:?}");
}

#[tokio::test]
async fn a_slow_but_steady_upload_is_stored() {
    // 400 bytes every 250 ms (1.6 KB a second, a weak mobile uplink), for longer than twice
    // the stall limit: every piece is small, but the body keeps coming, and is stored whole.
    let app = TestApp::spawn_with("[limits]\nbody_idle_secs = 2\n", true).await;
    app.add_user("anna", "anna-pass-1", true);
    let anna = app.login("anna", "anna-pass-1").await;
    let photo = corpus_file("metadata/camera_phone.jpg");
    assert!(photo.len() > 4000, "long enough to take 2.5 s");
    let mut fields = routed("SYNO.Foto.Upload.Item", "upload", Some(&anna.sid));
    fields.push(("name", "\"steady.jpg\""));
    let pieces: Vec<Bytes> = photo.chunks(400).map(Bytes::copy_from_slice).collect();
    let steady = futures_util::stream::iter([Ok(head(&fields))])
        .chain(futures_util::stream::iter(pieces).then(|piece| async move {
            tokio::time::sleep(Duration::from_millis(250)).await;
            Ok(piece)
        }))
        .chain(futures_util::stream::iter([Ok(tail())]))
        .boxed();
    let started = Instant::now();
    let (_, body) = send(&app, "", steady).await.expect("an answer");
    assert_eq!(body["success"], true, "{body}");
    assert!(started.elapsed() >= Duration::from_secs(3), "it was slow");
    let photos = app.data_dir().join("homes/anna/Photos");
    let stored: Vec<String> = files_under(&photos)
        .into_iter()
        .filter(|f| std::fs::read(photos.join(f)).is_ok_and(|b| b == photo))
        .collect();
    assert_eq!(stored.len(), 1, "stored whole: {:?}", files_under(&photos));
}
