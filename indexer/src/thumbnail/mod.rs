//! Derived images: the three thumbnail sizes of reference §3.2 (short side sm 240, m 320,
//! xl 1280; never upscaled), orientation applied, as progressive-friendly JPEG.
//!
//! One decode makes all three: JPEGs are decoded at a reduced scale in the DCT domain (the
//! smallest power-of-two scale that still covers xl), every other format through the `image`
//! crate; then xl is resized from the decode with Lanczos3, m from xl, sm from m
//! (../shared/reference/rust-stack.md §4). Decoding is bounded in pixels and memory.

mod jpeg;
mod resize;
pub mod store;

use image::{DynamicImage, ImageReader, Limits, RgbImage};

pub use store::ThumbStore;

/// A thumbnail size of the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThumbSize {
    Sm,
    M,
    Xl,
}

impl ThumbSize {
    pub const ALL: [ThumbSize; 3] = [ThumbSize::Xl, ThumbSize::M, ThumbSize::Sm];

    /// Target of the short side, in pixels.
    pub fn short_side(self) -> u32 {
        match self {
            Self::Sm => 240,
            Self::M => 320,
            Self::Xl => 1280,
        }
    }

    /// Ceiling of the long side, so that a very long panorama still gets a sane file.
    pub fn max_long_side(self) -> u32 {
        self.short_side() * 4
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sm => "sm",
            Self::M => "m",
            Self::Xl => "xl",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == s)
    }

    /// The size of this thumbnail for a `w`×`h` source: scaled so the short side is the target,
    /// the long side at most its ceiling, and never larger than the source.
    pub fn fit(self, w: u32, h: u32) -> (u32, u32) {
        let (short, long) = (w.min(h).max(1), w.max(h).max(1));
        let scale = (f64::from(self.short_side()) / f64::from(short))
            .min(f64::from(self.max_long_side()) / f64::from(long))
            .min(1.0);
        let sw = ((f64::from(w) * scale).round() as u32).max(1);
        let sh = ((f64::from(h) * scale).round() as u32).max(1);
        (sw, sh)
    }
}

/// Bounds on what a decode may cost.
#[derive(Debug, Clone, Copy)]
pub struct DecodeLimits {
    /// Largest source, in pixels, decoded at full size (the `image` crate path).
    pub max_pixels: u64,
    /// Largest JPEG source, in pixels (decoded at 1/8 scale or more, so it may be larger).
    pub max_jpeg_pixels: u64,
    /// Memory a decoder may allocate.
    pub max_alloc: u64,
    /// Largest HEIF primary image decoded whole (200 MP phone photos fit); larger ones use their
    /// embedded thumbnail when it is big enough.
    pub max_heif_pixels: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self {
            max_pixels: 120_000_000,
            max_jpeg_pixels: 600_000_000,
            max_alloc: 768 << 20,
            max_heif_pixels: 210_000_000,
        }
    }
}

/// Why no thumbnails could be made.
#[derive(Debug, thiserror::Error)]
pub enum ThumbError {
    #[error("the image is {width}×{height}, more than the {limit_mp} MP allowed")]
    TooLarge {
        width: u32,
        height: u32,
        limit_mp: u64,
    },
    #[error("cannot decode the image: {0}")]
    Decode(String),
    #[error("cannot encode the thumbnail: {0}")]
    Encode(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The three encoded JPEGs.
pub struct ThumbSet {
    pub xl: Vec<u8>,
    pub m: Vec<u8>,
    pub sm: Vec<u8>,
}

impl ThumbSet {
    pub fn get(&self, size: ThumbSize) -> &[u8] {
        match size {
            ThumbSize::Sm => &self.sm,
            ThumbSize::M => &self.m,
            ThumbSize::Xl => &self.xl,
        }
    }
}

/// Makes the set from an encoded still image. `orientation` is the EXIF value to apply.
pub fn from_image_bytes(
    bytes: &[u8],
    orientation: u8,
    limits: &DecodeLimits,
) -> Result<ThumbSet, ThumbError> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        match jpeg::decode_for_thumbnails(bytes, limits) {
            Ok(rgb) => return from_rgb(rgb, orientation),
            Err(e @ ThumbError::TooLarge { .. }) => return Err(e),
            // CMYK and other oddities libjpeg-turbo will not turn into RGB: the generic path.
            Err(_) => {}
        }
    }
    let rgb = decode_generic(bytes, limits)?;
    from_rgb(rgb, orientation)
}

