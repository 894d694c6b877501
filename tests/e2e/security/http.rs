//! HTTP at the connection: how many connections one address may hold open (`limits.
//! connections_per_address`, counted at accept, before anything is parsed), the slow-loris
//! attack of many connections that each send their headers a byte at a time, a `Range` of a
//! unit other than `bytes` (ignored, RFC 9110 §14.2), and an HTTP/1.1 request without `Host`
//! (400, RFC 9112 §3.2). Raw sockets where a client library would fix the request up; the
//! loopback's 127.0.0.2 plays a second client address.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::TestApp;
use crate::support::corpus::corpus_file;

const INFO: &str = "/webapi/query.cgi?api=SYNO.API.Info&version=1&method=query&query=all";

/// Sends `request` on a new connection and reads the answer until the server closes it.
fn exchange(addr: &str, request: &[u8]) -> String {
    exchange_on(TcpStream::connect(addr).expect("connect"), request)
}

/// [`exchange`] from another loopback address (`127.0.0.2`): another client, to the server.
/// Called on a blocking thread of the test's runtime.
fn exchange_from_another_address(addr: &str, request: &[u8]) -> String {
    let stream = tokio::runtime::Handle::current().block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket
            .bind("127.0.0.2:0".parse().expect("address"))
            .expect("bind 127.0.0.2");
        socket
            .connect(addr.parse().expect("address"))
            .await
            .expect("connect")
    });
    let stream = stream.into_std().expect("a std stream");
    stream.set_nonblocking(false).expect("blocking");
    exchange_on(stream, request)
}

fn exchange_on(mut stream: TcpStream, request: &[u8]) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    stream.write_all(request).expect("write");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// The status code of a raw answer.
fn status(answer: &str) -> u16 {
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"))
}

/// What a connection the test holds has seen so far.
enum Seen {
    /// Open, nothing received.
    Open,
    /// Closed, after these bytes.
    Closed(String),
}

/// Reads what `stream` has to say within `wait`, without blocking longer.
fn seen(stream: &mut TcpStream, wait: Duration) -> Seen {
    stream.set_read_timeout(Some(wait)).expect("timeout");
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Seen::Closed(String::from_utf8_lossy(&got).into_owned()),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Seen::Open;
            }
            Err(_) => return Seen::Closed(String::from_utf8_lossy(&got).into_owned()),
        }
    }
}

