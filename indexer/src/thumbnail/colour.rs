//! Colour management: thumbnails are sRGB, the colour space browsers and TVs assume for an
//! untagged JPEG. A source in another space (Display P3 from iPhones, Adobe RGB from cameras and
//! editors) is converted with moxcms, a pure-Rust CMS that the `image` crate already depends on
//! (matrix/TRC and LUT profiles, ICC v2 and v4).
//!
//! Building a transform costs about a millisecond, so each distinct profile is looked at once:
//! the result, a transform or "this is sRGB, leave the numbers alone", is cached by the
//! profile's hash. A profile counts as sRGB when the transform moves no colour of a test grid
//! by more than one step: that catches the many sRGB profiles in circulation (HP's, Google's,
//! Apple's, v2 and v4) without knowing them by name.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use moxcms::{ColorProfile, DataColorSpace, Layout, RenderingIntent, TransformOptions};

use super::yuv::{self, Yuv420};
use super::{SourceColour, ThumbError};

type Transform = moxcms::Transform8BitExecutor;

/// Distinct profiles remembered; a library has a handful (one per camera and editor).
const CACHE_ENTRIES: usize = 64;

/// A conversion of 8-bit RGB to sRGB.
#[derive(Clone)]
pub struct ToSrgb(Arc<Transform>);

impl ToSrgb {
    /// The conversion a source needs, or `None` when it is sRGB already, declares nothing,
    /// or declares something unusable (a broken profile, a CMYK or grey one): then the numbers
    /// are shown as they are, as before.
    pub fn for_source(colour: SourceColour<'_>) -> Option<Self> {
        static CACHE: LazyLock<Mutex<HashMap<[u8; 32], Option<ToSrgb>>>> =
            LazyLock::new(Default::default);
        let key = match colour {
            SourceColour::Srgb => return None,
            SourceColour::Icc(icc) => *blake3::hash(icc).as_bytes(),
            // Not a profile's hash: no ICC profile is this short.
            SourceColour::DisplayP3 => [0u8; 32],
        };
        let lock = || {
            CACHE
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        if let Some(known) = lock().get(&key) {
            return known.clone();
        }
        let made = match colour {
            SourceColour::Icc(icc) => match ColorProfile::new_from_slice(icc) {
                Ok(profile) => Self::build(&profile),
                Err(e) => {
                    tracing::debug!("ignoring an unreadable ICC profile: {e:?}");
                    None
                }
            },
            SourceColour::DisplayP3 => Self::build(&ColorProfile::new_display_p3()),
            SourceColour::Srgb => None,
        };
        let mut cache = lock();
        if cache.len() >= CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(key, made.clone());
        made
    }

    fn build(profile: &ColorProfile) -> Option<Self> {
        if profile.color_space != DataColorSpace::Rgb {
            return None;
        }
        let options = TransformOptions {
            // Out-of-gamut colours clip to the nearest sRGB value; matrix profiles (all of the
            // common ones) support nothing else.
            rendering_intent: RenderingIntent::RelativeColorimetric,
            ..TransformOptions::default()
        };
        let transform = profile
            .create_transform_8bit(Layout::Rgb, &ColorProfile::new_srgb(), Layout::Rgb, options)
            .map_err(|e| tracing::debug!("no transform for an ICC profile: {e:?}"))
            .ok()?;
        (!is_identity(transform.as_ref())).then(|| Self(transform))
    }

    /// Converts a picture to sRGB in place.
    pub fn apply(&self, yuv: &mut Yuv420) -> Result<(), ThumbError> {
        yuv::map_rgb(yuv, |src, dst| {
            self.0.transform(src, dst).map_err(|e| format!("{e:?}"))
        })
        .map_err(|e| ThumbError::Decode(format!("colour conversion: {e}")))
    }
}

/// Whether a transform leaves every colour of a 9×9×9 grid within one step of where it was.
fn is_identity(transform: &Transform) -> bool {
    const LEVELS: [u8; 9] = [0, 32, 64, 96, 128, 160, 192, 224, 255];
    let grid: Vec<u8> = LEVELS
        .iter()
        .flat_map(|&r| LEVELS.iter().flat_map(move |&g| LEVELS.map(|b| [r, g, b])))
        .flatten()
        .collect();
    let mut out = vec![0u8; grid.len()];
    transform.transform(&grid, &mut out).is_ok()
        && grid.iter().zip(&out).all(|(a, b)| a.abs_diff(*b) <= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DISPLAY_P3: &[u8] = include_bytes!("../../tests/fixtures/display-p3.icc");
    const ADOBE_RGB: &[u8] = include_bytes!("../../tests/fixtures/adobe-rgb-1998.icc");
    const SRGB: &[u8] = include_bytes!("../../tests/fixtures/srgb-google.icc");

    fn convert(colour: SourceColour<'_>, px: [u8; 3]) -> [u8; 3] {
        let t = ToSrgb::for_source(colour).expect("a conversion");
        let mut out = [0u8; 3];
        t.0.transform(&px, &mut out).expect("transform");
        out
    }

    #[test]
    fn srgb_and_broken_profiles_are_left_alone() {
        assert!(ToSrgb::for_source(SourceColour::Srgb).is_none());
        assert!(ToSrgb::for_source(SourceColour::Icc(SRGB)).is_none());
        assert!(ToSrgb::for_source(SourceColour::Icc(b"not a profile")).is_none());
        assert!(ToSrgb::for_source(SourceColour::Icc(&DISPLAY_P3[..100])).is_none());
    }

    #[test]
    fn wide_gamut_profiles_convert() {
        // Expected values from the published matrices (linear P3 → linear sRGB, Adobe RGB's
        // gamma 563/256), not from moxcms; ±2 for the CMS's fixed point.
        let near = |got: [u8; 3], want: [u8; 3]| {
            assert!(
                got.iter().zip(want).all(|(g, w)| g.abs_diff(w) <= 2),
                "{got:?} != {want:?}"
            );
        };
        // A primary clips to the sRGB primary; a saturated red inside P3 but outside sRGB
        // clips less and moves far from its P3 numbers.
        near(
            convert(SourceColour::Icc(DISPLAY_P3), [255, 0, 0]),
            [255, 0, 0],
        );
        near(
            convert(SourceColour::Icc(DISPLAY_P3), [230, 60, 50]),
            [250, 31, 34],
        );
        near(
            convert(SourceColour::Icc(DISPLAY_P3), [200, 100, 50]),
            [215, 93, 31],
        );
        near(
            convert(SourceColour::Icc(DISPLAY_P3), [0, 160, 0]),
            [0, 163, 0],
        );
        near(
            convert(SourceColour::DisplayP3, [230, 60, 50]),
            [250, 31, 34],
        );
        near(
            convert(SourceColour::Icc(ADOBE_RGB), [200, 100, 50]),
            [227, 100, 42],
        );
        near(
            convert(SourceColour::Icc(ADOBE_RGB), [128, 128, 128]),
            [129, 129, 129],
        );
    }
}
