//! What `backup_check` asks of the index: whether a file a phone describes is already in a
//! space, was deleted there (a tombstone, migration 0013), or is new.

use sqlx::SqlitePool;

/// The answer for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// In the space as this item.
    Exists(i64),
    /// Deleted on the server.
    Deleted,
    New,
}

/// A file as the phone describes it.
#[derive(Debug, Clone)]
pub struct Described {
    pub name: String,
    pub size: i64,
    /// Modification time, unix seconds.
    pub mtime: Option<i64>,
    /// BLAKE3 of the content.
    pub checksum: Option<Vec<u8>>,
}

/// Looks `file` up in space `owner` among the items `visible` lets the caller see (by folder):
/// by content first, then by name and size, then by size and time (a file renamed on the
/// server); then among the space's tombstones the same ways.
pub async fn check(
    db: &SqlitePool,
    owner: i64,
    visible: &(dyn Fn(i64) -> bool + Sync),
    file: &Described,
) -> sqlx::Result<Found> {
    if let Some(sum) = &file.checksum {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, folder_id FROM items WHERE checksum = ? AND owner_id = ?
              ORDER BY live_parent_id IS NOT NULL, id",
        )
        .bind(sum)
        .bind(owner)
        .fetch_all(db)
        .await?;
        if let Some((id, _)) = rows.iter().find(|(_, f)| visible(*f)) {
            return Ok(Found::Exists(*id));
        }
    }
    let rows: Vec<(i64, i64, String, i64)> = sqlx::query_as(
        "SELECT id, folder_id, filename, mtime_ns FROM items INDEXED BY items_by_size
          WHERE size = ? AND owner_id = ? LIMIT 1000",
    )
    .bind(file.size)
    .bind(owner)
    .fetch_all(db)
    .await?;
    let same_time = |mtime_ns: i64| {
        file.mtime
            .is_some_and(|t| (mtime_ns.div_euclid(1_000_000_000) - t).abs() <= 2)
    };
    let by_name = rows
        .iter()
        .find(|(_, f, name, _)| visible(*f) && name.eq_ignore_ascii_case(&file.name));
    let by_time = || {
        rows.iter()
            .find(|(_, f, _, m)| visible(*f) && same_time(*m))
    };
    if let Some((id, ..)) = by_name.or_else(by_time) {
        return Ok(Found::Exists(*id));
    }
    let gone: Option<(i64,)> = match &file.checksum {
        Some(sum) => {
            sqlx::query_as("SELECT 1 FROM tombstones WHERE owner_id = ? AND checksum = ? LIMIT 1")
                .bind(owner)
                .bind(sum)
                .fetch_optional(db)
                .await?
        }
        None => None,
    };
    if gone.is_some() {
        return Ok(Found::Deleted);
    }
    let gone: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM tombstones WHERE owner_id = ? AND size = ? AND filename = ? COLLATE NOCASE
          LIMIT 1",
    )
    .bind(owner)
    .bind(file.size)
    .bind(&file.name)
    .fetch_optional(db)
    .await?;
    Ok(if gone.is_some() {
        Found::Deleted
    } else {
        Found::New
    })
}
