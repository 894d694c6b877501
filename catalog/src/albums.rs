//! Albums (migrations/0011_albums.sql): a user's manual and conditional albums. Which of an
//! album's items the caller sees is decided by the item queries (store/library.rs,
//! `ItemFilter::album`), never here.

use serde_json::Value;
use sqlx::SqlitePool;

use super::now;

/// The most items one album holds (a guard against runaway clients, far above real albums).
pub const MAX_ALBUM_ITEMS: i64 = 100_000;

/// The most albums one user has.
pub const MAX_ALBUMS: i64 = 10_000;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AlbumRow {
    pub id: i64,
    pub owner_id: i64,
    pub name: String,
    pub r#type: String,
    pub condition: Option<String>,
    pub cover_item_id: Option<i64>,
    pub sort_by: String,
    pub sort_direction: String,
    pub create_time: i64,
    pub version: i64,
}

impl AlbumRow {
    pub fn is_condition(&self) -> bool {
        self.r#type == "condition"
    }

    /// The stored condition (an object, or a list of objects any of which may match).
    pub fn condition(&self) -> Value {
        self.condition
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or(Value::Null)
    }
}

const ALBUM_COLUMNS: &str = "id, owner_id, name, type, condition, cover_item_id, sort_by, \
                             sort_direction, create_time, version";

/// Orders of `Browse.Album list` (`sort_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlbumSort {
    Name,
    Type,
    CreateTime,
    /// The time the album's newest item was taken is what clients show; Synology sorts by the
    /// album's start time. Manual albums without items sort as if taken when made.
    StartTime,
}

impl AlbumSort {
    pub fn parse(s: &str) -> Option<AlbumSort> {
        Some(match s {
            "album_name" | "name" => AlbumSort::Name,
            "album_type" | "type" => AlbumSort::Type,
            "create_time" | "default" => AlbumSort::CreateTime,
            "start_time" | "end_time" => AlbumSort::StartTime,
            // Shared albums are not put first: the sharing state sorts as the creation time.
            "share_status" => AlbumSort::CreateTime,
            _ => return None,
        })
    }
}

/// How many albums the user has; of one type (`normal`, `condition`) if given.
pub async fn count(db: &SqlitePool, owner: i64, kind: Option<&str>) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM albums WHERE owner_id = ?1 AND (?2 IS NULL OR type = ?2)",
    )
    .bind(owner)
    .bind(kind)
    .fetch_one(db)
    .await?;
    Ok(n)
}

/// A page of the user's albums, of one type if given. Start-time order reads each manual
/// album's oldest item.
pub async fn list(
    db: &SqlitePool,
    owner: i64,
    kind: Option<&str>,
    sort: AlbumSort,
    desc: bool,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<AlbumRow>> {
    let key = match sort {
        AlbumSort::Name => "name COLLATE NOCASE",
        AlbumSort::Type => "type",
        AlbumSort::CreateTime => "create_time",
        AlbumSort::StartTime => {
            "COALESCE((SELECT MIN(i.taken_time) FROM album_items ai JOIN items i ON i.id = ai.item_id
                        WHERE ai.album_id = albums.id), create_time)"
        }
    };
    let dir = if desc { "DESC" } else { "ASC" };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ALBUM_COLUMNS} FROM albums WHERE owner_id = ?1 AND (?2 IS NULL OR type = ?2)
          ORDER BY {key} {dir}, id {dir} LIMIT ?3 OFFSET ?4"
    )))
    .bind(owner)
    .bind(kind)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await
}

/// The user's albums among `ids`, in the order asked; ids of other users' albums are left out.
pub async fn by_ids(db: &SqlitePool, owner: i64, ids: &[i64]) -> sqlx::Result<Vec<AlbumRow>> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut rows: Vec<AlbumRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ALBUM_COLUMNS} FROM albums
          WHERE owner_id = ? AND id IN (SELECT value FROM json_each(?))"
    )))
    .bind(owner)
    .bind(list)
    .fetch_all(db)
    .await?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    Ok(rows)
}

pub async fn get(db: &SqlitePool, owner: i64, id: i64) -> sqlx::Result<Option<AlbumRow>> {
    Ok(by_ids(db, owner, &[id]).await?.pop())
}

/// Makes an album; `condition` for a conditional one. Fails (None) past [`MAX_ALBUMS`].
pub async fn create(
    db: &SqlitePool,
    owner: i64,
    name: &str,
    condition: Option<&Value>,
) -> sqlx::Result<Option<i64>> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM albums WHERE owner_id = ?")
        .bind(owner)
        .fetch_one(&mut *tx)
        .await?;
    if n >= MAX_ALBUMS {
        return Ok(None);
    }
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO albums (owner_id, name, type, condition, create_time)
         VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(owner)
    .bind(name)
    .bind(if condition.is_some() {
        "condition"
    } else {
        "normal"
    })
    .bind(condition.map(Value::to_string))
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(id))
}

