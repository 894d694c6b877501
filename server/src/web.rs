//! The browser portal: the files of the top-level `web/` folder, built into the binary so that
//! nothing else has to be installed. Served at `/` and at `/photo/`, DSM's portal alias.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use include_dir::{Dir, include_dir};

use crate::state::AppState;

static WEB: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../web");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| asset_or_index(String::new())))
        // A Photo Request's public page; the passphrase is read by the page from its address.
        .route(
            "/mo/request/{p}",
            get(|| asset_or_index("request.html".into())),
        )
        .route(
            "/photo/mo/request/{p}",
            get(|| asset_or_index("request.html".into())),
        )
        // An album link's share view.
        .route(
            "/mo/sharing/{p}",
            get(|| asset_or_index("share.html".into())),
        )
        .route(
            "/photo/mo/sharing/{p}",
            get(|| asset_or_index("share.html".into())),
        )
        .route("/photo", get(|| asset_or_index(String::new())))
        .route("/photo/", get(|| asset_or_index(String::new())))
        .route(
            "/photo/{*path}",
            get(|Path(p): Path<String>| asset_or_index(p)),
        )
        .route("/{*path}", get(|Path(p): Path<String>| asset_or_index(p)))
}

async fn asset_or_index(path: String) -> Response {
    let path = path.trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    match WEB.get_file(path) {
        Some(file) => {
            let mime = match path.rsplit('.').next() {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript; charset=utf-8",
                Some("css") => "text/css; charset=utf-8",
                Some("svg") => "image/svg+xml",
                Some("png") => "image/png",
                Some("json") => "application/json",
                _ => "application/octet-stream",
            };
            ([(header::CONTENT_TYPE, mime)], file.contents()).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
