//! User accounts: names, password hashes, admin and enabled flags.

use serde::Serialize;
use sqlx::SqlitePool;

use super::now;

/// A Photos user id, the `owner_user_id` of their items. Ids start at 1; 0 means the Shared
/// Space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, sqlx::Type)]
#[sqlx(transparent)]
pub struct UserId(pub i64);

/// One account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub enabled: bool,
    pub created_at: i64,
}

/// Why an account operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error(
        "{0:?} is not a valid user name: use 1 to 64 letters, digits, '.', '_' or '-', \
         not starting with '.' or '-'"
    )]
    BadName(String),
    #[error("a user named {0:?} already exists")]
    Exists(String),
    #[error("there is no user named {0:?}")]
    NotFound(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Account names become folder names (`homes/<name>/Photos`), so they are kept to a safe,
/// portable set.
pub fn check_name(name: &str) -> Result<(), UserError> {
    let ok = (1..=64).contains(&name.len())
        && !name.starts_with(['.', '-'])
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(UserError::BadName(name.to_owned()))
    }
}

pub async fn create(
    db: &SqlitePool,
    name: &str,
    password_hash: &str,
    is_admin: bool,
) -> Result<User, UserError> {
    check_name(name)?;
    let t = now();
    let result = sqlx::query_as::<_, User>(
        "INSERT INTO users (name, password_hash, is_admin, enabled, created_at, password_changed_at)
         VALUES (?, ?, ?, 1, ?, ?)
         RETURNING id, name, password_hash, is_admin, enabled, created_at",
    )
    .bind(name)
    .bind(password_hash)
    .bind(is_admin)
    .bind(t)
    .bind(t)
    .fetch_one(db)
    .await;
    match result {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(UserError::Exists(name.to_owned()))
        }
        other => Ok(other?),
    }
}

pub async fn by_name(db: &SqlitePool, name: &str) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, password_hash, is_admin, enabled, created_at FROM users WHERE name = ?",
    )
    .bind(name)
    .fetch_optional(db)
    .await
}

pub async fn list(db: &SqlitePool) -> Result<Vec<User>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, password_hash, is_admin, enabled, created_at FROM users ORDER BY id",
    )
    .fetch_all(db)
    .await
}

pub async fn count(db: &SqlitePool) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await?;
    Ok(n)
}

/// Sets a new password hash and ends every session of the user, so a changed password signs
/// out all devices.
pub async fn set_password(
    db: &SqlitePool,
    name: &str,
    password_hash: &str,
) -> Result<(), UserError> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let id: Option<(UserId,)> = sqlx::query_as(
        "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE name = ? RETURNING id",
    )
    .bind(password_hash)
    .bind(now())
    .bind(name)
    .fetch_optional(&mut *tx)
    .await?;
    let (id,) = id.ok_or_else(|| UserError::NotFound(name.to_owned()))?;
    sqlx::query("DELETE FROM sessions WHERE user_id = ?")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Enables or disables an account; disabling also ends its sessions.
pub async fn set_enabled(db: &SqlitePool, name: &str, enabled: bool) -> Result<(), UserError> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let id: Option<(UserId,)> =
        sqlx::query_as("UPDATE users SET enabled = ? WHERE name = ? RETURNING id")
            .bind(enabled)
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
    let (id,) = id.ok_or_else(|| UserError::NotFound(name.to_owned()))?;
    if !enabled {
        sqlx::query("DELETE FROM sessions WHERE user_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_name;

    #[test]
    fn names_are_plain() {
        for good in ["alice", "Bob.Smith", "a_b-c", "x", "u2"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            ".hidden",
            "-x",
            "a/b",
            "..",
            "a b",
            "é",
            &"a".repeat(65),
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
