//! People and Subjects: faces and subjects found in photos, on this machine, with models that
//! `ml/setup` fetched from the package registries (docs/recognition.md).
//!
//! The indexer's `recognise` job reads an item's xl thumbnail and asks a [`Recogniser`] for its
//! faces and subjects; [`store`] keeps them and [`cluster`] groups faces into people. The
//! models are loaded when the first job needs them and let go after [`IDLE`] without work, so
//! recognition costs memory only while it runs: the server runs them in a [`worker`] process
//! that ends when idle (dlib's and ONNX Runtime's freed memory stays with the process that
//! allocated it; measured, 290 MB of it stayed when the models ran in the server), which also
//! keeps a crash in a model away from the server. Missing models leave recognition off, said once
//! in the log and in the indexing status; everything else works as before.

pub use shoebox_catalog::cluster;
#[cfg(feature = "faces")]
pub mod faces;
pub mod subjects;
pub mod worker;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use image::RgbImage;
pub use shoebox_catalog::faces::{Analysis, Face};

/// Models are unloaded after this long without a job, unless configured otherwise.
pub const IDLE: Duration = Duration::from_secs(60);
/// Pictures are scaled to this long side before face detection (dlib's HOG finds faces from
/// about 80 pixels, so 8% of the long side; `thorough` doubles it).
pub const DETECT_LONG_SIDE: u32 = 1000;

/// What the server configured.
#[derive(Debug, Clone)]
pub struct RecognitionOptions {
    /// Find faces and people.
    pub faces: bool,
    /// Find subjects.
    pub subjects: bool,
    /// Also look for small faces (four times the work).
    pub thorough: bool,
    /// Where ml/setup put the models.
    pub models_dir: PathBuf,
    /// Time without a picture after which the models are let go ([`IDLE`] by default).
    pub idle: Duration,
    /// The program to run the models in (`shoebox recognition-worker`: the server passes
    /// itself), so that their memory goes back to the system with the process when idle and a
    /// crash in a model cannot take the server down. `None`: in this process.
    pub worker: Option<PathBuf>,
}

/// Whether a kind of recognition runs, and if not why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    Ready,
    /// Turned off in the configuration.
    Off,
    /// Not built into this binary, or models missing, or they failed to load.
    Unavailable(String),
}

impl Availability {
    pub fn is_ready(&self) -> bool {
        *self == Self::Ready
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Ready => "ready".into(),
            Self::Off => "off".into(),
            Self::Unavailable(why) => why.clone(),
        }
    }
}

struct Slot<T> {
    engine: Option<T>,
    used: Instant,
}

impl<T> Slot<T> {
    fn new() -> Self {
        Self {
            engine: None,
            used: Instant::now(),
        }
    }
}

/// The models in this process, loaded on demand and shared by the threads that call it (one
/// picture at a time each). The server keeps them in a [`worker`] process instead; this is what
/// that process runs.
pub struct Local {
    opts: RecognitionOptions,
    #[cfg(feature = "faces")]
    faces: Mutex<Slot<faces::FaceEngine>>,
    subjects: Mutex<Slot<subjects::SubjectEngine>>,
}

impl Local {
    pub fn new(opts: RecognitionOptions) -> Self {
        Self {
            opts,
            #[cfg(feature = "faces")]
            faces: Mutex::new(Slot::new()),
            subjects: Mutex::new(Slot::new()),
        }
    }

    /// Finds the faces (when `want_faces`) and subjects (when `want_subjects`) of a picture.
    /// Blocking. An error is a model failing to load or run.
    pub fn analyse(
        &self,
        image: &RgbImage,
        want_faces: bool,
        want_subjects: bool,
    ) -> Result<Analysis, String> {
        let mut out = Analysis::default();
        if want_faces {
            out.faces = Some(self.find_faces(image)?);
        }
        if want_subjects {
            let mut slot = self
                .subjects
                .lock()
                .map_err(|_| "the subject model is poisoned")?;
            if slot.engine.is_none() {
                slot.engine = Some(subjects::SubjectEngine::open(&self.opts.models_dir)?);
                tracing::info!("subject model loaded");
            }
            slot.used = Instant::now();
            let engine = slot.engine.as_mut().ok_or("no subject model")?;
            let p = engine.classify(image)?;
            out.subjects = Some(subjects::decide(&p, subjects::subjects()));
        }
        Ok(out)
    }

    #[cfg(feature = "faces")]
    fn find_faces(&self, image: &RgbImage) -> Result<Vec<Face>, String> {
        let mut slot = self
            .faces
            .lock()
            .map_err(|_| "the face models are poisoned")?;
        if slot.engine.is_none() {
            slot.engine = Some(faces::FaceEngine::open(&self.opts.models_dir)?);
            tracing::info!("face models loaded");
        }
        slot.used = Instant::now();
        let engine = slot.engine.as_ref().ok_or("no face models")?;
        Ok(engine.faces(image, self.opts.thorough))
    }

    #[cfg(not(feature = "faces"))]
    fn find_faces(&self, _image: &RgbImage) -> Result<Vec<Face>, String> {
        Err("this build has no face recognition".into())
    }

    /// Lets go of models unused for `idle`; true when something was freed.
    pub fn unload_idle(&self, idle: Duration) -> bool {
        let mut freed = false;
        #[cfg(feature = "faces")]
        if let Ok(mut slot) = self.faces.try_lock()
            && slot.engine.is_some()
            && slot.used.elapsed() >= idle
        {
            slot.engine = None;
            freed = true;
        }
        if let Ok(mut slot) = self.subjects.try_lock()
            && slot.engine.is_some()
            && slot.used.elapsed() >= idle
        {
            slot.engine = None;
            freed = true;
        }
        freed
    }
}

