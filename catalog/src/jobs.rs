//! The persisted job queue: a row per item and kind, claimed with one `UPDATE … RETURNING`, so a
//! crash loses nothing and a restart resumes. Failed jobs are retried with back-off; after the
//! last attempt the item is marked broken with the error. The work of each kind is the indexer's
//! (`indexer/src/jobs/`).

use sqlx::{SqliteConnection, SqlitePool};

use crate::db::now_secs as now;

/// Attempts before a job gives up.
pub const MAX_ATTEMPTS: i64 = 3;

/// The kinds of work, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Checksum and metadata.
    Index,
    /// The thumbnail set.
    Thumbnail,
    /// The H.264 preview of a video browsers cannot play.
    Preview,
    /// Faces and subjects of a photo, from its xl thumbnail (recognition/).
    Recognise,
}

impl JobKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Index => "index",
            Self::Thumbnail => "thumbnail",
            Self::Preview => "preview",
            Self::Recognise => "recognise",
        }
    }

    /// Lower runs first: metadata is cheap and makes an item browsable, thumbnails make it
    /// visible; slower kinds (video previews, then recognition) come after both.
    pub fn priority(self) -> i64 {
        match self {
            Self::Index => 10,
            Self::Thumbnail => 20,
            Self::Preview => 30,
            Self::Recognise => 40,
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Index, Self::Thumbnail, Self::Preview, Self::Recognise]
            .into_iter()
            .find(|k| k.name() == s)
    }
}

/// A claimed job.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: JobKind,
    pub item_id: i64,
    pub attempts: i64,
}

/// Queues `kind` for `item_id`; an existing job of that kind starts over.
pub async fn enqueue(conn: &mut SqliteConnection, kind: JobKind, item_id: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO jobs (kind, item_id, priority) VALUES (?, ?, ?)
         ON CONFLICT (kind, item_id) DO UPDATE
            SET attempts = 0, run_after = 0, locked_at = NULL, locked_by = NULL, last_error = NULL",
    )
    .bind(kind.name())
    .bind(item_id)
    .bind(kind.priority())
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes the next due job, if any; a preview job only when `previews` allows it (the workers
/// keep one of them free of hour-long transcodes, for the thumbnails of new items).
/// Moves item `item_id`'s pending jobs to the front of the queue, due now (a client waits for
/// its thumbnail).
pub async fn hurry(db: &SqlitePool, item_id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE jobs SET priority = -1000, run_after = 0 WHERE item_id = ?")
        .bind(item_id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn claim(db: &SqlitePool, previews: bool) -> sqlx::Result<Option<Job>> {
    let t = now();
    let row: Option<(i64, String, i64, i64)> = sqlx::query_as(
        "UPDATE jobs SET locked_at = ?1, locked_by = ?2, attempts = attempts + 1
          WHERE id = (SELECT id FROM jobs WHERE locked_at IS NULL AND run_after <= ?1
                         AND (?3 OR kind != 'preview')
                       ORDER BY priority, id LIMIT 1)
          RETURNING id, kind, item_id, attempts",
    )
    .bind(t)
    .bind(i64::from(std::process::id()))
    .bind(previews)
    .fetch_optional(db)
    .await?;
    Ok(row.and_then(|(id, kind, item_id, attempts)| {
        JobKind::parse(&kind).map(|kind| Job {
            id,
            kind,
            item_id,
            attempts,
        })
    }))
}

pub async fn complete(db: &SqlitePool, job: &Job) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM jobs WHERE id = ?")
        .bind(job.id)
        .execute(db)
        .await?;
    Ok(())
}

/// Schedules a retry after a failure; returns false when the job has no attempts left (it is
/// then removed).
pub async fn fail(db: &SqlitePool, job: &Job, error: &str) -> sqlx::Result<bool> {
    if job.attempts >= MAX_ATTEMPTS {
        sqlx::query("DELETE FROM jobs WHERE id = ?")
            .bind(job.id)
            .execute(db)
            .await?;
        return Ok(false);
    }
    let backoff = 5 * (1 << job.attempts.clamp(0, 10));
    sqlx::query("UPDATE jobs SET locked_at = NULL, locked_by = NULL, run_after = ?, last_error = ? WHERE id = ?")
        .bind(now() + backoff)
        .bind(error)
        .bind(job.id)
        .execute(db)
        .await?;
    Ok(true)
}

/// Frees jobs whose worker died: held by a process that no longer runs, or for longer than the
/// job can take (an hour; a preview's transcode up to `longest_preview`, the indexer's limit).
pub async fn release_orphans(
    db: &SqlitePool,
    longest_preview: std::time::Duration,
) -> sqlx::Result<u64> {
    let holders: Vec<(i64,)> =
        sqlx::query_as("SELECT DISTINCT locked_by FROM jobs WHERE locked_by IS NOT NULL")
            .fetch_all(db)
            .await?;
    let mut released = 0;
    for (pid,) in holders {
        let alive = pid != i64::from(std::process::id())
            && std::path::Path::new(&format!("/proc/{pid}")).exists();
        if !alive {
            released += sqlx::query(
                "UPDATE jobs SET locked_at = NULL, locked_by = NULL WHERE locked_by = ?",
            )
            .bind(pid)
            .execute(db)
            .await?
            .rows_affected();
        }
    }
    let longest = i64::try_from(longest_preview.as_secs()).unwrap_or(i64::MAX / 2);
    released += sqlx::query(
        "UPDATE jobs SET locked_at = NULL, locked_by = NULL
          WHERE locked_at < ?1 - CASE kind WHEN 'preview' THEN ?2 ELSE 3600 END",
    )
    .bind(now())
    .bind(longest + 600)
    .execute(db)
    .await?
    .rows_affected();
    Ok(released)
}

/// Jobs not yet done, recognition's aside (it has its own progress: it runs long after a photo
/// is browsable).
pub async fn pending(db: &SqlitePool) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE kind != 'recognise'")
        .fetch_one(db)
        .await?;
    Ok(n)
}

/// Recognition jobs not yet done.
pub async fn pending_recognition(db: &SqlitePool) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE kind = 'recognise'")
        .fetch_one(db)
        .await?;
    Ok(n)
}

