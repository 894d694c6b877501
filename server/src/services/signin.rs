//! Signing in and out (`SYNO.API.Auth`, reference §2): who may, at what cost, and the session a
//! sign-in opens.
//!
//! A failed attempt counts against the caller's address and the account named
//! ([`crate::throttle`]); a wrong name costs the same time as a wrong password, and a disabled
//! account is only revealed to someone who knows its password.

use std::net::IpAddr;

use crate::login_crypto::Receipt;
use crate::password;
use crate::protocol::error::{ApiError, ApiResult};
use crate::state::{AppState, random_token};
use crate::throttle::Target;
use shoebox_catalog::sessions::{self, NewSession, Session};
use shoebox_catalog::users;

/// A sign-in, as the client asked for it.
pub struct SignIn<'a> {
    pub account: &'a str,
    pub password: &'a str,
    /// The receipt of the encrypted block the fields came in, if they did.
    pub receipt: Option<Receipt>,
    /// The device id the client gave (`device_id`, or its `did` cookie); a new one is made
    /// when it has none, or one that is not 8 to 128 of `[A-Za-z0-9_-]`.
    pub device_id: Option<&'a str>,
    /// The session's name (`session`), kept to 64 characters.
    pub session_name: &'a str,
    /// The client asked for a SynoToken on every write by cookie (`enable_syno_token=yes`).
    pub token_required: bool,
}

/// The session a sign-in opened.
pub struct SignedIn {
    pub sid: String,
    pub synotoken: String,
    pub device_id: String,
    pub account: String,
    /// How long the session lives unused, in seconds.
    pub idle_secs: i64,
}

/// Fails with 407 for an address the throttle blocks: before anything of a sign-in is read.
pub fn refuse_blocked(state: &AppState, ip: IpAddr) -> ApiResult<()> {
    if state.throttle.is_blocked(ip) {
        return Err(ApiError::IpBlocked);
    }
    Ok(())
}

/// Checks the password and opens a session.
pub async fn sign_in(state: &AppState, ip: IpAddr, request: SignIn<'_>) -> ApiResult<SignedIn> {
    let account = request.account;
    let target = Target::Account(account);
    if state.throttle.is_blocked_for(ip, target) {
        return Err(ApiError::IpBlocked);
    }

    let user = users::by_name(&state.db, account).await?;
    let matched = password::verify(
        request.password.to_owned(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await;
    let user = match user {
        Some(user) if matched => user,
        _ => {
            if let Some(receipt) = request.receipt {
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
    let device_id = request
        .device_id
        .filter(|d| {
            (8..=128).contains(&d.len())
                && d.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| random_token(24));
    let session_name: String = request.session_name.chars().take(64).collect();
    let idle = state.session_idle_secs();
    sessions::create(
        &state.db,
        NewSession {
            sid: &sid,
            user_id: user.id,
            synotoken: &synotoken,
            token_required: request.token_required,
            device_id: &device_id,
            session_name: &session_name,
            client_ip: &ip.to_string(),
            idle_secs: idle,
        },
    )
    .await?;
    tracing::info!(%ip, account = %user.name, session = %session_name, "signed in");
    Ok(SignedIn {
        sid,
        synotoken,
        device_id,
        account: user.name,
        idle_secs: idle,
    })
}

/// Ends a session.
pub async fn sign_out(state: &AppState, session: &Session) -> ApiResult<()> {
    sessions::delete(&state.db, &session.sid_hash).await?;
    tracing::info!(account = %session.user_name, "signed out");
    Ok(())
}
