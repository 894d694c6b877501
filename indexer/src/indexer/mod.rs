//! The indexer as the server and the `shoebox index` command use it: scan every space, then
//! work the job queue with a pool of workers, either until it is empty or for as long as the
//! server runs. The handle and its options are here; the scan side (spaces, uploads) is in
//! `spaces`, the worker pool and its jobs in `pool`, recognition's queueing in `recognition`, the
//! summary in `summary`. Video previews, made by the queue or when first asked for, are in
//! `crate::preview`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use sqlx::SqlitePool;
use tokio::sync::{Notify, Semaphore, watch};

use crate::jobs;
use crate::library::Library;
use crate::preview::{Built, PreviewMode, PreviewStore};
use crate::process::{self, Limits};
use crate::recognition::{Recogniser, RecognitionOptions};
use crate::thumbnail::{DecodeLimits, ThumbStore};

mod pool;
mod recognition;
mod spaces;
mod summary;

pub use crate::preview::PreviewError;
pub use spaces::SpaceRoot;
pub use summary::{BrokenFile, Summary};

/// How the indexer works.
#[derive(Debug, Clone)]
pub struct IndexerOptions {
    /// Jobs run at once.
    pub workers: usize,
    pub video_previews: PreviewMode,
    /// Address-space limit of each external program (ffmpeg, ffprobe), MiB; 0 for none.
    pub tool_memory_mib: u64,
    /// Faces and subjects; `None` runs none.
    pub recognition: Option<RecognitionOptions>,
}

impl Default for IndexerOptions {
    fn default() -> Self {
        Self {
            workers: 2,
            video_previews: PreviewMode::default(),
            tool_memory_mib: process::DEFAULT_MEMORY_MIB,
            recognition: None,
        }
    }
}

/// Progress of the job queue.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub done: u64,
    pub pending: u64,
}

pub struct Indexer {
    pub(crate) db: SqlitePool,
    pub(crate) library: Library,
    pub(crate) store: ThumbStore,
    pub(crate) limits: DecodeLimits,
    /// Memory of external programs.
    pub(crate) tools: Limits,
    pub(crate) workers: usize,
    pub(crate) wake: Notify,
    pub(crate) done: AtomicU64,
    /// One scan at a time: a watcher rescan and a full scan must not race over the same files.
    pub(crate) scan_lock: tokio::sync::Mutex<()>,
    pub(crate) previews: PreviewStore,
    pub(crate) preview_mode: PreviewMode,
    /// Previews being made, by item: whoever asks for one on its way waits for that one.
    pub(crate) building: Mutex<HashMap<i64, watch::Receiver<Option<Built>>>>,
    /// Background preview jobs running, at most `preview_workers`: one worker in two or more
    /// stays free of transcodes, for the thumbnails of new items.
    pub(crate) preview_jobs: AtomicUsize,
    pub(crate) preview_workers: usize,
    /// Previews made on demand at once.
    pub(crate) demand_slots: Semaphore,
    pub(crate) preview_runs: AtomicU64,
    /// Faces and subjects, when configured.
    pub(crate) recogniser: Option<Arc<Recogniser>>,
    /// When the tidy pass over people last ran.
    pub(crate) tidied: Mutex<Instant>,
}

impl Indexer {
    pub fn new(
        db: SqlitePool,
        library: Library,
        cache_dir: &Path,
        options: IndexerOptions,
    ) -> Arc<Self> {
        let workers = options.workers.max(1);
        let preview_workers = (workers - 1).max(1);
        Arc::new(Self {
            db,
            library,
            store: ThumbStore::new(cache_dir),
            limits: DecodeLimits::default(),
            tools: Limits::with_memory_mib(options.tool_memory_mib),
            workers,
            wake: Notify::new(),
            done: AtomicU64::new(0),
            scan_lock: tokio::sync::Mutex::new(()),
            previews: PreviewStore::new(cache_dir),
            preview_mode: options.video_previews,
            building: Mutex::new(HashMap::new()),
            preview_jobs: AtomicUsize::new(0),
            preview_workers,
            demand_slots: Semaphore::new(preview_workers),
            preview_runs: AtomicU64::new(0),
            recogniser: options.recognition.map(|o| Arc::new(Recogniser::new(o))),
            tidied: Mutex::new(Instant::now()),
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

    pub fn previews(&self) -> &PreviewStore {
        &self.previews
    }

    /// Removes what was made from an item (thumbnails, video preview) once it left the index.
    pub fn remove_derived(&self, item_id: i64) {
        self.store.remove(item_id);
        self.previews.remove(item_id);
    }

    pub fn preview_mode(&self) -> PreviewMode {
        self.preview_mode
    }

    /// Preview builds started since the indexer started (each runs ffprobe and ffmpeg once).
    pub fn preview_runs(&self) -> u64 {
        self.preview_runs.load(Ordering::Relaxed)
    }

    pub async fn progress(&self) -> Progress {
        let pending = jobs::pending(&self.db).await.unwrap_or(0);
        Progress {
            done: self.done.load(Ordering::Relaxed),
            pending: u64::try_from(pending).unwrap_or(0),
        }
    }

    /// Wakes sleeping workers (after queueing work).
    pub fn wake(&self) {
        self.wake.notify_waiters();
    }

    /// Faces and subjects, when this server has them.
    pub fn recogniser(&self) -> Option<&Recogniser> {
        self.recogniser.as_deref()
    }
}
