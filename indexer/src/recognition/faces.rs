//! Faces: dlib's HOG detector, its 5-point landmarks and its ResNet face encoder (128-d), through
//! the `dlib-face-recognition` crate and Debian's libdlib, with the CC0 models of PyPI
//! `face-recognition-models` (ml/setup fetches them).
//!
//! HOG fires now and then on things that are not faces (a mission patch, a pattern in a
//! carpet). Every HOG face is therefore checked again by dlib's CNN face detector on a small crop
//! around it (a few tens of milliseconds: the crop is about 150 pixels wide), which does not
//! fire on those; a face both agree on is kept.

use std::ffi::c_long;
use std::path::Path;

use dlib_face_recognition::{
    FaceDetector, FaceDetectorCnn, FaceDetectorTrait, FaceEncoderNetwork, FaceEncoderTrait,
    ImageMatrix, LandmarkPredictor, LandmarkPredictorTrait, Rectangle,
};
use image::RgbImage;
use image::imageops::FilterType;

use super::{DETECT_LONG_SIDE, Face};

pub const LANDMARKS: &str = "shape_predictor_5_face_landmarks.dat";
pub const ENCODER: &str = "dlib_face_recognition_resnet_model_v1.dat";
pub const CNN: &str = "mmod_human_face_detector.dat";

/// The loaded models (about 35 MB).
pub struct FaceEngine {
    hog: FaceDetector,
    cnn: FaceDetectorCnn,
    landmarks: LandmarkPredictor,
    encoder: FaceEncoderNetwork,
}

/// The side, in pixels, the face is scaled to in the crop the CNN checks.
const CHECK_FACE_PX: f64 = 90.0;

impl FaceEngine {
    pub fn open(dir: &Path) -> Result<Self, String> {
        for name in [LANDMARKS, ENCODER, CNN] {
            if !dir.join(name).is_file() {
                return Err(format!("{name} is missing from {}", dir.display()));
            }
        }
        Ok(Self {
            hog: FaceDetector::new(),
            cnn: FaceDetectorCnn::open(dir.join(CNN))?,
            landmarks: LandmarkPredictor::open(dir.join(LANDMARKS))?,
            encoder: FaceEncoderNetwork::open(dir.join(ENCODER))?,
        })
    }

    /// The faces of `image` (the displayed picture). `thorough` also looks at the picture at
    /// twice the detection size, for faces down to about 40 pixels there (four times the work).
    pub fn faces(&self, image: &RgbImage, thorough: bool) -> Vec<Face> {
        let (w, h) = image.dimensions();
        if w < 16 || h < 16 {
            return Vec::new();
        }
        let long = f64::from(w.max(h));
        let mut scale = (f64::from(DETECT_LONG_SIDE) / long).min(1.0);
        if thorough {
            scale *= 2.0;
        }
        let sw = ((f64::from(w) * scale).round() as u32).max(1);
        let sh = ((f64::from(h) * scale).round() as u32).max(1);
        let scaled = if (sw, sh) == (w, h) {
            image.clone()
        } else {
            image::imageops::resize(image, sw, sh, FilterType::Triangle)
        };
        let Some(matrix) = matrix_of(&scaled) else {
            return Vec::new();
        };
        let found = self.hog.face_locations(&matrix);
        let mut kept = Vec::new();
        for rect in found.iter() {
            let rect = clamp(rect, sw, sh);
            if rect.width() < 8 || rect.height() < 8 {
                continue;
            }
            if self.confirmed(&scaled, &rect) {
                kept.push(rect);
            }
        }
        if kept.is_empty() {
            return Vec::new();
        }
        let marks: Vec<_> = kept
            .iter()
            .map(|r| self.landmarks.face_landmarks(&matrix, r))
            .collect();
        let encodings = self.encoder.get_face_encodings(&matrix, &marks, 0);
        kept.iter()
            .zip(encodings.iter())
            .map(|(r, e)| {
                let mut embedding = [0f32; 128];
                for (d, s) in embedding.iter_mut().zip(e.as_ref()) {
                    *d = *s as f32;
                }
                Face {
                    x: r.left as f32 / sw as f32,
                    y: r.top as f32 / sh as f32,
                    w: r.width() as f32 / sw as f32,
                    h: r.height() as f32 / sh as f32,
                    embedding,
                }
            })
            .collect()
    }

    /// Whether the CNN detector also finds a face in a crop around `rect`.
    fn confirmed(&self, image: &RgbImage, rect: &Rectangle) -> bool {
        let (w, h) = image.dimensions();
        let side = rect.width().max(rect.height()) as f64;
        let pad = side * 0.6;
        let x0 = (rect.left as f64 - pad).max(0.0) as u32;
        let y0 = (rect.top as f64 - pad).max(0.0) as u32;
        let x1 = ((rect.right as f64 + pad) as u32).min(w);
        let y1 = ((rect.bottom as f64 + pad) as u32).min(h);
        if x1 <= x0 + 8 || y1 <= y0 + 8 {
            return false;
        }
        let crop = image::imageops::crop_imm(image, x0, y0, x1 - x0, y1 - y0).to_image();
        let k = CHECK_FACE_PX / side;
        let cw = ((f64::from(crop.width()) * k).round() as u32).max(16);
        let ch = ((f64::from(crop.height()) * k).round() as u32).max(16);
        let small = image::imageops::resize(&crop, cw, ch, FilterType::Triangle);
        matrix_of(&small).is_some_and(|m| !self.cnn.face_locations(&m).is_empty())
    }
}

fn clamp(r: &Rectangle, w: u32, h: u32) -> Rectangle {
    let (w, h) = (c_long::from(w) - 1, c_long::from(h) - 1);
    Rectangle {
        left: r.left.clamp(0, w),
        top: r.top.clamp(0, h),
        right: r.right.clamp(0, w),
        bottom: r.bottom.clamp(0, h),
    }
}

/// dlib's image from ours (the crate takes the `image` 0.24 type).
fn matrix_of(image: &RgbImage) -> Option<ImageMatrix> {
    let (w, h) = image.dimensions();
    let old = image024::RgbImage::from_raw(w, h, image.as_raw().clone())?;
    Some(ImageMatrix::from_image(&old))
}
