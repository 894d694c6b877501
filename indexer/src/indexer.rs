//! The indexer as the server and the `shoebox index` command use it: scan every space, then
//! work the job queue with a pool of workers, either until it is empty or for as long as the
//! server runs. Video previews are made here too, by the queue or when first asked for.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::Serialize;
use sqlx::SqlitePool;
use tokio::sync::{Notify, Semaphore, watch};

use crate::geocode::GeocoderCache;
use crate::jobs::{self, Job, JobKind, preview::Made};
use crate::library::Library;
use crate::media::MediaKind;
use crate::preview::{PreviewMode, PreviewStore};
use crate::process::{self, Cancel, Limits};
use crate::recognition::{Recogniser, RecognitionOptions};
use crate::scan::{self, ScanReport};
use crate::thumbnail::{DecodeLimits, ThumbSize, ThumbStore};
use shoebox_catalog::faces as people;
use shoebox_catalog::files::{self as catalog, ItemFile, SHARED_OWNER};
use shoebox_catalog::indexing::{self, FileProblem, SpaceUser};

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

/// Why `Indexer::preview_for` has no preview to give.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error("video previews are off")]
    Off,
    #[error("no such item")]
    NoSuchItem,
    #[error("the item is not indexed yet")]
    NotReady,
    /// Not a video, or one that plays as it is: serve the original.
    #[error("the video plays as it is")]
    NotNeeded,
    /// The file is broken, or ffmpeg could not make its preview; until the file changes or is
    /// indexed again.
    #[error("no preview can be made: {0}")]
    Broken(String),
    /// It could not be made now (the file could not be read, the disk is full): try again later.
    #[error("the preview cannot be made now: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A finished preview build: its file, none needed, or why it failed.
type Built = Result<Option<PathBuf>, String>;

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
    /// Video previews made.
    pub previews: i64,
    /// Videos whose preview could not be made, and why (the videos themselves are fine).
    pub preview_failures: Vec<BrokenFile>,
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
    previews: PreviewStore,
    preview_mode: PreviewMode,
    /// Previews being made, by item: whoever asks for one on its way waits for that one.
    building: Mutex<HashMap<i64, watch::Receiver<Option<Built>>>>,
    /// Background preview jobs running, at most `preview_workers`: one worker in two or more
    /// stays free of transcodes, for the thumbnails of new items.
    preview_jobs: AtomicUsize,
    preview_workers: usize,
    /// Previews made on demand at once.
    demand_slots: Semaphore,
    preview_runs: AtomicU64,
    /// Faces and subjects, when configured.
    recogniser: Option<Arc<Recogniser>>,
    /// When the tidy pass over people last ran.
    tidied: Mutex<Instant>,
}

/// How often the running server brings the keyword index up to date with what was written.
const SEARCH_FLUSH_EVERY: Duration = Duration::from_secs(3);

