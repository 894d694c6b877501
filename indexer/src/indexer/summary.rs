//! The state of the whole index, as `shoebox index` reports it.

use serde::Serialize;
use shoebox_catalog::files::SHARED_OWNER;
use shoebox_catalog::indexing::{self, FileProblem};

use super::Indexer;
use crate::scan;

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
impl Indexer {
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
