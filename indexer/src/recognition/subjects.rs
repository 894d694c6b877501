//! Subjects: an ImageNet-1k classifier (EfficientNet-Lite0, converted to ONNX by ml/setup) run
//! through ONNX Runtime, which is loaded at run time from the models folder (`ort`'s
//! load-dynamic: nothing of it is linked into the binary), and the map of ml/subjects.tsv from
//! its 1000 classes to the subjects a person browses (dogs, cats, beaches…).

use std::path::Path;
use std::sync::OnceLock;

use image::RgbImage;
use image::imageops::FilterType;
use ort::session::Session;
use ort::value::Tensor;

pub const MODEL: &str = "efficientnet-lite0.onnx";
pub const RUNTIME: &str = "libonnxruntime.so.1.32.0";
const SIDE: u32 = 224;
const CLASSES: usize = 1000;

/// The map from classes to subjects, from ml/subjects.tsv (built into the binary).
pub static SUBJECTS_TSV: &str = include_str!("../../../ml/subjects.tsv");

#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    /// Stable key (`dog`), the concept's identity in the database.
    pub key: String,
    /// What users see (`Dogs`).
    pub name: String,
    /// ImageNet class indices.
    pub classes: Vec<usize>,
    /// The sum of the classes' probabilities that puts a photo in the subject.
    pub threshold: f32,
}

/// Reads the subjects table: `key<TAB>name<TAB>threshold<TAB>classes`, classes as a comma
/// list of indices and ranges (`151-268,281`); `#` starts a comment.
pub fn parse_subjects(text: &str) -> Result<Vec<Subject>, String> {
    let mut out: Vec<Subject> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim_end();
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
        let [key, name, threshold, classes] = cols[..] else {
            return Err(format!("line {}: want 4 tab-separated columns", n + 1));
        };
        let threshold: f32 = threshold
            .parse()
            .ok()
            .filter(|t: &f32| (0.0..=1.0).contains(t))
            .ok_or_else(|| format!("line {}: bad threshold {threshold:?}", n + 1))?;
        let mut list = Vec::new();
        for part in classes.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            let (a, b): (usize, usize) = match (a.trim().parse(), b.trim().parse()) {
                (Ok(a), Ok(b)) if a <= b && b < CLASSES => (a, b),
                _ => return Err(format!("line {}: bad classes {part:?}", n + 1)),
            };
            list.extend(a..=b);
        }
        if key.is_empty() || name.is_empty() || list.is_empty() {
            return Err(format!("line {}: empty key, name or classes", n + 1));
        }
        if out.iter().any(|s| s.key == key) {
            return Err(format!("line {}: subject {key} twice", n + 1));
        }
        out.push(Subject {
            key: key.to_owned(),
            name: name.to_owned(),
            classes: list,
            threshold,
        });
    }
    Ok(out)
}

/// The built-in subjects.
pub fn subjects() -> &'static [Subject] {
    static S: OnceLock<Vec<Subject>> = OnceLock::new();
    S.get_or_init(|| match parse_subjects(SUBJECTS_TSV) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("ml/subjects.tsv: {e}");
            Vec::new()
        }
    })
}

/// ONNX Runtime, loaded once per process (it cannot be unloaded; the sessions can).
fn environment(dir: &Path) -> Result<&'static ort::environment::Environment, String> {
    static ENV: OnceLock<Result<ort::environment::Environment, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        let lib = dir.join(RUNTIME);
        if !lib.is_file() {
            return Err(format!("{RUNTIME} is missing from {}", dir.display()));
        }
        ort::init_from(&lib)
            .map_err(|e| format!("loading {}: {e}", lib.display()))?
            .with_name("shoebox")
            .build()
            .map_err(|e| format!("starting ONNX Runtime: {e}"))
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// The loaded classifier (about 40 MB with its buffers).
pub struct SubjectEngine {
    session: Session,
}

impl SubjectEngine {
    pub fn open(dir: &Path) -> Result<Self, String> {
        let model = dir.join(MODEL);
        if !model.is_file() {
            return Err(format!("{MODEL} is missing from {}", dir.display()));
        }
        let env = environment(dir)?;
        let fail = |e: &dyn std::fmt::Display| format!("loading {}: {e}", model.display());
        let session = Session::builder(env)
            .map_err(|e| fail(&e))?
            .with_intra_threads(1)
            .map_err(|e| fail(&e))?
            .with_inter_threads(1)
            .map_err(|e| fail(&e))?
            .commit_from_file(&model)
            .map_err(|e| fail(&e))?;
        Ok(Self { session })
    }

