//! `SYNO.API.Encryption getinfo`: the public key clients encrypt their sign-in with.

use serde::Serialize;

use super::Call;
use super::error::ApiResult;
use super::reply::Reply;
use crate::login_crypto::{CIPHER_KEY, CIPHER_TOKEN, public_modulus_hex};

/// What a client needs to encrypt its fields (reference §2).
#[derive(Serialize)]
struct EncryptionInfo {
    public_key: String,
    cipherkey: &'static str,
    ciphertoken: &'static str,
    server_time: i64,
}

pub async fn getinfo(call: Call) -> ApiResult {
    let key = call
        .state
        .login_key
        .get(&call.state.config.keys_dir())
        .await
        .map_err(anyhow::Error::new)?;
    Ok(Reply::data(EncryptionInfo {
        public_key: public_modulus_hex(&key),
        cipherkey: CIPHER_KEY,
        ciphertoken: CIPHER_TOKEN,
        server_time: shoebox_catalog::now(),
    }))
}
