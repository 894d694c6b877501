//! The encrypted sign-in of `SYNO.API.Encryption` (reference §2): over plain HTTP, clients
//! encrypt the login fields with a random passphrase (AES-256-CBC, OpenSSL `Salted__` format,
//! MD5 key derivation) and the passphrase with our RSA key (PKCS#1 v1.5). The key is 4096 bits
//! because synology-api's 501-byte passphrase does not fit a smaller one. It is made once, in the
//! background at first start, and kept in `DATA/keys/login-rsa.pem`.
//!
//! # No oracle, no replay
//!
//! PKCS#1 v1.5 encryption and CBC padding are both classic oracles: a server that tells (by its
//! answer or its time) whether a doctored blob's padding checked lets an attacker decrypt a
//! captured blob, i.e. read a password, one query at a time (Bleichenbacher; Vaudenay). So:
//!
//! - **One refusal.** [`LoginKey::open`] has one failure, [`OpenError::Refused`], whatever went
//!   wrong: not the JSON `{rsa, aes}`, not base64, an RSA or an AES padding that does not check,
//!   no cipher token, a stale one, a blob already used. The reason is only logged (debug level).
//!   `auth::decrypt_params` turns it into the wrong-password answer and counts it.
//! - **Implicit rejection for RSA.** `rsa::PrivateKey::pkcs1v15_decrypt` (rsa 0.10) implements
//!   draft-irtf-cfrg-rsa-guidance §7.2: the unpadding is constant-time, and a ciphertext whose
//!   padding does not check decrypts to a synthetic passphrase, derived deterministically from
//!   the ciphertext and the private key (`HMAC-SHA256(SHA256(d), ciphertext)` expanded into a
//!   pseudo-random message of a pseudo-random length up to k − 11 = 501 bytes, the length of
//!   synology-api's real passphrases). The server cannot tell the two cases apart either: the synthetic
//!   passphrase goes through the AES step like a real one and fails there (its key is wrong),
//!   so a bad RSA padding costs the same work and ends in the same refusal as a bad AES padding.
//!   Only a ciphertext of the wrong length or not below the modulus is refused at once: that is
//!   public, the attacker knows it before asking. (The crate gives no way to choose the synthetic
//!   length, and adjusting it afterwards would need exactly the branch on padding validity the
//!   construction hides; its length only changes the microseconds MD5 takes over it.)
//! - **Each blob once.** `__cIpHeRtOkEn` echoes the `server_time` of `getinfo`, a time in
//!   seconds: it is the same for every client that asks in the same second, and some clients
//!   compute it (server time plus the seconds since they asked), so it cannot name one sign-in.
//!   What does is the random passphrase each blob is sealed with: a blob that opens is remembered
//!   by the SHA-256 of its passphrase until its token goes stale, and a second blob with that
//!   passphrase is refused. A captured blob (or one made from it by cutting or moving its CBC
//!   blocks, which keeps the passphrase) is good for one sign-in, not for an hour. The memory is
//!   bounded ([`MAX_SPENT`] blobs within the token's hour; past that, encrypted fields are
//!   refused until some expire: refusing is the safe side). A sign-in that fails on its password
//!   hands its blob back ([`LoginKey::forget`]): replaying it gains nothing, and so unknown
//!   callers cannot fill the memory with blobs of their own making.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use aes::Aes256;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, KeyIvInit};
use md5::{Digest, Md5};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use sha2::Sha256;
use tokio::sync::OnceCell;

/// Form field that carries the encrypted blob (the name DSM is believed to use).
pub const CIPHER_KEY: &str = "__cIpHeRtExT";
/// Field inside the blob that must hold the `server_time` we handed out.
pub const CIPHER_TOKEN: &str = "__cIpHeRtOkEn";
/// How far the echoed server time may be from now.
const MAX_TOKEN_AGE_SECS: i64 = 3600;
/// Opened blobs remembered at most (about 60 bytes each) while their tokens are valid.
pub const MAX_SPENT: usize = 100_000;
const KEY_BITS: usize = 4096;
const KEY_FILE: &str = "login-rsa.pem";

/// Why an encrypted login blob was refused. Kept inside this module: the caller only ever
/// learns [`OpenError::Refused`] (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Shape,
    Base64,
    RsaLength,
    Aes,
    Token,
    Spent,
    Full,
}

/// Why [`LoginKey::open`] gave no fields.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The blob does not open, or was used before: one answer for every reason.
    #[error("the encrypted fields do not open")]
    Refused,
    /// The server's own key is missing or damaged (not the client's doing).
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// The fields of a blob that opened, and its mark in the single-use memory.
#[derive(Debug)]
pub struct Opened {
    pub fields: Vec<(String, String)>,
    pub receipt: Receipt,
}

/// A blob's mark in the single-use memory: the SHA-256 of its passphrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Receipt([u8; 32]);

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

