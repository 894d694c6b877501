//! Pictures as YCbCr planes, the form thumbnails are made in: JPEG stores YCbCr, so a JPEG is
//! decoded to its planes and the thumbnails are encoded from planes, with no colour conversion
//! and no chroma up- and down-sampling in between (libjpeg-turbo's `decompress_to_yuv` and
//! `compress_yuv_planes`; the decode alone gets 8 ms cheaper for a 12 MP photo, and the
//! buffers half as large). Other sources are converted once, and a colour conversion to sRGB
//! goes through RGB ([`map_rgb`]).
//!
//! YCbCr here is JPEG's (JFIF): BT.601 coefficients, full range.

/// One 8-bit plane, rows packed one after the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plane {
    pub data: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl Plane {
    pub fn filled(width: u32, height: u32, value: u8) -> Self {
        Self {
            data: vec![value; width as usize * height as usize],
            width,
            height,
        }
    }
}

/// A picture with chroma at half resolution both ways (4:2:0): the Cb and Cr planes are
/// `ceil(w/2)`×`ceil(h/2)` for a `w`×`h` luma plane.
#[derive(Debug, Clone)]
pub struct Yuv420 {
    pub y: Plane,
    pub cb: Plane,
    pub cr: Plane,
}

impl Yuv420 {
    pub fn dimensions(&self) -> (u32, u32) {
        (self.y.width, self.y.height)
    }
}

/// A decoded source, before its first resize: the planes as the decoder gives them, in any
/// chroma subsampling, perhaps padded to whole sampling units.
pub struct Decoded {
    /// The picture's size: the part of the luma plane that is image.
    pub width: u32,
    pub height: u32,
    pub y: Plane,
    /// Cb, Cr and how much of them (in chroma samples, fractional at odd edges) covers the
    /// picture; `None` for greyscale.
    pub chroma: Option<(Plane, Plane, (f64, f64))>,
}

impl From<Yuv420> for Decoded {
    fn from(yuv: Yuv420) -> Self {
        let (w, h) = yuv.dimensions();
        let cover = (f64::from(w) / 2.0, f64::from(h) / 2.0);
        Self {
            width: w,
            height: h,
            y: yuv.y,
            chroma: Some((yuv.cb, yuv.cr, cover)),
        }
    }
}

// JFIF conversion in 16.16 fixed point, libjpeg's constants (jccolor.c, jdcolor.c).
const ONE_HALF: i32 = 1 << 15;
const CHROMA_BIAS: i32 = 128 << 16;

#[inline]
fn clamp8(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

/// Luma; the weights add up to 1.0, so the result is within 0..=255 without clamping.
#[inline]
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((19595 * u32::from(r) + 38470 * u32::from(g) + 7471 * u32::from(b) + (1 << 15)) >> 16) as u8
}

/// Cb and Cr of a 2×2 block whose R, G, B sum to `r`, `g`, `b`: the block's mean colour, with
/// the division by 4 folded into the shift.
#[inline]
fn chroma4(r: i32, g: i32, b: i32) -> (u8, u8) {
    const BIAS: i32 = (CHROMA_BIAS + ONE_HALF) << 2;
    let cb = (-11059 * r - 21709 * g + 32768 * b + BIAS) >> 18;
    let cr = (32768 * r - 27439 * g - 5329 * b + BIAS) >> 18;
    (clamp8(cb), clamp8(cr))
}

/// The R, G, B offsets that chroma (`cb`, `cr`) adds to luma.
#[inline]
fn chroma_offsets(cb: u8, cr: u8) -> [i32; 3] {
    let (cb, cr) = (i32::from(cb) - 128, i32::from(cr) - 128);
    [
        (91881 * cr + ONE_HALF) >> 16,
        -((22554 * cb + 46802 * cr - ONE_HALF) >> 16),
        (116130 * cb + ONE_HALF) >> 16,
    ]
}

#[cfg(test)]
fn rgb(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    let y = i32::from(y);
    chroma_offsets(cb, cr).map(|d| clamp8(y + d))
}

fn luma_row(rgb: &[u8], y: &mut [u8]) {
    for (px, y) in rgb.chunks_exact(3).zip(y.iter_mut()) {
        *y = luma(px[0], px[1], px[2]);
    }
}

