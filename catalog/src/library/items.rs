//! Items: listed, counted and fetched by id through a filter, their thumbnail state, edits,
//! favourites, and the values the filter suggestions offer.

use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use super::*;

/// One item as the API shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemRow {
    pub id: i64,
    pub owner_id: i64,
    pub folder_id: i64,
    pub filename: String,
    pub size: i64,
    #[sqlx(rename = "type")]
    pub item_type: String,
    pub format: String,
    pub taken_time: Option<i64>,
    pub indexed_at: i64,
    pub width: i64,
    pub height: i64,
    pub orientation: i64,
    pub make: Option<String>,
    pub model: Option<String>,
    pub lens: Option<String>,
    pub focal_length: Option<f64>,
    pub aperture: Option<f64>,
    pub exposure: Option<String>,
    pub iso: Option<i64>,
    pub flash: Option<i64>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub rating: i64,
    pub title: Option<String>,
    pub description: Option<String>,
    pub duration_ms: Option<i64>,
    pub video_codec: Option<String>,
    pub audio_codec: Option<String>,
    pub frame_rate: Option<f64>,
    pub motion_offset: Option<i64>,
    pub is_pano: bool,
    pub metadata_status: String,
    pub thumb_status: String,
    pub thumb_version: i64,
    /// The item's place (`places`), once found.
    pub place_id: Option<i64>,
    /// The file path relative to the space root ('/a/b.jpg').
    pub folder_path: String,
    /// For a Live Photo: the id and name of its video half.
    pub live_video_id: Option<i64>,
    pub live_video_name: Option<String>,
}

pub(crate) const ITEM_COLUMNS: &str =
    "i.id, i.owner_id, i.folder_id, i.filename, i.size, i.type, i.format,
    i.taken_time, i.indexed_at, i.width, i.height, i.orientation, i.make, i.model, i.lens,
    i.focal_length, i.aperture, i.exposure, i.iso, i.flash, i.latitude, i.longitude, i.rating,
    i.title, i.description, i.duration_ms, i.video_codec, i.audio_codec, i.frame_rate,
    i.motion_offset, i.is_pano, i.metadata_status, i.thumb_status, i.thumb_version, i.place_id,
    f.path AS folder_path, v.id AS live_video_id, v.filename AS live_video_name";

pub(crate) const ITEM_FROM: &str = " FROM items i JOIN folders f ON f.id = i.folder_id
    LEFT JOIN items v ON v.live_parent_id = i.id";

/// Brings the keyword index up to date before a search that uses it, so a search sees every
/// write made before it. A flush that cannot run now (the database is busy) leaves the search to
/// the index as it is; the background flush catches up within seconds.
pub(crate) async fn fresh_search(db: &SqlitePool, filter: &ItemFilter) {
    if filter.keyword.is_none() {
        return;
    }
    if let Err(e) = crate::files::flush_search(db).await {
        tracing::warn!("bringing the search index up to date: {e}");
    }
}

/// A page of items.
pub async fn list_items(
    db: &SqlitePool,
    filter: &ItemFilter,
    sort: Sort,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<ItemRow>> {
    fresh_search(db, filter).await;
    let planned = plan_keyword(db, filter, true).await?;
    list_planned(db, planned.as_ref().unwrap_or(filter), sort, offset, limit).await
}

/// [`list_items`] with the keyword plan `filter` carries.
pub(crate) async fn list_planned(
    db: &SqlitePool,
    filter: &ItemFilter,
    sort: Sort,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<ItemRow>> {
    // Deep pages of a whole space in timeline order: skip whole days with the day counts, so
    // the database walks at most one day's items rather than `offset` of them.
    let (mut offset, mut before) = (offset, None);
    if filter.is_whole_space() && sort.by == SortBy::TakenTime && sort.desc && offset > 1000 {
        let days = timeline_days(db, filter.owner).await?;
        let mut seen = 0i64;
        for (day, count) in days {
            if seen + count > offset {
                before = Some((day + 1) * 86_400);
                offset -= seen;
                break;
            }
            seen += count;
        }
        if before.is_none() {
            return Ok(Vec::new());
        }
    }
    let mut qb = QueryBuilder::<Sqlite>::new(format!("SELECT {ITEM_COLUMNS}{ITEM_FROM}"));
    push_where(&mut qb, filter);
    if let Some(before) = before {
        qb.push(" AND i.taken_time < ").push_bind(before);
    }
    let dir = if sort.desc { "DESC" } else { "ASC" };
    qb.push(format!(
        " ORDER BY {} {dir}, i.id {dir} LIMIT ",
        sort.by.column(filter)
    ))
    .push_bind(limit)
    .push(" OFFSET ")
    .push_bind(offset);
    qb.build_query_as::<ItemRow>().fetch_all(db).await
}

pub async fn count_items(db: &SqlitePool, filter: &ItemFilter) -> sqlx::Result<i64> {
    fresh_search(db, filter).await;
    let planned = plan_keyword(db, filter, false).await?;
    count_planned(db, planned.as_ref().unwrap_or(filter)).await
}

/// [`count_items`] with the keyword plan `filter` carries.
pub(crate) async fn count_planned(db: &SqlitePool, filter: &ItemFilter) -> sqlx::Result<i64> {
    if filter.is_whole_space() {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COALESCE(SUM(count), 0) FROM timeline_days WHERE owner_id = ?")
                .bind(filter.owner)
                .fetch_one(db)
                .await?;
        return Ok(n);
    }
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*)".to_owned() + ITEM_FROM_NO_LIVE);
    push_where(&mut qb, filter);
    let (n,): (i64,) = qb.build_query_as().fetch_one(db).await?;
    Ok(n)
}

pub(crate) const ITEM_FROM_NO_LIVE: &str = " FROM items i JOIN folders f ON f.id = i.folder_id";

/// Items by id within `filter` (ids outside it are left out), in the order asked.
pub async fn items_by_ids(
    db: &SqlitePool,
    filter: &ItemFilter,
    ids: &[i64],
) -> sqlx::Result<Vec<ItemRow>> {
    let mut filter = filter.clone();
    filter.ids = Some(ids.to_vec());
    // No ORDER BY: the ids are looked up one by one and put in order here.
    let mut qb = QueryBuilder::<Sqlite>::new(format!("SELECT {ITEM_COLUMNS}{ITEM_FROM}"));
    push_where(&mut qb, &filter);
    let mut rows: Vec<ItemRow> = qb.build_query_as().fetch_all(db).await?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    Ok(rows)
}

/// What a thumbnail request needs of an item: one primary-key read.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ThumbState {
    pub id: i64,
    pub folder_id: i64,
    pub thumb_status: String,
    pub thumb_version: i64,
}

