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
    form = form.part("file", file_part(file, "file"));
    post_form(lib, form).await
}

/// A file part of `bytes` named `name`, as the apps send one.
pub fn file_part(bytes: &[u8], name: &str) -> reqwest::multipart::Part {
    reqwest::multipart::Part::bytes(bytes.to_vec())
        .file_name(name.to_owned())
        .mime_str("application/octet-stream")
        .expect("mime")
}

/// Posts the multipart `form` to `entry.cgi` and reads the JSON answer.
pub async fn post_form(lib: &Library, form: reqwest::multipart::Form) -> Value {
    TestApp::client()
        .post(lib.app.url("/webapi/entry.cgi"))
        .multipart(form)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json")
}
