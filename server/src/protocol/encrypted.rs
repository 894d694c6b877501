//! The encrypted parameter block (`SYNO.API.Encryption`, reference §2): a client on plain HTTP
//! sends the sign-in's fields, or a new password, inside one `__cIpHeRtExT` blob; this opens it
//! into the call's parameters. It names no API: any method that takes encrypted fields calls it.

use super::call::Call;
use super::error::{ApiError, ApiResult};
use crate::login_crypto::{CIPHER_KEY, OpenError, Receipt};
use crate::password;
use shoebox_catalog::now;

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
