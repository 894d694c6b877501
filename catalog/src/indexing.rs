//! What the indexer's handle reads and writes beside the files and the job queue: the spaces to
//! index (users), an upload's item, the recognition state of the last start, and the counts of
//! `shoebox index`'s summary.

use std::collections::HashMap;

use sqlx::{SqliteConnection, SqlitePool};

/// An enabled user, whose Personal Space is indexed when it exists.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SpaceUser {
    pub id: i64,
    pub name: String,
}

/// Every enabled user, by id.
pub async fn enabled_users(db: &SqlitePool) -> sqlx::Result<Vec<SpaceUser>> {
    sqlx::query_as("SELECT id, name FROM users WHERE enabled = 1 ORDER BY id")
        .fetch_all(db)
        .await
}

/// The name of user `id`.
pub async fn user_name(db: &SqlitePool, id: i64) -> sqlx::Result<Option<String>> {
    let name: Option<(String,)> = sqlx::query_as("SELECT name FROM users WHERE id = ?")
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(name.map(|(n,)| n))
}

/// Every user's name, by id.
pub async fn user_names(db: &SqlitePool) -> sqlx::Result<HashMap<i64, String>> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM users")
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The item of file `name` in folder `folder_id`, if indexed.
pub async fn item_in_folder(
    conn: &mut SqliteConnection,
    folder_id: i64,
    name: &str,
) -> sqlx::Result<Option<i64>> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM items WHERE folder_id = ? AND filename = ?")
            .bind(folder_id)
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.map(|(id,)| id))
}

/// The item of file `name` in folder `folder` ('/' or '/a/b') of space `owner`, if indexed.
pub async fn item_at(
    db: &SqlitePool,
    owner: i64,
    folder: &str,
    name: &str,
) -> sqlx::Result<Option<i64>> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT i.id FROM items i JOIN folders f ON f.id = i.folder_id
          WHERE f.owner_id = ? AND f.path = ? AND i.filename = ?",
    )
    .bind(owner)
    .bind(folder)
    .bind(name)
    .fetch_optional(db)
    .await?;
    Ok(found.map(|(id,)| id))
}

/// Records the BLAKE3 of an item's file as an upload received it (the index job then need not
/// hash the file again).
pub async fn set_known_checksum(
    conn: &mut SqliteConnection,
    id: i64,
    checksum: &[u8; 32],
) -> sqlx::Result<()> {
    sqlx::query("UPDATE items SET known_checksum = ? WHERE id = ?")
        .bind(&checksum[..])
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Which kinds of recognition were ready at the last start ("10": faces, not subjects).
pub async fn recognition_ready(db: &SqlitePool) -> sqlx::Result<Option<String>> {
    let before: Option<(String,)> =
        sqlx::query_as("SELECT value FROM settings WHERE key = 'recognition_ready'")
            .fetch_optional(db)
            .await?;
    Ok(before.map(|(b,)| b))
}

pub async fn set_recognition_ready(db: &SqlitePool, ready: &str) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ('recognition_ready', ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(ready)
    .execute(db)
    .await?;
    Ok(())
}

/// Counts of the whole index.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Counts {
    /// Media files in the index.
    pub files: i64,
    /// What users see, broken files left out: a Live Photo pair counts once.
    pub items: i64,
    pub photos: i64,
    pub videos: i64,
    pub live: i64,
    pub motion: i64,
    pub panoramas: i64,
    /// Video previews made.
    pub previews: i64,
}

pub async fn counts(db: &SqlitePool) -> sqlx::Result<Counts> {
    let (files, items, photos, videos, live, motion, panoramas): (
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
    ) = sqlx::query_as(
        "SELECT COUNT(*),
                COALESCE(SUM(ok AND live_parent_id IS NULL), 0),
                COALESCE(SUM(ok AND live_parent_id IS NULL AND type = 'photo'), 0),
                COALESCE(SUM(ok AND live_parent_id IS NULL AND type = 'video'), 0),
                COALESCE(SUM(ok AND live_parent_id IS NULL AND type = 'live'), 0),
                COALESCE(SUM(ok AND motion_offset IS NOT NULL), 0),
                COALESCE(SUM(ok AND is_pano), 0)
           FROM (SELECT *, metadata_status != 'broken' AND thumb_status != 'broken' AS ok FROM items)",
    )
    .fetch_one(db)
    .await?;
    let (previews,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM items WHERE preview_status = 'ready'")
            .fetch_one(db)
            .await?;
    Ok(Counts {
        files,
        items,
        photos,
        videos,
        live,
        motion,
        panoramas,
        previews,
    })
}

/// A file with a problem, and what it is.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileProblem {
    pub owner_id: i64,
    /// '/' or '/a/b'.
    pub folder: String,
    pub filename: String,
    pub reason: String,
}

/// Broken files (their metadata or thumbnails), by space, folder and name.
pub async fn broken_files(db: &SqlitePool) -> sqlx::Result<Vec<FileProblem>> {
    sqlx::query_as(
        "SELECT i.owner_id, f.path AS folder, i.filename, COALESCE(i.error, '') AS reason
           FROM items i JOIN folders f ON f.id = i.folder_id
          WHERE i.metadata_status = 'broken' OR i.thumb_status = 'broken'
          ORDER BY i.owner_id, f.path, i.filename",
    )
    .fetch_all(db)
    .await
}

/// Videos whose preview could not be made, by space, folder and name.
pub async fn preview_failures(db: &SqlitePool) -> sqlx::Result<Vec<FileProblem>> {
    sqlx::query_as(
        "SELECT i.owner_id, f.path AS folder, i.filename, COALESCE(i.preview_error, '') AS reason
           FROM items i JOIN folders f ON f.id = i.folder_id
          WHERE i.preview_status = 'broken'
          ORDER BY i.owner_id, f.path, i.filename",
    )
    .fetch_all(db)
    .await
}
