//! What the index keeps about one file's content, as the indexer reads it and the catalog
//! stores it.

use serde::Serialize;

use crate::time::Taken;

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
