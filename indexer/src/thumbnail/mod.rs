//! Derived images: the three thumbnail sizes of reference §3.2 (short side sm 240, m 320,
//! xl 1280; never upscaled), orientation applied, in sRGB, as baseline JPEG 4:2:0 (xl q82 with
//! the standard Huffman tables, m and sm q80 with optimised ones).
//!
//! One decode makes all three, and they are made as YCbCr 4:2:0 planes from decode to encode
//! ([`yuv`]): JPEGs are decoded to their planes at a reduced scale in the DCT domain (the
//! smallest power-of-two scale that still covers xl); every other format is decoded to RGB
//! (through the `image` crate, or libheif) and converted once. Then xl is resized from the
//! decode, converted to sRGB if the source declares another colour space ([`colour`]), and m and
//! sm are made from xl, m first (../shared/reference/rust-stack.md §4). Decoding is bounded in
//! pixels and memory.

mod colour;
mod jpeg;
mod resize;
pub mod store;
mod yuv;

use image::{DynamicImage, ImageDecoder, ImageReader, Limits, RgbImage};

pub use store::ThumbStore;

use colour::ToSrgb;
use jpeg::Huffman;
use yuv::Decoded;

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

/// The colour space a decoded picture's numbers are in, as its file declares it.
#[derive(Debug, Clone, Copy, Default)]
pub enum SourceColour<'a> {
    /// sRGB, or nothing declared (which viewers take as sRGB).
    #[default]
    Srgb,
    /// An embedded ICC profile (it may still describe sRGB).
    Icc(&'a [u8]),
    /// Display P3 declared without a profile (HEIF's `nclx` colour box).
    DisplayP3,
}

/// Makes the set from an encoded still image. `orientation` is the EXIF value to apply.
pub fn from_image_bytes(
    bytes: &[u8],
    orientation: u8,
    limits: &DecodeLimits,
) -> Result<ThumbSet, ThumbError> {
    from_image_bytes_marked(bytes, orientation, limits, &mut |_| {})
}

/// [`from_image_bytes`], calling `mark` with the name of each step as it ends: the benchmark
/// (`examples/thumb_bench.rs --stages`) times the real pipeline step by step with it.
#[doc(hidden)]
pub fn from_image_bytes_marked(
    bytes: &[u8],
    orientation: u8,
    limits: &DecodeLimits,
    mark: &mut dyn FnMut(&'static str),
) -> Result<ThumbSet, ThumbError> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        match jpeg::decode_for_thumbnails(bytes, limits) {
            Ok(planes) => {
                let icc = jpeg::icc_profile(bytes);
                let colour = icc.as_deref().map_or(SourceColour::Srgb, SourceColour::Icc);
                mark("decode JPEG to YCbCr planes (DCT-scaled) + read ICC");
                return from_decoded(planes, orientation, colour, mark);
            }
            Err(e @ ThumbError::TooLarge { .. }) => return Err(e),
            // CMYK and other oddities libjpeg-turbo will not give as YCbCr: the generic path.
            Err(_) => {}
        }
    }
    let (rgb, icc) = decode_generic(bytes, limits)?;
    let colour = icc.as_deref().map_or(SourceColour::Srgb, SourceColour::Icc);
    mark("decode to RGB (image crate)");
    let (w, h) = rgb.dimensions();
    let planes = yuv::from_rgb(rgb.as_raw(), w, h);
    drop(rgb);
    mark("RGB to YCbCr planes");
    from_decoded(planes.into(), orientation, colour, mark)
}

