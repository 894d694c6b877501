//! Uploads as the Android app sends them (multipart, text fields first).

use serde_json::Value;

use crate::support::api::Library;
use crate::support::{Login, TestApp};

/// One upload: the text fields in the Android app's order, then the file part.
pub async fn upload(
    lib: &Library,
    who: &Login,
    api: &str,
    method: &str,
    fields: &[(&str, &str)],
    file: &[u8],
) -> Value {
    let mut form = reqwest::multipart::Form::new()
        .text("method", method.to_owned())
        .text("api", api.to_owned())
        .text("version", "1")
        .text("_sid", who.sid.clone());
    for (k, v) in fields {
        form = form.text((*k).to_owned(), (*v).to_owned());
    }
    let part = reqwest::multipart::Part::bytes(file.to_vec())
        .file_name("file")
        .mime_str("application/octet-stream")
        .expect("mime");
    form = form.part("file", part);
    TestApp::client()
        .post(lib.app.url("/webapi/entry.cgi"))
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json")
}
