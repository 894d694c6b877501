//! Uploads in flight, and what a killed server leaves of them (issue 20; docs/indexer.md
//! "What a killed server leaves behind").
//!
//! An upload has a file in two places before its item exists: the spool file its body streams
//! to (`DATA/tmp/upload-*`, `api::params`), then a hidden staging file in the destination folder
//! (`.shoebox-upload-<16 hex>`, [`crate::space_fs`]), which is linked under its own name once
//! flushed. Both are removed when the request ends, whatever way it ends, while the server
//! runs. A server killed (`kill -9`, a crash, the OOM killer, a power cut), or stopped while a
//! copy runs on a blocking thread, leaves them. So:
//!
//! - **Live files.** A spool file is registered ([`Live`]) while a request owns it, a staging
//!   file while its [`Ticket`] lives: nothing here removes a live one.
//! - **The staging journal** (`DATA/staging/<16 hex>.json`): before a staging file is created,
//!   one small entry names it (owner, space-relative folder, hidden name), flushed; it goes when
//!   the hidden name is gone (linked under the final name, or removed). A start replays what is
//!   there, removing each file through the space's [`SpaceRoot`] (beneath the space, no link
//!   followed, only a regular file with a staging name): the server never walks a library to
//!   find them.
//! - **At start**, every spool file (`DATA/tmp/upload-*`) and a resumable upload's leftovers of
//!   a finish (`DATA/tmp/resumable/*.finishing`, `*.json.tmp`) go: no request owns one yet. The
//!   open resumable uploads themselves (`.part`, `.json`) are kept: they are meant to outlive a
//!   restart.
//! - **Now and then** ([`SWEEP_EVERY`]), the same for files no live request owns and older than
//!   [`STRAY_AFTER`] (a failed removal, an entry whose space was away at start).
//!
//! And the quota ([`Quotas`]): an upload's bytes count for its owner from the quota check until
//! its item is in the index, so parallel uploads cannot together pass a quota each passes alone.

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::space_fs::{self, SpaceRoot};

/// The name a spool file starts with (`api::params`).
pub const SPOOL_PREFIX: &str = "upload-";
/// How often strays are looked for while the server runs.
pub const SWEEP_EVERY: Duration = Duration::from_secs(15 * 60);
/// A file no live request owns is a stray once this old.
pub const STRAY_AFTER: Duration = Duration::from_secs(3600);

/// The files live requests own, by full path (spool files, journal entries).
static LIVE: LazyLock<Mutex<HashSet<PathBuf>>> = LazyLock::new(Mutex::default);

fn live() -> MutexGuard<'static, HashSet<PathBuf>> {
    LIVE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A file a live request owns; registered until this is dropped.
#[derive(Debug)]
pub struct Live(PathBuf);

impl Live {
    pub fn new(path: PathBuf) -> Live {
        live().insert(path.clone());
        Live(path)
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        live().remove(&self.0);
    }
}

fn is_live(path: &Path) -> bool {
    live().contains(path)
}

/// The staging journal's folder.
pub fn journal_dir(data: &Path) -> PathBuf {
    data.join("staging")
}

/// One journal entry.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    owner: i64,
    /// The space-relative folder of the staging file.
    folder: String,
    /// Its hidden name.
    name: String,
}

/// A staging file's journal entry, written before the file is made; removed when dropped,
/// after the file is gone (it travels in [`space_fs::Staged`]).
#[derive(Debug)]
pub struct Ticket {
    path: PathBuf,
    name: String,
    _live: Live,
}

impl Ticket {
    /// Writes the entry for a new staging name in `folder` of `owner`'s space, flushed.
    pub fn write(data: &Path, owner: i64, folder: &str) -> io::Result<Ticket> {
        let name = space_fs::staging_name();
        let dir = journal_dir(data);
        std::fs::create_dir_all(&dir)?;
        let id = name.trim_start_matches(space_fs::STAGING_PREFIX);
        let path = dir.join(format!("{id}.json"));
        let live = Live::new(path.clone());
        let entry = Entry {
            owner,
            folder: folder.to_owned(),
            name: name.clone(),
        };
        let text = serde_json::to_vec(&entry).map_err(io::Error::other)?;
        let mut file = std::fs::File::create_new(&path)?;
        let written = io::Write::write_all(&mut file, &text).and_then(|()| file.sync_all());
        if let Err(e) = written {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        Ok(Ticket {
            path,
            name,
            _live: live,
        })
    }

    /// The hidden name the staging file is to have.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_file(&self.path)
            && e.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!(entry = %self.path.display(), "cannot remove a staging journal entry: {e}");
        }
    }
}

/// What a clean-up removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Removed {
    pub files: u64,
    pub bytes: u64,
}

impl Removed {
    fn add(&mut self, bytes: u64) {
        self.files += 1;
        self.bytes += bytes;
    }
}

/// Whether a file of this modification time is old enough to go (`None`: any age).
fn old_enough(meta: &std::fs::Metadata, older_than: Option<Duration>) -> bool {
    let Some(min) = older_than else {
        return true;
    };
    meta.modified()
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age >= min)
}