/// Decodes through the `image` crate: the picture and its ICC profile, if any.
fn decode_generic(
    bytes: &[u8],
    limits: &DecodeLimits,
) -> Result<(RgbImage, Option<Vec<u8>>), ThumbError> {
    // A file that ends early is refused, never shown with the rest of the picture blank: the
    // PNG, GIF, TIFF and BMP decoders fail at the end of the data; a WebP is refused from its
    // RIFF header, which says how long the file is.
    let decode_err = |e: image::ImageError| match &e {
        image::ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            ThumbError::Decode(format!("the image is truncated ({e})"))
        }
        _ => ThumbError::Decode(e.to_string()),
    };
    if let Some(reason) = webp_truncated(bytes, bytes.len() as u64) {
        return Err(ThumbError::Decode(reason));
    }
    let mut reader = ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ThumbError::Decode(e.to_string()))?;
    let mut image_limits = Limits::default();
    image_limits.max_alloc = Some(limits.max_alloc);
    reader.limits(image_limits.clone());
    let mut decoder = reader.into_decoder().map_err(decode_err)?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > limits.max_pixels {
        return Err(ThumbError::TooLarge {
            width: w,
            height: h,
            limit_mp: limits.max_pixels / 1_000_000,
        });
    }
    image_limits
        .reserve(decoder.total_bytes())
        .map_err(decode_err)?;
    // A profile that cannot be read is no reason to refuse the picture.
    let icc = decoder.icc_profile().ok().flatten();
    let image = DynamicImage::from_decoder(decoder).map_err(decode_err)?;
    Ok((flatten(image), icc))
}

