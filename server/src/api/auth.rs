//! `SYNO.API.Auth` login and logout, and `SYNO.API.Auth.UIConfig` (reference §2).
//!
//! Login takes its fields in clear or inside the `SYNO.API.Encryption` blob. A failed attempt
//! counts against the caller's address and the account named ([`crate::throttle`]); a wrong
//! name costs the same time as a wrong password, and a disabled account is only revealed to
//! someone who knows its password.

use serde_json::json;

use super::Call;
use super::error::{ApiError, ApiResult};
use super::reply::Reply;
use crate::login_crypto::{CIPHER_KEY, OpenError, Receipt};
use crate::password;
use crate::session;
use crate::state::random_token;
use crate::throttle::Target;
use shoebox_catalog::sessions::{self, NewSession};
use shoebox_catalog::{now, users};

/// How long the `did` (device) cookie lives: ten years, like DSM's.
const DEVICE_COOKIE_SECS: i64 = 10 * 365 * 86_400;

/// Opens the `__cIpHeRtExT` blob a client sends over plain HTTP (`SYNO.API.Encryption`: the
/// sign-in's fields, or a new password) into the call's parameters, and gives the blob's
/// receipt ([`LoginKey::forget`](crate::login_crypto::LoginKey::forget)).
///
/// The rule for every method that takes encrypted fields: a blob that does not open, for any
/// reason (malformed, an RSA or AES padding that does not check, a missing, stale or already
/// used cipher token), is answered exactly like a wrong password — the same 400, after the same
/// work (an argon2 verification and the throttle's delay) — and counted by the sign-in throttle
/// like one; an address the throttle blocks gets 407 before anything is decrypted. No answer or
/// timing tells which step failed, so the blob cannot be used as a padding oracle
/// ([`crate::login_crypto`] says how the RSA step keeps that secret even from us).
pub async fn decrypt_params(call: &mut Call) -> ApiResult<Option<Receipt>> {
    let Some(blob) = call.params.raw(CIPHER_KEY).map(str::to_owned) else {
        return Ok(None);
    };
    let state = call.state.clone();
    let ip = call.client_ip;
    if state.throttle.is_blocked(ip) {
        return Err(ApiError::IpBlocked);
    }
    match state
        .login_key
        .open(&state.config.keys_dir(), &blob, now())
        .await
    {
        Ok(opened) => {
            for (k, v) in opened.fields {
                call.params.insert(k, v);
            }
            Ok(Some(opened.receipt))
        }
        Err(OpenError::Key(e)) => Err(anyhow::Error::new(e).into()),
        Err(OpenError::Refused) => {
            // What a wrong password costs: an argon2 verification, then the throttle's delay.
            password::verify("encrypted-fields".into(), None).await;
            let delay = state.throttle.record_failure(ip);
            tracing::warn!(%ip, "failed sign-in: the encrypted fields do not open");
            tokio::time::sleep(delay).await;
            Err(ApiError::WrongCredentials)
        }
    }
}

pub async fn login(mut call: Call) -> ApiResult {
    let state = call.state.clone();
    let ip = call.client_ip;
    if state.throttle.is_blocked(ip) {
        return Err(ApiError::IpBlocked);
    }
    let receipt = decrypt_params(&mut call).await?;
    // Sign-in fields are plain text, never JSON literals (reference §2): a password may well
    // start with a quote.
    let params = &call.params;
    let account = params
        .raw("account")
        .filter(|a| !a.is_empty())
        .ok_or(ApiError::MissingParam("account"))?;
    let passwd = params
        .raw("passwd")
        .ok_or(ApiError::MissingParam("passwd"))?;
    let target = Target::Account(account);
    if state.throttle.is_blocked_for(ip, target) {
        return Err(ApiError::IpBlocked);
    }

    let user = users::by_name(&state.db, account).await?;
    let matched = password::verify(
        passwd.to_owned(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await;
    let user = match user {
        Some(user) if matched => user,
        _ => {
            if let Some(receipt) = receipt {
                // A blob whose password is wrong may be tried again: replaying it gains nothing.
                state.login_key.forget(receipt);
            }
            let delay = state.throttle.record_failure_for(ip, target);
            tracing::warn!(%ip, account, "failed sign-in");
            tokio::time::sleep(delay).await;
            return Err(ApiError::WrongCredentials);
        }
    };
    if !user.enabled {
        return Err(ApiError::AccountDisabled);
    }
    state.throttle.record_success(target);
    state
        .library
        .ensure_personal(&user.name)
        .map_err(|e| anyhow::Error::new(e).context("creating the Personal Space folder"))?;
    state.spaces_changed.notify_one();

    let sid = random_token(32);
    let synotoken = random_token(16);
    let device_id = params
        .raw("device_id")
        .or_else(|| session::cookie(&call.headers, "did"))
        .filter(|d| {
            (8..=128).contains(&d.len())
                && d.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| random_token(24));
    let session_name: String = params
        .raw("session")
        .unwrap_or("")
        .chars()
        .take(64)
        .collect();
    let idle = state.session_idle_secs();
    sessions::create(
        &state.db,
        NewSession {
            sid: &sid,
            user_id: user.id,
            synotoken: &synotoken,
            token_required: params.raw("enable_syno_token") == Some("yes"),
            device_id: &device_id,
            session_name: &session_name,
            client_ip: &ip.to_string(),
            idle_secs: idle,
        },
    )
    .await?;
    tracing::info!(%ip, account = %user.name, session = %session_name, "signed in");
    // `ik_message` is left out on purpose: synology-api only starts its Noise handshake when it
    // is present (reference §1.4).
    Ok(Reply::data(json!({
        "sid": sid,
        "synotoken": synotoken,
        "did": device_id,
        "device_id": device_id,
        "is_portal_port": false,
        "account": user.name,
    }))
    .cookie(session::set_cookie(call.https, "id", &sid, Some(idle)))
    .cookie(session::set_cookie(
        call.https,
        "did",
        &device_id,
        Some(DEVICE_COOKIE_SECS),
    )))
}

/// Ends the presented session, if any. Answers success either way: synology-api signs out
/// without sending its sid.
pub async fn logout(call: Call) -> ApiResult {
    let usage = session::Use::SignOut;
    if let Some(session) = session::find(&call.state, &call.params, &call.headers, usage).await? {
        sessions::delete(&call.state.db, &session.sid_hash).await?;
        tracing::info!(account = %session.user_name, "signed out");
    }
    Ok(Reply::done().cookie(session::set_cookie(call.https, "id", "", Some(0))))
}

/// Hands out the `_SSID` cookie synology-api insists on before it signs in.
pub async fn ui_config(call: Call) -> ApiResult {
    let ssid = &call.state.ssid;
    Ok(Reply::data(json!({})).cookie(session::set_cookie(call.https, "_SSID", ssid, None)))
}