/// Removes the regular files of `dir` whose name `matches`, that no request owns and that are
/// `older_than`.
fn remove_files(
    dir: &Path,
    matches: impl Fn(&str) -> bool,
    older_than: Option<Duration>,
    removed: &mut Removed,
) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !matches(name) {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.is_file() || is_live(&path) || !old_enough(&meta, older_than) {
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => removed.add(meta.len()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(file = %path.display(), "cannot remove a stray upload file: {e}")
            }
        }
    }
}

/// Removes the spool files in `spool` (`DATA/tmp`) no request owns, `older_than`; with
/// `None` (at start) also a resumable upload's leftovers of a finish.
pub fn sweep_spool(spool: &Path, older_than: Option<Duration>) -> Removed {
    let mut removed = Removed::default();
    remove_files(
        spool,
        |n| n.starts_with(SPOOL_PREFIX),
        older_than,
        &mut removed,
    );
    if older_than.is_none() {
        remove_files(
            &spool.join("resumable"),
            |n| n.ends_with(".finishing") || n.ends_with(".json.tmp"),
            None,
            &mut removed,
        );
    }
    removed
}

/// Replays the staging journal: for each entry no request owns and `older_than`, the staging
/// file it names is removed (if it is there) and then the entry. An entry whose space cannot
/// be reached now stays for the next sweep; one that cannot be read, or whose owner is gone,
/// goes.
pub async fn replay_journal(place: &Leftovers, older_than: Option<Duration>) -> Removed {
    let dir = journal_dir(&place.data);
    let listed = tokio::task::spawn_blocking(move || -> Vec<(PathBuf, Option<Entry>)> {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|e| {
                let path = e.path();
                let meta = std::fs::symlink_metadata(&path).ok()?;
                let ours = path.extension().is_some_and(|x| x == "json");
                (ours && meta.is_file() && !is_live(&path) && old_enough(&meta, older_than)).then(
                    || {
                        let entry = std::fs::read(&path)
                            .ok()
                            .and_then(|t| serde_json::from_slice::<Entry>(&t).ok());
                        (path, entry)
                    },
                )
            })
            .collect()
    })
    .await
    .unwrap_or_default();
    let mut removed = Removed::default();
    for (path, entry) in listed {
        let done = match entry {
            None => {
                tracing::warn!(entry = %path.display(), "a staging journal entry that cannot be read; removed");
                true
            }
            Some(entry) => match remove_staged(place, &entry).await {
                Ok(Some(bytes)) => {
                    removed.add(bytes);
                    true
                }
                Ok(None) => true,
                Err(e) => {
                    tracing::warn!(
                        owner = entry.owner,
                        folder = entry.folder,
                        "a staging file left by an upload cannot be removed now: {e}"
                    );
                    false
                }
            },
        };
        if done {
            let _ = tokio::fs::remove_file(&path).await;
        }
    }
    removed
}

