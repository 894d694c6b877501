//! The `thumbnail` job: the sm/m/xl set of one item, from the image itself, a RAW file's
//! embedded preview, or a video's poster frame. Runs on a blocking thread.

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use crate::media::MediaKind;
use crate::metadata::video::{DEMUXERS, THREADS};
use crate::process::{self, Limits};
use crate::raw;
use crate::thumbnail::{self, DecodeLimits, ThumbSet};

/// Largest file read whole into memory to make thumbnails.
const MAX_IMAGE_FILE: u64 = 1 << 30;
const POSTER_TIMEOUT: Duration = Duration::from_secs(60);

/// `tools` bounds the external programs (ffmpeg, for a video's poster frame).
pub fn run(
    path: &Path,
    kind: MediaKind,
    orientation: u8,
    limits: &DecodeLimits,
    tools: &Limits,
) -> Result<ThumbSet, String> {
    let read = || -> Result<Vec<u8>, String> {
        let size = std::fs::metadata(path)
            .map_err(|e| format!("cannot read the file: {e}"))?
            .len();
        if size > MAX_IMAGE_FILE {
            return Err(format!(
                "the file is larger than {} MiB",
                MAX_IMAGE_FILE >> 20
            ));
        }
        std::fs::read(path).map_err(|e| format!("cannot read the file: {e}"))
    };
    match kind {
        MediaKind::Image => {
            thumbnail::from_image_bytes(&read()?, orientation, limits).map_err(|e| e.to_string())
        }
        MediaKind::Raw => {
            let bytes = read()?;
            let preview =
                raw::largest_embedded_jpeg(&bytes).ok_or("the RAW file has no usable preview")?;
            thumbnail::from_image_bytes(preview.bytes, orientation, limits)
                .map_err(|e| e.to_string())
        }
        MediaKind::Heif => crate::heif::thumbnails(path, limits),
        MediaKind::Video => {
            let poster = poster_frame(path, tools)?;
            // ffmpeg has already turned the frame upright.
            thumbnail::from_image_bytes(&poster, 1, limits).map_err(|e| e.to_string())
        }
    }
}

/// The first key frame as a JPEG, at most 1920 px on its long side, from ffmpeg.
fn poster_frame(path: &Path, tools: &Limits) -> Result<Vec<u8>, String> {
    let args: Vec<&OsStr> = [
        "-v",
        "error",
        "-nostdin",
        "-filter_threads",
        "1",
        "-format_whitelist",
        DEMUXERS,
        "-threads",
        THREADS,
        "-skip_frame",
        "nokey",
        "-i",
    ]
    .iter()
    .map(OsStr::new)
    .chain([path.as_os_str()])
    .chain(
        [
            "-frames:v",
            "1",
            "-an",
            "-vf",
            "scale='min(1920,iw)':-2",
            "-q:v",
            "2",
            "-f",
            "image2pipe",
            "-c:v",
            "mjpeg",
            "pipe:1",
        ]
        .iter()
        .map(OsStr::new),
    )
    .collect();
    let jpeg = process::run("ffmpeg", &args, POSTER_TIMEOUT, tools)
        .map_err(|e| process::redact(&e.to_string(), path))?;
    if jpeg.is_empty() {
        return Err("the video has no frame to show".into());
    }
    Ok(jpeg)
}
