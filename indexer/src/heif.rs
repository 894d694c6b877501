//! HEIF family (HEIC from phones, camera `.HIF`, AVIF) through libheif, built into the binary.
//! libheif applies the `irot`/`imir` transforms itself, so the EXIF orientation of these files
//! is never applied again (../shared/reference/rust-stack.md §3).
//!
//! A file that does not hold all of its picture is broken, never shown with holes: the `meta`
//! box is checked first ([`items`]: a tile, or the image, with its data past the end of the
//! file or not there at all), and libheif then decodes strictly, so that a tile it cannot
//! decode is an error rather than a solid green square.

mod items;

use std::path::Path;

use image::RgbImage;
use libheif_rs::{
    ColorPrimaries, ColorSpace, DecodingOptions, HeifContext, HeifError, HeifErrorSubCode,
    ImageHandle, LibHeif, RgbChroma, TransferCharacteristics,
};

use crate::thumbnail::{self, DecodeLimits, SourceColour, ThumbSet, ThumbSize};

fn open(bytes: &[u8]) -> Result<HeifContext<'_>, String> {
    let mut ctx = HeifContext::read_from_bytes(bytes)
        .map_err(|e| format!("not a readable HEIF image: {e}"))?;
    ctx.set_max_decoding_threads(2);
    Ok(ctx)
}

/// The file's bytes, once its `meta` box says they hold the whole primary image.
fn read(path: &Path) -> Result<Vec<u8>, String> {
    let io = |e: std::io::Error| format!("cannot read the file: {e}");
    let mut file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    items::check(&mut file, len)?;
    // The same open file the check looked at, from its start.
    use std::io::{Read, Seek};
    file.rewind().map_err(io)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.read_to_end(&mut bytes).map_err(io)?;
    Ok(bytes)
}

/// What the index job needs from a HEIF file: the displayed size of the primary image, and the
/// EXIF block that belongs to it (a file may carry others, for depth or auxiliary images).
pub struct HeifInfo {
    pub width: u32,
    pub height: u32,
    /// The TIFF-structured EXIF data, without HEIF's 4-byte offset prefix.
    pub exif: Option<Vec<u8>>,
}

pub fn info(path: &Path) -> Result<HeifInfo, String> {
    let bytes = read(path)?;
    let ctx = open(&bytes)?;
    let handle = ctx
        .primary_image_handle()
        .map_err(|e| format!("no primary image: {e}"))?;
    let mut ids = [0; 4];
    let count = handle.metadata_block_ids(&mut ids, b"Exif");
    let exif = ids[..count.min(ids.len())].iter().find_map(|id| {
        let block = handle.metadata(*id).ok()?;
        // The block starts with a big-endian offset to the TIFF header.
        let skip = u32::from_be_bytes(block.get(..4)?.try_into().ok()?) as usize;
        block.get(4 + skip..).map(<[u8]>::to_vec)
    });
    Ok(HeifInfo {
        width: handle.width(),
        height: handle.height(),
        exif,
    })
}

/// The thumbnail set. A primary image over the pixel limit is shown through its embedded
/// thumbnail when that is large enough; otherwise the file is refused.
pub fn thumbnails(path: &Path, limits: &DecodeLimits) -> Result<ThumbSet, String> {
    let bytes = read(path)?;
    let ctx = open(&bytes)?;
    let primary = ctx
        .primary_image_handle()
        .map_err(|e| format!("no primary image: {e}"))?;
    let (w, h) = (primary.width(), primary.height());
    let pixels = u64::from(w) * u64::from(h);
    let embedded = || {
        let mut ids = vec![0; primary.number_of_thumbnails()];
        primary.thumbnail_ids(&mut ids);
        ids.iter()
            .filter_map(|id| primary.thumbnail(*id).ok())
            .max_by_key(|t| u64::from(t.width()) * u64::from(t.height()))
    };
    // Over the everyday limit, an embedded thumbnail that covers xl is enough; otherwise decode
    // the whole image if it is within the HEIF limit.
    let xl = ThumbSize::Xl.short_side();
    let handle = if pixels <= limits.max_pixels {
        primary
    } else if let Some(thumb) = embedded().filter(|t| t.width().min(t.height()) >= xl) {
        thumb
    } else if pixels <= limits.max_heif_pixels {
        primary
    } else {
        let limit = limits.max_heif_pixels / 1_000_000;
        return Err(format!(
            "the image is {w}×{h}, more than the {limit} MP allowed"
        ));
    };
    let rgb = decode(&handle, limits)?;
    // An embedded thumbnail without colour information of its own is in its primary's.
    let colour = Colour::of(&handle).or_else(|| Colour::of(&ctx.primary_image_handle().ok()?));
    let colour = colour
        .as_ref()
        .map_or(SourceColour::Srgb, Colour::as_source);
    thumbnail::from_rgb(rgb, 1, colour).map_err(|e| e.to_string())
}

