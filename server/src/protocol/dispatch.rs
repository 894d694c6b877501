//! The CGI entry points. Every `/webapi/*.cgi` path (and the same under `/photo`) reads the
//! parameters, picks `(api, method, version)` from the table, checks the session, and runs the
//! handler. Any path serves any API, as DSM's do; `SYNO.API.Info` reports the canonical one.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::response::{IntoResponse, Response};

use super::error::{ApiError, ApiResult};
use super::params::{Admitted, Files, Params};
use super::table::{Access, ApiTable, Effect, FileGate, Handler};
use super::{ApiRoute, Call};
use crate::state::AppState;
use crate::{proxy, session};

const CGI_PATHS: &[&str] = &["entry.cgi", "query.cgi", "auth.cgi", "encryption.cgi"];

/// `/webapi/{cgi}`
pub async fn cgi(
    State(state): State<AppState>,
    Extension(apis): Extension<Arc<ApiTable>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(cgi): Path<String>,
    request: Request,
) -> Response {
    if !CGI_PATHS.contains(&cgi.as_str()) {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    }
    run(state, &apis, peer, None, request)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// `/webapi/entry.cgi/{api}`: the API name may come from the path.
pub async fn entry_with_api(
    State(state): State<AppState>,
    Extension(apis): Extension<Arc<ApiTable>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(api): Path<String>,
    request: Request,
) -> Response {
    run(state, &apis, peer, Some(api), request)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// Reads a request in the order its caller is known: the routing parameters, the session and
/// the text fields first ([`Params::read_head`]), then, only for an [`Admitted`] caller, the
/// file parts. A request refused before that has its file parts read a little and dropped,
/// never stored.
async fn run(
    state: AppState,
    apis: &ApiTable,
    peer: SocketAddr,
    path_api: Option<String>,
    request: Request,
) -> ApiResult<Response> {
    let (parts, body) = request.into_parts();
    let (params, files) = Params::read_head(&parts, body, &state.config.limits).await?;
    let admitted = async {
        let routed = route(
            state.clone(),
            apis,
            peer,
            path_api,
            params,
            &parts.method,
            parts.headers,
        )
        .await?;
        let admitted = admit_files(&state, &routed.call, routed.files, &files).await?;
        Ok::<_, ApiError>((routed, admitted))
    }
    .await;
    let (routed, admitted) = match admitted {
        Ok(admitted) => admitted,
        Err(e) => {
            files.refuse().await;
            return Err(e);
        }
    };
    let Routed {
        handler,
        mut call,
        changes,
        ..
    } = routed;
    if let Some(admitted) = &admitted {
        files
            .receive(
                admitted,
                &mut call.params,
                &state.config.limits,
                &state.config.spool_dir(),
            )
            .await?;
    }
    let reply = handler(call).await;
    drop(admitted);
    if changes {
        // Whatever it changed (a sign-out, a permission, a setting, a folder), thumbnails
        // stop trusting what they read before it.
        state.recent.forget();
    }
    Ok(reply?.into_response())
}

/// The rule for request bodies: a request's file parts are read only when its method takes
/// files (its table entry has a gate: `table::Api::user_files`, `public_files`), its caller
/// passed the method's access check (signed in, a link's guest; or, for the one anonymous
/// upload, a Photo Request link, which its gate checks), the gate let the request through
/// (the caller may put files where it says), its address has a spool slot free (or one is
/// given back within `limits.body_idle_secs`, the body unread meanwhile), and, with a
/// declared length, the body fits the limits. A file part sent to a method that takes none is
/// refused (115). `None`: the body has no file parts.
async fn admit_files(
    state: &AppState,
    call: &Call,
    gate: Option<FileGate>,
    files: &Files,
) -> ApiResult<Option<Admitted>> {
    let Some(first) = files.first() else {
        return Ok(None);
    };
    let gate = gate.ok_or(ApiError::NoFiles)?;
    let limits = &state.config.limits;
    let slot = state
        .spools
        .wait_for(call.client_ip, Duration::from_secs(limits.body_idle_secs))
        .await
        .ok_or(ApiError::Busy)?;
    let max_file_bytes = match gate(call, first).await? {
        Some(cap) => cap.min(limits.max_upload_bytes),
        None => limits.max_upload_bytes,
    };
    let limit = max_file_bytes.saturating_add(limits.max_body_bytes);
    if files.declared().is_some_and(|n| n > limit) {
        return Err(ApiError::TooLarge { limit });
    }
    Ok(Some(Admitted::new(max_file_bytes, slot)))
}

/// What [`route`] found: the method's handler and file gate, the call as the handler gets it
/// (its parameters without files yet), and whether the method changes anything (its `Effect`).
struct Routed {
    handler: Handler,
    files: Option<FileGate>,
    call: Call,
    changes: bool,
}

/// Picks the method from the table and checks who calls it.
async fn route(
    state: AppState,
    apis: &ApiTable,
    peer: SocketAddr,
    path_api: Option<String>,
    params: Params,
    http_method: &axum::http::Method,
    headers: axum::http::HeaderMap,
) -> ApiResult<Routed> {
    let route = ApiRoute::from_params(&params, path_api)?;
    let api = apis
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
    let usage = session::Use::call(method.effect, http_method);
    let session = match method.access {
        Access::Public => None,
        // Signed in, or a guest with a link.
        Access::Shared => {
            let found = if api.recent_session {
                session::find_recent(&state, &params, &headers, usage).await?
            } else {
                session::find(&state, &params, &headers, usage).await?
            };
            if found.is_none() {
                // A guest session: the link its cookie was opened for.
                let sid = crate::cookies::cookie(&headers, crate::cookies::GUEST_COOKIE);
                let link = match sid {
                    Some(sid) => {
                        let hash = shoebox_catalog::sessions::hash_sid(sid);
                        shoebox_catalog::shares::guest(&state.db, &hash).await?
                    }
                    None => None,
                };
                guest = Some(
                    link.filter(|_| usage.cookie_may_authenticate())
                        .ok_or(ApiError::NoSession)?,
                );
            }
            found
        }
        // Thumbnails come by the hundred per screen: they trust a session read a moment ago.
        Access::User if api.recent_session => Some(
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
        space: api.space,
        params,
        session,
        guest,
        version,
        client_ip: client.ip,
        https: client.https,
        headers,
    };
    Ok(Routed {
        handler: method.handler.clone(),
        files: method.files,
        call,
        changes: method.effect.changes(),
    })
}

/// `/synofoto/api/v2/{p|t}/Thumbnail/get` (reference §6): the web UI's thumbnail route. The
/// space comes from the path (`p` personal, `t` team); routing parameters in the query are
/// ignored; the session is checked as on `entry.cgi`.
pub async fn rest_thumbnail(
    State(state): State<AppState>,
    Extension(apis): Extension<Arc<ApiTable>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(space): Path<String>,
    request: Request,
) -> Response {
    let Some((api, handler)) = apis.rest_thumbnail(&space).and_then(|api| {
        let get = api.methods.get("get")?;
        Some((api, get.handler.clone()))
    }) else {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    };
    let (api, space) = (api.name, api.space);
    async {
        let (parts, body) = request.into_parts();
        let (params, files) = Params::read_head(&parts, body, &state.config.limits).await?;
        let headers = parts.headers;
        let usage = session::Use::call(Effect::ReadsMedia, &parts.method);
        let session = session::find_recent(&state, &params, &headers, usage).await;
        // Thumbnails take no files: whoever asks, file parts are refused unread.
        let session = match session.and_then(|s| s.ok_or(ApiError::NoSession)) {
            Ok(session) if files.first().is_none() => session,
            Ok(_) => {
                files.refuse().await;
                return Err(ApiError::NoFiles);
            }
            Err(e) => {
                files.refuse().await;
                return Err(e);
            }
        };
        let client = proxy::client(&state.config.trusted_proxies, peer.ip(), &headers);
        let call = Call {
            state: state.clone(),
            api,
            space,
            params,
            session: Some(session),
            guest: None,
            version: 2,
            client_ip: client.ip,
            https: client.https,
            headers,
        };
        Ok::<_, ApiError>(handler(call).await?.into_response())
    }
    .await
    .unwrap_or_else(IntoResponse::into_response)
}