#[tokio::test]
async fn one_address_holds_only_so_many_connections_and_slow_loris_is_closed() {
    let cap = 6;
    let app = TestApp::spawn_with(
        &format!("[limits]\nconnections_per_address = {cap}\nheader_timeout_secs = 5\n"),
        true,
    )
    .await;
    let addr = format!("127.0.0.1:{}", app.port);
    let outcome = tokio::task::spawn_blocking(move || {
        // Twenty connections from one address, saying nothing yet.
        let mut loris: Vec<TcpStream> = (0..20)
            .map(|_| TcpStream::connect(&addr).expect("connect"))
            .collect();
        std::thread::sleep(Duration::from_millis(1500));
        let mut refused = Vec::new();
        let mut held = Vec::new();
        for mut stream in loris.drain(..) {
            match seen(&mut stream, Duration::from_millis(100)) {
                Seen::Open => held.push(stream),
                Seen::Closed(answer) => refused.push(answer),
            }
        }
        // While they are held, one more is refused too.
        let one_more = exchange(
            &addr,
            format!("GET {INFO} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
        );
        // Another address is served meanwhile.
        let other = exchange_from_another_address(
            &addr,
            format!("GET {INFO} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        // The held ones send their headers a byte every 300 ms (slow loris): each is closed
        // by the header time-out.
        let started = Instant::now();
        let mut open = held.len();
        let mut closed_after = Vec::new();
        let mut alive: Vec<Option<TcpStream>> = held.into_iter().map(Some).collect();
        for stream in alive.iter_mut().flatten() {
            let _ = stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
        }
        while open > 0 && started.elapsed() < Duration::from_secs(30) {
            for slot in &mut alive {
                let Some(stream) = slot else { continue };
                let gone = stream.write_all(b"a").is_err()
                    || matches!(seen(stream, Duration::from_millis(10)), Seen::Closed(_));
                if gone {
                    *slot = None;
                    open -= 1;
                    closed_after.push(started.elapsed());
                }
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        // With them gone, the address is served again.
        let after = exchange(
            &addr,
            format!("GET {INFO} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        (
            refused,
            alive.len(),
            one_more,
            other,
            open,
            closed_after,
            after,
        )
    })
    .await
    .expect("clients");
    let (refused, held, one_more, other, open, closed_after, after) = outcome;
    assert!(
        (1..=cap).contains(&held),
        "{held} of 20 connections from one address were held (the cap is {cap})"
    );
    assert_eq!(refused.len(), 20 - held);
    for answer in &refused {
        assert!(
            answer.is_empty() || status(answer) == 503,
            "a refused connection answered {answer:?}"
        );
    }
    assert!(
        one_more.is_empty() || status(&one_more) == 503,
        "one more while the cap is held: {one_more:?}"
    );
    assert_eq!(status(&other), 200, "another address is served: {other}");
    assert_eq!(open, 0, "slow-loris connections still open after 30 s");
    eprintln!("slow loris closed after {closed_after:?}");
    assert_eq!(status(&after), 200, "{after}");
}

#[tokio::test]
async fn an_http_1_1_request_without_host_is_refused() {
    let app = TestApp::spawn().await;
    let addr = format!("127.0.0.1:{}", app.port);
    let answers = tokio::task::spawn_blocking(move || {
        [
            format!("GET {INFO} HTTP/1.1\r\nConnection: close\r\n\r\n"),
            format!("GET {INFO} HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n"),
            format!("GET {INFO} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            format!("GET {INFO} HTTP/1.0\r\n\r\n"),
        ]
        .map(|request| exchange(&addr, request.as_bytes()))
    })
    .await
    .expect("clients");
    let [none, two, one, old] = answers;
    assert_eq!(status(&none), 400, "HTTP/1.1 without Host: {none}");
    assert_eq!(status(&two), 400, "two Host fields: {two}");
    assert_eq!(status(&one), 200, "{one}");
    assert_eq!(status(&old), 200, "HTTP/1.0 needs no Host: {old}");
    assert!(old.contains("\"success\":true"), "{old}");
}

#[tokio::test]
async fn a_range_of_another_unit_is_ignored() {
    let app = TestApp::spawn_with("", true).await;
    app.add_user("anna", "anna-pass-1", true);
    let anna = app.login("anna", "anna-pass-1").await;
    let photo = corpus_file("metadata/camera_phone.jpg");
    let form = reqwest::multipart::Form::new()
        .text("api", "SYNO.Foto.Upload.Item")
        .text("method", "upload")
        .text("version", "1")
        .text("_sid", anna.sid.clone())
        .text("name", "\"ranged.jpg\"")
        .part(
            "file",
            reqwest::multipart::Part::bytes(photo.clone())
                .file_name("ranged.jpg")
                .mime_str("application/octet-stream")
                .expect("mime"),
        );
    let sent: serde_json::Value = TestApp::client()
        .post(app.url("/webapi/entry.cgi"))
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    let id = sent["data"]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{sent}"));
    let ids = format!("[{id}]");
    let download = |range: &'static str| {
        TestApp::client()
            .get(app.url("/webapi/entry.cgi"))
            .query(&[
                ("api", "SYNO.Foto.Download"),
                ("method", "download"),
                ("version", "2"),
                ("unit_id", ids.as_str()),
                ("_sid", anna.sid.as_str()),
            ])
            .header("Range", range)
            .send()
    };
    let items = download("items=0-10").await.expect("download");
    assert_eq!(items.status(), 200, "a Range in items is ignored");
    assert!(items.headers().get("content-range").is_none());
    assert!(
        items.bytes().await.expect("body") == photo,
        "the whole file"
    );
    // The unit is case-insensitive (RFC 9110 §14.1).
    let bytes = download("BYTES=0-9").await.expect("download");
    assert_eq!(bytes.status(), 206);
    assert!(bytes.bytes().await.expect("body") == photo[..10]);
    // A byte range past the end is still unsatisfiable.
    let past = download("bytes=99999999-").await.expect("download");
    assert_eq!(past.status(), 416);
}