/// The server's login key, available once it is loaded or generated, and the memory of the
/// blobs it has opened (each opens once).
#[derive(Clone, Default)]
pub struct LoginKey {
    cell: Arc<OnceCell<Arc<rsa::PrivateKey>>>,
    /// Passphrase digests of opened blobs → the time their token goes stale.
    spent: Arc<Mutex<HashMap<Receipt, i64>>>,
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

    /// Opens the `{"rsa": …, "aes": …}` blob a client sent into the fields it carries, once:
    /// the blob must echo a server time no more than an hour from `now` and must not have
    /// opened before. Every refusal is the same [`OpenError::Refused`] (module documentation).
    pub async fn open(&self, dir: &Path, blob: &str, now: i64) -> Result<Opened, OpenError> {
        let key = self.get(dir).await?;
        let blob = blob.to_owned();
        // A 4096-bit private-key operation: tens of milliseconds of CPU, off the async workers.
        let opened = tokio::task::spawn_blocking(move || open_blob(&key, &blob, now))
            .await
            .map_err(|e| KeyError::Generate(e.to_string()))?
            .and_then(|blob| {
                self.spend(blob.receipt, blob.token + MAX_TOKEN_AGE_SECS, now)?;
                Ok(Opened {
                    fields: blob.fields,
                    receipt: blob.receipt,
                })
            });
        opened.map_err(|why| {
            tracing::debug!(?why, "encrypted fields refused");
            OpenError::Refused
        })
    }

    /// Forgets an opened blob, so that it opens again: for a sign-in that failed on its
    /// password, whose replay gains nothing (module documentation).
    pub fn forget(&self, receipt: Receipt) {
        self.lock_spent().remove(&receipt);
    }

