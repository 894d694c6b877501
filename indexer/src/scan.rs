//! The full scan: walks a space's folder tree, compares each media file with the index by size
//! and modification time, and queues work for what is new or changed. Unchanged files cost one
//! `stat`. A file that vanished from one place and appeared at another with the same inode,
//! size and mtime was moved or renamed: it keeps its id and everything attached to it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sqlx::SqlitePool;

use crate::jobs::{self, JobKind};
use crate::library::is_ignored_folder;
use crate::media::MediaKind;
use shoebox_catalog::files::{self as catalog, NewFile};

/// Writes per transaction while scanning.
const BATCH: usize = 500;
/// Longest a scan holds the write lock at a stretch.
const HOLD: std::time::Duration = std::time::Duration::from_millis(200);

/// What a scan found.
#[derive(Debug, Default, Clone, Serialize)]
pub struct ScanReport {
    pub files: u64,
    pub new: u64,
    pub changed: u64,
    pub moved: u64,
    pub removed: u64,
    /// Paths that were passed over, with the reason (unreadable folders, symbolic links, names
    /// that are not UTF-8), relative to the space root.
    pub skipped: Vec<Skipped>,
    /// Ids of items removed, whose derived files should go too.
    #[serde(skip)]
    pub removed_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
    /// A folder that could not be read: what the index has under it is kept.
    #[serde(skip)]
    pub unreadable_folder: bool,
}

/// One media file on disk.
#[derive(Debug, Clone)]
struct FileStat {
    name: String,
    size: i64,
    mtime_ns: i64,
    inode: i64,
    kind: MediaKind,
    ext: String,
}

/// One folder's media files; `rel` is '/' or '/a/b'.
struct Listing {
    rel: String,
    files: Vec<FileStat>,
}

enum Found {
    Folder(Listing),
    Skipped(Skipped),
}

/// Walks the given folders (relative path and absolute path) on a blocking thread, folder by
/// folder. A folder that no longer exists yields nothing: it was deleted.
fn walk(starts: Vec<(String, PathBuf)>, tx: tokio::sync::mpsc::Sender<Found>) {
    let mut stack = starts;
    while let Some((rel, dir)) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                let _ = tx.blocking_send(Found::Skipped(Skipped {
                    path: rel,
                    reason: format!("cannot read the folder: {e}"),
                    unreadable_folder: true,
                }));
                continue;
            }
        };
        let mut files = Vec::new();
        for entry in entries.flatten() {
            let Ok(name) = entry.file_name().into_string() else {
                let lossy = entry.file_name().to_string_lossy().into_owned();
                let _ = tx.blocking_send(Found::Skipped(Skipped {
                    path: join(&rel, &lossy),
                    reason: "the name is not valid UTF-8".into(),
                    unreadable_folder: false,
                }));
                continue;
            };
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_symlink() {
                let _ = tx.blocking_send(Found::Skipped(Skipped {
                    path: join(&rel, &name),
                    reason: "symbolic links are not followed".into(),
                    unreadable_folder: false,
                }));
            } else if file_type.is_dir() {
                if !is_ignored_folder(&name) {
                    stack.push((join(&rel, &name), entry.path()));
                }
            } else if file_type.is_file() && !name.starts_with('.') {
                let Some((kind, ext)) = MediaKind::of(&name) else {
                    continue;
                };
                let Ok(meta) = entry.metadata() else { continue };
                files.push(FileStat {
                    size: i64::try_from(meta.len()).unwrap_or(i64::MAX),
                    mtime_ns: mtime_ns(&meta),
                    inode: inode(&meta),
                    name,
                    kind,
                    ext,
                });
            }
        }
        if tx
            .blocking_send(Found::Folder(Listing { rel, files }))
            .is_err()
        {
            return;
        }
    }
}

fn join(rel: &str, name: &str) -> String {
    if rel == "/" {
        format!("/{name}")
    } else {
        format!("{rel}/{name}")
    }
}

/// The inode of a file (0 where the platform has none), as the scan records it.
pub fn inode_of(meta: &std::fs::Metadata) -> i64 {
    inode(meta)
}

pub fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

#[cfg(unix)]
fn inode(meta: &std::fs::Metadata) -> i64 {
    use std::os::unix::fs::MetadataExt;
    i64::try_from(meta.ino()).unwrap_or(0)
}

