//! Calling any API at any version the way a client does (the CGI path and top version from
//! `SYNO.API.Info`), and turning an answer into something a snapshot can pin: JSON as it is,
//! a binary answer as its status, type, length and hash.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::support::TestApp;

/// Where each API is served and its top version, as `SYNO.API.Info query` lists them.
pub struct Apis(pub BTreeMap<String, (String, u32)>);

impl Apis {
    pub async fn of(app: &TestApp) -> Apis {
        let body = app
            .get_at(
                "/webapi/query.cgi",
                &[
                    ("api", "SYNO.API.Info"),
                    ("method", "query"),
                    ("version", "1"),
                    ("query", "all"),
                ],
            )
            .await;
        let data = body["data"].as_object().expect("API.Info data");
        Apis(
            data.iter()
                .map(|(name, v)| {
                    (
                        name.clone(),
                        (
                            v["path"].as_str().expect("path").to_owned(),
                            u32::try_from(v["maxVersion"].as_u64().expect("maxVersion"))
                                .expect("version"),
                        ),
                    )
                })
                .collect(),
        )
    }

    pub fn path(&self, api: &str) -> String {
        format!(
            "/webapi/{}",
            self.0.get(api).map_or("entry.cgi", |(p, _)| p)
        )
    }

    pub fn top(&self, api: &str) -> u32 {
        self.0.get(api).map_or(1, |(_, v)| *v)
    }
}

/// One request: the API at its top version, the parameters as a GET query (or a multipart
/// POST when a file goes with them), and the caller's session if any.
pub async fn send(
    app: &TestApp,
    apis: &Apis,
    api: &str,
    method: &str,
    params: &[(String, String)],
    sid: Option<&str>,
    file: Option<&[u8]>,
) -> reqwest::Response {
    let version = apis.top(api).to_string();
    let mut all: Vec<(String, String)> = vec![
        ("api".into(), api.into()),
        ("method".into(), method.into()),
        ("version".into(), version),
    ];
    if let Some(sid) = sid {
        all.push(("_sid".into(), sid.into()));
    }
    all.extend(params.iter().cloned());
    let url = app.url(&apis.path(api));
    let client = TestApp::client();
    match file {
        None => client.get(url).query(&all).send().await.expect("request"),
        Some(bytes) => {
            let mut form = reqwest::multipart::Form::new();
            for (k, v) in all {
                form = form.text(k, v);
            }
            let part = reqwest::multipart::Part::bytes(bytes.to_vec())
                .file_name("file")
                .mime_str("application/octet-stream")
                .expect("mime");
            client
                .post(url)
                .multipart(form.part("file", part))
                .send()
                .await
                .expect("upload")
        }
    }
}

/// A binary answer as a snapshot keeps it: status, content type, and with `bytes` the length
/// and BLAKE3 of the body (a JSON answer, an error, is kept whole).
pub async fn binary(response: reqwest::Response, bytes: bool) -> Value {
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header("content-type");
    let disposition = header("content-disposition");
    let body = response.bytes().await.expect("body");
    if content_type.as_deref() == Some("application/json") {
        let body: Value = serde_json::from_slice(&body).expect("JSON");
        return json!({"status": status, "content_type": content_type, "json": body});
    }
    if !bytes {
        return json!({
            "status": status,
            "content_type": content_type,
            "content_disposition": disposition,
            "empty": body.is_empty(),
        });
    }
    json!({
        "status": status,
        "content_type": content_type,
        "content_disposition": disposition,
        "length": body.len(),
        "blake3": blake3::hash(&body).to_hex().to_string(),
    })
}
