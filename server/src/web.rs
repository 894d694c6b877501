//! The browser portal: the files of the top-level `web/` folder, built into the binary so that
//! nothing else has to be installed. Served at `/` and at `/photo/`, DSM's portal alias. With
//! `web_dir` set, the files are read from that folder instead (for working on the portal).

use std::path::{Component, Path as FsPath, PathBuf};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use include_dir::{Dir, include_dir};

use crate::state::AppState;

static WEB: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../web");

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|s: State<AppState>| asset_or_index(s, String::new())),
        )
        // A Photo Request's public page; the passphrase is read by the page from its address.
        .route(
            "/mo/request/{p}",
            get(|s: State<AppState>| asset_or_index(s, "request.html".into())),
        )
        .route(
            "/photo/mo/request/{p}",
            get(|s: State<AppState>| asset_or_index(s, "request.html".into())),
        )
        // An album link's share view.
        .route(
            "/mo/sharing/{p}",
            get(|s: State<AppState>| asset_or_index(s, "share.html".into())),
        )
        .route(
            "/photo/mo/sharing/{p}",
            get(|s: State<AppState>| asset_or_index(s, "share.html".into())),
        )
        .route(
            "/photo",
            get(|s: State<AppState>| asset_or_index(s, String::new())),
        )
        .route(
            "/photo/",
            get(|s: State<AppState>| asset_or_index(s, String::new())),
        )
        .route(
            "/photo/{*path}",
            get(|s: State<AppState>, Path(p): Path<String>| asset_or_index(s, p)),
        )
        .route(
            "/{*path}",
            get(|s: State<AppState>, Path(p): Path<String>| asset_or_index(s, p)),
        )
}

async fn asset_or_index(State(state): State<AppState>, path: String) -> Response {
    let path = path.trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    let contents = match &state.config.web_dir {
        Some(dir) => match on_disk(dir, path) {
            Some(file) => tokio::fs::read(file).await.ok().map(Into::into),
            None => None,
        },
        None => WEB.get_file(path).map(|f| f.contents().to_vec().into()),
    };
    let Some(contents): Option<axum::body::Bytes> = contents else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mime = match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            // The portal changes with the binary; let the browser revalidate rather than guess.
            (header::CACHE_CONTROL, "no-cache"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
            (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        ],
        contents,
    )
        .into_response()
}

/// What the portal's pages may load: their own scripts only (no inline script, no `eval`),
/// and nothing from another host but the map's tiles (web/js/pages/map.js). Styles may be inline
/// (Leaflet and the grid position elements with them). A share link's page is the same.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' blob: data: https://tile.openstreetmap.org https://*.tile.openstreetmap.fr \
     https://*.tile.opentopomap.org; media-src 'self' blob:; connect-src 'self'; \
     font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; \
     frame-ancestors 'self'";

/// The file for `path` below `dir`, if `path` is made of plain names only (no `..`, no hidden
/// names, nothing absolute).
fn on_disk(dir: &FsPath, path: &str) -> Option<PathBuf> {
    let mut file = dir.to_path_buf();
    for part in FsPath::new(path).components() {
        match part {
            Component::Normal(name) if !name.to_string_lossy().starts_with('.') => file.push(name),
            _ => return None,
        }
    }
    file.is_file().then_some(file)
}
