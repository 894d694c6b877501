//! The change feed behind `Browse.Diff` (migrations/0006_changes.sql): per space, the latest
//! change of every item and folder, in version order.

use sqlx::SqlitePool;

/// One entry of the feed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Change {
    pub version: i64,
    pub kind: String,
    pub entry_id: i64,
    pub folder_id: Option<i64>,
    pub prev_folder_id: Option<i64>,
    pub removed: bool,
    pub time: i64,
}

/// The newest version of a space and when it was made; `(0, 0)` for a space with no history.
pub async fn latest(db: &SqlitePool, owner: i64) -> sqlx::Result<(i64, i64)> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT version, time FROM changes WHERE owner_id = ? ORDER BY version DESC LIMIT 1",
    )
    .bind(owner)
    .fetch_optional(db)
    .await?;
    Ok(row.unwrap_or((0, 0)))
}

/// Up to `limit` changes of a space after `since`, oldest first.
pub async fn since(
    db: &SqlitePool,
    owner: i64,
    since: i64,
    limit: i64,
) -> sqlx::Result<Vec<Change>> {
    sqlx::query_as(
        "SELECT version, kind, entry_id, folder_id, prev_folder_id, removed, time FROM changes
          WHERE owner_id = ? AND version > ? ORDER BY version LIMIT ?",
    )
    .bind(owner)
    .bind(since)
    .bind(limit)
    .fetch_all(db)
    .await
}