/// Converts one or two rows of RGB into luma rows and one chroma row, each chroma sample the
/// mean colour of its 2×2 block. At an odd edge the block is what lies inside the picture: the
/// missing row or column is counted as a copy of the one present, which leaves the mean as is.
fn rows_to_yuv(
    top: &[u8],
    bottom: Option<&[u8]>,
    y_top: &mut [u8],
    y_bottom: Option<&mut [u8]>,
    cb: &mut [u8],
    cr: &mut [u8],
) {
    luma_row(top, y_top);
    if let (Some(bottom), Some(y_bottom)) = (bottom, y_bottom) {
        luma_row(bottom, y_bottom);
    }
    let bottom = bottom.unwrap_or(top);
    let pairs = top.chunks_exact(6).zip(bottom.chunks_exact(6));
    let (cb_pairs, cb_last) = cb.split_at_mut(top.len() / 6);
    let (cr_pairs, cr_last) = cr.split_at_mut(top.len() / 6);
    for (((t, b), cb), cr) in pairs.zip(cb_pairs).zip(cr_pairs) {
        let sum = |c: usize| {
            i32::from(t[c]) + i32::from(t[c + 3]) + i32::from(b[c]) + i32::from(b[c + 3])
        };
        (*cb, *cr) = chroma4(sum(0), sum(1), sum(2));
    }
    if top.len() % 6 == 3
        && let (Some(cb), Some(cr)) = (cb_last.first_mut(), cr_last.first_mut())
    {
        let at = top.len() - 3;
        let sum = |c: usize| 2 * (i32::from(top[at + c]) + i32::from(bottom[at + c]));
        (*cb, *cr) = chroma4(sum(0), sum(1), sum(2));
    }
}

/// Converts packed RGB (`w`×`h`, 3 bytes a pixel) to 4:2:0 planes.
pub fn from_rgb(rgb: &[u8], w: u32, h: u32) -> Yuv420 {
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let mut yuv = Yuv420 {
        y: Plane::filled(w, h, 0),
        cb: Plane::filled(cw, ch, 128),
        cr: Plane::filled(cw, ch, 128),
    };
    let (wu, hu, cwu) = (w as usize, h as usize, cw as usize);
    let row = wu * 3;
    for j in 0..ch as usize {
        let top = &rgb[2 * j * row..(2 * j + 1) * row];
        let bottom = (2 * j + 1 < hu).then(|| &rgb[(2 * j + 1) * row..(2 * j + 2) * row]);
        let (y_top, y_rest) = yuv.y.data[2 * j * wu..].split_at_mut(wu);
        let y_bottom = bottom.is_some().then(|| &mut y_rest[..wu]);
        rows_to_yuv(
            top,
            bottom,
            y_top,
            y_bottom,
            &mut yuv.cb.data[j * cwu..(j + 1) * cwu],
            &mut yuv.cr.data[j * cwu..(j + 1) * cwu],
        );
    }
    yuv
}

/// Applies `f` to the picture as RGB, a pair of rows at a time, and converts back: chroma is
/// taken nearest-neighbour to make RGB and averaged over each 2×2 block again, so a picture
/// `f` leaves unchanged comes back as it was, give or take rounding.
pub fn map_rgb(
    yuv: &mut Yuv420,
    mut f: impl FnMut(&[u8], &mut [u8]) -> Result<(), String>,
) -> Result<(), String> {
    let (w, h) = yuv.dimensions();
    let (wu, cwu) = (w as usize, yuv.cb.width as usize);
    let mut src = vec![0u8; wu * 6];
    let mut dst = vec![0u8; wu * 6];
    for j in 0..yuv.cb.height as usize {
        let rows = if 2 * j + 1 < h as usize { 2 } else { 1 };
        let cb_row = &yuv.cb.data[j * cwu..(j + 1) * cwu];
        let cr_row = &yuv.cr.data[j * cwu..(j + 1) * cwu];
        for r in 0..rows {
            let y_row = &yuv.y.data[(2 * j + r) * wu..(2 * j + r + 1) * wu];
            let out = &mut src[r * wu * 3..(r + 1) * wu * 3];
            // Two pixels share a chroma sample: its offsets are worked out once.
            let pixels = out.chunks_mut(6).zip(y_row.chunks(2));
            for ((px, ys), (cb, cr)) in pixels.zip(cb_row.iter().zip(cr_row)) {
                let d = chroma_offsets(*cb, *cr);
                for (px, y) in px.chunks_exact_mut(3).zip(ys) {
                    let y = i32::from(*y);
                    px[0] = clamp8(y + d[0]);
                    px[1] = clamp8(y + d[1]);
                    px[2] = clamp8(y + d[2]);
                }
            }
        }
        let n = rows * wu * 3;
        f(&src[..n], &mut dst[..n])?;
        let (top, bottom) = dst[..n].split_at(wu * 3);
        let (y_top, y_rest) = yuv.y.data[2 * j * wu..].split_at_mut(wu);
        let y_bottom = (rows == 2).then(|| &mut y_rest[..wu]);
        rows_to_yuv(
            top,
            (rows == 2).then_some(bottom),
            y_top,
            y_bottom,
            &mut yuv.cb.data[j * cwu..(j + 1) * cwu],
            &mut yuv.cr.data[j * cwu..(j + 1) * cwu],
        );
    }
    Ok(())
}

/// Converts to packed RGB (chroma nearest-neighbour), for tests and diagnostics.
#[cfg(test)]
pub fn to_rgb(yuv: &Yuv420) -> Vec<u8> {
    let (w, h) = yuv.dimensions();
    let mut out = Vec::with_capacity(w as usize * h as usize * 3);
    for y in 0..h as usize {
        for x in 0..w as usize {
            let c = (y / 2) * yuv.cb.width as usize + x / 2;
            out.extend_from_slice(&rgb(
                yuv.y.data[y * w as usize + x],
                yuv.cb.data[c],
                yuv.cr.data[c],
            ));
        }
    }
    out
}