fn decode_generic(bytes: &[u8], limits: &DecodeLimits) -> Result<RgbImage, ThumbError> {
    let open = || {
        ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| ThumbError::Decode(e.to_string()))
    };
    let (w, h) = open()?
        .into_dimensions()
        .map_err(|e| ThumbError::Decode(e.to_string()))?;
    let mut reader = open()?;
    if u64::from(w) * u64::from(h) > limits.max_pixels {
        return Err(ThumbError::TooLarge {
            width: w,
            height: h,
            limit_mp: limits.max_pixels / 1_000_000,
        });
    }
    let mut image_limits = Limits::default();
    image_limits.max_alloc = Some(limits.max_alloc);
    reader.limits(image_limits);
    let image = reader
        .decode()
        .map_err(|e| ThumbError::Decode(e.to_string()))?;
    Ok(flatten(image))
}

/// RGB, with any transparency laid over white (a transparent PNG should not turn black).
fn flatten(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut rgb = RgbImage::new(w, h);
    for (dst, src) in rgb.pixels_mut().zip(rgba.pixels()) {
        let a = u16::from(src[3]);
        for c in 0..3 {
            dst[c] = ((u16::from(src[c]) * a + 255 * (255 - a)) / 255) as u8;
        }
    }
    rgb
}

/// Resizes a decoded picture into the three sizes, applies the orientation and encodes.
pub fn from_rgb(decoded: RgbImage, orientation: u8) -> Result<ThumbSet, ThumbError> {
    let (w, h) = decoded.dimensions();
    let xl = resize::resize(decoded, ThumbSize::Xl.fit(w, h))?;
    let m = resize::resize(xl.clone(), ThumbSize::M.fit(w, h))?;
    let sm = resize::resize(m.clone(), ThumbSize::Sm.fit(w, h))?;
    let orient = |img: RgbImage| {
        let mut dynamic = DynamicImage::ImageRgb8(img);
        if let Some(o) = image::metadata::Orientation::from_exif(orientation) {
            dynamic.apply_orientation(o);
        }
        dynamic.into_rgb8()
    };
    let (xl, m, sm) = (orient(xl), orient(m), orient(sm));
    Ok(ThumbSet {
        xl: jpeg::encode(&xl, 82)?,
        m: jpeg::encode(&m, 80)?,
        sm: jpeg::encode(&sm, 80)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_short_side_and_never_upscale() {
        assert_eq!(ThumbSize::Xl.fit(4032, 3024), (1707, 1280));
        assert_eq!(ThumbSize::M.fit(4032, 3024), (427, 320));
        assert_eq!(ThumbSize::Sm.fit(3024, 4032), (240, 320));
        assert_eq!(ThumbSize::Xl.fit(800, 600), (800, 600));
        assert_eq!(
            ThumbSize::Sm.fit(20_000, 1000),
            (960, 48),
            "long side capped"
        );
        assert_eq!(ThumbSize::Sm.fit(1, 1), (1, 1));
    }

    #[test]
    fn png_with_alpha_and_orientation() {
        let mut img = image::RgbaImage::new(600, 400);
        for (x, _, p) in img.enumerate_pixels_mut() {
            *p = if x < 300 {
                image::Rgba([255, 0, 0, 255])
            } else {
                image::Rgba([0, 0, 0, 0])
            };
        }
        let mut png = Vec::new();
        DynamicImage::ImageRgba8(img)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("png");
        let set = from_image_bytes(&png, 6, &DecodeLimits::default()).expect("thumbs");
        let xl = image::load_from_memory(&set.xl).expect("jpeg").into_rgb8();
        assert_eq!(xl.dimensions(), (400, 600), "rotated a quarter");
        // Orientation 6 turns the left (red) half to the top; the transparent half became white.
        let top = xl.get_pixel(200, 50);
        let bottom = xl.get_pixel(200, 550);
        assert!(top[0] > 200 && top[1] < 60, "{top:?}");
        assert!(bottom.0.iter().all(|c| *c > 200), "{bottom:?}");
        let sm = image::load_from_memory(&set.sm).expect("jpeg");
        assert_eq!((sm.width(), sm.height()), (240, 360));
    }

    #[test]
    fn garbage_and_bombs_are_refused() {
        assert!(matches!(
            from_image_bytes(b"not an image", 1, &DecodeLimits::default()),
            Err(ThumbError::Decode(_))
        ));
        // A JPEG whose frame header claims 60000×60000 pixels.
        let mut bomb = jpeg::encode(&RgbImage::new(8, 8), 80).expect("jpeg");
        let sof = bomb
            .windows(2)
            .position(|w| w == [0xFF, 0xC2] || w == [0xFF, 0xC0])
            .expect("SOF");
        bomb[sof + 5..sof + 7].copy_from_slice(&60_000u16.to_be_bytes());
        bomb[sof + 7..sof + 9].copy_from_slice(&60_000u16.to_be_bytes());
        let refused = from_image_bytes(&bomb, 1, &DecodeLimits::default());
        assert!(
            matches!(refused, Err(ThumbError::TooLarge { width: 60_000, .. })),
            "{:?}",
            refused.err()
        );
    }
}