    fn lock_spent(&self) -> std::sync::MutexGuard<'_, HashMap<Receipt, i64>> {
        self.spent
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records `receipt` as used until `stale_at`; refuses one already used, and any when the
    /// memory is full of blobs whose tokens are still valid.
    fn spend(&self, receipt: Receipt, stale_at: i64, now: i64) -> Result<(), Refusal> {
        let mut spent = self.lock_spent();
        if spent.contains_key(&receipt) {
            return Err(Refusal::Spent);
        }
        if spent.len() >= MAX_SPENT {
            spent.retain(|_, stale| *stale >= now);
        }
        if spent.len() >= MAX_SPENT {
            tracing::warn!(
                "{MAX_SPENT} encrypted sign-ins within the hour: refusing more until some expire"
            );
            return Err(Refusal::Full);
        }
        spent.insert(receipt, stale_at);
        Ok(())
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

/// What [`open_blob`] found in a blob.
struct Unsealed {
    fields: Vec<(String, String)>,
    receipt: Receipt,
    /// The cipher token (a server time).
    token: i64,
}

/// Decrypts the `{"rsa": …, "aes": …}` blob into the login fields it carries, checks that it
/// echoes a server time no more than an hour from `now`, and gives the digest of its passphrase
/// and that time. The RSA step never fails on padding (implicit rejection, module documentation).
fn open_blob(key: &rsa::PrivateKey, blob: &str, now: i64) -> Result<Unsealed, Refusal> {
    #[derive(serde::Deserialize)]
    struct Blob {
        rsa: String,
        aes: String,
    }
    let blob: Blob = serde_json::from_str(blob).map_err(|_| Refusal::Shape)?;
    let sealed_pass = STANDARD
        .decode(blob.rsa.trim())
        .map_err(|_| Refusal::Base64)?;
    let sealed_fields = STANDARD
        .decode(blob.aes.trim())
        .map_err(|_| Refusal::Base64)?;
    // Errs only for a ciphertext of the wrong length or not below the modulus (public facts);
    // a bad padding gives the synthetic passphrase.
    let passphrase = key
        .pkcs1v15_decrypt(&sealed_pass)
        .map_err(|_| Refusal::RsaLength)?;
    let receipt = Receipt(Sha256::digest(&passphrase).into());
    let plain = openssl_aes_decrypt(&passphrase, &sealed_fields).ok_or(Refusal::Aes)?;
    let fields: Vec<(String, String)> = form_urlencoded::parse(&plain).into_owned().collect();
    let token = fields
        .iter()
        .find(|(k, _)| k == CIPHER_TOKEN)
        .and_then(|(_, v)| v.parse::<i64>().ok());
    match token {
        // `abs_diff`: a token of i64::MIN must not overflow a subtraction.
        Some(token) if now.abs_diff(token) <= MAX_TOKEN_AGE_SECS.unsigned_abs() => Ok(Unsealed {
            fields,
            receipt,
            token,
        }),
        _ => Err(Refusal::Token),
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
    use cbc::cipher::BlockModeEncrypt;
    use rsa::Pkcs1v15Encrypt;

    const FIXTURE: &str = include_str!("../../tests/fixtures/login-rsa-4096.pem");

    fn fixture_key() -> rsa::PrivateKey {
        rsa::PrivateKey::from_pkcs1_pem(FIXTURE).expect("fixture key")
    }

    /// A blob as synology-api seals it: `fields` under AES with `passphrase`, the passphrase
    /// under RSA (or `rsa` as given).
    fn seal(
        key: &rsa::PrivateKey,
        passphrase: &[u8],
        rsa: Option<Vec<u8>>,
        fields: &str,
    ) -> String {
        let rsa = rsa.unwrap_or_else(|| {
            key.to_public_key()
                .encrypt(&mut rand::rng(), Pkcs1v15Encrypt, passphrase)
                .expect("rsa")
        });
        let salt = [7u8; 8];
        let (k, iv) = evp_bytes_to_key(passphrase, &salt);
        let sealed = cbc::Encryptor::<Aes256>::new_from_slices(&k, &iv)
            .expect("aes")
            .encrypt_padded_vec::<Pkcs7>(fields.as_bytes());
        let mut aes = b"Salted__".to_vec();
        aes.extend_from_slice(&salt);
        aes.extend_from_slice(&sealed);
        serde_json::json!({"rsa": STANDARD.encode(rsa), "aes": STANDARD.encode(aes)}).to_string()
    }

    fn key_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join(KEY_FILE), FIXTURE).expect("key");
        dir
    }

    #[test]
    fn a_bad_rsa_padding_goes_on_with_a_synthetic_passphrase() {
        let key = fixture_key();
        let k = key.size();
        // c = 0 and c = 1 decrypt to blocks that are not PKCS#1 v1.5 type 2.
        for c in [vec![0u8; k], {
            let mut one = vec![0u8; k];
            one[k - 1] = 1;
            one
        }] {
            let first = key.pkcs1v15_decrypt(&c).expect("implicit rejection");
            let again = key.pkcs1v15_decrypt(&c).expect("implicit rejection");
            assert_eq!(first, again, "deterministic");
            assert!(first.len() <= k - 11);
            let blob = seal(&key, b"whatever", Some(c), "__cIpHeRtOkEn=100");
            assert_eq!(
                open_blob(&key, &blob, 100).map(|_| ()),
                Err(Refusal::Aes),
                "refused where a wrong passphrase is"
            );
        }
        let short = seal(&key, b"x", Some(vec![1, 2, 3]), "__cIpHeRtOkEn=100");
        assert_eq!(
            open_blob(&key, &short, 100).map(|_| ()),
            Err(Refusal::RsaLength)
        );
    }

    #[tokio::test]
    async fn every_refusal_is_one_error_and_each_blob_opens_once() {
        let key = fixture_key();
        let dir = key_dir();
        let login = LoginKey::default();
        let now = 1_800_000_000;
        let fields = format!("account=a&passwd=b&{CIPHER_TOKEN}={now}");
        let good = seal(&key, b"pass-1", None, &fields);
        let opened = login.open(dir.path(), &good, now).await.expect("opens");
        assert!(opened.fields.contains(&("passwd".into(), "b".into())));
        assert!(matches!(
            login.open(dir.path(), &good, now + 1).await,
            Err(OpenError::Refused)
        ));
        // The same passphrase with other AES bytes is the same blob.
        let again = seal(&key, b"pass-1", None, &format!("{fields}&x=1"));
        assert!(matches!(
            login.open(dir.path(), &again, now).await,
            Err(OpenError::Refused)
        ));
        login.forget(opened.receipt);
        assert!(
            login.open(dir.path(), &good, now).await.is_ok(),
            "forgotten"
        );

        let stale = seal(
            &key,
            b"pass-2",
            None,
            &format!("{CIPHER_TOKEN}={}", now - 3601),
        );
        let no_token = seal(&key, b"pass-3", None, "account=a");
        let far = seal(
            &key,
            b"pass-4",
            None,
            &format!("{CIPHER_TOKEN}={}", i64::MIN),
        );
        for blob in [
            stale.as_str(),
            no_token.as_str(),
            far.as_str(),
            "[]",
            r#"{"rsa":"!","aes":"!"}"#,
        ] {
            assert!(matches!(
                login.open(dir.path(), blob, now).await,
                Err(OpenError::Refused)
            ));
        }
    }

    #[test]
    fn the_memory_of_spent_blobs_is_bounded() {
        let login = LoginKey::default();
        for i in 0..MAX_SPENT {
            let mut r = [0u8; 32];
            r[..8].copy_from_slice(&(i as u64).to_le_bytes());
            login.spend(Receipt(r), 10, 0).expect("room");
        }
        let next = Receipt([0xff; 32]);
        assert_eq!(
            login.spend(next, 20, 5),
            Err(Refusal::Full),
            "full of valid tokens"
        );
        assert_eq!(login.spend(next, 20, 11), Ok(()), "stale ones make room");
        assert_eq!(login.lock_spent().len(), 1);
    }

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
