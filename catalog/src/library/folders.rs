//! Folders: rows by id and path, children, covers, subtrees and moves, and the folder
//! permissions that limit a caller's reach.

use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use super::*;

/// One folder as the API shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FolderRow {
    pub id: i64,
    pub owner_id: i64,
    pub parent_id: Option<i64>,
    pub path: String,
    pub cover_item_id: Option<i64>,
}

const FOLDER_COLUMNS: &str = "id, owner_id, parent_id, path, cover_item_id";

/// The root folder of a space, made when the space has not been scanned yet.
pub async fn root_folder(db: &SqlitePool, owner: i64) -> sqlx::Result<FolderRow> {
    let mut conn = db.acquire().await?;
    let id = crate::files::ensure_folder(&mut conn, owner, "/").await?;
    drop(conn);
    folder(db, owner, id).await?.ok_or(sqlx::Error::RowNotFound)
}

/// The folders of space `owner` among `ids` (one query), in id order; missing ids are left out.
pub async fn folders_by_ids(
    db: &SqlitePool,
    owner: i64,
    ids: &[i64],
) -> sqlx::Result<Vec<FolderRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {FOLDER_COLUMNS} FROM folders
          WHERE owner_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id"
    )))
    .bind(owner)
    .bind(json_ids(ids))
    .fetch_all(db)
    .await
}

/// The path of folder `id` in its space ('/' or '/a/b').
pub async fn folder_path_of(db: &SqlitePool, id: i64) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT path FROM folders WHERE id = ?")
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|(path,)| path))
}

/// Every item in folder `folder_id` (whose path is `path`) of `owner`'s space and below it.
pub async fn items_in_subtree(
    db: &SqlitePool,
    owner: i64,
    folder_id: i64,
    path: &str,
) -> sqlx::Result<Vec<i64>> {
    let ids: Vec<(i64,)> = sqlx::query_as(
        "SELECT i.id FROM items i JOIN folders f ON f.id = i.folder_id
          WHERE f.owner_id = ? AND (f.id = ? OR substr(f.path, 1, ?) = ?)",
    )
    .bind(owner)
    .bind(folder_id)
    .bind(path.len() as i64 + 1)
    .bind(format!("{path}/"))
    .fetch_all(db)
    .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// The space (owner id) folder `id` belongs to.
pub async fn folder_owner(db: &SqlitePool, id: i64) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT owner_id FROM folders WHERE id = ?")
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|(owner,)| owner))
}

pub async fn folder(db: &SqlitePool, owner: i64, id: i64) -> sqlx::Result<Option<FolderRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {FOLDER_COLUMNS} FROM folders WHERE owner_id = ? AND id = ?"
    )))
    .bind(owner)
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn folder_by_path(
    db: &SqlitePool,
    owner: i64,
    path: &str,
) -> sqlx::Result<Option<FolderRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {FOLDER_COLUMNS} FROM folders WHERE owner_id = ? AND path = ?"
    )))
    .bind(owner)
    .bind(path)
    .fetch_optional(db)
    .await
}

/// Child folders of `parent`, by name, limited to `only` when given.
pub async fn child_folders(
    db: &SqlitePool,
    parent: i64,
    only: Option<&[i64]>,
    desc: bool,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<FolderRow>> {
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {FOLDER_COLUMNS} FROM folders WHERE parent_id = "
    ));
    qb.push_bind(parent);
    if let Some(only) = only {
        qb.push(" AND id IN (SELECT value FROM json_each(")
            .push_bind(json_ids(only))
            .push("))");
    }
    let dir = if desc { "DESC" } else { "ASC" };
    qb.push(format!(
        " ORDER BY name COLLATE NOCASE {dir}, id {dir} LIMIT "
    ))
    .push_bind(limit)
    .push(" OFFSET ")
    .push_bind(offset);
    qb.build_query_as().fetch_all(db).await
}

