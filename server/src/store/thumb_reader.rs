//! The one read on the thumbnail path, made without leaving the request's thread.
//!
//! sqlx runs each SQLite connection on a worker thread of its own and hands every query over
//! through channels: two thread wake-ups per query, which profiling showed as the largest cost
//! of a thumbnail request (a grid asks for hundreds a second). A primary-key read of a table
//! SQLite has in its page cache takes microseconds, so it is made here, on the caller's thread,
//! through a few read-only rusqlite connections to the same database file (WAL: readers never
//! wait for the indexer's writes).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::library::ThumbState;

/// Connections kept open between requests (more are opened when that many are busy at once).
const KEEP: usize = 8;

pub struct ThumbReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl ThumbReader {
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
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
    /// the hidden video half of a Live Photo).
    pub fn thumb_state(&self, owner: i64, id: i64) -> anyhow::Result<Option<ThumbState>> {
        self.read(|conn| {
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
        })
    }
}