#[cfg(not(unix))]
fn inode(_: &std::fs::Metadata) -> i64 {
    0
}

/// Scans one space and brings its part of the index in line with the disk.
///
/// A root that cannot be read (an unmounted volume) fails the scan before anything is removed,
/// and the files under a folder that could not be read are kept: unreadable is not deleted.
pub async fn scan_space(db: &SqlitePool, owner: i64, root: &Path) -> anyhow::Result<ScanReport> {
    scan_subtrees(db, owner, root, vec!["/".to_owned()]).await
}

/// Scans only the given folders of a space ('/' or '/a/b', each with everything below it), as
/// the watcher does after changes. A move between two of them keeps the item's id.
pub async fn scan_subtrees(
    db: &SqlitePool,
    owner: i64,
    root: &Path,
    subtrees: Vec<String>,
) -> anyhow::Result<ScanReport> {
    if let Err(e) = std::fs::read_dir(root) {
        anyhow::bail!("cannot read the space root {}: {e}", root.display());
    }
    let mut subtrees = subtrees;
    subtrees.sort();
    subtrees.dedup();
    let within =
        |path: &str, top: &str| top == "/" || path == top || path.starts_with(&format!("{top}/"));
    // Keep only outermost folders.
    let tops: Vec<String> = subtrees
        .iter()
        .filter(|t| !subtrees.iter().any(|o| o != *t && within(t, o)))
        .cloned()
        .collect();
    let in_scope = |path: &str| tops.iter().any(|t| within(path, t));
    let starts = tops
        .iter()
        .map(|t| (t.clone(), root.join(t.trim_start_matches('/'))))
        .collect();
    let mut report = ScanReport::default();
    let Walked {
        items: seen_items,
        folders: mut seen_folders,
        new_files,
    } = walk_and_compare(db, owner, starts, &mut report).await?;
    let gate = TestGate::take();
    if let Some(gate) = &gate {
        gate.wait().await;
    }

    let Unseen {
        folder_paths,
        mut vanished,
        mut gone,
    } = unseen(
        db,
        owner,
        &report,
        &in_scope,
        &seen_items,
        &mut seen_folders,
    )
    .await?;
    // The walk listed each folder once, some time ago: what it did not see may have been written
    // after it listed that folder (an upload links its file, then writes its row, and answers
    // the row's id). So nothing is moved, removed or dropped on the walk's word alone: a row
    // goes only when its file is missing now, looked at under the write lock that also removes
    // it, and so after the row's last write. The same for folders.
    let mut conn = db.begin_with("BEGIN IMMEDIATE").await?;
    let mut writes = 0usize;
    for (folder_id, file) in new_files {
        let key = (file.inode, file.size, file.mtime_ns);
        let twin = match vanished.remove(&key).filter(|_| file.inode != 0) {
            Some(row) if missing(&mut conn, root, row.id).await? => Some(row),
            // Its file is there after all: this one is another name for it (a hard link).
            Some(_) | None => None,
        };
        if let Some(row) = twin {
            catalog::move_file(&mut conn, row.id, folder_id, &file.name).await?;
            report.moved += 1;
        } else {
            let new = NewFile {
                owner_id: owner,
                folder_id,
                item_type: file.kind.item_type(),
                format: file.ext,
                filename: file.name,
                size: file.size,
                mtime_ns: file.mtime_ns,
                inode: file.inode,
            };
            let id = catalog::insert_file(&mut conn, &new).await?;
            jobs::enqueue(&mut conn, JobKind::Index, id).await?;
            report.new += 1;
        }
        writes += 1;
        if writes >= BATCH {
            conn.commit().await?;
            conn = db.begin_with("BEGIN IMMEDIATE").await?;
            writes = 0;
        }
    }
    gone.extend(vanished.into_values().map(|row| row.id));
    let mut removed = Vec::with_capacity(gone.len());
    for id in gone {
        if missing(&mut conn, root, id).await? {
            removed.push(id);
        }
    }
    catalog::delete_items(&mut conn, &removed).await?;
    report.removed = removed.len() as u64;
    report.removed_ids = removed;
    // Folders no longer on disk, deepest first (their items are already gone or moved).
    let mut stale: Vec<(i64, String)> = folder_paths
        .into_iter()
        .filter(|(id, path)| !seen_folders.contains(id) && path != "/")
        .collect();
    stale.sort_by_key(|(_, path)| std::cmp::Reverse(path.len()));
    for (id, path) in stale {
        if !is_there(&root.join(path.trim_start_matches('/')), true) {
            catalog::delete_folder(&mut conn, id).await?;
        }
    }
    conn.commit().await?;
    if let Some(gate) = gate {
        gate.done();
    }
    Ok(report)
}

