//! The indexer as the server and the `shoebox index` command use it: scan every space, then
//! work the job queue with a pool of workers, either until it is empty or for as long as the
//! server runs.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;
use sqlx::SqlitePool;
use tokio::sync::Notify;

use crate::catalog::{self, SHARED_OWNER};
use crate::jobs::{self, Job, JobKind};
use crate::library::Library;
use crate::media::MediaKind;
use crate::process::{self, Limits};
use crate::scan::{self, ScanReport};
use crate::thumbnail::{DecodeLimits, ThumbStore};

/// How the indexer works.
#[derive(Debug, Clone)]
pub struct IndexerOptions {
    /// Jobs run at once.
    pub workers: usize,
    /// Address-space limit of each external program (ffmpeg, ffprobe), MiB; 0 for none.
    pub tool_memory_mib: u64,
}

impl Default for IndexerOptions {
    fn default() -> Self {
        Self {
            workers: 2,
            tool_memory_mib: process::DEFAULT_MEMORY_MIB,
        }
    }
}

/// A space to index: its owner id, root folder, and a label for reports.
#[derive(Debug, Clone)]
pub struct SpaceRoot {
    pub owner: i64,
    pub root: PathBuf,
    pub label: String,
}

/// Progress of the job queue.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub done: u64,
    pub pending: u64,
}

/// A broken file and why.
#[derive(Debug, Clone, Serialize)]
pub struct BrokenFile {
    pub path: String,
    pub reason: String,
}

/// The state of the index, as `shoebox index --json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Media files in the index.
    pub files: i64,
    /// What users see, broken files left out: a Live Photo pair counts once.
    pub items: i64,
    pub photos: i64,
    pub videos: i64,
    pub live: i64,
    pub motion: i64,
    pub panoramas: i64,
    pub broken: Vec<BrokenFile>,
    /// Paths passed over by the scan, and why.
    pub skipped: Vec<BrokenFile>,
    pub seconds: f64,
}

pub struct Indexer {
    db: SqlitePool,
    library: Library,
    store: ThumbStore,
    limits: DecodeLimits,
    /// Memory of external programs.
    tools: Limits,
    workers: usize,
    wake: Notify,
    done: AtomicU64,
    /// One scan at a time: a watcher rescan and a full scan must not race over the same files.
    scan_lock: tokio::sync::Mutex<()>,
}

