//! The `index` job: the content checksum (the backup duplicate check uses it) and the metadata
//! of one file. Runs on a blocking thread.

use std::fs::File;
use std::path::Path;

use crate::media::MediaKind;
use crate::metadata::{self, Metadata};
use crate::raw;

/// What the job read.
pub struct Indexed {
    pub meta: Metadata,
    pub checksum: [u8; 32],
}

/// Reads `path`. An error is the reason the file is broken.
pub fn run(
    path: &Path,
    kind: MediaKind,
    file_name: &str,
    mtime_ns: i64,
) -> Result<Indexed, String> {
    let mut file = File::open(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size == 0 {
        return Err("the file is empty".into());
    }
    let mut hasher = blake3::Hasher::new();
    hasher
        .update_reader(&mut file)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    let checksum: [u8; 32] = *hasher.finalize().as_bytes();
    let mut meta = match kind {
        MediaKind::Image => {
            let dims = image::ImageReader::open(path)
                .and_then(|r| r.with_guessed_format())
                .map_err(|e| format!("cannot read the file: {e}"))?
                .into_dimensions()
                .map_err(|e| format!("not a readable image: {e}"))?;
            metadata::read_photo(path, Some(dims))
                .map_err(|e| format!("cannot read the file: {e}"))?
        }
        MediaKind::Heif => {
            let dims = crate::heif::dimensions(path)?;
            let mut meta = metadata::read_photo(path, Some(dims))
                .map_err(|e| format!("cannot read the file: {e}"))?;
            // libheif's size is already the displayed one; its transforms replace EXIF's.
            meta.orientation = 1;
            meta
        }
        MediaKind::Raw => {
            let mut meta = metadata::read_photo(path, None)
                .map_err(|e| format!("cannot read the file: {e}"))?;
            let bytes = std::fs::read(path).map_err(|e| format!("cannot read the file: {e}"))?;
            let preview =
                raw::largest_embedded_jpeg(&bytes).ok_or("the RAW file has no usable preview")?;
            if meta.width == 0 || meta.height == 0 {
                (meta.width, meta.height) = (preview.width, preview.height);
            }
            meta
        }
        MediaKind::Video => metadata::video::read_video(path).map_err(|e| e.to_string())?,
    };
    metadata::fill_date(&mut meta, file_name, mtime_ns.div_euclid(1_000_000_000));
    Ok(Indexed { meta, checksum })
}
