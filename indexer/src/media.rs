//! Which files are media, and of what kind, by their extension (case does not matter).

/// What a file is, judged by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// Decoded by the `image` crate or libjpeg-turbo.
    Image,
    /// HEIF family: HEIC, HEIF, camera HIF, AVIF.
    Heif,
    /// Camera RAW: only the embedded preview is used.
    Raw,
    Video,
}

impl MediaKind {
    pub fn of(file_name: &str) -> Option<(MediaKind, String)> {
        let ext = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
        let kind = match ext.as_str() {
            "jpg" | "jpeg" | "jpe" | "jfif" | "png" | "gif" | "webp" | "tif" | "tiff" | "bmp" => {
                MediaKind::Image
            }
            "heic" | "heif" | "hif" | "avif" => MediaKind::Heif,
            "dng" | "cr2" | "cr3" | "nef" | "arw" | "orf" | "rw2" | "raf" => MediaKind::Raw,
            "mp4" | "mov" | "m4v" | "mkv" | "avi" | "3gp" | "3g2" | "mts" | "m2ts" | "webm" => {
                MediaKind::Video
            }
            _ => return None,
        };
        Some((kind, ext))
    }

    /// The item type of the protocol before any pairing.
    pub fn item_type(self) -> &'static str {
        match self {
            MediaKind::Video => "video",
            _ => "photo",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_extension() {
        assert_eq!(
            MediaKind::of("IMG_1.JPG").map(|k| k.0),
            Some(MediaKind::Image)
        );
        assert_eq!(MediaKind::of("a.HIF").map(|k| k.0), Some(MediaKind::Heif));
        assert_eq!(MediaKind::of("b.Nef").map(|k| k.0), Some(MediaKind::Raw));
        assert_eq!(MediaKind::of("c.m2ts").map(|k| k.0), Some(MediaKind::Video));
        assert_eq!(MediaKind::of("notes.txt"), None);
        assert_eq!(MediaKind::of("jpg"), None);
    }
}
