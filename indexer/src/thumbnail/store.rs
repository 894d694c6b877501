//! Where thumbnails live: `CACHE/thumbs/<aa>/<bb>/<item id>_<size>.jpg`, two levels of 256
//! buckets so no folder grows huge. Files are written to a temporary name and renamed, so a
//! reader never sees half a thumbnail; any of them can be deleted and made again.
//!
//! An upload may bring the phone's own thumbnails; they are kept beside the place of ours as
//! `<item id>_<size>.provisional.jpg` and served until ours are written, which removes them.

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

    /// Where the client's thumbnail of one size waits for ours.
    pub fn provisional_path(&self, item_id: i64, size: ThumbSize) -> PathBuf {
        self.path(item_id, size).with_extension("provisional.jpg")
    }

    /// Keeps a client's thumbnail for `size` until ours are made; `bytes` must be a JPEG of a
    /// sensible size ([`plausible_jpeg`]).
    pub fn write_provisional(
        &self,
        item_id: i64,
        size: ThumbSize,
        bytes: &[u8],
    ) -> std::io::Result<()> {
        if !plausible_jpeg(bytes) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "not a JPEG thumbnail",
            ));
        }
        let path = self.provisional_path(item_id, size);
        let dir = path.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
        tmp.write_all(bytes)?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    }

    /// Removes a client's thumbnails of an item.
    pub fn remove_provisional(&self, item_id: i64) {
        for size in ThumbSize::ALL {
            let _ = std::fs::remove_file(self.provisional_path(item_id, size));
        }
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
        self.remove_provisional(item_id);
        Ok(())
    }

    /// Removes an item's thumbnails (when the item leaves the index).
    pub fn remove(&self, item_id: i64) {
        for size in ThumbSize::ALL {
            let _ = std::fs::remove_file(self.path(item_id, size));
        }
        self.remove_provisional(item_id);
    }
}

/// Largest client thumbnail kept, in bytes and in pixels on a side.
const MAX_CLIENT_THUMB_BYTES: usize = 2 << 20;
const MAX_CLIENT_THUMB_SIDE: u32 = 4096;

/// Whether `bytes` look like a thumbnail a phone made: a JPEG whose header reads, at most
/// 2 MB and 4096 pixels on a side. Only the header is read.
pub fn plausible_jpeg(bytes: &[u8]) -> bool {
    if bytes.len() > MAX_CLIENT_THUMB_BYTES || !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return false;
    }
    let reader =
        image::ImageReader::with_format(std::io::Cursor::new(bytes), image::ImageFormat::Jpeg);
    reader.into_dimensions().is_ok_and(|(w, h)| {
        (1..=MAX_CLIENT_THUMB_SIDE).contains(&w) && (1..=MAX_CLIENT_THUMB_SIDE).contains(&h)
    })
}