impl Indexer {
    pub fn new(
        db: SqlitePool,
        library: Library,
        cache_dir: &Path,
        options: IndexerOptions,
    ) -> Arc<Self> {
        Arc::new(Self {
            db,
            library,
            store: ThumbStore::new(cache_dir),
            limits: DecodeLimits::default(),
            tools: Limits::with_memory_mib(options.tool_memory_mib),
            workers: options.workers.max(1),
            wake: Notify::new(),
            done: AtomicU64::new(0),
            scan_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// Holds off scans while the caller changes files and their rows together (a rename or
    /// delete through the API), so a scan never sees one without the other.
    pub async fn pause_scans(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.scan_lock.lock().await
    }

    pub fn db(&self) -> &SqlitePool {
        &self.db
    }

    pub fn thumbs(&self) -> &ThumbStore {
        &self.store
    }

    /// The Shared Space and the Personal Space of every enabled user that has one.
    pub async fn spaces(&self) -> sqlx::Result<Vec<SpaceRoot>> {
        let mut spaces = vec![SpaceRoot {
            owner: SHARED_OWNER,
            root: self.library.shared_root().to_path_buf(),
            label: "shared".into(),
        }];
        let users: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, name FROM users WHERE enabled = 1 ORDER BY id")
                .fetch_all(&self.db)
                .await?;
        for (id, name) in users {
            if let Ok(root) = self.library.personal_root(&name)
                && root.is_dir()
            {
                spaces.push(SpaceRoot {
                    owner: id,
                    root,
                    label: name,
                });
            }
        }
        Ok(spaces)
    }

    async fn space_root(&self, owner: i64) -> Option<PathBuf> {
        if owner == SHARED_OWNER {
            return Some(self.library.shared_root().to_path_buf());
        }
        let name: Option<(String,)> = sqlx::query_as("SELECT name FROM users WHERE id = ?")
            .bind(owner)
            .fetch_optional(&self.db)
            .await
            .ok()?;
        self.library.personal_root(&name?.0).ok()
    }

    /// Scans every space. A space that cannot be read is reported and left as it was.
    pub async fn scan_all(&self) -> Vec<(SpaceRoot, anyhow::Result<ScanReport>)> {
        let spaces = match self.spaces().await {
            Ok(s) => s,
            Err(e) => {
                return vec![(
                    SpaceRoot {
                        owner: -1,
                        root: PathBuf::new(),
                        label: "all".into(),
                    },
                    Err(e.into()),
                )];
            }
        };
        let mut reports = Vec::new();
        for space in spaces {
            let report = self.scan_subtrees(&space, vec!["/".to_owned()]).await;
            if let Ok(r) = &report {
                if r.new + r.changed + r.moved + r.removed > 0 {
                    tracing::info!(space = %space.label, files = r.files, new = r.new, changed = r.changed, moved = r.moved, removed = r.removed, "scanned");
                } else {
                    tracing::debug!(space = %space.label, files = r.files, "scanned, no change");
                }
            }
            reports.push((space, report));
        }
        self.wake.notify_waiters();
        reports
    }

    /// Rescans folders of one space (each with everything below it), removing the derived files
    /// of items that went away.
    pub async fn scan_subtrees(
        &self,
        space: &SpaceRoot,
        folders: Vec<String>,
    ) -> anyhow::Result<ScanReport> {
        let _one_at_a_time = self.scan_lock.lock().await;
        let report = scan::scan_subtrees(&self.db, space.owner, &space.root, folders).await?;
        for id in &report.removed_ids {
            self.store.remove(*id);
        }
        Ok(report)
    }

    pub async fn progress(&self) -> Progress {
        let pending = jobs::pending(&self.db).await.unwrap_or(0);
        Progress {
            done: self.done.load(Ordering::Relaxed),
            pending: u64::try_from(pending).unwrap_or(0),
        }
    }

    /// Works the queue with the worker pool until no job is left (jobs waiting for a retry are
    /// waited for).
    pub async fn run_until_idle(self: &Arc<Self>) -> anyhow::Result<()> {
        jobs::release_orphans(&self.db).await?;
        loop {
            let mut handles = Vec::new();
            for _ in 0..self.workers {
                let me = self.clone();
                handles.push(tokio::spawn(async move { me.drain().await }));
            }
            for h in handles {
                h.await??;
            }
            match jobs::next_due_in(&self.db).await? {
                Some(wait) => {
                    tokio::time::sleep(Duration::from_secs(u64::try_from(wait).unwrap_or(1).max(1)))
                        .await
                }
                None => return Ok(()),
            }
        }
    }

    /// Runs due jobs until none is due.
    async fn drain(&self) -> anyhow::Result<()> {
        while let Some(job) = jobs::claim(&self.db).await? {
            self.run(job).await?;
        }
        Ok(())
    }

    /// Workers for the life of the server: they sleep when the queue is empty and wake when a
    /// scan queues work, or every few seconds.
    pub fn spawn_workers(self: &Arc<Self>) {
        let me = self.clone();
        tokio::spawn(async move {
            if let Err(e) = jobs::release_orphans(&me.db).await {
                tracing::error!("cannot release orphaned jobs: {e}");
            }
            for _ in 0..me.workers {
                let worker = me.clone();
                tokio::spawn(async move {
                    loop {
                        if let Err(e) = worker.drain().await {
                            tracing::error!("indexer worker: {e:#}");
                        }
                        tokio::select! {
                            () = worker.wake.notified() => {}
                            () = tokio::time::sleep(Duration::from_secs(5)) => {}
                        }
                    }
                });
            }
        });
    }

    /// Wakes sleeping workers (after queueing work).
    pub fn wake(&self) {
        self.wake.notify_waiters();
    }

    async fn run(&self, job: Job) -> anyhow::Result<()> {
        let Some(item) = catalog::item_file(&self.db, job.item_id).await? else {
            // The item left the index while its job waited.
            jobs::complete(&self.db, &job).await?;
            return Ok(());
        };
        let Some(root) = self.space_root(item.owner_id).await else {
            jobs::complete(&self.db, &job).await?;
            return Ok(());
        };
        let path = root
            .join(item.folder_path.trim_start_matches('/'))
            .join(&item.filename);
        let Some((kind, _)) = MediaKind::of(&item.filename) else {
            jobs::complete(&self.db, &job).await?;
            return Ok(());
        };
        let started = Instant::now();
        match job.kind {
            JobKind::Index => {
                let (name, mtime) = (item.filename.clone(), item.mtime_ns);
                let p = path.clone();
                let tools = self.tools.clone();
                let result = tokio::task::spawn_blocking(move || {
                    jobs::index::run(&p, kind, &name, mtime, &tools)
                })
                .await?;
                match result {
                    Ok(indexed) => {
                        catalog::save_metadata(&self.db, &item, &indexed.meta, &indexed.checksum)
                            .await?;
                        let mut conn = self.db.acquire().await?;
                        jobs::enqueue(&mut conn, JobKind::Thumbnail, item.id).await?;
                        jobs::complete(&self.db, &job).await?;
                    }
                    Err(reason) => self.failed(&job, &item.filename, &reason).await?,
                }
            }
            JobKind::Thumbnail => {
                // `item` was read just now, after the index job stored the orientation.
                let orientation = item.orientation;
                let limits = self.limits;
                let tools = self.tools.clone();
                let p = path.clone();
                let result = tokio::task::spawn_blocking(move || {
                    let orientation = u8::try_from(orientation).unwrap_or(1);
                    jobs::thumbnail::run(&p, kind, orientation, &limits, &tools)
                })
                .await?;
                match result {
                    Ok(set) => {
                        let store = self.store.clone();
                        let id = item.id;
                        tokio::task::spawn_blocking(move || store.write(id, &set)).await??;
                        catalog::set_thumbs(&self.db, item.id, Ok(())).await?;
                        jobs::complete(&self.db, &job).await?;
                    }
                    Err(reason) => self.failed(&job, &item.filename, &reason).await?,
                }
            }
        }
        self.done.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(
            kind = job.kind.name(),
            item = item.id,
            ms = started.elapsed().as_millis() as u64,
            "job done"
        );
        Ok(())
    }

    /// A job that failed: a read error may pass and is retried; anything else is the file's
    /// fault and marks it broken at once.
    async fn failed(&self, job: &Job, name: &str, reason: &str) -> anyhow::Result<()> {
        let transient =
            reason.starts_with("cannot read the file") || reason.contains("took longer than");
        if transient && jobs::fail(&self.db, job, reason).await? {
            tracing::warn!(file = name, kind = job.kind.name(), "{reason}; will retry");
            return Ok(());
        }
        tracing::warn!(file = name, kind = job.kind.name(), "broken: {reason}");
        match job.kind {
            JobKind::Index => catalog::set_metadata_broken(&self.db, job.item_id, reason).await?,
            JobKind::Thumbnail => catalog::set_thumbs(&self.db, job.item_id, Err(reason)).await?,
        }
        jobs::complete(&self.db, job).await?;
        Ok(())
    }

    /// Counts and broken files of the whole index.
    pub async fn summary(
        &self,
        skipped: &[(String, scan::Skipped)],
        seconds: f64,
    ) -> sqlx::Result<Summary> {
        let (files, items, photos, videos, live, motion, panoramas): (
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
        ) = sqlx::query_as(
            "SELECT COUNT(*),
                    COALESCE(SUM(ok AND live_parent_id IS NULL), 0),
                    COALESCE(SUM(ok AND live_parent_id IS NULL AND type = 'photo'), 0),
                    COALESCE(SUM(ok AND live_parent_id IS NULL AND type = 'video'), 0),
                    COALESCE(SUM(ok AND live_parent_id IS NULL AND type = 'live'), 0),
                    COALESCE(SUM(ok AND motion_offset IS NOT NULL), 0),
                    COALESCE(SUM(ok AND is_pano), 0)
               FROM (SELECT *, metadata_status != 'broken' AND thumb_status != 'broken' AS ok FROM items)",
        )
        .fetch_one(&self.db)
        .await?;
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT i.owner_id, f.path, i.filename, COALESCE(i.error, '')
               FROM items i JOIN folders f ON f.id = i.folder_id
              WHERE i.metadata_status = 'broken' OR i.thumb_status = 'broken'
              ORDER BY i.owner_id, f.path, i.filename",
        )
        .fetch_all(&self.db)
        .await?;
        let names: std::collections::HashMap<i64, String> =
            sqlx::query_as("SELECT id, name FROM users")
                .fetch_all(&self.db)
                .await?
                .into_iter()
                .collect();
        let label = |owner: i64, rel: &str| -> String {
            let rel = rel.trim_start_matches('/');
            match names.get(&owner) {
                Some(user) if owner != SHARED_OWNER => format!("{user}:{rel}"),
                _ => rel.to_owned(),
            }
        };
        let broken = rows
            .into_iter()
            .map(|(owner, folder, file, reason)| {
                let rel = if folder == "/" {
                    file
                } else {
                    format!("{}/{file}", folder.trim_start_matches('/'))
                };
                BrokenFile {
                    path: label(owner, &rel),
                    reason,
                }
            })
            .collect();
        let skipped = skipped
            .iter()
            .map(|(space, s)| BrokenFile {
                path: if space == "shared" {
                    s.path.trim_start_matches('/').to_owned()
                } else {
                    format!("{space}:{}", s.path.trim_start_matches('/'))
                },
                reason: s.reason.clone(),
            })
            .collect();
        Ok(Summary {
            files,
            items,
            photos,
            videos,
            live,
            motion,
            panoramas,
            broken,
            skipped,
            seconds,
        })
    }
}