/// The reason a WebP file is broken when it is shorter than its RIFF header (its first 12
/// bytes, in `head`) says; `len` is the file's length.
pub fn webp_truncated(head: &[u8], len: u64) -> Option<String> {
    if head.get(..4)? != b"RIFF" || head.get(8..12)? != b"WEBP" {
        return None;
    }
    let declared = u64::from(u32::from_le_bytes(head.get(4..8)?.try_into().ok()?)) + 8;
    (declared > len)
        .then(|| format!("the WebP file is truncated: it has {len} of its {declared} bytes"))
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

/// Makes the set from a decoded picture: resizes, converts to sRGB, applies the orientation
/// and encodes.
pub fn from_rgb(
    decoded: RgbImage,
    orientation: u8,
    colour: SourceColour<'_>,
) -> Result<ThumbSet, ThumbError> {
    let (w, h) = decoded.dimensions();
    let planes = yuv::from_rgb(decoded.as_raw(), w, h);
    drop(decoded);
    from_decoded(planes.into(), orientation, colour, &mut |_| {})
}

fn from_decoded(
    src: Decoded,
    orientation: u8,
    colour: SourceColour<'_>,
    mark: &mut dyn FnMut(&'static str),
) -> Result<ThumbSet, ThumbError> {
    let (w, h) = (src.width, src.height);
    let mut xl = resize::first(&src, ThumbSize::Xl.fit(w, h))?;
    drop(src);
    mark("resize xl");
    // After the first resize, where the picture is smallest before it is needed in full
    // colour: m and sm inherit the conversion.
    if let Some(to_srgb) = ToSrgb::for_source(colour) {
        to_srgb.apply(&mut xl)?;
    }
    mark("colour to sRGB (when not sRGB)");
    let m = resize::next(&xl, ThumbSize::M.fit(w, h))?;
    let sm = resize::next(&m, ThumbSize::Sm.fit(w, h))?;
    mark("resize m from xl, sm from m");
    let orient = |img| yuv::orient(img, orientation);
    let (xl, m, sm) = (orient(xl), orient(m), orient(sm));
    mark("orientation");
    // Baseline, not progressive (see jpeg::encode). xl, the largest encode, with the standard
    // Huffman tables: optimised ones would take 8 of the 15 ms for 7% smaller files.
    let xl = jpeg::encode(&xl, 82, Huffman::Standard)?;
    mark("encode xl (standard Huffman tables)");
    let m = jpeg::encode(&m, 80, Huffman::Optimised)?;
    let sm = jpeg::encode(&sm, 80, Huffman::Optimised)?;
    mark("encode m + sm (optimised Huffman tables)");
    Ok(ThumbSet { xl, m, sm })
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

    /// Mean colour of the 9×9 square centred at (`fx`, `fy`) of the picture, as fractions.
    fn mean_at(img: &RgbImage, fx: f64, fy: f64) -> [u8; 3] {
        let (cx, cy) = (
            (f64::from(img.width()) * fx) as u32,
            (f64::from(img.height()) * fy) as u32,
        );
        let mut sum = [0u32; 3];
        for y in cy - 4..=cy + 4 {
            for x in cx - 4..=cx + 4 {
                for (s, v) in sum.iter_mut().zip(img.get_pixel(x, y).0) {
                    *s += u32::from(v);
                }
            }
        }
        sum.map(|s| (s / 81) as u8)
    }

    fn assert_near(got: [u8; 3], want: [u8; 3], tolerance: u8, what: &str) {
        assert!(
            got.iter()
                .zip(want)
                .all(|(g, w)| g.abs_diff(w) <= tolerance),
            "{what}: {got:?}, expected {want:?} ±{tolerance}"
        );
    }

    fn jpeg_of(rgb: &RgbImage, subsamp: turbojpeg::Subsamp) -> Vec<u8> {
        let (w, h) = rgb.dimensions();
        let image = turbojpeg::Image {
            pixels: rgb.as_raw().as_slice(),
            width: w as usize,
            pitch: w as usize * 3,
            height: h as usize,
            format: turbojpeg::PixelFormat::RGB,
        };
        turbojpeg::compress(image, 95, subsamp)
            .expect("jpeg")
            .to_vec()
    }

    /// The xl thumbnail, after checking the sizes of all three for a source of `(w, h)`.
    fn xl_of(bytes: &[u8], orientation: u8, (w, h): (u32, u32)) -> RgbImage {
        let set = from_image_bytes(bytes, orientation, &DecodeLimits::default()).expect("thumbs");
        let (w, h) = if orientation >= 5 { (h, w) } else { (w, h) };
        for size in ThumbSize::ALL {
            let img = image::load_from_memory(set.get(size)).expect("decodes");
            assert_eq!((img.width(), img.height()), size.fit(w, h), "{size:?}");
        }
        image::load_from_memory(&set.xl).expect("jpeg").into_rgb8()
    }

    #[test]
    fn jpeg_samplings_and_orientations() {
        // Odd sizes, large enough for the 1/2-scale decode: quadrants red, green, blue, white.
        let (w, h) = (3001, 2599);
        let card = RgbImage::from_fn(w, h, |x, y| match (x < w / 2, y < h / 2) {
            (true, true) => image::Rgb([220, 30, 30]),
            (false, true) => image::Rgb([30, 200, 30]),
            (true, false) => image::Rgb([30, 30, 220]),
            (false, false) => image::Rgb([250, 250, 250]),
        });
        let small = image::imageops::thumbnail(&card, 30, 26);
        let spots = [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)];
        use turbojpeg::Subsamp;
        for subsamp in [
            Subsamp::Sub2x2,
            Subsamp::None,
            Subsamp::Sub2x1,
            Subsamp::Gray,
        ] {
            let jpeg = jpeg_of(&card, subsamp);
            for orientation in 1..=8 {
                let xl = xl_of(&jpeg, orientation, (w, h));
                let mut want = DynamicImage::ImageRgb8(small.clone());
                if let Some(o) = image::metadata::Orientation::from_exif(orientation) {
                    want.apply_orientation(o);
                }
                let want = want.into_rgb8();
                for (fx, fy) in spots {
                    let mut expected = mean_at(&want, fx, fy);
                    if subsamp == Subsamp::Gray {
                        let [r, g, b] = expected.map(f64::from);
                        expected = [(0.299 * r + 0.587 * g + 0.114 * b).round() as u8; 3];
                    }
                    let what = format!("{subsamp:?}, orientation {orientation}, at {fx},{fy}");
                    assert_near(mean_at(&xl, fx, fy), expected, 8, &what);
                }
            }
        }
    }

    const DISPLAY_P3: &[u8] = include_bytes!("../../tests/fixtures/display-p3.icc");
    const ADOBE_RGB: &[u8] = include_bytes!("../../tests/fixtures/adobe-rgb-1998.icc");

    #[test]
    fn display_p3_jpeg_turns_srgb() {
        // Left: a red inside Display P3 but outside sRGB; right: P3's red primary.
        let (w, h) = (3000, 2000);
        let card = RgbImage::from_fn(w, h, |x, _| {
            image::Rgb(if x < w / 2 {
                [230, 60, 50]
            } else {
                [255, 0, 0]
            })
        });
        let plain = jpeg_of(&card, turbojpeg::Subsamp::Sub2x2);
        let tagged = jpeg::with_icc(&plain, DISPLAY_P3);
        // sRGB values from the published P3 and sRGB matrices (linear light, D65).
        let xl = xl_of(&tagged, 1, (w, h));
        assert_near(mean_at(&xl, 0.25, 0.5), [250, 31, 34], 6, "P3 (230,60,50)");
        let red = mean_at(&xl, 0.75, 0.5);
        assert!(
            red[0] >= 245 && red[1] <= 10 && red[2] <= 10,
            "P3 red: {red:?}"
        );
        // Untagged, the same numbers are taken as sRGB and kept.
        let xl = xl_of(&plain, 1, (w, h));
        assert_near(mean_at(&xl, 0.25, 0.5), [230, 60, 50], 6, "untagged");
        // Orientation and colour together.
        let xl = xl_of(&tagged, 6, (w, h));
        assert_near(mean_at(&xl, 0.5, 0.25), [250, 31, 34], 6, "P3, turned");
    }

    #[test]
    fn adobe_rgb_png_turns_srgb() {
        use image::ImageEncoder;
        let (w, h) = (300, 200);
        let card = RgbImage::from_pixel(w, h, image::Rgb([200, 100, 50]));
        let mut png = Vec::new();
        let mut encoder = image::codecs::png::PngEncoder::new(&mut png);
        encoder.set_icc_profile(ADOBE_RGB.to_vec()).expect("iCCP");
        encoder
            .write_image(card.as_raw(), w, h, image::ExtendedColorType::Rgb8)
            .expect("png");
        let xl = xl_of(&png, 1, (w, h));
        assert_near(
            mean_at(&xl, 0.5, 0.5),
            [227, 100, 42],
            6,
            "Adobe RGB (200,100,50)",
        );
    }

    #[test]
    fn truncated_images_are_refused_as_truncated() {
        let rgb = RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
        for format in [
            image::ImageFormat::Png,
            image::ImageFormat::Gif,
            image::ImageFormat::WebP,
            image::ImageFormat::Tiff,
            image::ImageFormat::Bmp,
        ] {
            let mut bytes = Vec::new();
            DynamicImage::ImageRgb8(rgb.clone())
                .write_to(&mut std::io::Cursor::new(&mut bytes), format)
                .expect("encode");
            assert!(
                from_image_bytes(&bytes, 1, &DecodeLimits::default()).is_ok(),
                "{format:?} whole"
            );
            for keep in [0.5, 0.9] {
                let cut = &bytes[..(bytes.len() as f64 * keep) as usize];
                let err = from_image_bytes(cut, 1, &DecodeLimits::default())
                    .err()
                    .map(|e| e.to_string().to_lowercase())
                    .unwrap_or_default();
                assert!(
                    err.contains("truncated") || err.contains("unexpected end"),
                    "{format:?} cut at {keep}: {err:?}"
                );
            }
        }
    }

    #[test]
    fn garbage_and_bombs_are_refused() {
        assert!(matches!(
            from_image_bytes(b"not an image", 1, &DecodeLimits::default()),
            Err(ThumbError::Decode(_))
        ));
        // A JPEG whose frame header claims 60000×60000 pixels.
        let black = yuv::from_rgb(&[0; 8 * 8 * 3], 8, 8);
        let mut bomb = jpeg::encode(&black, 80, Huffman::Standard).expect("jpeg");
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