/// What the walk saw: the items and folders of the index it found, and the files new to it
/// (with their folder's id).
struct Walked {
    items: HashSet<i64>,
    folders: HashSet<i64>,
    new_files: Vec<(i64, FileStat)>,
}

/// Walks the folders `starts` and compares what it finds with the index: folders get their rows,
/// changed files are marked and queued (in short write transactions), new files are noted.
async fn walk_and_compare(
    db: &SqlitePool,
    owner: i64,
    starts: Vec<(String, PathBuf)>,
    report: &mut ScanReport,
) -> anyhow::Result<Walked> {
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let walker = tokio::task::spawn_blocking(move || walk(starts, tx));
    let mut seen_items: HashSet<i64> = HashSet::new();
    let mut seen_folders: HashSet<i64> = HashSet::new();
    let mut new_files: Vec<(i64, FileStat)> = Vec::new();
    // Short write transactions, taken with `BEGIN IMMEDIATE` so that a scan never has to upgrade
    // a read lock (which SQLite refuses at once, busy timeout or not, when another connection
    // wrote in between), and never held while the walker is still reading the disk.
    let mut open: Option<sqlx::Transaction<'_, sqlx::Sqlite>> = None;
    let mut opened = std::time::Instant::now();
    let mut writes = 0usize;
    loop {
        let found = match rx.try_recv() {
            Ok(found) => found,
            Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => break,
            Err(tokio::sync::mpsc::error::TryRecvError::Empty) => {
                if let Some(tx) = open.take() {
                    tx.commit().await?;
                    writes = 0;
                }
                match rx.recv().await {
                    Some(found) => found,
                    None => break,
                }
            }
        };
        let listing = match found {
            Found::Folder(l) => l,
            Found::Skipped(s) => {
                report.skipped.push(s);
                continue;
            }
        };
        let conn = match &mut open {
            Some(tx) => tx,
            None => {
                opened = std::time::Instant::now();
                open.insert(db.begin_with("BEGIN IMMEDIATE").await?)
            }
        };
        let folder_id = catalog::ensure_folder(conn, owner, &listing.rel).await?;
        seen_folders.insert(folder_id);
        let existing: HashMap<String, catalog::FileRow> = catalog::files_in_folder(conn, folder_id)
            .await?
            .into_iter()
            .map(|row| (row.filename.clone(), row))
            .collect();
        for file in listing.files {
            report.files += 1;
            match existing.get(&file.name) {
                Some(row) if row.size == file.size && row.mtime_ns == file.mtime_ns => {
                    seen_items.insert(row.id);
                }
                Some(row) => {
                    seen_items.insert(row.id);
                    catalog::mark_changed(conn, row.id, file.size, file.mtime_ns, file.inode)
                        .await?;
                    jobs::enqueue(conn, JobKind::Index, row.id).await?;
                    report.changed += 1;
                    writes += 1;
                }
                None => new_files.push((folder_id, file)),
            }
        }
        // Other writers (sign-ins, edits, the jobs) wait while this holds the lock: let them in
        // every BATCH writes, and at least every HOLD even when nothing changed.
        if writes >= BATCH || opened.elapsed() >= HOLD {
            if let Some(tx) = open.take() {
                tx.commit().await?;
            }
            writes = 0;
        }
    }
    walker.await?;
    if let Some(tx) = open.take() {
        tx.commit().await?;
    }
    Ok(Walked {
        items: seen_items,
        folders: seen_folders,
        new_files,
    })
}

