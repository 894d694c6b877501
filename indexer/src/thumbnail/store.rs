//! Where thumbnails live: `CACHE/thumbs/<aa>/<bb>/<item id>_<size>.jpg`, two levels of 256
//! buckets so no folder grows huge. Files are written to a temporary name and renamed, so a
//! reader never sees half a thumbnail; any of them can be deleted and made again.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{ThumbSet, ThumbSize};

#[derive(Debug, Clone)]
pub struct ThumbStore {
    root: PathBuf,
}

impl ThumbStore {
    pub fn new(cache_dir: &Path) -> Self {
        Self {
            root: cache_dir.join("thumbs"),
        }
    }

    /// The path of one thumbnail of an item.
    pub fn path(&self, item_id: i64, size: ThumbSize) -> PathBuf {
        let id = item_id.unsigned_abs();
        self.root
            .join(format!("{:02x}", id & 0xff))
            .join(format!("{:02x}", (id >> 8) & 0xff))
            .join(format!("{item_id}_{}.jpg", size.name()))
    }

    /// Writes all three sizes atomically.
    pub fn write(&self, item_id: i64, set: &ThumbSet) -> std::io::Result<()> {
        for size in ThumbSize::ALL {
            let path = self.path(item_id, size);
            let dir = path.parent().unwrap_or(&self.root);
            std::fs::create_dir_all(dir)?;
            let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
            tmp.write_all(set.get(size))?;
            tmp.persist(&path).map_err(|e| e.error)?;
        }
        Ok(())
    }

    /// Removes an item's thumbnails (when the item leaves the index).
    pub fn remove(&self, item_id: i64) {
        for size in ThumbSize::ALL {
            let _ = std::fs::remove_file(self.path(item_id, size));
        }
    }
}
