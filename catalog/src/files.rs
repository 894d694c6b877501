//! The library side of the database: folders and the media files (items) in them. The scanner,
//! the jobs and the server's browse APIs read and write through these functions only.

use sqlx::{SqliteConnection, SqlitePool};

use crate::db::now_secs;

use crate::meta::Metadata;
use crate::time::month_key;

/// The owner of the Shared Space's folders and items.
pub const SHARED_OWNER: i64 = 0;

/// A file as the scanner compares it with the disk.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub id: i64,
    pub folder_id: i64,
    pub filename: String,
    pub size: i64,
    pub mtime_ns: i64,
    pub inode: i64,
}

/// A file the scanner found that the index does not have yet.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub owner_id: i64,
    pub folder_id: i64,
    pub filename: String,
    pub size: i64,
    pub mtime_ns: i64,
    pub inode: i64,
    pub item_type: &'static str,
    pub format: String,
}

/// What a job needs to know about an item.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemFile {
    pub id: i64,
    pub owner_id: i64,
    pub folder_id: i64,
    pub folder_path: String,
    pub filename: String,
    pub format: String,
    pub r#type: String,
    pub size: i64,
    pub mtime_ns: i64,
    pub orientation: i64,
    pub motion_offset: Option<i64>,
    /// The upload's checksum of the file, when it came through an upload and has not changed
    /// since (`items.known_checksum`).
    pub known_checksum: Option<Vec<u8>>,
}

/// The folder row for `path` ('/' or '/a/b') of a space, made with its parents when missing.
pub async fn ensure_folder(
    conn: &mut SqliteConnection,
    owner: i64,
    path: &str,
) -> sqlx::Result<i64> {
    if let Some((id,)) =
        sqlx::query_as::<_, (i64,)>("SELECT id FROM folders WHERE owner_id = ? AND path = ?")
            .bind(owner)
            .bind(path)
            .fetch_optional(&mut *conn)
            .await?
    {
        return Ok(id);
    }
    let (parent, name) = match path.rsplit_once('/') {
        _ if path == "/" => (None, String::new()),
        Some(("", name)) => (
            Some(Box::pin(ensure_folder(conn, owner, "/")).await?),
            name.to_owned(),
        ),
        Some((parent, name)) => (
            Some(Box::pin(ensure_folder(conn, owner, parent)).await?),
            name.to_owned(),
        ),
        None => (None, path.to_owned()),
    };
    // Another writer (a second upload into the same new month folder, a scan of a new space)
    // may have made it since the look above: its row is the folder, not an error.
    let made: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO folders (owner_id, parent_id, path, name) VALUES (?, ?, ?, ?)
         ON CONFLICT (owner_id, path) DO NOTHING RETURNING id",
    )
    .bind(owner)
    .bind(parent)
    .bind(path)
    .bind(name)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((id,)) = made {
        return Ok(id);
    }
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM folders WHERE owner_id = ? AND path = ?")
        .bind(owner)
        .bind(path)
        .fetch_one(&mut *conn)
        .await?;
    Ok(id)
}

pub async fn files_in_folder(
    conn: &mut SqliteConnection,
    folder_id: i64,
) -> sqlx::Result<Vec<FileRow>> {
    sqlx::query_as(
        "SELECT id, folder_id, filename, size, mtime_ns, inode FROM items WHERE folder_id = ?",
    )
    .bind(folder_id)
    .fetch_all(conn)
    .await
}

/// Every file of a space, for finding what vanished.
pub async fn files_of_owner(db: &SqlitePool, owner: i64) -> sqlx::Result<Vec<FileRow>> {
    sqlx::query_as(
        "SELECT i.id, i.folder_id, i.filename, i.size, i.mtime_ns, i.inode
           FROM items i WHERE i.owner_id = ?",
    )
    .bind(owner)
    .fetch_all(db)
    .await
}

