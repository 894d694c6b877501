//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes). Hashing takes tens of
//! milliseconds of CPU, so it runs on the blocking pool, never on the async workers.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

/// Longest password accepted; longer input is refused before any hashing work.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A PHC string that no password matches, verified against when the account does not exist so
/// that a wrong name costs the same time as a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2hvZWJveGR1bW15c2FsdA$\
                          3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the password is empty")]
    Empty,
    #[error("the password is longer than {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

fn check(password: &str) -> Result<(), PasswordError> {
    match password.len() {
        0 => Err(PasswordError::Empty),
        n if n > MAX_PASSWORD_BYTES => Err(PasswordError::TooLong),
        _ => Ok(()),
    }
}

/// Hashes a new password into a PHC string.
pub async fn hash(password: String) -> Result<String, PasswordError> {
    check(&password)?;
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| PasswordError::Hash(e.to_string()))
    })
    .await
    .map_err(|e| PasswordError::Hash(e.to_string()))?
}

/// Checks `password` against a stored hash, or against nothing (always false, same cost) when
/// `stored` is `None`.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    if check(&password).is_err() {
        return false;
    }
    let real = stored.is_some();
    let hash = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
    let matched = tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false);
    real && matched
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let h = hash("correct horse".into()).await.expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(!h.contains("correct horse"));
        assert!(verify("correct horse".into(), Some(h.clone())).await);
        assert!(!verify("wrong".into(), Some(h)).await);
        assert!(!verify("anything".into(), None).await);
    }

    #[tokio::test]
    async fn refuses_empty_and_huge() {
        assert!(matches!(
            hash(String::new()).await,
            Err(PasswordError::Empty)
        ));
        assert!(matches!(
            hash("x".repeat(2000)).await,
            Err(PasswordError::TooLong)
        ));
    }
}
