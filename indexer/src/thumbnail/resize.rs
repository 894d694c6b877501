//! Resizing YCbCr planes with fast_image_resize (SIMD on x86 and ARM), one channel at a time.
//!
//! The filter: fast_image_resize convolves, widening the kernel with the reduction, so no filter
//! aliases on a large downscale; they differ in sharpness and cost. The first step (decode → xl)
//! is usually small, because a JPEG is decoded at a DCT scale just above xl (1512 → 1280 for a
//! 12 MP photo): there a bilinear (triangle) kernel is enough, at 60% of the cost of Lanczos3
//! or Catmull-Rom (14 against 22 ms for a 12 MP photo's planes). Reductions over 2× (the
//! full-size decode of another format) and xl → m → sm use Lanczos3.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use super::ThumbError;
use super::yuv::{Decoded, Plane, Yuv420};

/// Largest reduction (source short side ÷ target) done with the cheaper filter.
const SMALL_STEP: f64 = 2.0;

fn err(e: impl std::fmt::Display) -> ThumbError {
    ThumbError::Decode(format!("resize: {e}"))
}

/// Resizes the part `cover` (width, height, from the top-left corner) of a plane to `(w, h)`.
fn plane(
    resizer: &mut Resizer,
    src: &Plane,
    cover: (f64, f64),
    (w, h): (u32, u32),
    filter: FilterType,
) -> Result<Plane, ThumbError> {
    let whole = (f64::from(src.width), f64::from(src.height));
    if (src.width, src.height) == (w, h) && cover == whole {
        return Ok(src.clone());
    }
    let source = ImageRef::new(src.width, src.height, &src.data, PixelType::U8).map_err(err)?;
    let mut target = Image::new(w, h, PixelType::U8);
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(filter))
        .crop(0.0, 0.0, cover.0.min(whole.0), cover.1.min(whole.1));
    resizer
        .resize(&source, &mut target, &options)
        .map_err(err)?;
    Ok(Plane {
        data: target.into_vec(),
        width: w,
        height: h,
    })
}

/// The first resize, from the decoded source to `(w, h)` in 4:2:0, whatever the source's
/// chroma subsampling.
pub fn first(src: &Decoded, (w, h): (u32, u32)) -> Result<Yuv420, ThumbError> {
    let reduction = f64::from(src.width.min(src.height)) / f64::from(w.min(h).max(1));
    let filter = if reduction <= SMALL_STEP {
        FilterType::Bilinear
    } else {
        FilterType::Lanczos3
    };
    let mut resizer = Resizer::new();
    let luma_cover = (f64::from(src.width), f64::from(src.height));
    let y = plane(&mut resizer, &src.y, luma_cover, (w, h), filter)?;
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    // Chroma is resized over the area that covers the picture; for an odd target the last
    // sample covers one pixel where the plane assumes two, a stretch of under a pixel.
    let (cb, cr) = match &src.chroma {
        Some((cb, cr, cover)) => (
            plane(&mut resizer, cb, *cover, (cw, ch), filter)?,
            plane(&mut resizer, cr, *cover, (cw, ch), filter)?,
        ),
        None => (Plane::filled(cw, ch, 128), Plane::filled(cw, ch, 128)),
    };
    Ok(Yuv420 { y, cb, cr })
}

/// A smaller size from a 4:2:0 picture (m from xl, sm from m), Lanczos3.
pub fn next(src: &Yuv420, (w, h): (u32, u32)) -> Result<Yuv420, ThumbError> {
    if src.dimensions() == (w, h) {
        return Ok(src.clone());
    }
    let mut resizer = Resizer::new();
    let (sw, sh) = src.dimensions();
    let luma_cover = (f64::from(sw), f64::from(sh));
    let chroma_cover = (luma_cover.0 / 2.0, luma_cover.1 / 2.0);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let lanczos = FilterType::Lanczos3;
    Ok(Yuv420 {
        y: plane(&mut resizer, &src.y, luma_cover, (w, h), lanczos)?,
        cb: plane(&mut resizer, &src.cb, chroma_cover, (cw, ch), lanczos)?,
        cr: plane(&mut resizer, &src.cr, chroma_cover, (cw, ch), lanczos)?,
    })
}