/// Removes the staging file of `entry`; its size, or `None` when there was none (or its
/// owner is gone).
async fn remove_staged(place: &Leftovers, entry: &Entry) -> Result<Option<u64>, String> {
    let space = match SpaceRoot::of(&place.db, &place.library, entry.owner).await {
        Ok(space) => space,
        Err(crate::protocol::error::ApiError::NotFound) => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let (folder, name) = (entry.folder.clone(), entry.name.clone());
    tokio::task::spawn_blocking(move || space.remove_staged(&folder, &name))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

/// Where the leftovers of interrupted uploads are looked for: the catalog and the library (to
/// open a staging file's space), the data folder (the journal) and the spool folder.
#[derive(Clone)]
pub struct Leftovers {
    pub db: sqlx::SqlitePool,
    pub library: shoebox_indexer::library::Library,
    pub data: PathBuf,
    pub spool: PathBuf,
}

/// At start, before any request: every spool file and every staging file the journal names.
pub async fn clean_at_start(place: &Leftovers) {
    let spool = place.spool.clone();
    let spooled = tokio::task::spawn_blocking(move || sweep_spool(&spool, None))
        .await
        .unwrap_or_default();
    let staged = replay_journal(place, None).await;
    report("at start", spooled, staged);
}

/// Every [`SWEEP_EVERY`]: the strays no live request owns, older than [`STRAY_AFTER`].
pub async fn sweep_now_and_then(place: Leftovers) {
    let mut tick = tokio::time::interval(SWEEP_EVERY);
    tick.tick().await;
    loop {
        tick.tick().await;
        let spool = place.spool.clone();
        let spooled = tokio::task::spawn_blocking(move || sweep_spool(&spool, Some(STRAY_AFTER)))
            .await
            .unwrap_or_default();
        let staged = replay_journal(&place, Some(STRAY_AFTER)).await;
        report("sweep", spooled, staged);
    }
}

fn report(when: &str, spooled: Removed, staged: Removed) {
    if spooled.files + staged.files > 0 {
        tracing::info!(
            spool_files = spooled.files,
            spool_bytes = spooled.bytes,
            staging_files = staged.files,
            staging_bytes = staged.bytes,
            "{when}: removed what interrupted uploads left"
        );
    }
}

/// Bytes of uploads in flight, per owner, counted against the owner's quota.
#[derive(Debug, Default)]
pub struct Quotas {
    /// Held from reading the owner's use to reserving, and to settling: a check never misses
    /// an upload that is between the two counts (in flight and in the index).
    gate: Arc<tokio::sync::Mutex<()>>,
    held: Arc<Mutex<HashMap<i64, u64>>>,
}

/// Bytes reserved for one upload until it is [settled](Reservation::settle) or dropped.
#[derive(Debug)]
pub struct Reservation {
    owner: i64,
    bytes: u64,
    gate: Arc<tokio::sync::Mutex<()>>,
    held: Arc<Mutex<HashMap<i64, u64>>>,
}

fn lock_held(held: &Mutex<HashMap<i64, u64>>) -> MutexGuard<'_, HashMap<i64, u64>> {
    held.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Quotas {
    /// Checks and reserves in one step: `check(in_flight)` is given the owner's bytes in flight
    /// and says whether `bytes` more fit (it reads the owner's use itself); no other check or
    /// settle runs meanwhile.
    pub async fn reserve<E, F>(
        &self,
        owner: i64,
        bytes: u64,
        check: impl FnOnce(u64) -> F,
    ) -> Result<Reservation, E>
    where
        F: std::future::Future<Output = Result<(), E>>,
    {
        let _one = self.gate.lock().await;
        let in_flight = lock_held(&self.held).get(&owner).copied().unwrap_or(0);
        check(in_flight).await?;
        *lock_held(&self.held).entry(owner).or_insert(0) += bytes;
        Ok(Reservation {
            owner,
            bytes,
            gate: self.gate.clone(),
            held: self.held.clone(),
        })
    }
}

impl Reservation {
    /// The upload's item is in the index (its bytes count there now): the reservation goes,
    /// while no check is between its two counts.
    pub async fn settle(self) {
        let gate = self.gate.clone();
        let _one = gate.lock().await;
        drop(self);
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut held = lock_held(&self.held);
        if let Some(n) = held.get_mut(&self.owner) {
            *n = n.saturating_sub(self.bytes);
            if *n == 0 {
                held.remove(&self.owner);
            }
        }
    }
}

/// A test-only pause point: when the environment variable `SHOEBOX_TEST_PAUSE_STAGED` names a
/// file, an upload whose file is staged in its folder waits there while that file exists (at
/// most two minutes), so the end-to-end tests can kill the server, or start another upload,
/// at that moment. Never set outside tests; read once.
pub async fn test_pause_staged() {
    static PAUSE: LazyLock<Option<PathBuf>> =
        LazyLock::new(|| std::env::var_os("SHOEBOX_TEST_PAUSE_STAGED").map(PathBuf::from));
    let Some(file) = PAUSE.as_ref() else {
        return;
    };
    let until = tokio::time::Instant::now() + Duration::from_secs(120);
    while tokio::fs::try_exists(file).await.unwrap_or(false) && tokio::time::Instant::now() < until
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spool_sweep_spares_live_and_young_files() {
        let tmp = tempfile::tempdir().expect("tmp");
        let spool = tmp.path();
        std::fs::create_dir_all(spool.join("resumable")).expect("mkdir");
        for name in ["upload-a", "upload-b", "other", "resumable/x.finishing"] {
            std::fs::write(spool.join(name), b"12345").expect("write");
        }
        std::fs::write(spool.join("resumable/x.part"), b"1").expect("write");
        let live = Live::new(spool.join("upload-a"));
        // Young: nothing goes by age.
        let by_age = sweep_spool(spool, Some(Duration::from_secs(3600)));
        assert_eq!(by_age, Removed::default());
        // At start: all but the live one and what is not a spool file.
        let removed = sweep_spool(spool, None);
        assert_eq!(
            removed,
            Removed {
                files: 2,
                bytes: 10
            }
        );
        assert!(spool.join("upload-a").exists() && spool.join("other").exists());
        assert!(!spool.join("upload-b").exists());
        assert!(spool.join("resumable/x.part").exists());
        drop(live);
        sweep_spool(spool, None);
        assert!(!spool.join("upload-a").exists());
    }

    #[tokio::test]
    async fn parallel_reservations_add_up() {
        let quotas = Quotas::default();
        let limit = 100u64;
        let fits = |bytes: u64| {
            move |in_flight: u64| async move {
                if in_flight + bytes <= limit {
                    Ok(())
                } else {
                    Err(in_flight)
                }
            }
        };
        let one = quotas
            .reserve(1, 60, fits(60))
            .await
            .expect("the first fits");
        assert_eq!(quotas.reserve(1, 60, fits(60)).await.err(), Some(60));
        let other = quotas
            .reserve(2, 60, fits(60))
            .await
            .expect("another owner");
        one.settle().await;
        let again = quotas.reserve(1, 60, fits(60)).await.expect("room again");
        drop((again, other));
        assert!(lock_held(&quotas.held).is_empty());
    }
}
