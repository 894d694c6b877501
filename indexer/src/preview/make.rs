//! One preview build, as the `preview` job and an on-demand request run it: the H.264 preview of
//! one video that browsers cannot play (which, and how it is made: `super`). Runs on a blocking
//! thread.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use crate::metadata::video;
use crate::preview::{self, Plan, PreviewStore, Source};
use crate::process::{self, Limits};

/// What the job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Made {
    Preview(PathBuf),
    /// The video plays as it is.
    NotNeeded,
}

/// Makes the preview of the video at `path` for `item_id`. An error is the reason it failed.
pub fn run(
    path: &Path,
    store: &PreviewStore,
    item_id: i64,
    limits: &Limits,
) -> Result<Made, String> {
    std::fs::metadata(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let probe = video::probe(path, limits).map_err(|e| e.to_string())?;
    let source = Source::from_probe(&probe, path).ok_or("no video stream")?;
    let plan = preview::plan(&source);
    if plan == Plan::Keep {
        return Ok(Made::NotNeeded);
    }
    // Removed when dropped: on every error below, and if this thread is stopped.
    let tmp = store
        .temp_file()
        .map_err(|e| format!("cannot write the preview: {e}"))?;
    let redact = |message: String| process::redact(&process::redact(&message, path), tmp.path());
    let args = preview::ffmpeg_args(path, tmp.path(), &source, plan, has_zscale(limits));
    let args: Vec<&OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    process::run(
        "ffmpeg",
        &args,
        preview::timeout_for(source.duration),
        limits,
    )
    .map_err(|e| redact(e.to_string()))?;
    // ffmpeg passes over what it cannot decode and still succeeds: a video damaged part of the
    // way gets a preview of the rest, one it could decode nothing of has none.
    let made = video::probe(tmp.path(), limits).map_err(|e| redact(e.to_string()))?;
    let made = Source::from_probe(&made, tmp.path());
    if !made.is_some_and(|m| m.codec == "h264" && m.duration.is_some_and(|d| d > 0.0)) {
        return Err("ffmpeg could not decode any picture of the video".into());
    }
    store
        .persist(tmp, item_id)
        .map(Made::Preview)
        .map_err(|e| format!("cannot write the preview: {e}"))
}

/// Whether this ffmpeg has the `zscale` filter (libzimg) that HDR tone-mapping needs. Asked once.
fn has_zscale(limits: &Limits) -> bool {
    static ZSCALE: OnceLock<bool> = OnceLock::new();
    *ZSCALE.get_or_init(|| {
        let args = ["-hide_banner", "-filters"].map(OsStr::new);
        let limits = Limits {
            memory: limits.memory,
            ..Limits::default()
        };
        process::run("ffmpeg", &args, Duration::from_secs(30), &limits)
            .map(|out| {
                String::from_utf8_lossy(&out)
                    .lines()
                    .any(|l| l.split_whitespace().nth(1) == Some("zscale"))
            })
            .unwrap_or(false)
    })
}