pub async fn insert_file(conn: &mut SqliteConnection, f: &NewFile) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO items (owner_id, folder_id, filename, size, mtime_ns, inode, type, format, indexed_at,
                            taken_time, taken_source, taken_month)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'mtime', ?)
         -- An upload registered the same file between a scan's walk and its insert: the row
         -- stands, with the file as the scan saw it.
         ON CONFLICT (folder_id, filename) DO UPDATE
            SET size = excluded.size, mtime_ns = excluded.mtime_ns, inode = excluded.inode
         RETURNING id",
    )
    .bind(f.owner_id)
    .bind(f.folder_id)
    .bind(&f.filename)
    .bind(f.size)
    .bind(f.mtime_ns)
    .bind(f.inode)
    .bind(f.item_type)
    .bind(&f.format)
    .bind(now_secs() * 1000)
    // Until the metadata is read the item sits in the timeline at its file time.
    .bind(f.mtime_ns.div_euclid(1_000_000_000))
    .bind(month_key(f.mtime_ns.div_euclid(1_000_000_000)))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// A file whose content changed: everything derived from it is to be made again.
pub async fn mark_changed(
    conn: &mut SqliteConnection,
    id: i64,
    size: i64,
    mtime_ns: i64,
    inode: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE items SET size = ?, mtime_ns = ?, inode = ?, checksum = NULL, known_checksum = NULL,
                metadata_status = 'pending', thumb_status = 'pending', error = NULL
          WHERE id = ?",
    )
    .bind(size)
    .bind(mtime_ns)
    .bind(inode)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A file that moved or was renamed keeps its id and all that users attached to it.
