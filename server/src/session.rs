//! Finding the caller's session in a request (reference §1.4): the sid comes from `_sid` or, when
//! there is none, the `id` cookie; the SynoToken from `X-SYNO-TOKEN` (any case) or `SynoToken=`.
//! And the cookies the server sets, all built by [`set_cookie`].
//!
//! A browser adds the cookie to requests a page on another site makes, so a session presented
//! by the cookie alone is held to [`Presented::allows`]: the rules against cross-site request
//! forgery, in one place. docs/protocol-choices.md and docs/security.md explain them.

use axum::http::{HeaderMap, Method};

pub use crate::cookies::{cookie, set_cookie};
pub use crate::protocol::effect::Effect;
use crate::protocol::error::ApiResult;
use crate::protocol::params::Params;
use crate::state::AppState;
use shoebox_catalog::sessions::{self, Session};

/// Re-writing `last_seen_at` on every request would make each read a write; once a minute is
/// enough for a sliding expiry counted in days.
const TOUCH_EVERY_SECS: i64 = 60;

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

/// How a call means to use the session it presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// An API method: what it does ([`Effect`], from the table), and whether it came as an HTTP
    /// POST (anything else counts as a GET).
    Call { effect: Effect, posted: bool },
    /// Signing out: any client may end the session it holds, token or not.
    SignOut,
}

impl Use {
    /// The use of a method with `effect` called with the HTTP method `http`.
    pub fn call(effect: Effect, http: &Method) -> Self {
        Use::Call {
            effect,
            posted: http == Method::POST,
        }
    }

    /// Whether a cookie alone (the session's `id`, a share guest's `sharing_sid`) may stand
    /// for the caller here: not for a change asked by GET (see [`Presented::allows`]).
    pub fn cookie_may_authenticate(self) -> bool {
        !matches!(
            self,
            Use::Call {
                effect: Effect::Changes,
                posted: false
            }
        )
    }
}

/// Where the request's sid came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presented {
    /// The `_sid` parameter: the client wrote it, so a page on another site cannot have.
    Param,
    /// The `id` cookie alone: the browser adds it to whatever the page asks for.
    Cookie,
}

impl Presented {
    /// The rules against cross-site request forgery, all of them (issue 19; docs/security.md
    /// "Sessions and CSRF"). Signing out is always allowed (the worst a forged one does is sign
    /// the user out). Otherwise a SynoToken that is sent must be the session's. A session
    /// presented by `_sid` needs nothing more. One presented by the cookie alone:
    /// - may change nothing by GET: `SameSite=Lax` lets a hostile page's top-level link carry
    ///   the cookie, never its POST;
    /// - when opened with `enable_syno_token=yes` (a browser's session), must show its token on
    ///   every call, as DSM asks, but for the media URLs a page embeds or links to
    ///   ([`Effect::ReadsMedia`]), which carry no header and change nothing. A session opened
    ///   without it (the Synology Photos apps) never lives in a browser and needs none.
    pub fn allows(self, session: &Session, token: Option<&str>, usage: Use) -> bool {
        let Use::Call { effect, .. } = usage else {
            return true;
        };
        if let Some(token) = token
            && !same(token, &session.synotoken)
        {
            return false;
        }
        match self {
            Presented::Param => true,
            Presented::Cookie if !usage.cookie_may_authenticate() => false,
            Presented::Cookie => {
                token.is_some() || !session.token_required || effect == Effect::ReadsMedia
            }
        }
    }
}

/// The session the request presents, if it is valid and [`Presented::allows`] its use here.
/// A `_sid` parameter names the session alone: when it is no session, the cookie is not
/// looked at (a hostile link adds a made-up `_sid` to slip past the cookie's rules).
pub async fn find(
    state: &AppState,
    params: &Params,
    headers: &HeaderMap,
    usage: Use,
) -> ApiResult<Option<Session>> {
    find_with(state, params, headers, usage, false).await
}

/// [`find`] for thumbnail requests: a session read from the database in the last moments
/// ([`crate::services::recent`]) is trusted without reading it again.
pub async fn find_recent(
    state: &AppState,
    params: &Params,
    headers: &HeaderMap,
    usage: Use,
) -> ApiResult<Option<Session>> {
    find_with(state, params, headers, usage, true).await
}

async fn find_with(
    state: &AppState,
    params: &Params,
    headers: &HeaderMap,
    usage: Use,
    recent: bool,
) -> ApiResult<Option<Session>> {
    let (sid, presented) = match params.raw("_sid").filter(|s| !s.is_empty()) {
        Some(sid) => (sid, Presented::Param),
        None => match cookie(headers, "id") {
            Some(sid) => (sid, Presented::Cookie),
            None => return Ok(None),
        },
    };
    if sid.len() > 256 {
        return Ok(None);
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
                return Ok(None);
            };
            (session, Some(generation))
        }
    };
    if !presented.allows(&session, presented_token(headers, params), usage) {
        return Ok(None);
    }
    if shoebox_catalog::now() - session.last_seen_at >= TOUCH_EVERY_SECS {
        sessions::touch(&state.db, &session.sid_hash, state.session_idle_secs()).await?;
        session.last_seen_at = shoebox_catalog::now();
    }
    if let (true, Some(generation)) = (recent, generation) {
        state.recent.keep_session(&session, generation);
    }
    Ok(Some(session))
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

    fn session(token_required: bool) -> Session {
        Session {
            sid_hash: String::new(),
            user_id: shoebox_catalog::users::UserId(1),
            user_name: "anna".into(),
            is_admin: true,
            synotoken: "tok".into(),
            token_required,
            device_id: String::new(),
            last_seen_at: 0,
        }
    }

    #[test]
    fn the_csrf_rules() {
        use Effect::{Changes, Reads, ReadsMedia};
        use Presented::{Cookie, Param};
        let get = |effect| Use::Call {
            effect,
            posted: false,
        };
        let post = |effect| Use::Call {
            effect,
            posted: true,
        };
        let (browser, app) = (session(true), session(false));
        // By `_sid`: anything, but a wrong token.
        for s in [&browser, &app] {
            assert!(Param.allows(s, None, get(Changes)));
            assert!(!Param.allows(s, Some("bad"), get(Reads)));
        }
        // By cookie: no change by GET, token or not.
        for (s, token) in [(&browser, Some("tok")), (&app, None)] {
            assert!(!Cookie.allows(s, token, get(Changes)));
            assert!(Cookie.allows(s, token, post(Changes)));
            assert!(Cookie.allows(s, token, get(Reads)));
        }
        // A browser's session shows its token, but for media URLs.
        assert!(!Cookie.allows(&browser, None, post(Changes)));
        assert!(!Cookie.allows(&browser, None, get(Reads)));
        assert!(Cookie.allows(&browser, None, get(ReadsMedia)));
        assert!(!Cookie.allows(&browser, Some("bad"), get(ReadsMedia)));
        // Signing out needs nothing.
        assert!(Cookie.allows(&browser, None, Use::SignOut));
        assert!(Cookie.allows(&browser, Some("bad"), Use::SignOut));
    }

    #[test]
    fn cookies_are_secure_over_https() {
        assert_eq!(
            set_cookie(false, "id", "abc", Some(60)),
            "id=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Lax"
        );
        assert_eq!(
            set_cookie(true, "x", "", None),
            "x=; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
    }

    #[test]
    fn constant_time_compare() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }
}
