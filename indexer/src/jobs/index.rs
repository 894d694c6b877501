//! The `index` job: the content checksum (the backup duplicate check uses it) and the metadata
//! of one file. Runs on a blocking thread.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::media::MediaKind;
use crate::metadata::{self, Metadata};
use crate::preview;
use crate::process::Limits;
use crate::raw;

/// JPEGs larger than this are not read whole for the truncation check.
const MAX_JPEG_READ: u64 = 256 << 20;

/// Whether a JPEG stream reaches its end-of-image marker after the first scan. In entropy-coded
/// data 0xFF is always followed by 0x00 or a restart marker, so the first FF D9 after the scan
/// starts is the real end; a truncated file has none. (A Motion Photo's video comes after it.)
pub fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut pos = 2;
    loop {
        // Skip to the next marker, allowing fill bytes.
        while bytes.get(pos) == Some(&0xFF) && bytes.get(pos + 1) == Some(&0xFF) {
            pos += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(pos), bytes.get(pos + 1)) else {
            return false;
        };
        pos += 2;
        match marker {
            0xDA => break,
            0xD9 => return false,
            0x01 | 0xD0..=0xD7 => continue,
            _ => {
                let Some(len) = bytes
                    .get(pos..pos + 2)
                    .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
                else {
                    return false;
                };
                pos += len;
            }
        }
    }
    bytes
        .get(pos..)
        .is_some_and(|scan| scan.windows(2).any(|w| w == [0xFF, 0xD9]))
}

/// What the job read.
pub struct Indexed {
    pub meta: Metadata,
    pub checksum: [u8; 32],
}

/// What the index knew of the file before the job: its size and modification time, and the
/// checksum an upload computed as it received it.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub size: i64,
    pub mtime_ns: i64,
    pub checksum: Option<[u8; 32]>,
}

/// Reads `path`; `tools` bounds the external programs (ffprobe). An error is the reason the file
/// is broken.
pub fn run(
    path: &Path,
    kind: MediaKind,
    file_name: &str,
    mtime_ns: i64,
    tools: &Limits,
) -> Result<Indexed, String> {
    run_known(path, kind, file_name, mtime_ns, tools, &Known::default())
}

/// [`run`], taking an upload's checksum instead of reading the file to hash it when the file is
/// still the one uploaded (same size and modification time). JPEGs are read whole anyway (the
/// truncation check), and hashed then.
pub fn run_known(
    path: &Path,
    kind: MediaKind,
    file_name: &str,
    mtime_ns: i64,
    tools: &Limits,
    known: &Known,
) -> Result<Indexed, String> {
    let mut file = File::open(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot read the file: {e}"))?;
    let size = meta.len();
    if size == 0 {
        return Err("the file is empty".into());
    }
    let unchanged = i64::try_from(size).is_ok_and(|s| s == known.size)
        && crate::scan::mtime_ns(&meta) == known.mtime_ns;
    let known_sum = known.checksum.filter(|_| unchanged);
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let checksum: [u8; 32] = if MediaKind::is_jpeg_name(&ext) && size <= MAX_JPEG_READ {
        // JPEGs are read whole for the truncation check; hash the same bytes.
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read the file: {e}"))?;
        if bytes.starts_with(&[0xFF, 0xD8]) && !jpeg_is_complete(&bytes) {
            return Err("the JPEG is truncated".into());
        }
        *blake3::hash(&bytes).as_bytes()
    } else if let Some(sum) = known_sum {
        sum
    } else {
        let mut hasher = blake3::Hasher::new();
        hasher
            .update_reader(&mut file)
            .map_err(|e| format!("cannot read the file: {e}"))?;
        *hasher.finalize().as_bytes()
    };
    let mut meta = match kind {
        MediaKind::Image => {
            // The dimensions come from the header; a WebP's header also says how long it is.
            let mut head = [0u8; 12];
            if File::open(path)
                .and_then(|mut f| f.read_exact(&mut head))
                .is_ok()
                && let Some(reason) = crate::thumbnail::webp_truncated(&head, size)
            {
                return Err(reason);
            }
            let dims = image::ImageReader::open(path)
                .and_then(|r| r.with_guessed_format())
                .map_err(|e| format!("cannot read the file: {e}"))?
                .into_dimensions()
                .map_err(|e| format!("not a readable image: {e}"))?;
            metadata::read_photo(path, Some(dims))
                .map_err(|e| format!("cannot read the file: {e}"))?
        }
        MediaKind::Heif => {
            let info = crate::heif::info(path)?;
            let mut meta = metadata::read_photo(path, Some((info.width, info.height)))
                .map_err(|e| format!("cannot read the file: {e}"))?;
            // The primary image's own EXIF wins over whichever block a container walk finds.
            if let Some(block) = info.exif {
                metadata::exif::read_raw(block, &mut meta);
            }
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
        MediaKind::Video => {
            let (mut meta, probe) =
                metadata::video::read_video(path, tools).map_err(|e| e.to_string())?;
            meta.needs_preview = preview::needed(&probe, path);
            meta
        }
    };
    metadata::fill_date(&mut meta, file_name, mtime_ns.div_euclid(1_000_000_000));
    Ok(Indexed { meta, checksum })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_uploads_checksum_stands_only_for_the_unchanged_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.png");
        image::RgbImage::from_pixel(8, 8, image::Rgb([1, 2, 3]))
            .save(&path)
            .expect("png");
        let meta = std::fs::metadata(&path).expect("meta");
        let real = *blake3::hash(&std::fs::read(&path).expect("read")).as_bytes();
        let known = Known {
            size: i64::try_from(meta.len()).expect("size"),
            mtime_ns: crate::scan::mtime_ns(&meta),
            checksum: Some([7; 32]),
        };
        let tools = Limits::default();
        let got = run_known(&path, MediaKind::Image, "a.png", 0, &tools, &known).expect("read");
        assert_eq!(got.checksum, [7; 32], "not read again");
        let changed = Known {
            mtime_ns: known.mtime_ns + 1,
            ..known.clone()
        };
        let got = run_known(&path, MediaKind::Image, "a.png", 0, &tools, &changed).expect("read");
        assert_eq!(got.checksum, real, "changed since: hashed");
        let got = run(&path, MediaKind::Image, "a.png", 0, &tools).expect("read");
        assert_eq!(got.checksum, real);
    }

    #[test]
    fn truncated_jpegs_are_recognised() {
        let img =
            image::RgbImage::from_fn(64, 64, |x, y| image::Rgb([x as u8 * 4, y as u8 * 4, 90]));
        let mut jpeg = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(
                &mut std::io::Cursor::new(&mut jpeg),
                image::ImageFormat::Jpeg,
            )
            .expect("jpeg");
        assert!(jpeg_is_complete(&jpeg));
        let mut motion = jpeg.clone();
        motion.extend_from_slice(b"\0\0\0\x18ftypmp42 pretend video");
        assert!(jpeg_is_complete(&motion), "data after the end is fine");
        assert!(!jpeg_is_complete(&jpeg[..jpeg.len() - 40]));
        assert!(!jpeg_is_complete(&jpeg[..20]));
        assert!(!jpeg_is_complete(b"\xFF\xD8"));
    }
}
