//! The CGI entry points. Every `/webapi/*.cgi` path (and the same under `/photo`) reads the
//! parameters, picks `(api, method, version)` from the table, checks the session, and runs the
//! handler. Any path serves any API, as DSM's do; `SYNO.API.Info` reports the canonical one.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Request, State};
use axum::response::{IntoResponse, Response};

use super::error::{ApiError, ApiResult};
use super::params::Params;
use super::table::{Access, Effect};
use super::{ApiRoute, Call};
use crate::state::AppState;
use crate::{proxy, session};

const CGI_PATHS: &[&str] = &["entry.cgi", "query.cgi", "auth.cgi", "encryption.cgi"];

/// `/webapi/{cgi}`
pub async fn cgi(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(cgi): Path<String>,
    request: Request,
) -> Response {
    if !CGI_PATHS.contains(&cgi.as_str()) {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    }
    run(state, peer, None, request)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// `/webapi/entry.cgi/{api}`: the API name may come from the path.
pub async fn entry_with_api(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(api): Path<String>,
    request: Request,
) -> Response {
    run(state, peer, Some(api), request)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn run(
    state: AppState,
    peer: SocketAddr,
    path_api: Option<String>,
    request: Request,
) -> ApiResult<Response> {
    let (parts, body) = request.into_parts();
    // A public Photo Request upload is held to what its link still takes while it is read.
    let limits = match super::requests::body_limits(&state, &parts.uri).await? {
        Some(limits) => std::borrow::Cow::Owned(limits),
        None => std::borrow::Cow::Borrowed(&state.config.limits),
    };
    let params = Params::read(&parts, body, &limits, &state.config.spool_dir()).await?;
    let headers = parts.headers;
    let route = ApiRoute::from_params(&params, path_api)?;
    let api = state
        .apis
        .get(&route.api)
        .ok_or_else(|| ApiError::NoSuchApi(route.api.clone()))?;
    let method = api
        .methods
        .get(route.method.as_str())
        .ok_or_else(|| ApiError::NoSuchMethod {
            api: api.name,
            method: route.method.clone(),
        })?;
    let version = route
        .version
        .parse::<u32>()
        .map_err(|_| ApiError::bad("version", "not a number"))?;
    if !(api.min_version..=api.max_version).contains(&version) {
        return Err(ApiError::BadVersion {
            api: api.name,
            version: route.version,
        });
    }
    let mut guest = None;
    let usage = session::Use::call(method.effect, &parts.method);
    let session = match method.access {
        Access::Public => None,
        // Signed in, or a guest with a link.
        Access::Shared => {
            let found = if api.name.ends_with(".Thumbnail") {
                session::find_recent(&state, &params, &headers, usage).await?
            } else {
                session::find(&state, &params, &headers, usage).await?
            };
            if found.is_none() {
                guest = Some(
                    super::sharing::guest_of(&state, &headers)
                        .await?
                        .filter(|_| usage.cookie_may_authenticate())
                        .ok_or(ApiError::NoSession)?,
                );
            }
            found
        }
        // Thumbnails come by the hundred per screen: they trust a session read a moment ago.
        Access::User if api.name.ends_with(".Thumbnail") => Some(
            session::find_recent(&state, &params, &headers, usage)
                .await?
                .ok_or(ApiError::NoSession)?,
        ),
        Access::User => Some(
            session::find(&state, &params, &headers, usage)
                .await?
                .ok_or(ApiError::NoSession)?,
        ),
    };
    let client = proxy::client(&state.config.trusted_proxies, peer.ip(), &headers);
    let call = Call {
        state: state.clone(),
        api: api.name,
        params,
        session,
        guest,
        version,
        client_ip: client.ip,
        https: client.https,
        headers,
    };
    let reply = (method.handler)(call).await;
    if method.effect.changes() {
        // Whatever it changed (a sign-out, a permission, a setting, a folder), thumbnails
        // stop trusting what they read before it.
        state.recent.forget();
    }
    Ok(reply?.into_response())
}

/// `/synofoto/api/v2/{p|t}/Thumbnail/get` (reference §6): the web UI's thumbnail route. The
/// space comes from the path (`p` personal, `t` team); routing parameters in the query are
/// ignored; the session is checked as on `entry.cgi`.
pub async fn rest_thumbnail(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(space): Path<String>,
    request: Request,
) -> Response {
    let api = match space.as_str() {
        "p" => "SYNO.Foto.Thumbnail",
        "t" => "SYNO.FotoTeam.Thumbnail",
        _ => return axum::http::StatusCode::NOT_FOUND.into_response(),
    };
    async {
        let (parts, body) = request.into_parts();
        let params = Params::read(
            &parts,
            body,
            &state.config.limits,
            &state.config.spool_dir(),
        )
        .await?;
        let headers = parts.headers;
        let usage = session::Use::call(Effect::ReadsMedia, &parts.method);
        let session = session::find_recent(&state, &params, &headers, usage)
            .await?
            .ok_or(ApiError::NoSession)?;
        let client = proxy::client(&state.config.trusted_proxies, peer.ip(), &headers);
        let call = Call {
            state: state.clone(),
            api,
            params,
            session: Some(session),
            guest: None,
            version: 2,
            client_ip: client.ip,
            https: client.https,
            headers,
        };
        Ok::<_, ApiError>(super::media::thumbnail(call).await?.into_response())
    }
    .await
    .unwrap_or_else(IntoResponse::into_response)
}
