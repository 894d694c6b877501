//! JPEG through libjpeg-turbo: decoding to YCbCr planes at a reduced scale in the DCT domain,
//! encoding from planes, and the embedded ICC profile.

use turbojpeg::{
    Colorspace, Compressor, Decompressor, ScalingFactor, Subsamp, YuvImage, YuvPlanesImage,
};

use super::yuv::{Decoded, Plane, Yuv420};
use super::{DecodeLimits, ThumbError, ThumbSize};

fn decode_err(e: turbojpeg::Error) -> ThumbError {
    ThumbError::Decode(e.to_string())
}

/// Decodes to planes at the smallest power-of-two scale whose result still covers the xl
/// thumbnail. YCbCr and greyscale JPEGs only: a CMYK, YCCK or RGB-coded file, or one with a
/// sampling libjpeg-turbo cannot give as planes, is an error (the caller has another decoder).
pub fn decode_for_thumbnails(bytes: &[u8], limits: &DecodeLimits) -> Result<Decoded, ThumbError> {
    let mut decompressor = Decompressor::new().map_err(decode_err)?;
    let header = decompressor.read_header(bytes).map_err(decode_err)?;
    let (w, h) = (header.width, header.height);
    let too_large = || ThumbError::TooLarge {
        width: w as u32,
        height: h as u32,
        limit_mp: limits.max_jpeg_pixels / 1_000_000,
    };
    if (w as u64) * (h as u64) > limits.max_jpeg_pixels || w == 0 || h == 0 {
        return Err(too_large());
    }
    let subsamp = header.subsamp;
    if !matches!(header.colorspace, Colorspace::YCbCr | Colorspace::Gray)
        || subsamp == Subsamp::Unknown
    {
        return Err(ThumbError::Decode(format!(
            "{:?} JPEG with {subsamp:?} sampling",
            header.colorspace
        )));
    }
    let (tw, th) = ThumbSize::Xl.fit(w as u32, h as u32);
    let factor = [8usize, 4, 2]
        .into_iter()
        .map(|d| ScalingFactor::new(1, d))
        .find(|f| f.scale(w) >= tw as usize && f.scale(h) >= th as usize)
        .unwrap_or(ScalingFactor::ONE);
    decompressor
        .set_scaling_factor(factor)
        .map_err(decode_err)?;
    let scaled = header.scaled(factor);
    let len =
        turbojpeg::yuv_pixels_len(scaled.width, 1, scaled.height, subsamp).map_err(decode_err)?;
    if len as u64 > limits.max_alloc {
        return Err(too_large());
    }
    let mut image = YuvImage {
        pixels: vec![0u8; len],
        width: scaled.width,
        align: 1,
        height: scaled.height,
        subsamp,
    };
    decompressor
        .decompress_to_yuv(bytes, image.as_deref_mut())
        .map_err(decode_err)?;
    // One buffer, Y then Cb then Cr, each plane padded to whole sampling units.
    let plane_size = |(pw, ph): (usize, usize)| (pw as u32, ph as u32, pw * ph);
    let (yw, yh, y_len) = plane_size(image.y_size());
    let (cw, ch, c_len) = plane_size(image.uv_size());
    let mut pixels = image.pixels;
    let chroma = if subsamp == Subsamp::Gray {
        None
    } else {
        if pixels.len() < y_len + 2 * c_len {
            return Err(ThumbError::Decode("short YUV buffer".into()));
        }
        let cr = pixels.split_off(y_len + c_len);
        let cb = pixels.split_off(y_len);
        let (sx, sy) = subsamp.size();
        let cover = (
            scaled.width as f64 / sx as f64,
            scaled.height as f64 / sy as f64,
        );
        let plane = |data: Vec<u8>| Plane {
            data,
            width: cw,
            height: ch,
        };
        Some((plane(cb), plane(cr), cover))
    };
    pixels.truncate(y_len);
    Ok(Decoded {
        width: scaled.width as u32,
        height: scaled.height as u32,
        y: Plane {
            data: pixels,
            width: yw,
            height: yh,
        },
        chroma,
    })
}

/// Huffman tables of a baseline JPEG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Huffman {
    /// The standard tables of the JPEG specification: one pass over the data.
    Standard,
    /// Tables made for the picture: a second pass, files about 7% smaller.
    Optimised,
}

/// Encodes a 4:2:0 picture as a baseline JPEG. (Progressive encoding costs three times as
/// much as baseline with optimised tables, 48 against 15 ms for a 1707×1280 xl, and saves 2% of
/// the file; standard tables halve the time again for 7% more.)
pub fn encode(yuv: &Yuv420, quality: i32, huffman: Huffman) -> Result<Vec<u8>, ThumbError> {
    let err = |e: turbojpeg::Error| ThumbError::Encode(e.to_string());
    let mut compressor = Compressor::new().map_err(err)?;
    compressor.set_quality(quality).map_err(err)?;
    compressor.set_subsamp(Subsamp::Sub2x2).map_err(err)?;
    compressor
        .set_optimize(huffman == Huffman::Optimised)
        .map_err(err)?;
    // libjpeg-turbo reads the luma plane padded to even dimensions.
    let (w, h) = yuv.dimensions();
    let padded;
    let y = if w % 2 == 1 || h % 2 == 1 {
        padded = pad_even(&yuv.y);
        &padded
    } else {
        &yuv.y
    };
    let image = YuvPlanesImage {
        y_plane: y.data.as_slice(),
        u_plane: yuv.cb.data.as_slice(),
        v_plane: yuv.cr.data.as_slice(),
        width: w as usize,
        height: h as usize,
        y_stride: y.width as usize,
        u_stride: yuv.cb.width as usize,
        v_stride: yuv.cr.width as usize,
        subsamp: Subsamp::Sub2x2,
    };
    compressor.compress_yuv_planes_to_vec(&image).map_err(err)
}

