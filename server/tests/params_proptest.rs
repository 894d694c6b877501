//! Property test of the parameter decoder (issue 19, "Done when"): whatever a client sends as
//! a query string, a url-encoded or a multipart body, and whatever a value holds, reading it
//! never panics, and every refusal is an ordinary client error (a DSM 114 or 120 naming what
//! was wrong), never an internal one.

use std::path::Path;

use axum::body::Body;
use axum::http::Request;
use proptest::prelude::*;
use shoebox_server::api::error::ApiError;
use shoebox_server::api::params::Params;
use shoebox_server::config::Limits;

/// Small limits, so that generated bodies cross them too.
const LIMITS: Limits = Limits {
    max_body_bytes: 2048,
    max_upload_bytes: 1024,
    spools_per_address: 4,
    header_timeout_secs: 30,
    body_idle_secs: 60,
    min_body_bytes_per_sec: 1024,
    connections_per_address: 64,
};

/// The one call of the decoder, so that a change of its signature is mended here only. It
/// reads what dispatch reads before the caller is known ([`Params::read_head`]); the file parts
/// after it are read only for an admitted caller, which only dispatch can make, so here they
/// are refused (read a little and dropped). Nothing may be stored in `spool` meanwhile.
async fn read(request: Request<Body>, spool: &Path) -> Result<(Params, bool), ApiError> {
    let (parts, body) = request.into_parts();
    let (params, files) = Params::read_head(&parts, body, &LIMITS).await?;
    let had_files = files.first().is_some();
    files.refuse().await;
    let stored = std::fs::read_dir(spool).map(|d| d.count()).unwrap_or(0);
    assert_eq!(stored, 0, "something was stored before the caller is known");
    Ok((params, had_files))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// A refusal a client may see: about the request or a parameter, or the body's size.
fn assert_ordinary(e: &ApiError) {
    assert!(
        matches!(
            e,
            ApiError::BadParam { .. } | ApiError::MissingParam(_) | ApiError::TooLarge { .. }
        ),
        "not an ordinary refusal: {e:?}"
    );
    assert!(matches!(e.code(), 114 | 120), "{e:?} is code {}", e.code());
}

/// Every reader over `key`: none panics, each refusal is ordinary.
fn read_all_ways(params: &Params, key: &str) {
    let _ = params.raw(key);
    let _ = params.routing(key);
    let _ = params.string(key);
    let errors = [
        params.int(key).err(),
        params.float(key).err(),
        params.int_list(key).err(),
        params.bool(key).err(),
        params.string_list(key).err(),
        params.json(key).err(),
    ];
    for e in errors.iter().flatten() {
        assert_ordinary(e);
    }
    if let Ok(Some(f)) = params.float(key) {
        assert!(f.is_finite(), "{key}: {f}");
    }
}

/// Values as clients write them, JSON-ish or not, and anything else.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\[\\]{}\",:0-9a-zA-Z .eE+\\-\\\\]{0,48}",
        "-?[0-9]{1,30}(\\.[0-9]{0,20})?([eE][+-]?[0-9]{1,5})?",
        "\"?(true|false|yes|no|1|0|null|NaN|inf|-inf)\"?",
        prop::collection::vec(any::<i64>(), 0..6).prop_map(|v| format!("{v:?}")),
    ]
}

/// Bytes of a query string or a url-encoded body: the characters forms are made of.
fn form_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        "[a-z_=&%+0-9A-F\\[\\]\"{}.,:-]{0,300}".prop_map(String::into_bytes),
    ]
}

/// A multipart body: some text and file parts, then maybe cut short or with garbage after.
fn multipart() -> impl Strategy<Value = Vec<u8>> {
    let part = (
        "[a-z_\"]{0,12}",
        prop::option::of("[a-zA-Z0-9 ._/\\\\-]{0,20}"),
        prop::collection::vec(any::<u8>(), 0..1500),
    );
    (
        prop::collection::vec(part, 0..12),
        prop::option::of(any::<prop::sample::Index>()),
        prop::collection::vec(any::<u8>(), 0..20),
    )
        .prop_map(|(parts, cut, tail)| {
            let mut body = Vec::new();
            for (name, file, content) in parts {
                body.extend_from_slice(b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"");
                body.extend_from_slice(name.as_bytes());
                body.push(b'"');
                if let Some(file) = file {
                    body.extend_from_slice(b"; filename=\"");
                    body.extend_from_slice(file.as_bytes());
                    body.push(b'"');
                }
                body.extend_from_slice(b"\r\n\r\n");
                body.extend_from_slice(&content);
                body.extend_from_slice(b"\r\n");
            }
            body.extend_from_slice(b"--BOUNDARY--\r\n");
            if let Some(cut) = cut {
                body.truncate(cut.index(body.len() + 1));
            }
            body.extend_from_slice(&tail);
            body
        })
}

fn percent_encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'=' | b'&' | b'_' | b'-' | b'.' => {
                (*b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The names the handlers read, and the ones the generated bodies use.
const KEYS: &[&str] = &[
    "api", "method", "version", "id", "offset", "limit", "name", "passwd", "a", "b", "",
];

proptest! {
    #[test]
    fn every_reader_takes_any_value(key in "[a-z_]{0,8}", raw in value()) {
        let mut params = Params::default();
        params.insert(key.clone(), raw);
        read_all_ways(&params, &key);
        read_all_ways(&params, "absent");
    }

    #[test]
    fn any_query_and_url_encoded_body(
        query in form_bytes(),
        body in form_bytes(),
        content_type in prop::sample::select(vec![
            "", "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=UTF-8",
            "text/plain", "application/json",
        ]),
    ) {
        let spool = tempfile::tempdir().expect("spool");
        let mut request = Request::post(format!("/webapi/entry.cgi?{}", percent_encode(&query)));
        if !content_type.is_empty() {
            request = request.header("content-type", content_type);
        }
        let request = request.body(Body::from(body)).expect("request");
        match runtime().block_on(read(request, spool.path())) {
            Ok((params, had_files)) => {
                prop_assert!(!had_files, "a url-encoded body has no file parts");
                for key in KEYS {
                    read_all_ways(&params, key);
                }
            }
            Err(e) => assert_ordinary(&e),
        }
    }

    #[test]
    fn any_multipart_body(body in multipart(), declare_length in any::<bool>()) {
        let spool = tempfile::tempdir().expect("spool");
        let mut request = Request::post("/webapi/entry.cgi?api=SYNO.Foto.Upload.Item")
            .header("content-type", "multipart/form-data; boundary=BOUNDARY");
        if declare_length {
            request = request.header("content-length", body.len().to_string());
        }
        let request = request.body(Body::from(body)).expect("request");
        let read = runtime().block_on(read(request, spool.path()));
        match read {
            Ok((params, _)) => {
                for key in KEYS {
                    read_all_ways(&params, key);
                }
                prop_assert!(params.files.is_empty(), "no file read before the caller is known");
            }
            Err(e) => assert_ordinary(&e),
        }
    }
}
