//! Hole 2: the encrypted sign-in was a padding oracle. A doctored RSA part, a doctored AES part,
//! a stale cipher token and a wrong password each got their own answer, none counted by the
//! throttle, and a captured blob signed in again for an hour. Now every failure of the
//! encrypted fields is the wrong-password answer, byte for byte, counted like one, and each
//! blob opens once.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::{NoPadding, Pkcs7};
use cbc::cipher::{BlockModeEncrypt, KeyIvInit};
use md5::{Digest, Md5};
use rsa::Pkcs1v15Encrypt;
use rsa::pkcs1::DecodeRsaPrivateKey;
use serde_json::Value;

use crate::support::{TestApp, error_code, repo_root};

/// The server's public key: the fixture every `TestApp` installs.
fn public_key() -> rsa::PublicKey {
    let pem = std::fs::read_to_string(repo_root().join("tests/fixtures/login-rsa-4096.pem"))
        .expect("fixture key");
    rsa::PrivateKey::from_pkcs1_pem(&pem)
        .expect("fixture key")
        .to_public_key()
}

/// The `server_time` of `SYNO.API.Encryption getinfo`, as synology-api asks it before signing in.
async fn server_time(app: &TestApp) -> i64 {
    let info = app
        .get_at(
            "/webapi/encryption.cgi",
            &[
                ("api", "SYNO.API.Encryption"),
                ("version", "1"),
                ("method", "getinfo"),
            ],
        )
        .await;
    info["data"]["server_time"].as_i64().expect("server_time")
}

/// A random passphrase of synology-api's length (501 characters).
fn passphrase() -> Vec<u8> {
    use rand::RngExt;
    let alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::rng();
    (0..501)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())])
        .collect()
}

/// `openssl enc -aes-256-cbc -md md5`: `Salted__`, the salt, the ciphertext. Without
/// `pkcs7`, `plain` must be whole blocks and is sealed as it is (so its padding can be wrong).
fn seal_aes(passphrase: &[u8], plain: &[u8], pkcs7: bool) -> Vec<u8> {
    let salt = *b"saltsalt";
    let mut material = Vec::new();
    let mut previous = Vec::new();
    while material.len() < 48 {
        let mut h = Md5::new();
        h.update(&previous);
        h.update(passphrase);
        h.update(salt);
        previous = h.finalize().to_vec();
        material.extend_from_slice(&previous);
    }
    let aes = cbc::Encryptor::<aes::Aes256>::new_from_slices(&material[..32], &material[32..48])
        .expect("aes key");
    let sealed = if pkcs7 {
        aes.encrypt_padded_vec::<Pkcs7>(plain)
    } else {
        aes.encrypt_padded_vec::<NoPadding>(plain)
    };
    [b"Salted__".as_slice(), &salt, &sealed].concat()
}

fn seal_rsa(passphrase: &[u8]) -> Vec<u8> {
    public_key()
        .encrypt(&mut rand::rng(), Pkcs1v15Encrypt, passphrase)
        .expect("rsa")
}

fn blob(rsa: &[u8], aes: &[u8]) -> String {
    serde_json::json!({"rsa": STANDARD.encode(rsa), "aes": STANDARD.encode(aes)}).to_string()
}

/// The sign-in fields synology-api encrypts, with `token` as `__cIpHeRtOkEn`.
fn fields(account: &str, password: &str, token: i64) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("account", account)
        .append_pair("passwd", password)
        .append_pair("session", "FileStation")
        .append_pair("format", "sid")
        .append_pair("__cIpHeRtOkEn", &token.to_string())
        .finish()
}

/// A well-formed blob of these fields, as synology-api makes it.
fn good_blob(fields: &str) -> String {
    let pass = passphrase();
    blob(&seal_rsa(&pass), &seal_aes(&pass, fields.as_bytes(), true))
}

/// An answer as the client sees it: status, whether it set a session cookie, the body's bytes.
#[derive(PartialEq)]
struct Answer {
    status: u16,
    session_cookie: bool,
    body: Vec<u8>,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let body = String::from_utf8_lossy(&self.body);
        let cookie = if self.session_cookie { ", sets id" } else { "" };
        write!(f, "HTTP {}{cookie}: {body}", self.status)
    }
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON")
    }
}

/// POSTs a sign-in as synology-api does over plain HTTP: routing in clear, fields in the blob.
async fn sign_in(app: &TestApp, extra: &[(&str, &str)]) -> Answer {
    let mut form = vec![
        ("api", "SYNO.API.Auth"),
        ("version", "7"),
        ("method", "login"),
    ];
    form.extend_from_slice(extra);
    let response = app.post_form("/webapi/auth.cgi", &form).await;
    let status = response.status().as_u16();
    let session_cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|c| c.to_str().is_ok_and(|c| c.starts_with("id=")));
    let body = response.bytes().await.expect("body").to_vec();
    Answer {
        status,
        session_cookie,
        body,
    }
}

async fn sign_in_encrypted(app: &TestApp, blob: &str) -> Answer {
    sign_in(app, &[("__cIpHeRtExT", blob)]).await
}

