//! The scan side of the indexer: the spaces to index, scanning them, and the files an upload
//! puts in a space.

use std::path::PathBuf;

use shoebox_catalog::files::{self as catalog, ItemFile, SHARED_OWNER};
use shoebox_catalog::indexing::{self, SpaceUser};

use super::Indexer;
use crate::jobs::{self, JobKind};
use crate::media::MediaKind;
use crate::scan::{self, ScanReport};

/// A space to index: its owner id, root folder, and a label for reports.
#[derive(Debug, Clone)]
pub struct SpaceRoot {
    pub owner: i64,
    pub root: PathBuf,
    pub label: String,
}

impl Indexer {
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

    pub(crate) async fn space_root(&self, owner: i64) -> Option<PathBuf> {
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

    /// An item, its file on disk and its kind; `None` once it left the index.
    pub(crate) async fn locate(
        &self,
        id: i64,
    ) -> sqlx::Result<Option<(ItemFile, PathBuf, MediaKind)>> {
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
}
