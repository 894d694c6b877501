//! The timeline: the span of a listing and its counts by day.

use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use super::*;

/// The oldest and newest taken time among the items of `filter`.
pub async fn time_span(
    db: &SqlitePool,
    filter: &ItemFilter,
) -> sqlx::Result<(Option<i64>, Option<i64>)> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT MIN(i.taken_time), MAX(i.taken_time)".to_owned() + ITEM_FROM_NO_LIVE,
    );
    push_where(&mut qb, filter);
    qb.build_query_as().fetch_one(db).await
}

/// `(day, count)` of a whole space, newest day first; `day` is floor(time / 86400).
pub async fn timeline_days(db: &SqlitePool, owner: i64) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT day, count FROM timeline_days WHERE owner_id = ? AND count > 0 ORDER BY day DESC",
    )
    .bind(owner)
    .fetch_all(db)
    .await
}

/// `(day, count)` of the items `filter` selects, newest first.
pub async fn days_of(db: &SqlitePool, filter: &ItemFilter) -> sqlx::Result<Vec<(i64, i64)>> {
    fresh_search(db, filter).await;
    let planned = plan_keyword(db, filter, false).await?;
    let filter = planned.as_ref().unwrap_or(filter);
    if filter.is_whole_space() {
        return timeline_days(db, filter.owner).await;
    }
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT (i.taken_time - ((i.taken_time % 86400) + 86400) % 86400) / 86400 AS day, COUNT(*)"
            .to_owned()
            + ITEM_FROM_NO_LIVE,
    );
    push_where(&mut qb, filter);
    qb.push(" AND i.taken_time IS NOT NULL GROUP BY day ORDER BY day DESC");
    qb.build_query_as().fetch_all(db).await
}