#[tokio::test]
async fn every_failure_of_the_encrypted_fields_is_a_counted_wrong_password() {
    // Seven failures block the address; none is slowed down (the answers stay comparable).
    let config = "[login_guard]\nmax_failures = 7\nwindow_secs = 600\nblock_secs = 600\nslow_after = 100\nslow_step_ms = 1\n";
    let app = TestApp::spawn_with(config, true).await;
    app.add_user("gina", "pw-gina", false);
    let now = server_time(&app).await;

    let right = fields("gina", "pw-gina", now);
    let pass = passphrase();
    // Bleichenbacher's probe: the RSA part doctored (its last byte changed, still below the
    // modulus), the AES part holding the right password under the real passphrase.
    let mut doctored_rsa = seal_rsa(&pass);
    let last = doctored_rsa.len() - 1;
    doctored_rsa[last] ^= 0x01;
    let bad_rsa = blob(&doctored_rsa, &seal_aes(&pass, right.as_bytes(), true));
    // Vaudenay's probe: the real passphrase, but the AES plaintext ends in a zero byte, which is
    // no PKCS#7 padding.
    let mut unpadded = right.clone().into_bytes();
    unpadded.resize(unpadded.len().div_ceil(16) * 16 + 16, 0);
    let bad_aes = blob(&seal_rsa(&pass), &seal_aes(&pass, &unpadded, false));
    let stale = good_blob(&fields("gina", "pw-gina", now - 7200));
    let short_rsa = blob(&[1, 2, 3], &seal_aes(&pass, right.as_bytes(), true));
    let wrong_password = good_blob(&fields("gina", "guess", now));

    let plain_wrong = sign_in(&app, &[("account", "gina"), ("passwd", "guess")]).await;
    assert_eq!(
        plain_wrong.json()["error"]["code"],
        400,
        "the reference answer"
    );
    assert!(!plain_wrong.session_cookie);
    for (what, blob) in [
        ("a doctored RSA part", bad_rsa.as_str()),
        ("a bad AES padding", bad_aes.as_str()),
        ("a stale cipher token", stale.as_str()),
        ("an RSA part of the wrong length", short_rsa.as_str()),
        ("an encrypted wrong password", wrong_password.as_str()),
    ] {
        assert_eq!(
            sign_in_encrypted(&app, blob).await,
            plain_wrong,
            "{what}: the wrong-password answer, byte for byte"
        );
    }
    // The seventh failure (a malformed blob) blocks the address: all seven were counted.
    assert_eq!(sign_in_encrypted(&app, "not json").await, plain_wrong);
    let blocked = sign_in_encrypted(&app, &good_blob(&right)).await;
    assert_eq!(error_code(&blocked.json()), Some(407), "{blocked:?}");
    assert!(!blocked.session_cookie);
    assert_eq!(
        error_code(
            &sign_in(&app, &[("account", "gina"), ("passwd", "pw-gina")])
                .await
                .json()
        ),
        Some(407)
    );
}

#[tokio::test]
async fn a_captured_encrypted_sign_in_opens_once() {
    let app = TestApp::spawn().await;
    app.add_user("hugo", "pw-hugo", false);
    let reference = sign_in(&app, &[("account", "hugo"), ("passwd", "nope")]).await;

    let now = server_time(&app).await;
    let captured = good_blob(&fields("hugo", "pw-hugo", now));
    let first = sign_in_encrypted(&app, &captured).await;
    assert_eq!(first.json()["success"], true, "{first:?}");
    assert!(first.session_cookie);
    let sid = first.json()["data"]["sid"]
        .as_str()
        .expect("sid")
        .to_owned();

    let replay = sign_in_encrypted(&app, &captured).await;
    assert_eq!(replay, reference, "a replayed blob is a wrong password");
    // Cutting the captured AES part's first block keeps its passphrase: still refused.
    let parsed: Value = serde_json::from_str(&captured).expect("blob");
    let aes = STANDARD
        .decode(parsed["aes"].as_str().expect("aes"))
        .expect("base64");
    let cut = [&aes[..16], &aes[32..]].concat();
    let rsa = STANDARD
        .decode(parsed["rsa"].as_str().expect("rsa"))
        .expect("base64");
    assert_eq!(sign_in_encrypted(&app, &blob(&rsa, &cut)).await, reference);

    // The first sign-in's session still works; a fresh blob still signs in.
    let me = app
        .get(&[
            ("api", "SYNO.Foto.UserInfo"),
            ("version", "1"),
            ("method", "me"),
            ("_sid", &sid),
        ])
        .await;
    assert_eq!(me["data"]["name"], "hugo", "{me}");
    let fresh = good_blob(&fields("hugo", "pw-hugo", server_time(&app).await));
    assert_eq!(
        sign_in_encrypted(&app, &fresh).await.json()["success"],
        true
    );
    // A blob whose password was wrong may be sent again: it is wrong again, nothing more.
    let wrong = good_blob(&fields("hugo", "nope", now));
    assert_eq!(sign_in_encrypted(&app, &wrong).await, reference);
    assert_eq!(sign_in_encrypted(&app, &wrong).await, reference);
}

#[tokio::test]
async fn an_encrypted_new_password_that_does_not_open_changes_nothing() {
    let app = TestApp::spawn().await;
    app.add_user("root", "pw-root", true);
    app.add_user("ivy", "pw-ivy", false);
    let admin = app.login("root", "pw-root").await;
    let pass = passphrase();
    let new_password = format!(
        "name=ivy&password=taken-over&__cIpHeRtOkEn={}",
        server_time(&app).await
    );
    let mut unpadded = new_password.into_bytes();
    unpadded.resize(unpadded.len().div_ceil(16) * 16 + 16, 0);
    let bad_aes = blob(&seal_rsa(&pass), &seal_aes(&pass, &unpadded, false));
    let response = app
        .post_form(
            "/webapi/entry.cgi",
            &[
                ("api", "SYNO.Core.User"),
                ("version", "1"),
                ("method", "set"),
                ("name", "ivy"),
                ("_sid", &admin.sid),
                ("__cIpHeRtExT", &bad_aes),
            ],
        )
        .await;
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(error_code(&body), Some(400), "{body}");
    assert!(app.try_login("ivy", "taken-over", &[]).await.is_err());
    assert!(
        app.try_login("ivy", "pw-ivy", &[]).await.is_ok(),
        "password unchanged"
    );
}
