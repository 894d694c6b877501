//! The worker pool: the jobs of the queue run by `workers` workers, until the queue is empty
//! (`shoebox index`) or for as long as the server runs, with the periodic passes (places, the
//! keyword index, people) between.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use shoebox_catalog::faces as people;
use shoebox_catalog::files as catalog;

use super::Indexer;
use crate::geocode::GeocoderCache;
use crate::jobs::{self, Job, JobKind};
use crate::preview::PreviewMode;
use crate::preview::builds::{PreviewSlot, is_transient};

/// How often the running server brings the keyword index up to date with what was written.
const SEARCH_FLUSH_EVERY: Duration = Duration::from_secs(3);

/// How long the running server keeps the place table after its last use.
const GEOCODER_KEEP: Duration = Duration::from_secs(120);

impl Indexer {
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
}