/// Turns the picture upright for an EXIF orientation (1–8; anything else leaves it as it is).
pub fn orient(yuv: Yuv420, orientation: u8) -> Yuv420 {
    if !(2..=8).contains(&orientation) {
        return yuv;
    }
    Yuv420 {
        y: orient_plane(&yuv.y, orientation),
        cb: orient_plane(&yuv.cb, orientation),
        cr: orient_plane(&yuv.cr, orientation),
    }
}

/// One plane turned for an EXIF orientation. (For an odd width or height a chroma plane's last
/// sample covers one luma column or row, not two, so after a flip chroma sits half a chroma
/// sample off on that axis: invisible at thumbnail sizes.)
fn orient_plane(p: &Plane, orientation: u8) -> Plane {
    let (w, h) = (p.width as usize, p.height as usize);
    let src = &p.data;
    match orientation {
        2..=4 => {
            let mut data = Vec::with_capacity(w * h);
            for y in 0..h {
                let sy = if orientation == 2 { y } else { h - 1 - y };
                let row = &src[sy * w..(sy + 1) * w];
                if orientation == 4 {
                    data.extend_from_slice(row);
                } else {
                    data.extend(row.iter().rev());
                }
            }
            Plane {
                data,
                width: p.width,
                height: p.height,
            }
        }
        5..=8 => {
            // The output is h×w. Walk it in tiles so that the source columns read stay in cache.
            const TILE: usize = 32;
            let (dw, dh) = (h, w);
            let mut data = vec![0u8; w * h];
            for ty in (0..dh).step_by(TILE) {
                for tx in (0..dw).step_by(TILE) {
                    for dy in ty..(ty + TILE).min(dh) {
                        let sx = if matches!(orientation, 5 | 6) {
                            dy
                        } else {
                            w - 1 - dy
                        };
                        let row = &mut data[dy * dw..(dy + 1) * dw];
                        for (dx, out) in row
                            .iter_mut()
                            .enumerate()
                            .take((tx + TILE).min(dw))
                            .skip(tx)
                        {
                            let sy = if matches!(orientation, 5 | 8) {
                                dx
                            } else {
                                h - 1 - dx
                            };
                            *out = src[sy * w + sx];
                        }
                    }
                }
            }
            Plane {
                data,
                width: p.height,
                height: p.width,
            }
        }
        _ => p.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgb_round_trip_is_close() {
        let colours: [[u8; 3]; 6] = [
            [0, 0, 0],
            [255, 255, 255],
            [255, 0, 0],
            [0, 255, 0],
            [0, 0, 255],
            [200, 120, 40],
        ];
        for c in colours {
            let rgb: Vec<u8> = std::iter::repeat_n(c, 9).flatten().collect();
            let yuv = from_rgb(&rgb, 3, 3);
            assert_eq!((yuv.cb.width, yuv.cb.height), (2, 2));
            for px in to_rgb(&yuv).chunks_exact(3) {
                for k in 0..3 {
                    assert!(px[k].abs_diff(c[k]) <= 2, "{c:?} came back as {px:?}");
                }
            }
        }
    }

    #[test]
    fn map_rgb_identity_keeps_the_picture() {
        let (w, h) = (7u32, 5u32);
        let rgb: Vec<u8> = (0..w * h * 3).map(|i| (i * 37 % 256) as u8).collect();
        let mut yuv = from_rgb(&rgb, w, h);
        let before = yuv.clone();
        map_rgb(&mut yuv, |s, d| {
            d.copy_from_slice(s);
            Ok(())
        })
        .expect("map");
        for (a, b) in before.y.data.iter().zip(&yuv.y.data) {
            assert!(a.abs_diff(*b) <= 2, "{a} vs {b}");
        }
        for (a, b) in before.cb.data.iter().zip(&yuv.cb.data) {
            assert!(a.abs_diff(*b) <= 2, "{a} vs {b}");
        }
    }

    #[test]
    fn orientations_move_the_corners() {
        // A 3×2 plane: values name the pixels.
        let p = Plane {
            data: vec![1, 2, 3, 4, 5, 6],
            width: 3,
            height: 2,
        };
        let o = |n| {
            let q = orient_plane(&p, n);
            (q.width, q.height, q.data)
        };
        assert_eq!(o(1), (3, 2, vec![1, 2, 3, 4, 5, 6]));
        assert_eq!(o(2), (3, 2, vec![3, 2, 1, 6, 5, 4]));
        assert_eq!(o(3), (3, 2, vec![6, 5, 4, 3, 2, 1]));
        assert_eq!(o(4), (3, 2, vec![4, 5, 6, 1, 2, 3]));
        assert_eq!(o(5), (2, 3, vec![1, 4, 2, 5, 3, 6]));
        assert_eq!(o(6), (2, 3, vec![4, 1, 5, 2, 6, 3]));
        assert_eq!(o(7), (2, 3, vec![6, 3, 5, 2, 4, 1]));
        assert_eq!(o(8), (2, 3, vec![3, 6, 2, 5, 1, 4]));
    }
}
