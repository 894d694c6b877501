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

pub use time::{Taken, TakenSource};

pub use shoebox_catalog::meta::Metadata;

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
