//! The indexer's video previews: made by the queue's `preview` jobs in background mode, or on
//! demand when first asked for, one build per item at a time.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError};
use std::time::Instant;

use shoebox_catalog::files as catalog;
use tokio::sync::watch;

use super::make::{self, Made};
use super::{Built, PreviewError, PreviewMode};
use crate::indexer::Indexer;
use crate::jobs::{self, JobKind};
use crate::media::MediaKind;
use crate::process::{Cancel, Limits};

impl Indexer {
    /// At start: previews said to be made whose file is gone (a cleared cache) are to be made
    /// again, temporary files of a crash go, and in background mode every video waiting for a
    /// preview gets its job.
    pub(crate) async fn resume_previews(&self) -> sqlx::Result<()> {
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

    /// After an index job: whether the video needs a preview. One made for the same content (a
    /// reindex) is kept; any other goes.
    pub(crate) async fn preview_after_index(
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
    pub(crate) async fn queue_preview(&self, id: i64) -> sqlx::Result<()> {
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
    pub(crate) async fn build_preview(self: &Arc<Self>, item_id: i64, background: bool) -> Built {
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

    pub(crate) async fn make_preview(&self, item_id: i64, background: bool) -> Built {
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
        let made = tokio::task::spawn_blocking(move || make::run(&path, &store, item_id, &limits))
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
}

/// A failure that may pass: the file could not be read, the preview could not be written.
pub(crate) fn is_transient(reason: &str) -> bool {
    reason.starts_with("cannot read the file") || reason.starts_with("cannot write the preview")
}

/// A background preview job's claim on one of the preview workers.
pub(crate) struct PreviewSlot<'a>(&'a AtomicUsize);

impl<'a> PreviewSlot<'a> {
    pub(crate) fn take(indexer: &'a Indexer) -> Option<Self> {
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