pub async fn count_child_folders(
    db: &SqlitePool,
    parent: i64,
    only: Option<&[i64]>,
) -> sqlx::Result<i64> {
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM folders WHERE parent_id = ");
    qb.push_bind(parent);
    if let Some(only) = only {
        qb.push(" AND id IN (SELECT value FROM json_each(")
            .push_bind(json_ids(only))
            .push("))");
    }
    let (n,): (i64,) = qb.build_query_as().fetch_one(db).await?;
    Ok(n)
}

/// Which of `ids` are folders of the space.
pub async fn existing_folders(db: &SqlitePool, owner: i64, ids: &[i64]) -> sqlx::Result<Vec<i64>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(500) {
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT id FROM folders WHERE owner_id = ");
        qb.push_bind(owner).push(" AND id IN (");
        let mut sep = qb.separated(", ");
        for id in chunk {
            sep.push_bind(*id);
        }
        qb.push(")");
        let rows: Vec<(i64,)> = qb.build_query_as().fetch_all(db).await?;
        found.extend(rows.into_iter().map(|(id,)| id));
    }
    Ok(found)
}

/// `(id, parent_id)` of every folder of a space: the tree permissions are worked out on.
pub async fn folder_tree(db: &SqlitePool, owner: i64) -> sqlx::Result<Vec<(i64, Option<i64>)>> {
    sqlx::query_as("SELECT id, parent_id FROM folders WHERE owner_id = ?")
        .bind(owner)
        .fetch_all(db)
        .await
}

/// The item a folder shows as its cover: the chosen one while it is still inside the folder
/// tree, else the newest item below it.
pub async fn folder_cover(db: &SqlitePool, folder: &FolderRow) -> sqlx::Result<Option<ItemRow>> {
    // The folders below sort between `path/` and `path0` ('0' follows '/'): a range of the
    // (owner_id, path) index. The folder itself is added by id.
    let base = if folder.path == "/" {
        ""
    } else {
        folder.path.as_str()
    };
    let subtree = |qb: &mut QueryBuilder<Sqlite>| {
        qb.push("SELECT ")
            .push_bind(folder.id)
            .push(" UNION ALL SELECT id FROM folders WHERE owner_id = ")
            .push_bind(folder.owner_id)
            .push(" AND path >= ")
            .push_bind(format!("{base}/"))
            .push(" AND path < ")
            .push_bind(format!("{base}0"));
    };
    if let Some(cover) = folder.cover_item_id {
        let mut qb = QueryBuilder::<Sqlite>::new(format!("SELECT {ITEM_COLUMNS}{ITEM_FROM}"));
        qb.push(" WHERE i.id = ")
            .push_bind(cover)
            .push(" AND i.owner_id = ")
            .push_bind(folder.owner_id)
            .push(" AND i.live_parent_id IS NULL AND i.folder_id IN (");
        subtree(&mut qb);
        qb.push(")");
        if let Some(row) = qb.build_query_as().fetch_optional(db).await? {
            return Ok(Some(row));
        }
    }
    // The newest item of each folder is the first entry of its part of the (folder, time)
    // index; the newest of those is the cover. Walking the space's time index instead, until an
    // item of the subtree turns up, reads most of a million items for an old folder.
    let mut qb = QueryBuilder::<Sqlite>::new("WITH sub(id) AS (");
    subtree(&mut qb);
    // `newest` is worked out first (MATERIALIZED, and CROSS JOIN fixes the join order): left to
    // itself, SQLite may walk the space's time index to skip the final sort and run the
    // per-folder subquery for every item it passes, seconds at 20,000 items.
    qb.push(format!(
        "), newest(id) AS MATERIALIZED (SELECT (SELECT x.id FROM items x
              WHERE x.folder_id = sub.id AND x.live_parent_id IS NULL
              ORDER BY x.taken_time DESC, x.id DESC LIMIT 1) FROM sub)
          SELECT {ITEM_COLUMNS} FROM newest CROSS JOIN items i ON i.id = newest.id
            JOIN folders f ON f.id = i.folder_id LEFT JOIN items v ON v.live_parent_id = i.id
          WHERE +i.owner_id = "
    ))
    .push_bind(folder.owner_id)
    .push(" ORDER BY i.taken_time DESC, i.id DESC LIMIT 1");
    qb.build_query_as().fetch_optional(db).await
}

