//! JPEG through libjpeg-turbo: decoding at a reduced scale in the DCT domain, and encoding.

use image::RgbImage;
use turbojpeg::{Compressor, Decompressor, Image, PixelFormat, ScalingFactor, Subsamp};

use super::{DecodeLimits, ThumbError, ThumbSize};

/// Decodes at the smallest power-of-two scale whose result still covers the xl thumbnail.
pub fn decode_for_thumbnails(bytes: &[u8], limits: &DecodeLimits) -> Result<RgbImage, ThumbError> {
    let mut decompressor = Decompressor::new().map_err(|e| ThumbError::Decode(e.to_string()))?;
    let header = decompressor
        .read_header(bytes)
        .map_err(|e| ThumbError::Decode(e.to_string()))?;
    let (w, h) = (header.width, header.height);
    let too_large = || ThumbError::TooLarge {
        width: w as u32,
        height: h as u32,
        limit_mp: limits.max_jpeg_pixels / 1_000_000,
    };
    if (w as u64) * (h as u64) > limits.max_jpeg_pixels || w == 0 || h == 0 {
        return Err(too_large());
    }
    let (tw, th) = ThumbSize::Xl.fit(w as u32, h as u32);
    let factor = [8usize, 4, 2]
        .into_iter()
        .map(|d| ScalingFactor::new(1, d))
        .find(|f| f.scale(w) >= tw as usize && f.scale(h) >= th as usize)
        .unwrap_or(ScalingFactor::ONE);
    decompressor
        .set_scaling_factor(factor)
        .map_err(|e| ThumbError::Decode(e.to_string()))?;
    let scaled = header.scaled(factor);
    let bytes_needed = scaled.width as u64 * scaled.height as u64 * 3;
    if bytes_needed > limits.max_alloc {
        return Err(too_large());
    }
    let mut image = Image {
        pixels: vec![0u8; bytes_needed as usize],
        width: scaled.width,
        pitch: scaled.width * 3,
        height: scaled.height,
        format: PixelFormat::RGB,
    };
    decompressor
        .decompress(bytes, image.as_deref_mut())
        .map_err(|e| ThumbError::Decode(e.to_string()))?;
    RgbImage::from_raw(scaled.width as u32, scaled.height as u32, image.pixels)
        .ok_or_else(|| ThumbError::Decode("decoded buffer has the wrong size".into()))
}

/// Encodes RGB as a progressive 4:2:0 JPEG.
pub fn encode(rgb: &RgbImage, quality: i32) -> Result<Vec<u8>, ThumbError> {
    let err = |e: turbojpeg::Error| ThumbError::Encode(e.to_string());
    let mut compressor = Compressor::new().map_err(err)?;
    compressor.set_quality(quality).map_err(err)?;
    compressor.set_subsamp(Subsamp::Sub2x2).map_err(err)?;
    compressor.set_progressive(true).map_err(err)?;
    let (w, h) = rgb.dimensions();
    let image = Image {
        pixels: rgb.as_raw().as_slice(),
        width: w as usize,
        pitch: w as usize * 3,
        height: h as usize,
        format: PixelFormat::RGB,
    };
    compressor.compress_to_vec(image).map_err(err)
}
