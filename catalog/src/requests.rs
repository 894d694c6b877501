//! Photo Requests and the record of what came in through each (`photo_requests`,
//! `photo_request_uploads`). The rules (who may create one, when a link takes a file) are the
//! API's (`api::requests`); this module only reads and writes the rows.

use sqlx::SqlitePool;

use super::now;

/// One Photo Request.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Request {
    pub passphrase: String,
    pub user_id: i64,
    pub folder_id: i64,
    pub album_id: Option<i64>,
    pub subject: String,
    pub description: String,
    pub expires_at: Option<i64>,
    pub closed: bool,
    pub max_files: i64,
    pub max_bytes: i64,
    pub created_at: i64,
    pub password_hash: Option<String>,
}

impl Request {
    /// Neither closed nor expired.
    pub fn open(&self) -> bool {
        !self.closed && self.expires_at.is_none_or(|t| t > now())
    }
}

/// What a new request is made of (its passphrase chosen by the caller).
#[derive(Debug)]
pub struct NewRequest<'a> {
    pub passphrase: &'a str,
    pub user_id: i64,
    pub folder_id: i64,
    pub album_id: Option<i64>,
    pub subject: &'a str,
    pub description: &'a str,
    pub expires_at: Option<i64>,
    pub max_files: i64,
    pub max_bytes: i64,
    pub password_hash: Option<String>,
}

/// One file that came in through a request.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Upload {
    pub item_id: Option<i64>,
    pub filename: String,
    pub size: i64,
    pub sender: String,
    pub uploaded_at: i64,
}

pub async fn by_passphrase(db: &SqlitePool, passphrase: &str) -> sqlx::Result<Option<Request>> {
    sqlx::query_as(
        "SELECT passphrase, user_id, folder_id, album_id, subject, description, expires_at,
                closed, max_files, max_bytes, created_at, password_hash
           FROM photo_requests WHERE passphrase = ?",
    )
    .bind(passphrase)
    .fetch_optional(db)
    .await
}

/// A user's requests, newest first.
pub async fn of_user(db: &SqlitePool, user: i64) -> sqlx::Result<Vec<Request>> {
    sqlx::query_as(
        "SELECT passphrase, user_id, folder_id, album_id, subject, description, expires_at,
                closed, max_files, max_bytes, created_at, password_hash
           FROM photo_requests WHERE user_id = ? ORDER BY created_at DESC, rowid DESC",
    )
    .bind(user)
    .fetch_all(db)
    .await
}

pub async fn insert(db: &SqlitePool, r: &NewRequest<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO photo_requests (passphrase, user_id, folder_id, album_id, subject,
                description, expires_at, max_files, max_bytes, created_at, password_hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(r.passphrase)
    .bind(r.user_id)
    .bind(r.folder_id)
    .bind(r.album_id)
    .bind(r.subject)
    .bind(r.description)
    .bind(r.expires_at)
    .bind(r.max_files)
    .bind(r.max_bytes)
    .bind(now())
    .bind(&r.password_hash)
    .execute(db)
    .await?;
    Ok(())
}

/// Writes back what of `r` may change (subject, description, expiry, limits, closed,
/// password).
pub async fn update(db: &SqlitePool, r: &Request) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE photo_requests SET subject = ?, description = ?, expires_at = ?, max_files = ?,
                max_bytes = ?, closed = ?, password_hash = ? WHERE passphrase = ?",
    )
    .bind(&r.subject)
    .bind(&r.description)
    .bind(r.expires_at)
    .bind(r.max_files)
    .bind(r.max_bytes)
    .bind(r.closed)
    .bind(&r.password_hash)
    .bind(&r.passphrase)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn close(db: &SqlitePool, passphrase: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE photo_requests SET closed = 1 WHERE passphrase = ?")
        .bind(passphrase)
        .execute(db)
        .await?;
    Ok(())
}

/// The request and its record of uploads, together (the photos stay).
pub async fn delete(db: &SqlitePool, passphrase: &str) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM photo_request_uploads WHERE passphrase = ?")
        .bind(passphrase)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM photo_requests WHERE passphrase = ?")
        .bind(passphrase)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// What came in through request `passphrase`, oldest first.
pub async fn uploads(db: &SqlitePool, passphrase: &str) -> sqlx::Result<Vec<Upload>> {
    sqlx::query_as(
        "SELECT item_id, filename, size, sender, uploaded_at FROM photo_request_uploads
          WHERE passphrase = ? ORDER BY uploaded_at, rowid",
    )
    .bind(passphrase)
    .fetch_all(db)
    .await
}

/// What request `passphrase` has taken so far: files, and bytes in all.
pub async fn taken(db: &SqlitePool, passphrase: &str) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM photo_request_uploads WHERE passphrase = ?",
    )
    .bind(passphrase)
    .fetch_one(db)
    .await
}

/// Records one file that came in through request `passphrase`.
pub async fn record_upload(
    db: &SqlitePool,
    passphrase: &str,
    item_id: Option<i64>,
    filename: &str,
    size: i64,
    sender: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO photo_request_uploads (passphrase, item_id, filename, size, sender, uploaded_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(passphrase)
    .bind(item_id)
    .bind(filename)
    .bind(size)
    .bind(sender)
    .bind(now())
    .execute(db)
    .await?;
    Ok(())
}
