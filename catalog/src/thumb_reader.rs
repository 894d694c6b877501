//! The one read on the thumbnail path, made without leaving the request's thread.
//!
//! sqlx runs each SQLite connection on a worker thread of its own and hands every query over
//! through channels: two thread wake-ups per query, which profiling showed as the largest cost
//! of a thumbnail request (a grid asks for hundreds a second). A primary-key read of a table
//! SQLite has in its page cache takes microseconds, so it is made here, on the caller's thread,
//! through a few read-only rusqlite connections to the same database file (WAL: readers never
//! wait for the indexer's writes).
//!
//! A read transaction costs more than the read itself here (file locks taken and given back
//! through `fcntl`, the pager's checks of the WAL): the item reads share one for up to
//! [`SNAPSHOT_FOR`] per connection, so an item read may see the library as it was that long
//! ago (the session and reach are trusted for longer, crate::recent). A snapshot is given back
//! when it is older than that, at the next read or by a sweeper thread, so a WAL checkpoint is
//! never held back for longer than about twice that.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::library::ThumbState;

/// Connections kept open between requests (more are opened when that many are busy at once).
const KEEP: usize = 8;

/// How long the item reads of one connection share a read transaction.
pub const SNAPSHOT_FOR: Duration = Duration::from_millis(50);

/// A connection for item reads, since when its read transaction is open, and the
/// [`crate::recent`] generation it was opened in.
struct Held {
    conn: Connection,
    since: Option<Instant>,
    generation: u64,
}

impl Held {
    /// Ends the read transaction, if one is open.
    fn release(&mut self) {
        if self.since.take().is_some() {
            // An error means SQLite has ended it already (after a failed read); a connection
            // left inside one fails its next BEGIN and is dropped.
            let _ = self.conn.execute_batch("COMMIT");
        }
    }
}

pub struct ThumbReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    items: Arc<Mutex<Vec<Held>>>,
}

impl ThumbReader {
    pub fn new(path: &Path) -> Self {
        let items = Arc::new(Mutex::new(Vec::new()));
        sweep_while_alive(Arc::downgrade(&items));
        Self {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
            items,
        }
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(5))?;
        Ok(conn)
    }

    /// Runs `read` on one of the connections (blocking: on a blocking thread for anything but
    /// a primary-key read). The map reads its cells this way: rows stepped in C and summed in
    /// Rust, where sqlx would hand each row through a channel.
    pub fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> anyhow::Result<T> {
        let kept = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        let conn = match kept {
            Some(conn) => conn,
            None => self.open()?,
        };
        let out = read(&conn);
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if idle.len() < KEEP {
            idle.push(conn);
        }
        Ok(out?)
    }

    /// The thumbnail state of item `id` of space `owner`, if it is an item listings show (not
    /// the hidden video half of a Live Photo), as of at most [`SNAPSHOT_FOR`] ago and after
    /// any change made through this server's API since `generation` (crate::recent: a
    /// snapshot opened in an older generation is not used).
    pub fn thumb_state(
        &self,
        owner: i64,
        id: i64,
        generation: u64,
    ) -> anyhow::Result<Option<ThumbState>> {
        let kept = lock(&self.items).pop();
        let mut held = match kept {
            Some(held) => held,
            None => Held {
                conn: self.open()?,
                since: None,
                generation,
            },
        };
        let now = Instant::now();
        if held.generation != generation
            || held
                .since
                .is_some_and(|t| now.duration_since(t) >= SNAPSHOT_FOR)
        {
            held.release();
        }
        if held.since.is_none() {
            held.conn.execute_batch("BEGIN")?;
            held.since = Some(now);
            held.generation = generation;
        }
        let out = read_state(&held.conn, owner, id);
        if out.is_err() {
            held.release();
        }
        let mut idle = lock(&self.items);
        if idle.len() < KEEP {
            idle.push(held);
        }
        Ok(out?)
    }
}

fn read_state(conn: &Connection, owner: i64, id: i64) -> rusqlite::Result<Option<ThumbState>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, folder_id, thumb_status, thumb_version FROM items
          WHERE id = ?1 AND owner_id = ?2 AND live_parent_id IS NULL",
    )?;
    statement
        .query_row((id, owner), |row| {
            Ok(ThumbState {
                id: row.get(0)?,
                folder_id: row.get(1)?,
                thumb_status: row.get(2)?,
                thumb_version: row.get(3)?,
            })
        })
        .optional()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Gives back the snapshots of idle connections once they are [`SNAPSHOT_FOR`] old, so that a
/// quiet server holds no read transaction; the thread ends with its reader.
fn sweep_while_alive(items: Weak<Mutex<Vec<Held>>>) {
    let spawned = std::thread::Builder::new()
        .name("thumb-snapshots".into())
        .spawn(move || {
            while let Some(items) = items.upgrade() {
                let now = Instant::now();
                for held in lock(&items).iter_mut() {
                    if held
                        .since
                        .is_some_and(|t| now.duration_since(t) >= SNAPSHOT_FOR)
                    {
                        held.release();
                    }
                }
                drop(items);
                std::thread::sleep(SNAPSHOT_FOR);
            }
        });
    if let Err(e) = spawned {
        // Without the sweeper a snapshot is still given back at its connection's next read.
        tracing::warn!("cannot start the snapshot sweeper: {e}");
    }
}
