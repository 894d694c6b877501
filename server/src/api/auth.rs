//! `SYNO.API.Auth` login and logout, and `SYNO.API.Auth.UIConfig` (reference §2).
//!
//! Login takes its fields in clear or inside the `SYNO.API.Encryption` blob
//! ([`crate::protocol::encrypted`]); who may sign in, and what a failure costs, is
//! [`crate::services::signin`]'s.

use serde::Serialize;

use super::Call;
use super::error::{ApiError, ApiResult};
use super::reply::Reply;
use crate::protocol::encrypted::decrypt_params;
use crate::services::signin::{self, SignIn};
use crate::session;
use crate::wire::Empty;

/// How long the `did` (device) cookie lives: ten years, like DSM's.
const DEVICE_COOKIE_SECS: i64 = 10 * 365 * 86_400;

/// The session a login opened. `ik_message` is left out on purpose: synology-api only starts
/// its Noise handshake when it is present (reference §1.4).
#[derive(Serialize)]
struct SignedIn<'a> {
    sid: &'a str,
    synotoken: &'a str,
    did: &'a str,
    device_id: &'a str,
    is_portal_port: bool,
    account: &'a str,
}

pub async fn login(mut call: Call) -> ApiResult {
    let state = call.state.clone();
    let ip = call.client_ip;
    signin::refuse_blocked(&state, ip)?;
    let receipt = decrypt_params(&mut call).await?;
    // Sign-in fields are plain text, never JSON literals (reference §2): a password may well
    // start with a quote.
    let params = &call.params;
    let request = SignIn {
        account: params
            .raw("account")
            .filter(|a| !a.is_empty())
            .ok_or(ApiError::MissingParam("account"))?,
        password: params
            .raw("passwd")
            .ok_or(ApiError::MissingParam("passwd"))?,
        receipt,
        device_id: params
            .raw("device_id")
            .or_else(|| session::cookie(&call.headers, "did")),
        session_name: params.raw("session").unwrap_or(""),
        token_required: params.raw("enable_syno_token") == Some("yes"),
    };
    let done = signin::sign_in(&state, ip, request).await?;
    Ok(Reply::data(SignedIn {
        sid: &done.sid,
        synotoken: &done.synotoken,
        did: &done.device_id,
        device_id: &done.device_id,
        is_portal_port: false,
        account: &done.account,
    })
    .cookie(session::set_cookie(
        call.https,
        "id",
        &done.sid,
        Some(done.idle_secs),
    ))
    .cookie(session::set_cookie(
        call.https,
        "did",
        &done.device_id,
        Some(DEVICE_COOKIE_SECS),
    )))
}

/// Ends the presented session, if any. Answers success either way: synology-api signs out
/// without sending its sid.
pub async fn logout(call: Call) -> ApiResult {
    let usage = session::Use::SignOut;
    if let Some(session) = session::find(&call.state, &call.params, &call.headers, usage).await? {
        signin::sign_out(&call.state, &session).await?;
    }
    Ok(Reply::done().cookie(session::set_cookie(call.https, "id", "", Some(0))))
}

/// Hands out the `_SSID` cookie synology-api insists on before it signs in.
pub async fn ui_config(call: Call) -> ApiResult {
    let ssid = &call.state.ssid;
    Ok(Reply::data(Empty {}).cookie(session::set_cookie(call.https, "_SSID", ssid, None)))
}
