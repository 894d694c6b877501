//! Finding the caller's session in a request (reference §1.4): the sid comes from `_sid` or the
//! `id` cookie; the SynoToken from `X-SYNO-TOKEN` (any case) or `SynoToken=`.
//!
//! The token is a CSRF guard, so it is demanded where a browser could forge the call: when the
//! sid arrives only as a cookie and the session was opened with `enable_syno_token=yes`. A token
//! that is sent must match in every case. docs/protocol-choices.md explains the choice.

use axum::http::HeaderMap;

use crate::api::error::ApiResult;
use crate::api::params::Params;
use crate::state::AppState;
use crate::store::sessions::{self, Session};

/// Re-writing `last_seen_at` on every request would make each read a write; once a minute is
/// enough for a sliding expiry counted in days.
const TOUCH_EVERY_SECS: i64 = 60;

/// The value of cookie `name`, from any `Cookie` header.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
        .filter(|v| !v.is_empty())
}

fn presented_token<'a>(headers: &'a HeaderMap, params: &'a Params) -> Option<&'a str> {
    headers
        .get("x-syno-token")
        .and_then(|v| v.to_str().ok())
        .or_else(|| params.raw("SynoToken"))
        .filter(|t| !t.is_empty())
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The valid session the request presents, if any. With `check_token` false the SynoToken rule
/// is skipped (sign-out must work from any client).
pub async fn find(
    state: &AppState,
    params: &Params,
    headers: &HeaderMap,
    check_token: bool,
) -> ApiResult<Option<Session>> {
    find_with(state, params, headers, check_token, false).await
}

/// [`find`] for thumbnail requests: a session read from the database in the last moments
/// ([`crate::recent`]) is trusted without reading it again.
pub async fn find_recent(
    state: &AppState,
    params: &Params,
    headers: &HeaderMap,
) -> ApiResult<Option<Session>> {
    find_with(state, params, headers, true, true).await
}

async fn find_with(
    state: &AppState,
    params: &Params,
    headers: &HeaderMap,
    check_token: bool,
    recent: bool,
) -> ApiResult<Option<Session>> {
    let from_param = params.raw("_sid").filter(|s| !s.is_empty());
    let from_cookie = cookie(headers, "id");
    for (sid, cookie_only) in [(from_param, false), (from_cookie, from_param.is_none())] {
        let Some(sid) = sid else { continue };
        if sid.len() > 256 {
            continue;
        }
        let kept = if recent {
            state.recent.session(&sessions::hash_sid(sid))
        } else {
            None
        };
        let (mut session, generation) = match kept {
            Some(session) => (session, None),
            None => {
                let generation = state.recent.generation();
                let Some(session) = sessions::find(&state.db, sid).await? else {
                    continue;
                };
                (session, Some(generation))
            }
        };
        if check_token {
            let token = presented_token(headers, params);
            let token_ok = match token {
                Some(t) => same(t, &session.synotoken),
                None => !(cookie_only && session.token_required),
            };
            if !token_ok {
                return Ok(None);
            }
        }
        if crate::store::now() - session.last_seen_at >= TOUCH_EVERY_SECS {
            sessions::touch(&state.db, &session.sid_hash, state.session_idle_secs()).await?;
            session.last_seen_at = crate::store::now();
        }
        if let (true, Some(generation)) = (recent, generation) {
            state.recent.keep_session(&session, generation);
        }
        return Ok(Some(session));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_from_several_headers() {
        let mut h = HeaderMap::new();
        h.append("cookie", "a=1; id=abc".parse().expect("header"));
        h.append("cookie", "did=xyz".parse().expect("header"));
        assert_eq!(cookie(&h, "id"), Some("abc"));
        assert_eq!(cookie(&h, "did"), Some("xyz"));
        assert_eq!(cookie(&h, "nope"), None);
    }

    #[test]
    fn constant_time_compare() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }
}