pub async fn set_folder_cover(db: &SqlitePool, folder: i64, item: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE folders SET cover_item_id = ? WHERE id = ?")
        .bind(item)
        .bind(folder)
        .execute(db)
        .await?;
    Ok(())
}

/// The ids of `folder` and of every folder below it.
pub async fn subtree(db: &SqlitePool, owner: i64, folder: &FolderRow) -> sqlx::Result<Vec<i64>> {
    let prefix = if folder.path == "/" {
        "/".to_owned()
    } else {
        format!("{}/", folder.path)
    };
    // Compared exactly (LIKE would fold case and read `_` and `%`).
    let length = i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX);
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM folders WHERE owner_id = ? AND (id = ? OR substr(path, 1, ?) = ?)",
    )
    .bind(owner)
    .bind(folder.id)
    .bind(length)
    .bind(&prefix)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Rights of one user on Shared Space folders (custom access), by folder: their own and their
/// groups', together.
pub async fn folder_permissions(
    db: &SqlitePool,
    user: i64,
) -> sqlx::Result<Vec<(i64, bool, bool, bool, bool)>> {
    sqlx::query_as(
        "SELECT folder_id, MAX(view), MAX(download), MAX(upload), MAX(manage) FROM (
             SELECT folder_id, view, download, upload, manage FROM folder_permissions
              WHERE user_id = ?1
             UNION ALL
             SELECT folder_id, view, download, upload, manage FROM group_folder_permissions
              WHERE group_id IN (SELECT group_id FROM group_members WHERE user_id = ?1))
          GROUP BY folder_id",
    )
    .bind(user)
    .fetch_all(db)
    .await
}

/// The Shared Space access level of a user: `full`, `custom` or `none`.
pub async fn team_access(db: &SqlitePool, user: i64) -> sqlx::Result<String> {
    let row: Option<(String,)> = sqlx::query_as("SELECT team_access FROM users WHERE id = ?")
        .bind(user)
        .fetch_optional(db)
        .await?;
    Ok(row.map_or_else(|| "none".to_owned(), |(a,)| a))
}

/// Folders of a space whose name contains `word`, for search suggestions.
pub async fn folders_matching(
    db: &SqlitePool,
    owner: i64,
    word: &str,
    limit: i64,
) -> sqlx::Result<Vec<FolderRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {FOLDER_COLUMNS} FROM folders WHERE owner_id = ? AND path != '/'
            AND LOWER(name) LIKE ? ESCAPE '\\' ORDER BY path LIMIT ?"
    )))
    .bind(owner)
    .bind(format!("%{}%", like_escape(&word.to_lowercase())))
    .bind(limit)
    .fetch_all(db)
    .await
}

/// After a folder was renamed on disk: its row and every row below it take the new path, in
/// one transaction; ids stay.
pub async fn move_folder_rows(
    db: &SqlitePool,
    owner: i64,
    folder: &FolderRow,
    new_path: &str,
    new_name: &str,
) -> sqlx::Result<()> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let old_prefix = format!("{}/", folder.path);
    sqlx::query(
        "UPDATE folders SET path = ?1 || substr(path, ?2)
          WHERE owner_id = ?3 AND substr(path, 1, ?4) = ?5",
    )
    .bind(new_path)
    .bind(folder.path.len() as i64 + 1)
    .bind(owner)
    .bind(old_prefix.len() as i64)
    .bind(&old_prefix)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE folders SET path = ?, name = ? WHERE id = ?")
        .bind(new_path)
        .bind(new_name)
        .bind(folder.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Ids of a folder and every folder below it.
pub async fn folder_subtree(
    db: &SqlitePool,
    owner: i64,
    folder: &FolderRow,
) -> sqlx::Result<Vec<i64>> {
    let prefix = format!("{}/", folder.path);
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM folders WHERE owner_id = ? AND (id = ? OR substr(path, 1, ?) = ?)",
    )
    .bind(owner)
    .bind(folder.id)
    .bind(prefix.len() as i64)
    .bind(&prefix)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
