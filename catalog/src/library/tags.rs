//! Tags: those of items, tagging, and the tag list with counts.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use super::*;

/// Tags of each of `ids`, as `(id, name)`.
pub async fn tags_of(
    db: &SqlitePool,
    ids: &[i64],
) -> sqlx::Result<HashMap<i64, Vec<(i64, String)>>> {
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT it.item_id, t.id, t.name FROM item_tags it JOIN tags t ON t.id = it.tag_id
          WHERE it.item_id IN (SELECT value FROM json_each(?)) ORDER BY t.name COLLATE NOCASE",
    )
    .bind(json_ids(ids))
    .fetch_all(db)
    .await?;
    let mut out: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for (item, id, name) in rows {
        out.entry(item).or_default().push((id, name));
    }
    Ok(out)
}

/// Adds or removes user tags; returns false when a tag id does not exist.
pub async fn tag_items(
    db: &SqlitePool,
    ids: &[i64],
    tags: &[i64],
    add: bool,
) -> sqlx::Result<bool> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let (known,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM tags WHERE id IN (SELECT value FROM json_each(?))")
            .bind(json_ids(tags))
            .fetch_one(&mut *tx)
            .await?;
    let mut distinct = tags.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if known != distinct.len() as i64 {
        return Ok(false);
    }
    for id in ids {
        for tag in &distinct {
            let sql = if add {
                "INSERT OR IGNORE INTO item_tags (item_id, tag_id, source) VALUES (?, ?, 'user')"
            } else {
                "DELETE FROM item_tags WHERE item_id = ? AND tag_id = ?"
            };
            sqlx::query(sql)
                .bind(id)
                .bind(tag)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// Tags with the number of items the filter selects that carry them; tags no item carries at
/// all (just made) are listed with 0, tags only on items outside the filter are not.
pub async fn tags_with_counts(
    db: &SqlitePool,
    filter: &ItemFilter,
    only: Option<&[i64]>,
) -> sqlx::Result<Vec<(i64, String, i64)>> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT t.id, t.name, COUNT(i.id) FROM tags t JOIN item_tags it ON it.tag_id = t.id
           JOIN items i ON i.id = it.item_id JOIN folders f ON f.id = i.folder_id",
    );
    push_where(&mut qb, filter);
    if let Some(only) = only {
        qb.push(" AND t.id IN (SELECT value FROM json_each(")
            .push_bind(json_ids(only))
            .push("))");
    }
    qb.push(
        " GROUP BY t.id UNION ALL SELECT t.id, t.name, 0 FROM tags t
           WHERE NOT EXISTS (SELECT 1 FROM item_tags it WHERE it.tag_id = t.id)",
    );
    if let Some(only) = only {
        qb.push(" AND t.id IN (SELECT value FROM json_each(")
            .push_bind(json_ids(only))
            .push("))");
    }
    qb.push(" ORDER BY 2 COLLATE NOCASE, 1");
    qb.build_query_as().fetch_all(db).await
}

/// Makes a tag (or finds the one of that name, case-insensitively).
pub async fn create_tag(db: &SqlitePool, name: &str) -> sqlx::Result<(i64, String)> {
    sqlx::query("INSERT OR IGNORE INTO tags (name) VALUES (?)")
        .bind(name)
        .execute(db)
        .await?;
    sqlx::query_as("SELECT id, name FROM tags WHERE name = ?")
        .bind(name)
        .fetch_one(db)
        .await
}