    /// The 1000 class probabilities of `image`.
    pub fn classify(&mut self, image: &RgbImage) -> Result<Vec<f32>, String> {
        let input = tensor_of(image);
        let value = Tensor::from_array(([1usize, 3, SIDE as usize, SIDE as usize], input))
            .map_err(|e| e.to_string())?;
        let outputs = self
            .session
            .run(ort::inputs!["input" => value])
            .map_err(|e| format!("classifying: {e}"))?;
        let (_, logits) = outputs["logits"]
            .try_extract_tensor::<f32>()
            .map_err(|e| format!("reading the logits: {e}"))?;
        if logits.len() != CLASSES {
            return Err(format!(
                "the model gave {} classes, not {CLASSES}",
                logits.len()
            ));
        }
        Ok(softmax(logits))
    }
}

/// The subjects `probabilities` put the photo in, with their scores, best first.
pub fn decide(probabilities: &[f32], subjects: &[Subject]) -> Vec<(String, f32)> {
    let mut out: Vec<(String, f32)> = subjects
        .iter()
        .filter_map(|s| {
            let score: f32 = s.classes.iter().filter_map(|&c| probabilities.get(c)).sum();
            (score >= s.threshold).then(|| (s.key.clone(), score))
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out
}

fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exp: Vec<f32> = logits.iter().map(|&l| (l - max).exp()).collect();
    let sum: f32 = exp.iter().sum();
    exp.into_iter().map(|e| e / sum).collect()
}

/// The model's input as ml/subjects.tsv says: the short side scaled to 224 (bilinear), the
/// centre 224 × 224, RGB planes, `(x - 127) / 128` (on the corpus this beat squashing the whole
/// picture: ml/README.md).
fn tensor_of(image: &RgbImage) -> Vec<f32> {
    let (w, h) = image.dimensions();
    let short = w.min(h).max(1);
    let sw = ((u64::from(w) * u64::from(SIDE)).div_ceil(u64::from(short)) as u32).max(SIDE);
    let sh = ((u64::from(h) * u64::from(SIDE)).div_ceil(u64::from(short)) as u32).max(SIDE);
    let scaled = image::imageops::resize(image, sw, sh, FilterType::Triangle);
    let square =
        image::imageops::crop_imm(&scaled, (sw - SIDE) / 2, (sh - SIDE) / 2, SIDE, SIDE).to_image();
    let plane = (SIDE * SIDE) as usize;
    let mut out = vec![0f32; 3 * plane];
    for (i, p) in square.pixels().enumerate() {
        for c in 0..3 {
            out[c * plane + i] = (f32::from(p[c]) - 127.0) / 128.0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_table_parses() {
        let s = parse_subjects(SUBJECTS_TSV).expect("ml/subjects.tsv");
        assert!(s.iter().any(|s| s.key == "dog"));
        assert!(s.iter().any(|s| s.key == "cat"));
    }

    #[test]
    fn bad_tables_are_refused() {
        assert!(parse_subjects("dog\tDogs\t0.5\t151-268\n").is_ok());
        for bad in [
            "dog\tDogs\t0.5",
            "dog\tDogs\t1.5\t151",
            "dog\tDogs\t0.5\t268-151",
            "dog\tDogs\t0.5\t1000",
            "dog\tDogs\t0.5\tx",
            "dog\tDogs\t0.5\t1\ndog\tDogs\t0.5\t2",
        ] {
            assert!(parse_subjects(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn scores_sum_the_classes_and_thresholds_decide() {
        let subjects = parse_subjects("dog\tDogs\t0.5\t1-2\ncat\tCats\t0.3\t3\n").expect("table");
        let mut p = vec![0.0; CLASSES];
        p[1] = 0.3;
        p[2] = 0.3;
        p[3] = 0.2;
        let got = decide(&p, &subjects);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "dog");
        assert!((got[0].1 - 0.6).abs() < 1e-6);
        let soft = softmax(&[1.0, 1.0]);
        assert!((soft[0] - 0.5).abs() < 1e-6);
    }
}