/// The plane grown to even dimensions by repeating its last column and row.
fn pad_even(p: &Plane) -> Plane {
    let (w, h) = (p.width as usize, p.height as usize);
    let (pw, ph) = (w.next_multiple_of(2), h.next_multiple_of(2));
    let mut data = Vec::with_capacity(pw * ph);
    for row in p.data.chunks_exact(w.max(1)).take(h) {
        data.extend_from_slice(row);
        data.extend(std::iter::repeat_n(row[w - 1], pw - w));
    }
    if ph > h {
        let last = data[(h - 1) * pw..h * pw].to_vec();
        data.extend_from_slice(&last);
    }
    Plane {
        data,
        width: pw as u32,
        height: ph as u32,
    }
}

/// The ICC profile of a JPEG: the `ICC_PROFILE` APP2 segments before the first scan, put
/// together in their sequence order. `None` when there is none or the chunks do not add up.
pub fn icc_profile(jpeg: &[u8]) -> Option<Vec<u8>> {
    const TAG: &[u8] = b"ICC_PROFILE\0";
    let mut chunks: Vec<(u8, u8, &[u8])> = Vec::new();
    let mut at = 2; // after SOI
    while at + 4 <= jpeg.len() {
        if jpeg[at] != 0xFF {
            return None;
        }
        let marker = jpeg[at + 1];
        match marker {
            0xFF => {
                at += 1; // fill byte
                continue;
            }
            0x01 | 0xD0..=0xD7 => {
                at += 2;
                continue;
            }
            0xDA | 0xD9 => break, // start of scan, end of image
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        if len < 2 {
            return None;
        }
        let segment = jpeg.get(at + 4..at + 2 + len)?;
        if marker == 0xE2 && segment.len() > TAG.len() + 2 && segment.starts_with(TAG) {
            let rest = &segment[TAG.len()..];
            chunks.push((rest[0], rest[1], &rest[2..]));
        }
        at += 2 + len;
    }
    if chunks.is_empty() {
        return None;
    }
    chunks.sort_by_key(|c| c.0);
    let count = usize::from(chunks[0].1);
    let in_order = chunks.len() == count
        && chunks
            .iter()
            .enumerate()
            .all(|(i, c)| usize::from(c.0) == i + 1 && usize::from(c.1) == count);
    in_order.then(|| chunks.iter().flat_map(|c| c.2).copied().collect())
}

/// `jpeg` with `icc` embedded as APP2 segments right after SOI (for tests).
#[cfg(test)]
pub fn with_icc(jpeg: &[u8], icc: &[u8]) -> Vec<u8> {
    let pieces: Vec<&[u8]> = icc.chunks(60_000).collect();
    let segments = pieces
        .iter()
        .enumerate()
        .map(|(i, piece)| app2_icc(i as u8 + 1, pieces.len() as u8, piece));
    let mut out = jpeg[..2].to_vec();
    out.extend(segments.flatten());
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// One `ICC_PROFILE` APP2 segment.
#[cfg(test)]
fn app2_icc(seq: u8, count: u8, piece: &[u8]) -> Vec<u8> {
    let len = (2 + 12 + 2 + piece.len()) as u16;
    let mut out = vec![0xFF, 0xE2];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(b"ICC_PROFILE\0");
    out.extend_from_slice(&[seq, count]);
    out.extend_from_slice(piece);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icc_chunks_are_reassembled_in_order() {
        let icc: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let yuv = super::super::yuv::from_rgb(&[10; 8 * 8 * 3], 8, 8);
        let jpeg = encode(&yuv, 80, Huffman::Standard).expect("jpeg");
        assert_eq!(icc_profile(&jpeg), None);
        let tagged = with_icc(&jpeg, &icc);
        assert_eq!(icc_profile(&tagged).as_deref(), Some(icc.as_slice()));
        // Chunks stored out of order are read in sequence order.
        let (a, b) = icc.split_at(60_000);
        let mut swapped = jpeg[..2].to_vec();
        swapped.extend(app2_icc(2, 2, b));
        swapped.extend(app2_icc(1, 2, a));
        swapped.extend_from_slice(&jpeg[2..]);
        assert_eq!(icc_profile(&swapped).as_deref(), Some(icc.as_slice()));
        // A missing chunk: no profile rather than a wrong one.
        let mut missing = jpeg[..2].to_vec();
        missing.extend(app2_icc(1, 2, a));
        missing.extend_from_slice(&jpeg[2..]);
        assert_eq!(icc_profile(&missing), None);
        // Garbage and truncation do not panic.
        assert_eq!(icc_profile(&tagged[..30]), None);
        assert_eq!(icc_profile(b"\xFF\xD8\xFF\xE2\xFF\xFF"), None);
    }

    #[test]
    fn odd_sizes_encode() {
        for (w, h) in [(1, 1), (3, 2), (7, 5), (2, 9)] {
            let rgb: Vec<u8> = (0..w * h * 3).map(|i| (i * 7 % 256) as u8).collect();
            let yuv = super::super::yuv::from_rgb(&rgb, w, h);
            for huffman in [Huffman::Standard, Huffman::Optimised] {
                let jpeg = encode(&yuv, 80, huffman).expect("jpeg");
                let back = image::load_from_memory(&jpeg).expect("decodes");
                assert_eq!((back.width(), back.height()), (w, h));
            }
        }
    }
}