/// What the index has under the scanned folders and the walk did not see.
struct Unseen {
    /// The index's folders in scope, by id.
    folder_paths: HashMap<i64, String>,
    /// Files not seen that may have moved, by (inode, size, mtime).
    vanished: HashMap<(i64, i64, i64), catalog::FileRow>,
    /// Items not seen that cannot have moved.
    gone: Vec<i64>,
}

/// The rows the walk did not see: moved, renamed, or gone. Folders that could not be read count
/// as seen (added to `seen_folders`), with everything below them.
async fn unseen(
    db: &SqlitePool,
    owner: i64,
    report: &ScanReport,
    in_scope: &(dyn Fn(&str) -> bool + Sync),
    seen_items: &HashSet<i64>,
    seen_folders: &mut HashSet<i64>,
) -> anyhow::Result<Unseen> {
    // What is in the index but was not seen: moved, renamed, or gone. Folders that could not be
    // read count as seen, with everything below them.
    let unreadable: Vec<String> = report
        .skipped
        .iter()
        .filter(|s| s.unreadable_folder)
        .map(|s| s.path.clone())
        .collect();
    let under_unreadable = |path: &str| {
        unreadable
            .iter()
            .any(|u| path == u || path.starts_with(&format!("{u}/")))
    };
    let folder_paths: HashMap<i64, String> = catalog::folders_of_owner(db, owner)
        .await?
        .into_iter()
        .filter(|(_, path)| in_scope(path))
        .collect();
    for (id, path) in &folder_paths {
        if under_unreadable(path) {
            seen_folders.insert(*id);
        }
    }
    let mut vanished: HashMap<(i64, i64, i64), catalog::FileRow> = HashMap::new();
    let mut gone: Vec<i64> = Vec::new();
    for row in catalog::files_of_owner(db, owner).await? {
        let Some(folder) = folder_paths.get(&row.folder_id) else {
            continue;
        };
        if seen_items.contains(&row.id) || under_unreadable(folder) {
            continue;
        }
        if row.inode != 0 {
            if let Some(twin) = vanished.insert((row.inode, row.size, row.mtime_ns), row) {
                gone.push(twin.id);
            }
        } else {
            gone.push(row.id);
        }
    }
    Ok(Unseen {
        folder_paths,
        vanished,
        gone,
    })
}

/// Whether the file of item `id` is missing from the disk now (a row that is no longer there is
/// not: there is nothing left to do with it). Called inside the write transaction that acts on
/// the answer, so the row cannot change in between.
async fn missing(conn: &mut sqlx::SqliteConnection, root: &Path, id: i64) -> sqlx::Result<bool> {
    let Some((folder, name)) = catalog::file_place(conn, id).await? else {
        return Ok(false);
    };
    let path = root.join(folder.trim_start_matches('/')).join(name);
    Ok(!is_there(&path, false))
}

/// Whether `path` is a regular file (a folder when `folder`) as the walk would take it: a
/// symbolic link, or something else in its place, is not. An error other than "not found"
/// (a permission, an I/O error) counts as there: unreadable is not deleted.
fn is_there(path: &Path, folder: bool) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(meta) => {
            if folder {
                meta.is_dir()
            } else {
                meta.is_file()
            }
        }
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
        ),
    }
}

/// A pause point for tests, and only for them: with `SHOEBOX_TEST_SCAN_GATE=DIR` in the
/// environment, the first scan that finds the file `DIR/armed` renames it to `DIR/walked` once
/// its walk is over (every folder listed, nothing compared with the index yet), waits until
/// `DIR/go` exists (at most a minute), and writes `DIR/done` when it has finished. A test thereby
/// puts a change (an upload) exactly between a scan's listing and its verdict. Without the
/// variable, or without `armed`, it costs one `getenv`.
struct TestGate(PathBuf);

impl TestGate {
    const VAR: &'static str = "SHOEBOX_TEST_SCAN_GATE";

    fn take() -> Option<TestGate> {
        let dir = PathBuf::from(std::env::var_os(Self::VAR)?);
        std::fs::rename(dir.join("armed"), dir.join("walked")).ok()?;
        tracing::warn!(gate = %dir.display(), "scan paused at the test gate ({})", Self::VAR);
        Some(TestGate(dir))
    }

    async fn wait(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !self.0.join("go").exists() && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    fn done(self) {
        let _ = std::fs::write(self.0.join("done"), b"");
    }
}
