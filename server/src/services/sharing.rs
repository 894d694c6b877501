//! Sharing as policy: guests of share links and their sessions.

use shoebox_catalog::sessions::hash_sid;
use shoebox_catalog::shares;

use crate::protocol::error::ApiResult;

/// The cookie of a guest's session.
pub const GUEST_COOKIE: &str = "sharing_sid";

/// A guest's session from its cookie: the passphrase it was opened for.
pub async fn guest_of(
    state: &crate::state::AppState,
    headers: &axum::http::HeaderMap,
) -> ApiResult<Option<String>> {
    let Some(sid) = headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == GUEST_COOKIE)
        .map(|(_, v)| v.to_owned())
    else {
        return Ok(None);
    };
    Ok(shares::guest(&state.db, &hash_sid(&sid)).await?)
}