/// Where the models run.
enum Runner {
    /// In this process ([`RecognitionOptions::worker`] unset).
    Local(Box<Local>),
    /// In a child process, started when needed and stopped when idle.
    Worker(worker::Pool),
}

/// What the indexer asks: which kinds of recognition are there, and what is in a picture.
pub struct Recogniser {
    idle: Duration,
    faces_state: Availability,
    subjects_state: Availability,
    runner: Runner,
}

impl Recogniser {
    /// Checks what is there (files only; nothing is loaded and nothing started yet).
    pub fn new(opts: RecognitionOptions) -> Self {
        let faces_state = if !opts.faces {
            Availability::Off
        } else {
            faces_files(&opts.models_dir)
        };
        let subjects_state = if !opts.subjects {
            Availability::Off
        } else if subjects::subjects().is_empty() {
            Availability::Unavailable("ml/subjects.tsv has no subjects".into())
        } else {
            missing(
                &opts.models_dir,
                &[subjects::MODEL, subjects::RUNTIME],
                "subjects",
            )
        };
        let idle = opts.idle;
        let runner = match opts.worker.clone() {
            Some(program) => Runner::Worker(worker::Pool::new(program, &opts)),
            None => Runner::Local(Box::new(Local::new(opts))),
        };
        Self {
            idle,
            faces_state,
            subjects_state,
            runner,
        }
    }

    pub fn faces(&self) -> &Availability {
        &self.faces_state
    }

    pub fn subjects(&self) -> &Availability {
        &self.subjects_state
    }

    /// Whether any kind runs.
    pub fn enabled(&self) -> bool {
        self.faces_state.is_ready() || self.subjects_state.is_ready()
    }

    /// Finds the faces (when `want_faces`) and subjects (when `want_subjects`) of the picture
    /// in the file `picture` (an xl thumbnail), as far as they are ready. Blocking: run it on a
    /// job thread. An error is the picture unreadable, a model failing to load or run, or the
    /// worker process failing.
    pub fn analyse_file(
        &self,
        picture: &Path,
        want_faces: bool,
        want_subjects: bool,
    ) -> Result<Analysis, String> {
        let faces = want_faces && self.faces_state.is_ready();
        let subjects = want_subjects && self.subjects_state.is_ready();
        if !faces && !subjects {
            return Ok(Analysis::default());
        }
        match &self.runner {
            Runner::Local(local) => local.analyse(&read_picture(picture)?, faces, subjects),
            Runner::Worker(pool) => pool.analyse(picture, faces, subjects),
        }
    }

    /// Lets go of the models (stops the worker process) when they have had no picture for
    /// [`RecognitionOptions::idle`]; true when something was freed.
    pub fn unload_idle(&self) -> bool {
        let freed = match &self.runner {
            Runner::Local(local) => local.unload_idle(self.idle),
            Runner::Worker(pool) => pool.stop_idle(self.idle),
        };
        if freed {
            tracing::info!("recognition models unloaded (idle)");
        }
        freed
    }
}

impl Recogniser {
    /// Lets go of the models now (stops the worker process).
    pub fn stop(&self) {
        let freed = match &self.runner {
            Runner::Local(local) => local.unload_idle(Duration::ZERO),
            Runner::Worker(pool) => pool.stop(),
        };
        if freed {
            tracing::info!("recognition models unloaded");
        }
    }
}

/// A picture file, decoded to RGB.
pub fn read_picture(path: &Path) -> Result<RgbImage, String> {
    Ok(image::open(path)
        .map_err(|e| format!("reading the thumbnail: {e}"))?
        .to_rgb8())
}

#[cfg(feature = "faces")]
fn faces_files(dir: &Path) -> Availability {
    missing(
        dir,
        &[faces::LANDMARKS, faces::ENCODER, faces::CNN],
        "faces",
    )
}

#[cfg(not(feature = "faces"))]
fn faces_files(_dir: &Path) -> Availability {
    Availability::Unavailable("this build has no face recognition (feature `faces`)".into())
}

fn missing(dir: &Path, files: &[&str], what: &str) -> Availability {
    let gone: Vec<&str> = files
        .iter()
        .copied()
        .filter(|f| !dir.join(f).is_file())
        .collect();
    if gone.is_empty() {
        Availability::Ready
    } else {
        Availability::Unavailable(format!(
            "{what}: {} missing from {} (run ml/setup)",
            gone.join(", "),
            dir.display()
        ))
    }
}

/// A square JPEG of a face (`b`: x, y, w, h relative to the picture) cut from the picture at
/// `picture` (an xl thumbnail), with room around the face, `side` pixels wide.
pub fn face_thumbnail(picture: &Path, b: [f32; 4], side: u32) -> Result<Vec<u8>, String> {
    let img = image::open(picture)
        .map_err(|e| format!("reading the thumbnail: {e}"))?
        .to_rgb8();
    let (w, h) = (img.width() as f32, img.height() as f32);
    let [x, y, fw, fh] = b;
    let (cx, cy) = ((x + fw / 2.0) * w, (y + fh / 2.0) * h);
    let half = (fw * w).max(fh * h) * 0.9;
    let half = half.min(w / 2.0).min(h / 2.0).max(4.0);
    let x0 = (cx - half).clamp(0.0, (w - 2.0 * half).max(0.0));
    let y0 = (cy - half).clamp(0.0, (h - 2.0 * half).max(0.0));
    let edge = (2.0 * half) as u32;
    let crop = image::imageops::crop_imm(&img, x0 as u32, y0 as u32, edge.max(1), edge.max(1));
    let small = image::imageops::resize(&*crop, side, side, image::imageops::FilterType::Lanczos3);
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&small)
        .map_err(|e| format!("encoding: {e}"))?;
    Ok(out.into_inner())
}