pub async fn rename(db: &SqlitePool, id: i64, name: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE albums SET name = ?, version = version + 1 WHERE id = ?")
        .bind(name)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_condition(db: &SqlitePool, id: i64, condition: &Value) -> sqlx::Result<()> {
    sqlx::query("UPDATE albums SET condition = ?, version = version + 1 WHERE id = ?")
        .bind(condition.to_string())
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_cover(db: &SqlitePool, id: i64, item: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE albums SET cover_item_id = ?, version = version + 1 WHERE id = ?")
        .bind(item)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_sort(db: &SqlitePool, id: i64, by: &str, direction: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE albums SET sort_by = ?, sort_direction = ?, version = version + 1 WHERE id = ?",
    )
    .bind(by)
    .bind(direction)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes albums (never their items).
pub async fn delete(db: &SqlitePool, ids: &[i64]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM albums WHERE id IN (SELECT value FROM json_each(?))")
        .bind(serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()))
        .execute(db)
        .await?;
    Ok(())
}

/// Adds items at the end of a manual album; items already in it stay where they are. Returns
/// false (and adds nothing) when the album would pass [`MAX_ALBUM_ITEMS`].
pub async fn add_items(db: &SqlitePool, id: i64, items: &[i64]) -> sqlx::Result<bool> {
    add_items_by(db, id, items, None).await
}

/// [`add_items`] by a member of the album's share link (`by`), not its owner: a link's end
/// takes these out again.
pub async fn add_items_by(
    db: &SqlitePool,
    id: i64,
    items: &[i64],
    by: Option<i64>,
) -> sqlx::Result<bool> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let (count, last): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(MAX(position), 0) FROM album_items WHERE album_id = ?",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    if count + i64::try_from(items.len()).unwrap_or(i64::MAX) > MAX_ALBUM_ITEMS {
        return Ok(false);
    }
    let t = now();
    for (n, item) in items.iter().enumerate() {
        sqlx::query(
            "INSERT INTO album_items (album_id, item_id, added_at, position, added_by)
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (album_id, item_id) DO NOTHING",
        )
        .bind(id)
        .bind(item)
        .bind(t)
        .bind(last + 1 + i64::try_from(n).unwrap_or(0))
        .bind(by)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("UPDATE albums SET version = version + 1 WHERE id = ?")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Who added each of `items` to album `id`, for those a member of its link added (the owner's
/// own additions are not listed).
pub async fn added_by(
    db: &SqlitePool,
    id: i64,
    items: &[i64],
) -> sqlx::Result<std::collections::HashMap<i64, i64>> {
    let mut out = std::collections::HashMap::new();
    for chunk in items.chunks(500) {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT item_id, added_by FROM album_items WHERE added_by IS NOT NULL AND album_id = ",
        );
        qb.push_bind(id).push(" AND item_id IN (");
        let mut list = qb.separated(", ");
        for item in chunk {
            list.push_bind(*item);
        }
        qb.push(")");
        let rows: Vec<(i64, i64)> = qb.build_query_as().fetch_all(db).await?;
        out.extend(rows);
    }
    Ok(out)
}

pub async fn remove_items(db: &SqlitePool, id: i64, items: &[i64]) -> sqlx::Result<()> {
    remove_items_of(db, id, items, None).await
}

/// [`remove_items`]; with `only_by`, only the items that user added (a Provider's own).
pub async fn remove_items_of(
    db: &SqlitePool,
    id: i64,
    items: &[i64],
    only_by: Option<i64>,
) -> sqlx::Result<()> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query(
        "DELETE FROM album_items WHERE album_id = ? AND item_id IN (SELECT value FROM json_each(?))
            AND (?3 IS NULL OR added_by = ?3)",
    )
    .bind(id)
    .bind(serde_json::to_string(items).unwrap_or_else(|_| "[]".into()))
    .bind(only_by)
    .execute(&mut *tx)
    .await?;
    // A cover that left the album is no cover.
    sqlx::query(
        "UPDATE albums SET cover_item_id = NULL, version = version + 1
          WHERE id = ?1 AND cover_item_id IS NOT NULL
            AND cover_item_id NOT IN (SELECT item_id FROM album_items WHERE album_id = ?1)",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Puts the listed items first, in the order given, and the album's other items after them in
/// their old order; the album then sorts by this order (`sort_by = manual`).
pub async fn set_order(db: &SqlitePool, id: i64, items: &[i64]) -> sqlx::Result<()> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let rest: Vec<(i64,)> = sqlx::query_as(
        "SELECT item_id FROM album_items WHERE album_id = ?
          AND item_id NOT IN (SELECT value FROM json_each(?)) ORDER BY position",
    )
    .bind(id)
    .bind(serde_json::to_string(items).unwrap_or_else(|_| "[]".into()))
    .fetch_all(&mut *tx)
    .await?;
    let order = items.iter().copied().chain(rest.into_iter().map(|(i,)| i));
    for (n, item) in order.enumerate() {
        sqlx::query("UPDATE album_items SET position = ? WHERE album_id = ? AND item_id = ?")
            .bind(i64::try_from(n).unwrap_or(i64::MAX))
            .bind(id)
            .bind(item)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "UPDATE albums SET sort_by = 'manual', sort_direction = 'asc', version = version + 1
          WHERE id = ?",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `(id, name)` of up to `limit` of `owner`'s albums whose name holds `word` (lower case), by
/// name.
pub async fn named_like(
    db: &SqlitePool,
    owner: i64,
    word: &str,
    limit: i64,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT id, name FROM albums WHERE owner_id = ? AND instr(lower(name), ?) > 0
          ORDER BY name COLLATE NOCASE LIMIT ?",
    )
    .bind(owner)
    .bind(word)
    .bind(limit)
    .fetch_all(db)
    .await
}