/// Seconds until the next job that waits for a retry is due, if any.
pub async fn next_due_in(db: &SqlitePool) -> sqlx::Result<Option<i64>> {
    let (next,): (Option<i64>,) =
        sqlx::query_as("SELECT MIN(run_after) FROM jobs WHERE locked_at IS NULL")
            .fetch_one(db)
            .await?;
    Ok(next.map(|t| (t - now()).max(0)))
}

/// Queues a preview job for every video that waits for one and has had its thumbnails made (or
/// failed them): videos indexed while previews were off or made on demand. Returns how many.
pub async fn queue_waiting_previews(db: &SqlitePool) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "INSERT INTO jobs (kind, item_id, priority)
         SELECT 'preview', id, ?1 FROM items
          WHERE preview_status = 'pending' AND metadata_status = 'ready' AND thumb_status != 'pending'
         ON CONFLICT (kind, item_id) DO NOTHING",
    )
    .bind(JobKind::Preview.priority())
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn previews_come_after_thumbnails_and_only_when_allowed() {
        let dir = tempfile::tempdir().expect("tmp");
        let db = crate::db::open(&dir.path().join("db")).await.expect("db");
        let mut conn = db.acquire().await.expect("conn");
        let folder = crate::files::ensure_folder(&mut conn, 0, "/")
            .await
            .expect("folder");
        let mut ids = Vec::new();
        for name in ["a.mov", "b.mov"] {
            let file = crate::files::NewFile {
                owner_id: 0,
                folder_id: folder,
                filename: name.into(),
                size: 1,
                mtime_ns: 1,
                inode: 0,
                item_type: "video",
                format: "mov".into(),
            };
            ids.push(
                crate::files::insert_file(&mut conn, &file)
                    .await
                    .expect("insert"),
            );
        }
        // The older item's preview was queued first, the newer item's thumbnail after it.
        enqueue(&mut conn, JobKind::Preview, ids[0])
            .await
            .expect("q");
        enqueue(&mut conn, JobKind::Thumbnail, ids[1])
            .await
            .expect("q");
        drop(conn);
        let first = claim(&db, true).await.expect("claim").expect("a job");
        assert_eq!((first.kind, first.item_id), (JobKind::Thumbnail, ids[1]));
        assert!(claim(&db, false).await.expect("claim").is_none());
        let next = claim(&db, true).await.expect("claim").expect("a job");
        assert_eq!((next.kind, next.item_id), (JobKind::Preview, ids[0]));
    }
}