/// How long the running server keeps the place table after its last use.
const GEOCODER_KEEP: Duration = Duration::from_secs(120);

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

    /// The Shared Space and the Personal Space of every enabled user that has one.
    pub async fn spaces(&self) -> sqlx::Result<Vec<SpaceRoot>> {
        let mut spaces = vec![SpaceRoot {
            owner: SHARED_OWNER,
            root: self.library.shared_root().to_path_buf(),
            label: "shared".into(),
        }];
        for SpaceUser { id, name } in indexing::enabled_users(&self.db).await? {
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

    /// The root folder of a space: the Shared Space's, or the Personal Space of user `owner`.
    pub async fn root_of(&self, owner: i64) -> Option<PathBuf> {
        self.space_root(owner).await
    }

    /// Reads a file's metadata and checksum as the index job would (an upload, before it is
    /// put in place); the error says why the file is broken.
    pub async fn probe(&self, path: PathBuf, name: String) -> Result<jobs::index::Indexed, String> {
        let Some((kind, _)) = MediaKind::of(&name) else {
            return Err("not a photo or video".into());
        };
        let tools = self.tools.clone();
        tokio::task::spawn_blocking(move || {
            let mtime = std::fs::metadata(&path)
                .map(|m| scan::mtime_ns(&m))
                .unwrap_or(0);
            jobs::index::run(&path, kind, &name, mtime, &tools)
        })
        .await
        .unwrap_or_else(|e| Err(format!("the check stopped: {e}")))
    }

    /// Puts a file that was just written into a space (an upload) into the index at once:
    /// `folder` ('/' or '/a/b') and its parents get their rows, the file an item (or, when it
    /// replaced an indexed file, that item starts over) and an index job. Returns the item id.
    /// `checksum`: the BLAKE3 of the file as the upload received it, so the index job need not
    /// read the file again to hash it.
    pub async fn add_file(
        &self,
        owner: i64,
        folder: &str,
        name: &str,
        checksum: Option<[u8; 32]>,
    ) -> anyhow::Result<i64> {
        let root = self
            .space_root(owner)
            .await
            .ok_or_else(|| anyhow::anyhow!("no such space"))?;
        let (kind, ext) =
            MediaKind::of(name).ok_or_else(|| anyhow::anyhow!("not a photo or video"))?;
        let path = root.join(folder.trim_start_matches('/')).join(name);
        let meta = tokio::fs::metadata(&path).await?;
        let (size, mtime_ns, inode) = (
            i64::try_from(meta.len()).unwrap_or(i64::MAX),
            scan::mtime_ns(&meta),
            scan::inode_of(&meta),
        );
        let mut tx = self.db.begin_with("BEGIN IMMEDIATE").await?;
        let folder_id = catalog::ensure_folder(&mut tx, owner, folder).await?;
        let id = match indexing::item_in_folder(&mut tx, folder_id, name).await? {
            Some(id) => {
                catalog::mark_changed(&mut tx, id, size, mtime_ns, inode).await?;
                id
            }
            None => {
                let new = catalog::NewFile {
                    owner_id: owner,
                    folder_id,
                    filename: name.to_owned(),
                    size,
                    mtime_ns,
                    inode,
                    item_type: kind.item_type(),
                    format: ext,
                };
                catalog::insert_file(&mut tx, &new).await?
            }
        };
        if let Some(sum) = checksum {
            indexing::set_known_checksum(&mut tx, id, &sum).await?;
        }
        jobs::enqueue(&mut tx, JobKind::Index, id).await?;
        tx.commit().await?;
        self.wake();
        Ok(id)
    }

    /// The item of a file already in a space (an upload that found its name taken), put in the
    /// index first if it is not there yet.
    pub async fn add_existing(&self, owner: i64, folder: &str, name: &str) -> anyhow::Result<i64> {
        match indexing::item_at(&self.db, owner, folder, name).await? {
            Some(id) => Ok(id),
            None => self.add_file(owner, folder, name, None).await,
        }
    }

    async fn space_root(&self, owner: i64) -> Option<PathBuf> {
        if owner == SHARED_OWNER {
            return Some(self.library.shared_root().to_path_buf());
        }
        let name = indexing::user_name(&self.db, owner).await.ok()??;
        self.library.personal_root(&name).ok()
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
            self.remove_derived(*id);
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
        jobs::release_orphans(&self.db, crate::preview::longest()).await?;
        self.resume_previews().await?;
        self.resume_recognition().await?;
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
                None => {
                    GeocoderCache::new(Duration::ZERO)
                        .run(&self.db)
                        .await
                        .map_err(|e| e.context("finding the places of items"))?;
                    catalog::flush_search(&self.db).await?;
                    self.cluster_faces(true)
                        .await
                        .map_err(|e| anyhow::Error::new(e).context("grouping faces"))?;
                    // Nothing left to recognise: the models' process ends (and is reaped, so
                    // its CPU time counts in this process's).
                    if let Some(r) = self.recogniser.clone() {
                        tokio::task::spawn_blocking(move || r.stop()).await?;
                    }
                    return Ok(());
                }
            }
        }
    }

    /// Runs due jobs until none is due.
    async fn drain(self: &Arc<Self>) -> anyhow::Result<()> {
        loop {
            let slot = PreviewSlot::take(self);
            let Some(job) = jobs::claim(&self.db, slot.is_some()).await? else {
                return Ok(());
            };
            // The slot is held only while a preview job runs.
            let _slot = slot.filter(|_| job.kind == JobKind::Preview);
            self.run(job).await?;
        }
    }

    /// At start: previews said to be made whose file is gone (a cleared cache) are to be made
    /// again, temporary files of a crash go, and in background mode every video waiting for a
    /// preview gets its job.
    async fn resume_previews(&self) -> sqlx::Result<()> {
        let stale = self.previews.clean_stale_temps();
        if stale > 0 {
            tracing::info!(files = stale, "removed unfinished video previews");
        }
        for id in catalog::ready_previews(&self.db).await? {
            if !self.previews.path(id).is_file() {
                catalog::set_preview(&self.db, id, "pending", None).await?;
            }
        }
        if self.preview_mode == PreviewMode::Background {
            let queued = jobs::queue_waiting_previews(&self.db).await?;
            if queued > 0 {
                tracing::info!(videos = queued, "video previews to make");
            }
        }
        Ok(())
    }

    /// Workers for the life of the server: they sleep when the queue is empty and wake when a
    /// scan queues work, or every few seconds.
    pub fn spawn_workers(self: &Arc<Self>) {
        crate::background::start(self.workers);
        let me = self.clone();
        tokio::spawn(async move {
            if let Err(e) = jobs::release_orphans(&me.db, crate::preview::longest()).await {
                tracing::error!("cannot release orphaned jobs: {e}");
            }
            if let Err(e) = me.resume_previews().await {
                tracing::error!("cannot resume video previews: {e}");
            }
            if let Err(e) = me.resume_recognition().await {
                tracing::error!("cannot resume recognition: {e}");
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
            // The keyword index follows the writes in batches (catalog::flush_search), and
            // the places of new positions are looked up the same way.
            let mut geocoder = GeocoderCache::new(GEOCODER_KEEP);
            loop {
                tokio::time::sleep(SEARCH_FLUSH_EVERY).await;
                if let Err(e) = geocoder.run(&me.db).await {
                    tracing::warn!("finding the places of items: {e:#}");
                }
                if let Err(e) = catalog::flush_search(&me.db).await {
                    tracing::warn!("bringing the search index up to date: {e}");
                }
                if let Err(e) = me.cluster_faces(false).await {
                    tracing::warn!("grouping faces into people: {e}");
                }
            }
        });
    }

    /// Wakes sleeping workers (after queueing work).
    pub fn wake(&self) {
        self.wake.notify_waiters();
    }

    /// An item, its file on disk and its kind; `None` once it left the index.
    async fn locate(&self, id: i64) -> sqlx::Result<Option<(ItemFile, PathBuf, MediaKind)>> {
        let Some(item) = catalog::item_file(&self.db, id).await? else {
            return Ok(None);
        };
        let Some(root) = self.space_root(item.owner_id).await else {
            return Ok(None);
        };
        let path = root
            .join(item.folder_path.trim_start_matches('/'))
            .join(&item.filename);
        Ok(MediaKind::of(&item.filename).map(|(kind, _)| (item, path, kind)))
    }

    async fn run(self: &Arc<Self>, job: Job) -> anyhow::Result<()> {
        let Some((item, path, kind)) = self.locate(job.item_id).await? else {
            // The item left the index while its job waited.
            jobs::complete(&self.db, &job).await?;
            return Ok(());
        };
        let started = Instant::now();
        match job.kind {
            JobKind::Index => {
                let (name, mtime) = (item.filename.clone(), item.mtime_ns);
                let known = jobs::index::Known {
                    size: item.size,
                    mtime_ns: item.mtime_ns,
                    checksum: item
                        .known_checksum
                        .as_deref()
                        .and_then(|c| <[u8; 32]>::try_from(c).ok()),
                };
                let p = path.clone();
                let tools = self.tools.clone();
                // Read before the new checksum replaces the old one.
                let before = catalog::preview_state(&self.db, item.id).await?;
                let result = crate::background::run(move || {
                    jobs::index::run_known(&p, kind, &name, mtime, &tools, &known)
                })
                .await?;
                match result {
                    Ok(indexed) => {
                        catalog::save_metadata(&self.db, &item, &indexed.meta, &indexed.checksum)
                            .await?;
                        self.preview_after_index(
                            item.id,
                            before,
                            indexed.meta.needs_preview,
                            &indexed.checksum,
                        )
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
                let result = crate::background::run(move || {
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
                        self.queue_preview(item.id).await?;
                        self.queue_recognition(item.id, kind).await?;
                        jobs::complete(&self.db, &job).await?;
                    }
                    Err(reason) => self.failed(&job, &item.filename, &reason).await?,
                }
            }
            JobKind::Recognise => match self.recognise(&item).await {
                Ok(()) => jobs::complete(&self.db, &job).await?,
                Err(reason) => self.failed(&job, &item.filename, &reason).await?,
            },
            JobKind::Preview => {
                let waiting = catalog::preview_state(&self.db, item.id)
                    .await?
                    .is_some_and(|s| s.preview_status == "pending" && s.metadata_status == "ready");
                // Left over from another mode, or made on demand meanwhile: nothing to do.
                if self.preview_mode == PreviewMode::Background && waiting {
                    match self.build_preview(item.id, true).await {
                        Ok(_) => jobs::complete(&self.db, &job).await?,
                        Err(reason) => self.failed(&job, &item.filename, &reason).await?,
                    }
                } else {
                    jobs::complete(&self.db, &job).await?;
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
    /// fault and marks it broken at once. A preview that took too long would take too long
    /// again: its timeout already allows for the video's length.
    async fn failed(&self, job: &Job, name: &str, reason: &str) -> anyhow::Result<()> {
        let transient = is_transient(reason)
            || (reason.contains("took longer than") && job.kind != JobKind::Preview);
        if transient && jobs::fail(&self.db, job, reason).await? {
            tracing::warn!(file = name, kind = job.kind.name(), "{reason}; will retry");
            return Ok(());
        }
        tracing::warn!(file = name, kind = job.kind.name(), "broken: {reason}");
        match job.kind {
            JobKind::Index => {
                catalog::set_metadata_broken(&self.db, job.item_id, reason).await?;
                // A file that changed into a broken one keeps no preview of what it was.
                self.previews.remove(job.item_id);
                catalog::set_preview(&self.db, job.item_id, "none", None).await?;
            }
            JobKind::Thumbnail => {
                catalog::set_thumbs(&self.db, job.item_id, Err(reason)).await?;
                // The poster frame failing does not decide for the whole video.
                self.queue_preview(job.item_id).await?;
            }
            JobKind::Preview => {
                catalog::set_preview(&self.db, job.item_id, "broken", Some(reason)).await?;
            }
            JobKind::Recognise => people::set_status(&self.db, job.item_id, "broken").await?,
        }
        jobs::complete(&self.db, job).await?;
        Ok(())
    }

    /// After an index job: whether the video needs a preview. One made for the same content (a
    /// reindex) is kept; any other goes.
    async fn preview_after_index(
        &self,
        id: i64,
        before: Option<catalog::PreviewState>,
        needs: bool,
        checksum: &[u8],
    ) -> sqlx::Result<()> {
        let same = before.is_some_and(|b| {
            b.preview_status == "ready" && b.checksum.as_deref() == Some(checksum)
        });
        if needs && same && self.previews.path(id).is_file() {
            return Ok(());
        }
        self.previews.remove(id);
        catalog::set_preview(&self.db, id, if needs { "pending" } else { "none" }, None).await
    }

    /// Queues the preview job of a video waiting for one, in background mode (after its
    /// thumbnail job).
    async fn queue_preview(&self, id: i64) -> sqlx::Result<()> {
        if self.preview_mode != PreviewMode::Background {
            return Ok(());
        }
        let waiting = catalog::preview_state(&self.db, id)
            .await?
            .is_some_and(|s| s.preview_status == "pending");
        if waiting {
            let mut conn = self.db.acquire().await?;
            jobs::enqueue(&mut conn, JobKind::Preview, id).await?;
        }
        Ok(())
    }

    /// Faces and subjects, when this server has them.
    pub fn recogniser(&self) -> Option<&Recogniser> {
        self.recogniser.as_deref()
    }

    /// Queues recognition of a photo after its thumbnails were made.
    async fn queue_recognition(&self, id: i64, kind: MediaKind) -> sqlx::Result<()> {
        if kind == MediaKind::Video || !self.recogniser.as_ref().is_some_and(|r| r.enabled()) {
            return Ok(());
        }
        let mut conn = self.db.acquire().await?;
        jobs::enqueue(&mut conn, JobKind::Recognise, id).await
    }

    /// Queues recognition of every photo of a space again (its switch was turned on), or with
    /// `None` of every photo waiting for it. Returns how many.
    pub async fn requeue_recognition(&self, owner: Option<i64>) -> sqlx::Result<u64> {
        if !self.recogniser.as_ref().is_some_and(|r| r.enabled()) {
            return Ok(0);
        }
        let n = people::queue_waiting(&self.db, owner, true).await?;
        self.wake();
        Ok(n)
    }

    /// At start: the subjects table, and the photos that wait for recognition get their jobs
    /// (all photos again when a kind of recognition is ready that was not at the last start).
    async fn resume_recognition(&self) -> sqlx::Result<()> {
        let Some(r) = &self.recogniser else {
            return Ok(());
        };
        let subjects: Vec<(&str, &str)> = crate::recognition::subjects::subjects()
            .iter()
            .map(|s| (s.key.as_str(), s.name.as_str()))
            .collect();
        people::sync_concepts(&self.db, &subjects).await?;
        for (what, state) in [("faces", r.faces()), ("subjects", r.subjects())] {
            if !state.is_ready() {
                tracing::warn!("{what} recognition is not running: {}", state.describe());
            }
        }
        let ready = format!(
            "{}{}",
            r.faces().is_ready() as u8,
            r.subjects().is_ready() as u8
        );
        let before = indexing::recognition_ready(&self.db).await?;
        let newly = before.is_some_and(|b| {
            b.len() == 2
                && b.bytes()
                    .zip(ready.bytes())
                    .any(|(o, n)| o == b'0' && n == b'1')
        });
        indexing::set_recognition_ready(&self.db, &ready).await?;
        if r.enabled() {
            let queued = people::queue_waiting(&self.db, None, newly).await?;
            if queued > 0 {
                tracing::info!(photos = queued, "photos to recognise");
            }
        }
        Ok(())
    }

    /// One `recognise` job: the faces and subjects of the item's xl thumbnail, as far as the
    /// server and the item's space have them switched on.
    async fn recognise(&self, item: &ItemFile) -> Result<(), String> {
        let Some(r) = self.recogniser.clone() else {
            return Ok(());
        };
        let (faces_on, subjects_on) = people::space_switches(&self.db, item.owner_id)
            .await
            .map_err(|e| format!("database: {e}"))?;
        let faces = faces_on && r.faces().is_ready();
        let subjects = subjects_on && r.subjects().is_ready();
        if !faces && !subjects {
            return people::set_status(&self.db, item.id, "skipped")
                .await
                .map_err(|e| format!("database: {e}"));
        }
        let xl = self.store.path(item.id, ThumbSize::Xl);
        let found = crate::background::run(move || r.analyse_file(&xl, faces, subjects))
            .await
            .map_err(|e| e.to_string())??;
        people::save(&self.db, item.id, item.owner_id, &found)
            .await
            .map_err(|e| format!("database: {e}"))
    }

    /// Groups new faces into people; every ten minutes also the tidy pass. Lets idle models go.
    pub async fn cluster_faces(&self, tidy_now: bool) -> sqlx::Result<()> {
        let Some(r) = &self.recogniser else {
            return Ok(());
        };
        people::cluster_new(&self.db).await?;
        let due = {
            let mut last = self.tidied.lock().unwrap_or_else(PoisonError::into_inner);
            let due = tidy_now || last.elapsed() >= Duration::from_secs(600);
            if due {
                *last = Instant::now();
            }
            due
        };
        if due {
            people::tidy(&self.db).await?;
        }
        // Stopping the worker waits for it to exit: off the async threads.
        let r = r.clone();
        if let Err(e) = tokio::task::spawn_blocking(move || r.unload_idle()).await {
            tracing::warn!("letting the recognition models go: {e}");
        }
        Ok(())
    }

    /// The H.264 preview of a video browsers cannot play, made now if it is not yet (unless
    /// previews are off), for the streaming API. Requests for the same item while it is made
    /// wait for that one build; a build continues when its requests go away.
    pub async fn preview_for(self: &Arc<Self>, item_id: i64) -> Result<PathBuf, PreviewError> {
        if self.preview_mode == PreviewMode::Off {
            return Err(PreviewError::Off);
        }
        let state = catalog::preview_state(&self.db, item_id)
            .await?
            .ok_or(PreviewError::NoSuchItem)?;
        match state.metadata_status.as_str() {
            "ready" => {}
            "broken" => return Err(PreviewError::Broken("the file is broken".into())),
            _ => return Err(PreviewError::NotReady),
        }
        match state.preview_status.as_str() {
            "none" => return Err(PreviewError::NotNeeded),
            "broken" => {
                return Err(PreviewError::Broken(
                    state.preview_error.unwrap_or_default(),
                ));
            }
            "ready" => {
                let path = self.previews.path(item_id);
                if path.is_file() {
                    return Ok(path);
                }
            }
            _ => {}
        }
        match self.build_preview(item_id, false).await {
            Ok(Some(path)) => Ok(path),
            Ok(None) => Err(PreviewError::NotNeeded),
            Err(reason) if is_transient(&reason) => Err(PreviewError::Unavailable(reason)),
            Err(reason) => {
                tracing::warn!(item = item_id, "video preview broken: {reason}");
                catalog::set_preview(&self.db, item_id, "broken", Some(&reason)).await?;
                Err(PreviewError::Broken(reason))
            }
        }
    }

    /// Makes an item's preview, or waits for the build already under way.
    async fn build_preview(self: &Arc<Self>, item_id: i64, background: bool) -> Built {
        let mut rx = {
            let mut building = self.building.lock().unwrap_or_else(PoisonError::into_inner);
            match building.get(&item_id) {
                Some(rx) => rx.clone(),
                None => {
                    let (tx, rx) = watch::channel(None);
                    building.insert(item_id, rx.clone());
                    let me = self.clone();
                    // Its own task, so that a request going away does not stop it.
                    tokio::spawn(async move {
                        let _unlist = Unlist(me.clone(), item_id);
                        let built = me.make_preview(item_id, background).await;
                        let _ = tx.send(Some(built));
                    });
                    rx
                }
            }
        };
        match rx.wait_for(Option::is_some).await {
            Ok(built) => built.clone().unwrap_or_else(|| Err("no result".into())),
            Err(_) => Err("the preview build was stopped".into()),
        }
    }

    async fn make_preview(&self, item_id: i64, background: bool) -> Built {
        let _slot = if background {
            None
        } else {
            Some(
                self.demand_slots
                    .acquire()
                    .await
                    .map_err(|e| e.to_string())?,
            )
        };
        let Some((item, path, kind)) = self.locate(item_id).await.map_err(|e| e.to_string())?
        else {
            return Err("the item left the index".into());
        };
        if kind != MediaKind::Video {
            return Ok(None);
        }
        // Dropped with this future (the server stops): ffmpeg is stopped too.
        let cancel = Cancel::default();
        let _stop = cancel.on_drop();
        let limits = Limits {
            background,
            cancel: Some(cancel),
            ..self.tools.clone()
        };
        let store = self.previews.clone();
        self.preview_runs.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let made = tokio::task::spawn_blocking(move || {
            jobs::preview::run(&path, &store, item_id, &limits)
        })
        .await
        .map_err(|e| e.to_string())??;
        let db_err = |e: sqlx::Error| e.to_string();
        match made {
            Made::Preview(path) => {
                catalog::set_preview(&self.db, item_id, "ready", None)
                    .await
                    .map_err(db_err)?;
                // Deleted while its preview was made: the file must not outlive it.
                if catalog::preview_state(&self.db, item_id)
                    .await
                    .map_err(db_err)?
                    .is_none()
                {
                    self.previews.remove(item_id);
                    return Err("the item left the index".into());
                }
                tracing::info!(
                    file = item.filename,
                    secs = started.elapsed().as_secs_f32(),
                    "video preview made"
                );
                Ok(Some(path))
            }
            Made::NotNeeded => {
                catalog::set_preview(&self.db, item_id, "none", None)
                    .await
                    .map_err(db_err)?;
                Ok(None)
            }
        }
    }

    /// Counts and broken files of the whole index.
    pub async fn summary(
        &self,
        skipped: &[(String, scan::Skipped)],
        seconds: f64,
    ) -> sqlx::Result<Summary> {
        let counts = indexing::counts(&self.db).await?;
        let rows = indexing::broken_files(&self.db).await?;
        let preview_rows = indexing::preview_failures(&self.db).await?;
        let names = indexing::user_names(&self.db).await?;
        let label = |owner: i64, rel: &str| -> String {
            let rel = rel.trim_start_matches('/');
            match names.get(&owner) {
                Some(user) if owner != SHARED_OWNER => format!("{user}:{rel}"),
                _ => rel.to_owned(),
            }
        };
        let listed = |rows: Vec<FileProblem>| -> Vec<BrokenFile> {
            rows.into_iter()
                .map(|p| {
                    let rel = if p.folder == "/" {
                        p.filename
                    } else {
                        format!("{}/{}", p.folder.trim_start_matches('/'), p.filename)
                    };
                    BrokenFile {
                        path: label(p.owner_id, &rel),
                        reason: p.reason,
                    }
                })
                .collect()
        };
        let broken = listed(rows);
        let preview_failures = listed(preview_rows);
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
            files: counts.files,
            items: counts.items,
            photos: counts.photos,
            videos: counts.videos,
            live: counts.live,
            motion: counts.motion,
            panoramas: counts.panoramas,
            broken,
            previews: counts.previews,
            preview_failures,
            skipped,
            seconds,
        })
    }
}

/// A failure that may pass: the file could not be read, the preview could not be written.
fn is_transient(reason: &str) -> bool {
    reason.starts_with("cannot read the file") || reason.starts_with("cannot write the preview")
}

/// A background preview job's claim on one of the preview workers.
struct PreviewSlot<'a>(&'a AtomicUsize);

impl<'a> PreviewSlot<'a> {
    fn take(indexer: &'a Indexer) -> Option<Self> {
        indexer
            .preview_jobs
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < indexer.preview_workers).then_some(n + 1)
            })
            .ok()
            .map(|_| Self(&indexer.preview_jobs))
    }
}

impl Drop for PreviewSlot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Takes a finished (or dropped) build off the list of builds under way.
struct Unlist(Arc<Indexer>, i64);

impl Drop for Unlist {
    fn drop(&mut self) {
        self.0
            .building
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.1);
    }
}