/// The colour space an image's decoded RGB is in, when it is declared: an ICC profile (iPhones
/// write Display P3 ones), or Display P3 primaries in an `nclx` box with an SDR transfer
/// curve. (HDR curves, PQ and HLG, would need tone mapping: shown as they are.)
enum Colour {
    Icc(Vec<u8>),
    DisplayP3,
}

impl Colour {
    fn of(handle: &ImageHandle) -> Option<Self> {
        if let Some(icc) = handle.color_profile_raw().filter(|p| !p.data.is_empty()) {
            return Some(Self::Icc(icc.data));
        }
        let nclx = handle.color_profile_nclx()?;
        let sdr = !matches!(
            nclx.transfer_characteristics(),
            TransferCharacteristics::ITU_R_BT_2100_0_PQ
                | TransferCharacteristics::ITU_R_BT_2100_0_HLG
                | TransferCharacteristics::Linear
        );
        (nclx.color_primaries() == ColorPrimaries::SMPTE_EG_432_1 && sdr).then_some(Self::DisplayP3)
    }

    fn as_source(&self) -> SourceColour<'_> {
        match self {
            Self::Icc(icc) => SourceColour::Icc(icc),
            Self::DisplayP3 => SourceColour::DisplayP3,
        }
    }
}

fn decode(handle: &ImageHandle, limits: &DecodeLimits) -> Result<RgbImage, String> {
    let (w, h) = (handle.width(), handle.height());
    if u64::from(w) * u64::from(h) > limits.max_heif_pixels {
        return Err(format!("the image is {w}×{h}, too large to decode"));
    }
    // Strict: a grid tile that is missing or does not decode is an error, not a hole that
    // libheif would leave zero (solid green once in RGB) with a warning.
    let mut options = DecodingOptions::new().ok_or("cannot set up the HEIF decoder")?;
    options.set_strict_decoding(true);
    let image = LibHeif::new()
        .decode(handle, ColorSpace::Rgb(RgbChroma::Rgb), Some(options))
        .map_err(decode_error)?;
    let planes = image.planes();
    let plane = planes
        .interleaved
        .ok_or("the decoded HEIF image has no RGB plane")?;
    let (w, h) = (plane.width, plane.height);
    let row = w as usize * 3;
    let mut rgb = Vec::with_capacity(row * h as usize);
    for y in 0..h as usize {
        let start = y * plane.stride;
        rgb.extend_from_slice(
            plane
                .data
                .get(start..start + row)
                .ok_or("short HEIF plane")?,
        );
    }
    RgbImage::from_raw(w, h, rgb).ok_or_else(|| "HEIF buffer has the wrong size".into())
}

/// The reason a decode failed, in the indexer's words where the file is at fault.
fn decode_error(e: HeifError) -> String {
    let detail = e.message.trim();
    match e.sub_code {
        HeifErrorSubCode::EndOfData => format!("the HEIF file is truncated: {detail}"),
        HeifErrorSubCode::MissingGridImages => {
            format!("the HEIF image is incomplete (a grid tile is missing): {detail}")
        }
        _ => format!("cannot decode the HEIF image: {e}"),
    }
}
