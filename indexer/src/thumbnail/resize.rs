//! Lanczos3 resizing with fast_image_resize (SIMD on x86 and ARM).

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;

use super::ThumbError;

/// Resizes to `(w, h)`; a picture already that size is returned as it is.
pub fn resize(src: RgbImage, (w, h): (u32, u32)) -> Result<RgbImage, ThumbError> {
    if src.dimensions() == (w, h) {
        return Ok(src);
    }
    let (sw, sh) = src.dimensions();
    let source = Image::from_vec_u8(sw, sh, src.into_raw(), PixelType::U8x3)
        .map_err(|e| ThumbError::Decode(e.to_string()))?;
    let mut target = Image::new(w, h, PixelType::U8x3);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(&source, &mut target, &options)
        .map_err(|e| ThumbError::Decode(e.to_string()))?;
    RgbImage::from_raw(w, h, target.into_vec())
        .ok_or_else(|| ThumbError::Decode("resize buffer".into()))
}
