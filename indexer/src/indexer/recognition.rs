//! Recognition's side of the indexer: queueing photos for faces and subjects, the `recognise`
//! job, and grouping faces into people.

use std::sync::PoisonError;
use std::time::{Duration, Instant};

use shoebox_catalog::faces as people;
use shoebox_catalog::files::ItemFile;
use shoebox_catalog::indexing;

use super::Indexer;
use crate::jobs::{self, JobKind};
use crate::media::MediaKind;
use crate::thumbnail::ThumbSize;

impl Indexer {
    /// Queues recognition of a photo after its thumbnails were made.
    pub(crate) async fn queue_recognition(&self, id: i64, kind: MediaKind) -> sqlx::Result<()> {
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
    pub(crate) async fn resume_recognition(&self) -> sqlx::Result<()> {
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
    pub(crate) async fn recognise(&self, item: &ItemFile) -> Result<(), String> {
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
}