pub async fn move_file(
    conn: &mut SqliteConnection,
    id: i64,
    folder_id: i64,
    filename: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE items SET folder_id = ?, filename = ? WHERE id = ?")
        .bind(folder_id)
        .bind(filename)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes items whose files are gone. A Live Photo that loses its video becomes a photo.
pub async fn delete_items(conn: &mut SqliteConnection, ids: &[i64]) -> sqlx::Result<()> {
    for id in ids {
        sqlx::query(
            "UPDATE items SET type = 'photo'
              WHERE type = 'live' AND id = (SELECT live_parent_id FROM items WHERE id = ?)",
        )
        .bind(id)
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM items WHERE id = ?")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Where item `id`'s file is: its folder's path in the space and its name.
pub async fn file_place(
    conn: &mut SqliteConnection,
    id: i64,
) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query_as(
        "SELECT f.path, i.filename FROM items i JOIN folders f ON f.id = i.folder_id WHERE i.id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Folders of a space as `(id, path)`.
pub async fn folders_of_owner(db: &SqlitePool, owner: i64) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT id, path FROM folders WHERE owner_id = ?")
        .bind(owner)
        .fetch_all(db)
        .await
}

pub async fn delete_folder(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM folders WHERE id = ?")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn item_file(db: &SqlitePool, id: i64) -> sqlx::Result<Option<ItemFile>> {
    sqlx::query_as(
        "SELECT i.id, i.owner_id, i.folder_id, f.path AS folder_path, i.filename, i.format, i.type,
                i.size, i.mtime_ns, i.orientation, i.motion_offset, i.known_checksum
           FROM items i JOIN folders f ON f.id = i.folder_id WHERE i.id = ?",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Stores what the index job read, and pairs Live Photos (in the same write transaction, so two
/// workers finishing the two halves at once still see each other).
pub async fn save_metadata(
    db: &SqlitePool,
    item: &ItemFile,
    meta: &Metadata,
    checksum: &[u8],
) -> sqlx::Result<()> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let (width, height) = meta.display_size();
    let taken = meta.taken;
    let motion_offset = meta.motion_video_len.and_then(|len| {
        u64::try_from(item.size)
            .ok()
            .and_then(|size| size.checked_sub(len))
            .and_then(|o| i64::try_from(o).ok())
    });
    sqlx::query(
        "UPDATE items SET checksum = ?, known_checksum = NULL, taken_time = COALESCE(user_time, ?), taken_subsec = ?,
                taken_offset = ?, taken_source = ?,
                taken_month = CASE WHEN user_time IS NULL THEN ? ELSE taken_month END,
                width = ?, height = ?, orientation = ?,
                make = ?, model = ?, lens = ?, focal_length = ?, aperture = ?, exposure = ?,
                iso = ?, flash = ?, latitude = ?, longitude = ?, rating = COALESCE(user_rating, ?),
                title = ?, description = COALESCE(user_description, ?), duration_ms = ?, video_codec = ?, audio_codec = ?, frame_rate = ?,
                content_id = ?, motion_offset = ?, is_pano = ?, metadata_status = 'ready', error = NULL
          WHERE id = ?",
    )
    .bind(checksum)
    .bind(taken.map(|t| t.secs))
    .bind(taken.map_or(0, |t| i64::from(t.millis)))
    .bind(taken.and_then(|t| t.offset_min))
    .bind(taken.map_or("", |t| t.source.as_str()))
    .bind(taken.map(|t| month_key(t.secs)))
    .bind(i64::from(width))
    .bind(i64::from(height))
    .bind(i64::from(meta.orientation))
    .bind(&meta.make)
    .bind(&meta.model)
    .bind(&meta.lens)
    .bind(meta.focal_length)
    .bind(meta.aperture)
    .bind(&meta.exposure)
    .bind(meta.iso.map(i64::from))
    .bind(meta.flash.map(i64::from))
    .bind(meta.gps.map(|g| g.0))
    .bind(meta.gps.map(|g| g.1))
    .bind(i64::from(meta.rating))
    .bind(&meta.title)
    .bind(&meta.description)
    .bind(meta.duration_ms.and_then(|d| i64::try_from(d).ok()))
    .bind(&meta.video_codec)
    .bind(&meta.audio_codec)
    .bind(meta.frame_rate)
    .bind(&meta.content_id)
    .bind(motion_offset)
    .bind(meta.pano)
    .bind(item.id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM item_tags WHERE item_id = ? AND source = 'file'")
        .bind(item.id)
        .execute(&mut *tx)
        .await?;
    for keyword in &meta.keywords {
        let (tag_id,): (i64,) = sqlx::query_as(
            "INSERT INTO tags (name) VALUES (?) ON CONFLICT(name) DO UPDATE SET name = name RETURNING id",
        )
        .bind(keyword)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT OR IGNORE INTO item_tags (item_id, tag_id, source) VALUES (?, ?, 'file')",
        )
        .bind(item.id)
        .bind(tag_id)
        .execute(&mut *tx)
        .await?;
    }
    pair_live(&mut tx, item).await?;
    tx.commit().await
}

/// A Live Photo is a still and a short video in the same folder that share Apple's content
/// identifier or, lacking it, a base name. The video's row points at the still's.
async fn pair_live(conn: &mut SqliteConnection, item: &ItemFile) -> sqlx::Result<()> {
    // Each lookup is one index seek: the content identifier through its index, the base name
    // as a range of the folder's (folder_id, filename) index. (A join of the folder with itself
    // cost folder² rows per item: minutes for a camera folder of a few thousand files.)
    type Me = (i64, String, String, Option<String>, Option<i64>, String);
    let me: Option<Me> = sqlx::query_as(
        "SELECT folder_id, type, filename, content_id, duration_ms, metadata_status
           FROM items WHERE id = ? AND live_parent_id IS NULL",
    )
    .bind(item.id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((folder, kind, filename, content_id, duration_ms, status)) = me else {
        return Ok(());
    };
    let other = match kind.as_str() {
        "photo" => "video",
        "video" => "photo",
        _ => return Ok(()),
    };
    if status != "ready" {
        return Ok(());
    }
    let mut partner: Option<(i64,)> = None;
    if let Some(cid) = &content_id {
        partner = sqlx::query_as(
            "SELECT id FROM items
              WHERE content_id = ? AND folder_id = ? AND type = ? AND metadata_status = 'ready'
                AND live_parent_id IS NULL AND id != ?
              LIMIT 1",
        )
        .bind(cid)
        .bind(folder)
        .bind(other)
        .bind(item.id)
        .fetch_optional(&mut *conn)
        .await?;
    }
    // The base name with its dot ("IMG_0001."): the partner's name lies between it and the same
    // with '/' (the character after '.') in its place, and has no further dot.
    let base = filename
        .rfind('.')
        .map(|dot| filename[..=dot].to_owned())
        .filter(|b| b.len() > 1);
    let my_short = kind != "video" || duration_ms.unwrap_or(0) <= 6000;
    if let (None, Some(base), true) = (&partner, base, my_short) {
        let upper = format!("{}/", &base[..base.len() - 1]);
        partner = sqlx::query_as(
            "SELECT id FROM items
              WHERE folder_id = ? AND filename > ? AND filename < ?
                AND instr(substr(filename, length(?) + 1), '.') = 0
                AND type = ? AND metadata_status = 'ready' AND live_parent_id IS NULL AND id != ?
                AND (? IS NULL OR content_id IS NULL)
                AND (type = 'photo' OR COALESCE(duration_ms, 0) <= 6000)
              LIMIT 1",
        )
        .bind(folder)
        .bind(&base)
        .bind(&upper)
        .bind(&base)
        .bind(other)
        .bind(item.id)
        .bind(&content_id)
        .fetch_optional(&mut *conn)
        .await?;
    }
    let Some((partner,)) = partner else {
        return Ok(());
    };
    let (still, video) = if kind == "photo" {
        (item.id, partner)
    } else {
        (partner, item.id)
    };
    sqlx::query("UPDATE items SET type = 'live' WHERE id = ?")
        .bind(still)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE items SET live_parent_id = ? WHERE id = ?")
        .bind(still)
        .bind(video)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_metadata_broken(db: &SqlitePool, id: i64, error: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE items SET metadata_status = 'broken', thumb_status = 'broken', error = ? WHERE id = ?")
        .bind(error)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_thumbs(db: &SqlitePool, id: i64, ready: Result<(), &str>) -> sqlx::Result<()> {
    match ready {
        Ok(()) => {
            sqlx::query("UPDATE items SET thumb_status = 'ready', thumb_version = ? WHERE id = ?")
                .bind(now_secs())
                .bind(id)
                .execute(db)
                .await?
        }
        Err(error) => {
            sqlx::query("UPDATE items SET thumb_status = 'broken', error = ? WHERE id = ?")
                .bind(error)
                .bind(id)
                .execute(db)
                .await?
        }
    };
    Ok(())
}

/// Queues every item of a space (or of one folder and everything below it) to be read again,
/// metadata and thumbnails both. Returns how many.
pub async fn requeue(db: &SqlitePool, owner: i64, folder: Option<&str>) -> sqlx::Result<u64> {
    let prefix = folder.filter(|f| *f != "/");
    let done = sqlx::query(
        "INSERT INTO jobs (kind, item_id, priority)
         SELECT 'index', i.id, 10 FROM items i JOIN folders f ON f.id = i.folder_id
          WHERE i.owner_id = ?1 AND (?2 IS NULL OR f.path = ?2 OR f.path LIKE ?2 || '/%')
         ON CONFLICT (kind, item_id) DO UPDATE
            SET attempts = 0, run_after = 0, locked_at = NULL, locked_by = NULL, last_error = NULL",
    )
    .bind(owner)
    .bind(prefix)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Items of a space and how many of them still wait for work.
pub async fn index_state(db: &SqlitePool, owner: i64) -> sqlx::Result<(i64, i64, i64)> {
    sqlx::query_as(
        "SELECT COUNT(*),
                -- An item whose place the geocoding pass has yet to look up is not done either.
                COALESCE(SUM(metadata_status = 'pending' OR thumb_status = 'pending'
                             OR geo_pending = 1), 0),
                COALESCE(SUM(metadata_status = 'broken' OR thumb_status = 'broken'), 0)
           FROM items WHERE owner_id = ?",
    )
    .bind(owner)
    .fetch_one(db)
    .await
}

/// A folder's path by id within a space.
pub async fn folder_path(db: &SqlitePool, owner: i64, id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT path FROM folders WHERE owner_id = ? AND id = ?")
        .bind(owner)
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Where an item stands with its video preview.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PreviewState {
    pub r#type: String,
    pub metadata_status: String,
    /// none | pending | ready | broken
    pub preview_status: String,
    pub preview_error: Option<String>,
    pub checksum: Option<Vec<u8>>,
}

pub async fn preview_state(db: &SqlitePool, id: i64) -> sqlx::Result<Option<PreviewState>> {
    sqlx::query_as(
        "SELECT type, metadata_status, preview_status, preview_error, checksum
           FROM items WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Sets an item's preview status (`none`, `pending`, `ready` or `broken` with the reason).
pub async fn set_preview(
    db: &SqlitePool,
    id: i64,
    status: &str,
    error: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE items SET preview_status = ?, preview_error = ? WHERE id = ?")
        .bind(status)
        .bind(error)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Items whose preview is said to be made.
pub async fn ready_previews(db: &SqlitePool) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT id FROM items WHERE preview_status = 'ready'")
        .fetch_all(db)
        .await
}

/// How many items one transaction of [`flush_search`] rewrites: big enough that the search
/// index writes few segments, small enough that other writers wait no more than a moment.
const SEARCH_BATCH: i64 = 2000;

/// Brings the keyword search index (`item_search`) up to date with the items the triggers
/// noted in `search_dirty` (migration 0010), in batches. Returns how many items it rewrote.
pub async fn flush_search(db: &SqlitePool) -> sqlx::Result<u64> {
    let (pending,): (bool,) = sqlx::query_as("SELECT EXISTS (SELECT 1 FROM search_dirty)")
        .fetch_one(db)
        .await?;
    if !pending {
        return Ok(0);
    }
    let mut done = 0u64;
    loop {
        let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
        let ids: Vec<(i64,)> = sqlx::query_as("SELECT item_id FROM search_dirty LIMIT ?")
            .bind(SEARCH_BATCH)
            .fetch_all(&mut *tx)
            .await?;
        if ids.is_empty() {
            tx.commit().await?;
            return Ok(done);
        }
        let list = serde_json::to_string(&ids.iter().map(|(id,)| *id).collect::<Vec<_>>())
            .expect("a list of numbers is JSON");
        sqlx::query("DELETE FROM item_search WHERE rowid IN (SELECT value FROM json_each(?))")
            .bind(&list)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO item_search (rowid, body)
             SELECT i.id, lower(i.filename || ' ' || COALESCE(i.title, '') || ' ' ||
                    COALESCE(i.description, '') || ' ' || COALESCE(i.make, '') || ' ' ||
                    COALESCE(i.model, '') || ' ' || COALESCE(i.lens, '') || ' ' || f.path || ' ' ||
                    COALESCE((SELECT group_concat(tg.name, ' ') FROM item_tags it
                                JOIN tags tg ON tg.id = it.tag_id WHERE it.item_id = i.id), '') || ' ' ||
                    COALESCE((SELECT group_concat(pl.name, ' ') FROM places p
                                JOIN places pl ON pl.id IN (p.id, p.region_id, p.country_id)
                               WHERE p.id = i.place_id), '') || ' ' ||
                    COALESCE((SELECT group_concat(c.key || ' ' || c.name, ' ') FROM item_concepts ic
                                JOIN concepts c ON c.id = ic.concept_id WHERE ic.item_id = i.id), '') || ' ' ||
                    COALESCE((SELECT group_concat(DISTINCT pe.name) FROM faces fc
                                JOIN persons pe ON pe.id = fc.person_id
                               WHERE fc.item_id = i.id AND fc.deleted = 0 AND pe.show = 1
                                 AND pe.name != ''), ''))
               FROM items i JOIN folders f ON f.id = i.folder_id
              WHERE i.id IN (SELECT value FROM json_each(?))",
        )
        .bind(&list)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM search_dirty WHERE item_id IN (SELECT value FROM json_each(?))")
            .bind(&list)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        done += ids.len() as u64;
    }
}
