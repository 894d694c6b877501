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
            "jpg" | "jpeg" | "jpe" | "jfif" | "mpo" | "png" | "gif" | "webp" | "tif" | "tiff"
            | "bmp" => MediaKind::Image,
            "heic" | "heif" | "hif" | "avif" => MediaKind::Heif,
            "dng" | "cr2" | "cr3" | "crw" | "nef" | "nrw" | "arw" | "srf" | "sr2" | "raf"
            | "orf" | "rw2" | "pef" | "srw" | "x3f" | "3fr" | "erf" | "mef" | "mos" | "mrw"
            | "dcr" | "kdc" | "k25" | "raw" => MediaKind::Raw,
            "mp4" | "mov" | "m4v" | "mkv" | "avi" | "3gp" | "3g2" | "mts" | "m2ts" | "ts"
            | "webm" | "mpg" | "mpeg" | "wmv" | "asf" | "flv" | "vob" => MediaKind::Video,
            _ => return None,
        };
        Some((kind, ext))
    }

    /// The item type of the protocol before any pairing.
    /// Whether the content is a JPEG stream (checked for truncation).
    pub fn is_jpeg_name(ext: &str) -> bool {
        matches!(ext, "jpg" | "jpeg" | "jpe" | "jfif" | "mpo")
    }

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
