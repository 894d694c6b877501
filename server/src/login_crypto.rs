//! The encrypted sign-in of `SYNO.API.Encryption` (reference §2): over plain HTTP, clients
//! encrypt the login fields with a random passphrase (AES-256-CBC, OpenSSL `Salted__` format,
//! MD5 key derivation) and the passphrase with our RSA key (PKCS#1 v1.5). The key is 4096 bits
//! because synology-api's 501-byte passphrase does not fit a smaller one. It is made once, in the
//! background at first start, and kept in `DATA/keys/login-rsa.pem`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aes::Aes256;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, KeyIvInit};
use md5::{Digest, Md5};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use tokio::sync::OnceCell;

/// Form field that carries the encrypted blob (the name DSM is believed to use).
pub const CIPHER_KEY: &str = "__cIpHeRtExT";
/// Field inside the blob that must hold the `server_time` we handed out.
pub const CIPHER_TOKEN: &str = "__cIpHeRtOkEn";
/// How far the echoed server time may be from now.
const MAX_TOKEN_AGE_SECS: i64 = 3600;
const KEY_BITS: usize = 4096;
const KEY_FILE: &str = "login-rsa.pem";

/// Why an encrypted login blob was refused.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("the encrypted login field is not the expected JSON {{rsa, aes}}")]
    Shape,
    #[error("the encrypted login field is not valid base64")]
    Base64,
    #[error("the passphrase does not decrypt with our key")]
    Rsa,
    #[error("the login fields do not decrypt")]
    Aes,
    #[error("the encrypted login carries no valid or recent {CIPHER_TOKEN}")]
    Token,
}

/// Why the key could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or write the login key {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the login key {path} is damaged: {message}; delete it to make a new one")]
    Damaged { path: PathBuf, message: String },
    #[error("cannot make the login key: {0}")]
    Generate(String),
}

/// The server's login key, available once it is loaded or generated.
#[derive(Clone, Default)]
pub struct LoginKey {
    cell: Arc<OnceCell<Arc<rsa::PrivateKey>>>,
}

impl LoginKey {
    /// Loads the key from `dir`, making and saving a new one if there is none. Runs the
    /// expensive part on the blocking pool; concurrent callers share one result.
    pub async fn get(&self, dir: &Path) -> Result<Arc<rsa::PrivateKey>, KeyError> {
        let dir = dir.to_path_buf();
        self.cell
            .get_or_try_init(|| async move {
                tokio::task::spawn_blocking(move || load_or_create(&dir))
                    .await
                    .map_err(|e| KeyError::Generate(e.to_string()))?
                    .map(Arc::new)
            })
            .await
            .cloned()
    }
}

fn load_or_create(dir: &Path) -> Result<rsa::PrivateKey, KeyError> {
    let path = dir.join(KEY_FILE);
    let io = |source| KeyError::Io {
        path: path.clone(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(pem) => {
            return rsa::PrivateKey::from_pkcs1_pem(&pem).map_err(|e| KeyError::Damaged {
                path: path.clone(),
                message: e.to_string(),
            });
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
        Err(_) => {}
    }
    tracing::info!("making the {KEY_BITS}-bit sign-in key (once, takes a few seconds)");
    let key = rsa::PrivateKey::new(&mut rand::rng(), KEY_BITS)
        .map_err(|e| KeyError::Generate(e.to_string()))?;
    let pem = key
        .to_pkcs1_pem(LineEnding::LF)
        .map_err(|e| KeyError::Generate(e.to_string()))?;
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    std::io::Write::write_all(&mut tmp, pem.as_bytes()).map_err(io)?;
    tmp.persist(&path).map_err(|e| io(e.error))?;
    Ok(key)
}

/// The public modulus as hex, as `getinfo` hands it out.
pub fn public_modulus_hex(key: &rsa::PrivateKey) -> String {
    hex::encode(key.n_bytes())
}

/// Decrypts the `{"rsa": …, "aes": …}` blob into the login fields it carries, and checks that
/// it echoes a server time no more than an hour from `now`.
pub fn open_blob(
    key: &rsa::PrivateKey,
    blob: &str,
    now: i64,
) -> Result<Vec<(String, String)>, BlobError> {
    #[derive(serde::Deserialize)]
    struct Blob {
        rsa: String,
        aes: String,
    }
    let blob: Blob = serde_json::from_str(blob).map_err(|_| BlobError::Shape)?;
    let sealed_pass = STANDARD
        .decode(blob.rsa.trim())
        .map_err(|_| BlobError::Base64)?;
    let sealed_fields = STANDARD
        .decode(blob.aes.trim())
        .map_err(|_| BlobError::Base64)?;
    let passphrase = key
        .pkcs1v15_decrypt(&sealed_pass)
        .map_err(|_| BlobError::Rsa)?;
    let plain = openssl_aes_decrypt(&passphrase, &sealed_fields).ok_or(BlobError::Aes)?;
    let fields: Vec<(String, String)> = form_urlencoded::parse(&plain).into_owned().collect();
    let token = fields
        .iter()
        .find(|(k, _)| k == CIPHER_TOKEN)
        .and_then(|(_, v)| v.parse::<i64>().ok());
    match token {
        Some(t) if (now - t).abs() <= MAX_TOKEN_AGE_SECS => Ok(fields),
        _ => Err(BlobError::Token),
    }
}

/// `openssl enc -aes-256-cbc -md md5` decryption: `Salted__`, 8 bytes of salt, ciphertext.
fn openssl_aes_decrypt(passphrase: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    let rest = sealed.strip_prefix(b"Salted__")?;
    if rest.len() < 8 + 16 {
        return None;
    }
    let (salt, ciphertext) = rest.split_at(8);
    let (key, iv) = evp_bytes_to_key(passphrase, salt);
    cbc::Decryptor::<Aes256>::new_from_slices(&key, &iv)
        .ok()?
        .decrypt_padded_vec::<Pkcs7>(ciphertext)
        .ok()
}

/// OpenSSL's EVP_BytesToKey with MD5 and one round: 32 bytes of key, 16 of IV.
fn evp_bytes_to_key(passphrase: &[u8], salt: &[u8]) -> ([u8; 32], [u8; 16]) {
    let mut material = Vec::with_capacity(48);
    let mut previous: Vec<u8> = Vec::new();
    while material.len() < 48 {
        let mut h = Md5::new();
        h.update(&previous);
        h.update(passphrase);
        h.update(salt);
        previous = h.finalize().to_vec();
        material.extend_from_slice(&previous);
    }
    let mut key = [0u8; 32];
    let mut iv = [0u8; 16];
    key.copy_from_slice(&material[..32]);
    iv.copy_from_slice(&material[32..48]);
    (key, iv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evp_matches_openssl() {
        // `openssl enc -aes-256-cbc -md md5 -S 0102030405060708 -k secret -P`
        let (key, iv) = evp_bytes_to_key(b"secret", &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(
            hex::encode_upper(key),
            "C9E5A1BD216DBE1317E230CEF48F38EE7F0E17AD64022144BCCEC4A1AA2879AB"
        );
        assert_eq!(hex::encode_upper(iv), "E24B32BBBC4EF02ECBCB6576523AD893");
    }
}
