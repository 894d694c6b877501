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

/// Creates the first account, an administrator, only while there is no account at all. The
/// check and the insert are one statement, so of two racing calls at most one creates a user;
/// `Ok(None)` means an account already exists.
pub async fn create_first_admin(
    db: &SqlitePool,
    name: &str,
    password_hash: &str,
) -> Result<Option<User>, UserError> {
    check_name(name)?;
    let t = now();
    let user = sqlx::query_as::<_, User>(
        "INSERT INTO users (name, password_hash, is_admin, enabled, created_at, password_changed_at)
         SELECT ?, ?, 1, 1, ?, ? WHERE NOT EXISTS (SELECT 1 FROM users)
         RETURNING id, name, password_hash, is_admin, enabled, created_at",
    )
    .bind(name)
    .bind(password_hash)
    .bind(t)
    .bind(t)
    .fetch_optional(db)
    .await?;
    Ok(user)
}

pub async fn by_name(db: &SqlitePool, name: &str) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, password_hash, is_admin, enabled, created_at FROM users WHERE name = ?",
    )
    .bind(name)
    .fetch_optional(db)
    .await
}

pub async fn by_id(db: &SqlitePool, id: i64) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, password_hash, is_admin, enabled, created_at FROM users WHERE id = ?",
    )
    .bind(id)
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

/// Sets (or with `None` removes) the quota of `name`'s Personal Space, in bytes.
pub async fn set_quota(db: &SqlitePool, name: &str, bytes: Option<i64>) -> Result<(), UserError> {
    let done = sqlx::query("UPDATE users SET quota_bytes = ? WHERE name = ?")
        .bind(bytes)
        .bind(name)
        .execute(db)
        .await?;
    if done.rows_affected() == 0 {
        return Err(UserError::NotFound(name.to_owned()));
    }
    Ok(())
}

/// A Personal Space's quota and what it holds now (the indexed files' bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: Option<i64>,
    pub used: i64,
}

/// `user`'s quota and use; `used` is only summed when there is a limit.
pub async fn quota(db: &SqlitePool, user: i64) -> Result<Quota, sqlx::Error> {
    let (limit,): (Option<i64>,) = sqlx::query_as("SELECT quota_bytes FROM users WHERE id = ?")
        .bind(user)
        .fetch_optional(db)
        .await?
        .unwrap_or((None,));
    let used = match limit {
        Some(_) => {
            let (used,): (i64,) =
                sqlx::query_as("SELECT COALESCE(SUM(size), 0) FROM items WHERE owner_id = ?")
                    .bind(user)
                    .fetch_one(db)
                    .await?;
            used
        }
        None => 0,
    };
    Ok(Quota { limit, used })
}

/// A size as an admin writes it: `500M`, `20G`, `1.5T`, `1048576` (bytes); K, M, G, T are
/// powers of 1024, with or without a trailing `B` or `iB`.
pub fn parse_size(text: &str) -> Option<i64> {
    let t = text.trim();
    let upper = t.to_ascii_uppercase();
    let unit_start = upper
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(upper.len());
    let (number, unit) = upper.split_at(unit_start);
    let unit = unit.trim();
    let unit = unit
        .strip_suffix("IB")
        .or_else(|| unit.strip_suffix('B'))
        .unwrap_or(unit);
    let scale: f64 = match unit {
        "" => 1.0,
        "K" => 1024.0,
        "M" => 1024.0 * 1024.0,
        "G" => 1024.0 * 1024.0 * 1024.0,
        "T" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let n: f64 = number.parse().ok()?;
    let bytes = (n * scale).round();
    (n.is_finite() && (0.0..9.0e18).contains(&bytes)).then_some(bytes as i64)
}

#[cfg(test)]
mod tests {
    use super::check_name;

    #[test]
    fn sizes_parse() {
        use super::parse_size;
        assert_eq!(parse_size("1048576"), Some(1 << 20));
        assert_eq!(parse_size("500M"), Some(500 << 20));
        assert_eq!(parse_size("20 GB"), Some(20 << 30));
        assert_eq!(parse_size("1.5TiB"), Some(3 << 39));
        assert_eq!(parse_size("2k"), Some(2048));
        for bad in ["", "M", "-1G", "1X", "1e30", "nan", "1.2.3G"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }

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