/// The thumbnail state of item `id` of any space, for callers that checked access already.
pub async fn thumb_state_any(db: &SqlitePool, id: i64) -> sqlx::Result<Option<ThumbState>> {
    sqlx::query_as("SELECT id, folder_id, thumb_status, thumb_version FROM items WHERE id = ?")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Which of `ids` are favourites of `user`.
pub async fn favorites_among(
    db: &SqlitePool,
    user: i64,
    ids: &[i64],
) -> sqlx::Result<std::collections::HashSet<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT item_id FROM favorites WHERE user_id = ? AND item_id IN (SELECT value FROM json_each(?))",
    )
    .bind(user)
    .bind(json_ids(ids))
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// An edit of `Browse.Item set`; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ItemEdit {
    pub rating: Option<i64>,
    pub description: Option<String>,
    pub time: Option<i64>,
}

/// Applies `edit` to `ids` in one transaction: the user's value is kept apart from the file's,
/// so a re-index does not undo it.
pub async fn edit_items(db: &SqlitePool, ids: &[i64], edit: &ItemEdit) -> sqlx::Result<()> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    for id in ids {
        if let Some(rating) = edit.rating {
            sqlx::query("UPDATE items SET user_rating = ?1, rating = ?1 WHERE id = ?2")
                .bind(rating)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(description) = &edit.description {
            sqlx::query("UPDATE items SET user_description = ?1, description = ?1 WHERE id = ?2")
                .bind(description)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(time) = edit.time {
            sqlx::query(
                "UPDATE items SET user_time = ?1, taken_time = ?1, taken_month = ?2,
                        taken_source = 'user' WHERE id = ?3",
            )
            .bind(time)
            .bind(crate::time::month_key(time))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await
}

pub async fn set_favorite(
    db: &SqlitePool,
    user: i64,
    ids: &[i64],
    favorite: bool,
) -> sqlx::Result<()> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    for id in ids {
        let sql = if favorite {
            "INSERT OR IGNORE INTO favorites (user_id, item_id) VALUES (?, ?)"
        } else {
            "DELETE FROM favorites WHERE user_id = ? AND item_id = ?"
        };
        sqlx::query(sql)
            .bind(user)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

/// Distinct non-empty values of an item expression among the items `filter` selects, sorted.
/// `expr` is one of the fixed expressions of the filter list, never user text.
pub async fn distinct_values(
    db: &SqlitePool,
    filter: &ItemFilter,
    expr: &'static str,
) -> sqlx::Result<Vec<String>> {
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "SELECT DISTINCT CAST({expr} AS TEXT) AS v{ITEM_FROM_NO_LIVE}"
    ));
    push_where(&mut qb, filter);
    qb.push(format!(
        " AND {expr} IS NOT NULL AND TRIM(CAST({expr} AS TEXT)) != '' ORDER BY v"
    ));
    let rows: Vec<(String,)> = qb.build_query_as().fetch_all(db).await?;
    Ok(rows.into_iter().map(|(v,)| v).collect())
}

/// The camera expression the filter list and the `camera` filter share.
pub const CAMERA_EXPR: &str = "TRIM(COALESCE(i.make, '') || ' ' || COALESCE(i.model, ''))";
