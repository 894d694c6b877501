//! What a file says about itself: date taken (with the source that won), size as displayed,
//! camera, exposure, place, rating, title, keywords, and the markers of Live Photos, Motion
//! Photos and 360° panoramas. Reading never fails as a whole: whatever can be read is kept.

pub mod exif;
pub mod filename;
pub mod iptc;
pub mod time;
pub mod video;
pub mod xmp;

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use serde::Serialize;

pub use time::{Taken, TakenSource};

/// Everything the index keeps about one file's content.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Metadata {
    pub taken: Option<Taken>,
    /// Stored pixel size (before orientation).
    pub width: u32,
    pub height: u32,
    /// EXIF orientation 1–8.
    pub orientation: u8,
    pub make: Option<String>,
    pub model: Option<String>,
    pub lens: Option<String>,
    pub focal_length: Option<f64>,
    pub aperture: Option<f64>,
    pub exposure: Option<String>,
    pub iso: Option<u32>,
    pub flash: Option<u16>,
    pub gps: Option<(f64, f64)>,
    pub rating: u8,
    pub title: Option<String>,
    pub description: Option<String>,
    pub keywords: Vec<String>,
    pub pano: bool,
    /// A Google/Samsung Motion Photo: the video is the last `motion_video_len` bytes.
    pub is_motion: bool,
    pub motion_video_len: Option<u64>,
    /// Apple's Live Photo pairing key.
    pub content_id: Option<String>,
    pub duration_ms: Option<u64>,
    pub video_codec: Option<String>,
    pub audio_codec: Option<String>,
    pub frame_rate: Option<f64>,
    /// A video browsers cannot play as it is, which gets an H.264 preview (`crate::preview`).
    pub needs_preview: bool,
}

impl Metadata {
    /// Size as displayed: orientations 5–8 turn the picture a quarter.
    pub fn display_size(&self) -> (u32, u32) {
        if (5..=8).contains(&self.orientation) {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }
}

/// Reads a still image's metadata. `dimensions` is the decoder's answer for the pixel size.
pub fn read_photo(path: &Path, dimensions: Option<(u32, u32)>) -> std::io::Result<Metadata> {
    let mut meta = Metadata {
        orientation: 1,
        ..Metadata::default()
    };
    let file = File::open(path)?;
    let mut reader = BufReader::new(file);
    exif::read(&mut reader, &mut meta);
    reader.seek(SeekFrom::Start(0))?;
    let mut head = Vec::new();
    reader
        .by_ref()
        .take(xmp::SCAN_BYTES as u64)
        .read_to_end(&mut head)?;
    if let Some(packet) = xmp::find_packet(&head) {
        xmp::apply(&xmp::parse(packet), &mut meta);
    }
    if head.starts_with(&[0xFF, 0xD8]) {
        iptc::apply(&head, &mut meta);
    }
    if meta.content_id.is_none() {
        meta.content_id = apple_content_id(&head);
    }
    if let Some((w, h)) = dimensions {
        meta.width = w;
        meta.height = h;
    }
    Ok(meta)
}

/// Fills the date from the file name, then the modification time, when the content had none.
pub fn fill_date(meta: &mut Metadata, file_name: &str, mtime_secs: i64) {
    if meta.taken.is_none() {
        meta.taken = filename::date_in_name(file_name);
    }
    if meta.taken.is_none() {
        meta.taken = Some(Taken {
            secs: mtime_secs,
            millis: 0,
            offset_min: Some(0),
            source: TakenSource::Mtime,
        });
    }
}

/// The Live Photo content identifier Apple keeps in its maker note (tag 0x0011), found by the
/// UUID it holds right after the tag's entry: a 36-character uppercase UUID in the first MiBs.
fn apple_content_id(head: &[u8]) -> Option<String> {
    let note = head.windows(10).position(|w| w == b"Apple iOS\0")?;
    let region = &head[note..head.len().min(note + 64 * 1024)];
    region.windows(36).find_map(|w| {
        let s = std::str::from_utf8(w).ok()?;
        is_uuid(s).then(|| s.to_owned())
    })
}

pub(crate) fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit() && !c.is_ascii_lowercase()
            }
        })
}
