//! `Call`: one API call as a handler receives it, and the route it names.

use std::net::IpAddr;

use axum::http::HeaderMap;

use super::error::{ApiError, ApiResult};
use super::params::Params;
use crate::state::AppState;
use shoebox_catalog::sessions::Session;

/// `(api, method, version)` as the request names them.
#[derive(Debug)]
pub struct ApiRoute {
    pub api: String,
    pub method: String,
    pub version: String,
}

impl ApiRoute {
    /// The routing parameters; the API name may also come from the URL path.
    pub fn from_params(params: &Params, path_api: Option<String>) -> ApiResult<Self> {
        let api = params
            .routing("api")
            .or(path_api)
            .ok_or(ApiError::NoRouting)?;
        let method = params.routing("method").ok_or(ApiError::NoRouting)?;
        let version = params.routing("version").ok_or(ApiError::NoRouting)?;
        Ok(Self {
            api,
            method,
            version,
        })
    }
}

/// One API call, as a handler receives it.
pub struct Call {
    pub state: AppState,
    /// The API called, as the table names it.
    pub api: &'static str,
    /// The space the API speaks for (its table entry's).
    pub space: Space,
    pub params: Params,
    /// Present for every method that requires sign-in.
    pub session: Option<Session>,
    /// For a guest (no session) on a method open to share links: the link their session holds.
    pub guest: Option<String>,
    pub version: u32,
    /// The client's address, through trusted proxies ([`crate::proxy::client`]).
    pub client_ip: IpAddr,
    /// The request came over HTTPS (to us or to a trusted proxy): cookies are `Secure`.
    pub https: bool,
    pub headers: HeaderMap,
}

impl Call {
    /// The signed-in caller.
    pub fn user(&self) -> ApiResult<&Session> {
        self.session.as_ref().ok_or(ApiError::NoSession)
    }

    /// Whether the call is for the Shared Space (`SYNO.FotoTeam.*`: [`Call::space`]).
    pub fn team(&self) -> bool {
        self.space == Space::Team
    }

    /// The share link a request names: `passphrase`, `_sharing_id` or the `X-SYNO-SHARING`
    /// header.
    pub fn named_link(&self) -> Option<String> {
        self.params
            .string("passphrase")
            .or_else(|| self.params.string("_sharing_id"))
            .or_else(|| {
                self.headers
                    .get("x-syno-sharing")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            })
            .filter(|p| !p.is_empty())
    }

    /// What the call says about a share link it goes through.
    pub fn link_visit(&self) -> LinkVisit {
        LinkVisit {
            guest: self.guest.clone(),
            named: self.named_link(),
            guest_sid: crate::cookies::cookie(&self.headers, crate::cookies::GUEST_COOKIE)
                .map(str::to_owned),
            user: self.session.as_ref().map(|s| s.user_id.0),
            team: self.team(),
        }
    }

    /// Who is looking, as the services that shape answers need it.
    pub fn viewer(&self) -> Viewer {
        Viewer {
            user: self.session.as_ref().map(|s| s.user_id.0),
            via_link: self.guest.is_some() || self.named_link().is_some(),
        }
    }
}

/// What a call says about a share link, as `services::sharing` reads it.
#[derive(Debug, Clone, Default)]
pub struct LinkVisit {
    /// A guest's session (no user session then): the link it was opened for.
    pub guest: Option<String>,
    /// The link the request names (`passphrase`, `_sharing_id`, `X-SYNO-SHARING`).
    pub named: Option<String>,
    /// A guest session's cookie a signed-in user may also hold (a password link they opened).
    pub guest_sid: Option<String>,
    /// The signed-in caller.
    pub user: Option<i64>,
    /// The call is for the Shared Space's APIs.
    pub team: bool,
}

/// Who is looking at an answer: a signed-in user or a guest, and whether through a share link
/// (a guest always is; a member may name one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub user: Option<i64>,
    pub via_link: bool,
}

/// The space an API speaks for: the caller's Personal Space, or the Shared Space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Space {
    /// Neither: accounts, sign-in, discovery.
    None,
    Personal,
    Team,
}
