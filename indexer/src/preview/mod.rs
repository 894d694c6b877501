//! H.264 previews of the videos browsers and TVs cannot play: HEVC above all (every iPhone video
//! since 2017), and the older codecs and containers of cameras (MPEG-4 Part 2 and MJPEG in AVI,
//! H.263 in 3GP, AVCHD's MPEG-TS). Synology Photos makes the same "compressed video" through its
//! Image Assistant. This module decides which videos need one and how it is made, and keeps the
//! files: `CACHE/video/<aa>/<bb>/<item id>.mp4`, apart from the originals, written under a
//! temporary name in `CACHE/video/tmp/` and renamed into place, so a reader never sees half a
//! file. Any of them can be deleted and made again. One build is `make` (the `preview` job and
//! the on-demand request run it); `builds` schedules them for the indexer, one per item at a time.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::metadata::video::{DEMUXERS, THREADS, tag};

pub mod builds;
pub mod make;

/// When previews are made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreviewMode {
    /// A low-priority job per video after its thumbnails (and after every other item's).
    #[default]
    Background,
    /// Only when first asked for (`Indexer::preview_for`).
    OnDemand,
    Off,
}

/// The long side of a preview, at most; the short side is at most 720 (720p).
pub const MAX_LONG_SIDE: u32 = 1280;
pub const MAX_SHORT_SIDE: u32 = 720;
/// Frame rate cap: 60 fps and slow-motion (120/240 fps) videos would cost 2–8 times as much to
/// encode, and play at normal speed in a browser anyway.
pub const MAX_FPS: &str = "30";

/// The longest any transcode is allowed ([`timeout_for`] of the longest video).
pub fn longest() -> Duration {
    timeout_for(Some(f64::MAX))
}

/// Time allowed for a transcode: a base plus a multiple of the video's length, bounded. Here a
/// 1080p HEVC to 720p transcode runs at about real time on one busy core; a NAS core is two to
/// four times slower, 4K four times the work again, and an ARM NAS slower still.
pub fn timeout_for(duration_secs: Option<f64>) -> Duration {
    const BASE: f64 = 120.0;
    const PER_SECOND: f64 = 10.0;
    const MAX: f64 = 6.0 * 3600.0;
    const UNKNOWN: f64 = 3600.0;
    let secs = duration_secs
        .filter(|d| d.is_finite() && *d >= 0.0)
        .map_or(UNKNOWN, |d| BASE + PER_SECOND * d);
    Duration::from_secs_f64(secs.min(MAX))
}

/// The container, as far as browsers care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// MP4 or QuickTime (`.mp4 .m4v .mov`): every browser opens it.
    Mp4,
    /// WebM (`.webm`): every current browser opens it.
    WebM,
    /// Matroska, MPEG-TS, AVI, 3GP, ASF, FLV, MPEG-PS: browsers open none of them reliably.
    Other,
}

/// What a preview depends on in a video, from ffprobe.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub codec: String,
    pub pix_fmt: Option<String>,
    /// `color_transfer`: `arib-std-b67` (HLG, iPhone HDR) and `smpte2084` (PQ) are HDR.
    pub transfer: Option<String>,
    pub container: Container,
    /// The first audio stream ffprobe could identify: its index in the file and its codec.
    pub audio: Option<(u64, String)>,
    pub duration: Option<f64>,
}

impl Source {
    /// Reads `ffprobe -show_format -show_streams` JSON of the file at `path`; `None` without a
    /// video stream.
    pub fn from_probe(probe: &Value, path: &Path) -> Option<Source> {
        let streams = probe["streams"].as_array()?;
        let video = streams
            .iter()
            .find(|s| s["codec_type"] == "video" && s["disposition"]["attached_pic"] != 1)?;
        let text = |v: &Value| v.as_str().map(str::to_owned);
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let format = probe["format"]["format_name"].as_str().unwrap_or("");
        // The extension is what the server will announce; the content must agree with it.
        let container = match ext.as_str() {
            "mp4" | "m4v" | "mov" if format.split(',').any(|f| f == "mp4") => Container::Mp4,
            "webm" if format.split(',').any(|f| f == "webm") => Container::WebM,
            _ => Container::Other,
        };
        let audio = streams.iter().find_map(|s| {
            let codec = s["codec_name"].as_str().filter(|c| *c != "none")?;
            (s["codec_type"] == "audio").then(|| (s["index"].as_u64().unwrap_or(0), codec.into()))
        });
        Some(Source {
            codec: text(&video["codec_name"])?,
            pix_fmt: text(&video["pix_fmt"]),
            transfer: text(&video["color_transfer"]),
            container,
            audio,
            duration: probe["format"]["duration"]
                .as_str()
                .and_then(|d| d.parse().ok())
                .or_else(|| tag(&video["tags"], "DURATION").and_then(hms)),
        })
    }

    fn is_hdr(&self) -> bool {
        matches!(self.transfer.as_deref(), Some("arib-std-b67" | "smpte2084"))
    }
}

/// Matroska's `DURATION` tag, `00:01:02.500000000`, in seconds.
fn hms(s: &str) -> Option<f64> {
    let mut secs = 0.0;
    for part in s.split(':') {
        secs = secs * 60.0 + part.parse::<f64>().ok()?;
    }
    Some(secs)
}

/// What a video needs to play in a browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// It plays as it is: no preview.
    Keep,
    /// Its H.264 plays, its container or audio does not: the video stream is copied into an MP4
    /// (at its own size) and the audio made AAC. Seconds, even for long videos.
    Remux,
    /// Decoded and encoded again as 720p H.264, HDR tone-mapped to SDR.
    Transcode { tonemap: bool },
}

/// The rule. A video plays as it is when every current browser (Chrome, Firefox, Safari, Edge)
/// and a Chromecast can play its codecs in its container: H.264 8-bit 4:2:0 in MP4/QuickTime;
/// VP8, VP9 or AV1 in WebM, and VP9 or AV1 in MP4; with AAC, MP3, Opus or Vorbis sound, or none.
/// Other H.264 (in MPEG-TS, Matroska, AVI, 3GP; or with PCM or AC-3 sound) is remuxed. Everything
/// else is transcoded: HEVC, MPEG-2, MPEG-4 Part 2, H.263, VC-1/WMV, MJPEG, ProRes, DV, and H.264
/// that is 10-bit or 4:2:2 (which browsers cannot decode).
pub fn plan(source: &Source) -> Plan {
    let plain_h264 = source.codec == "h264"
        && source
            .pix_fmt
            .as_deref()
            .is_none_or(|p| matches!(p, "yuv420p" | "yuvj420p"));
    let video_plays = match (source.codec.as_str(), source.container) {
        ("h264", Container::Mp4) => plain_h264,
        ("vp8", Container::WebM) => true,
        ("vp9" | "av1", Container::WebM | Container::Mp4) => true,
        _ => false,
    };
    let audio_plays = source
        .audio
        .as_ref()
        .is_none_or(|(_, codec)| matches!(codec.as_str(), "aac" | "mp3" | "opus" | "vorbis"));
    if video_plays && audio_plays {
        Plan::Keep
    } else if plain_h264 {
        Plan::Remux
    } else {
        Plan::Transcode {
            tonemap: source.is_hdr(),
        }
    }
}

/// The size expression of the scale filter: the picture as displayed (square pixels), made to
/// fit 1280×720 in either orientation, never enlarged, even sides. ffmpeg has already turned it
/// upright (it applies the rotation of the display matrix before the filters).
fn scale_filter() -> String {
    let width = "iw*sar";
    let factor =
        format!("min(1,min({MAX_LONG_SIDE}/max({width},ih),{MAX_SHORT_SIDE}/min({width},ih)))");
    format!(
        "scale=w='max(2,trunc({width}*{factor}/2)*2)':h='max(2,trunc(ih*{factor}/2)*2)',setsar=1"
    )
}

/// HLG/PQ to SDR BT.709: to linear light, Hable's curve, back to BT.709 (zscale is libzimg).
const TONEMAP: &str = "zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,\
    tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv";

/// ffmpeg's arguments to make the preview of `input` in `output`. `zscale` says whether this
/// ffmpeg has the filter tone-mapping needs; without it HDR is only converted, a little pale.
pub fn ffmpeg_args(
    input: &Path,
    output: &Path,
    source: &Source,
    plan: Plan,
    zscale: bool,
) -> Vec<OsString> {
    let mut args: Vec<OsString> = Vec::new();
    let mut push = |items: &[&str]| args.extend(items.iter().map(OsString::from));
    push(&[
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-filter_threads",
        "1",
        "-format_whitelist",
        DEMUXERS,
        "-threads",
        THREADS,
        "-i",
    ]);
    args.push(input.into());
    let mut push = |items: &[&str]| args.extend(items.iter().map(OsString::from));
    push(&["-map", "0:v:0"]);
    match plan {
        Plan::Keep | Plan::Remux => push(&["-c:v", "copy", "-tag:v", "avc1"]),
        Plan::Transcode { tonemap } => {
            let tonemap = tonemap && zscale;
            let mut filters = vec!["yadif=deint=interlaced".to_owned(), scale_filter()];
            if tonemap {
                filters.push(TONEMAP.to_owned());
            }
            filters.push("format=yuv420p".to_owned());
            push(&["-vf", &filters.join(",")]);
            push(&[
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-crf",
                "23",
                "-maxrate",
                "4M",
                "-bufsize",
                "8M",
                "-profile:v",
                "high",
                "-threads",
                THREADS,
                "-fpsmax",
                MAX_FPS,
            ]);
            if tonemap {
                push(&[
                    "-color_primaries",
                    "bt709",
                    "-color_trc",
                    "bt709",
                    "-colorspace",
                    "bt709",
                ]);
            }
        }
    }
    if let Some((index, codec)) = &source.audio {
        push(&["-map", &format!("0:{index}")]);
        if codec == "aac" {
            push(&["-c:a", "copy"]);
        } else {
            push(&["-c:a", "aac", "-b:a", "128k", "-ac", "2"]);
        }
    }
    push(&[
        "-sn",
        "-dn",
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
    ]);
    args.push(output.into());
    args
}

/// Why `Indexer::preview_for` has no preview to give.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error("video previews are off")]
    Off,
    #[error("no such item")]
    NoSuchItem,
    #[error("the item is not indexed yet")]
    NotReady,
    /// Not a video, or one that plays as it is: serve the original.
    #[error("the video plays as it is")]
    NotNeeded,
    /// The file is broken, or ffmpeg could not make its preview; until the file changes or is
    /// indexed again.
    #[error("no preview can be made: {0}")]
    Broken(String),
    /// It could not be made now (the file could not be read, the disk is full): try again later.
    #[error("the preview cannot be made now: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A finished preview build: its file, none needed, or why it failed.
pub(crate) type Built = Result<Option<PathBuf>, String>;

/// Whether the video `probe` describes needs a preview (browsers cannot play it as it is).
pub fn needed(probe: &Value, path: &Path) -> bool {
    Source::from_probe(probe, path).is_some_and(|source| plan(&source) != Plan::Keep)
}

/// Where previews live.
#[derive(Debug, Clone)]
pub struct PreviewStore {
    root: PathBuf,
}

/// A temporary file untouched this long belongs to no running ffmpeg (one that runs writes all
/// the time): it was left by a crash.
const STALE_TEMP: Duration = Duration::from_secs(3600);

impl PreviewStore {
    pub fn new(cache_dir: &Path) -> Self {
        Self {
            root: cache_dir.join("video"),
        }
    }

    /// The preview of an item.
    pub fn path(&self, item_id: i64) -> PathBuf {
        let id = item_id.unsigned_abs();
        self.root
            .join(format!("{:02x}", id & 0xff))
            .join(format!("{:02x}", (id >> 8) & 0xff))
            .join(format!("{item_id}.mp4"))
    }

    fn temp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// A new temporary file to write a preview into; deleted when dropped unless persisted.
    pub fn temp_file(&self) -> std::io::Result<tempfile::NamedTempFile> {
        let dir = self.temp_dir();
        std::fs::create_dir_all(&dir)?;
        tempfile::Builder::new()
            .prefix(".preview-")
            .suffix(".mp4")
            .tempfile_in(dir)
    }

    /// Moves a finished preview into place.
    pub fn persist(&self, file: tempfile::NamedTempFile, item_id: i64) -> std::io::Result<PathBuf> {
        let path = self.path(item_id);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        file.persist(&path).map_err(|e| e.error)?;
        Ok(path)
    }

    /// Removes an item's preview (the item left the index, or its file changed).
    pub fn remove(&self, item_id: i64) {
        let _ = std::fs::remove_file(self.path(item_id));
    }

    /// Deletes temporary files a crash left behind. Returns how many.
    pub fn clean_stale_temps(&self) -> usize {
        let Ok(entries) = std::fs::read_dir(self.temp_dir()) else {
            return 0;
        };
        let now = SystemTime::now();
        entries
            .flatten()
            .filter(|e| {
                e.metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| now.duration_since(t).unwrap_or_default() > STALE_TEMP)
            })
            .filter(|e| std::fs::remove_file(e.path()).is_ok())
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn source(codec: &str, pix: &str, container: Container, audio: Option<&str>) -> Source {
        Source {
            codec: codec.into(),
            pix_fmt: Some(pix.into()),
            transfer: None,
            container,
            audio: audio.map(|a| (1, a.into())),
            duration: Some(2.0),
        }
    }

    #[test]
    fn which_videos_need_a_preview() {
        use Container::*;
        let t = Plan::Transcode { tonemap: false };
        for (s, want) in [
            (source("h264", "yuv420p", Mp4, Some("aac")), Plan::Keep),
            (source("h264", "yuvj420p", Mp4, None), Plan::Keep),
            (source("vp9", "yuv420p", WebM, Some("opus")), Plan::Keep),
            (source("av1", "yuv420p", Mp4, Some("aac")), Plan::Keep),
            (source("h264", "yuv420p", Other, Some("ac3")), Plan::Remux),
            (
                source("h264", "yuv420p", Mp4, Some("pcm_s16le")),
                Plan::Remux,
            ),
            (source("h264", "yuv422p10le", Mp4, Some("aac")), t),
            (source("hevc", "yuv420p", Mp4, Some("aac")), t),
            (source("mpeg4", "yuv420p", Other, Some("mp3")), t),
            (source("mpeg2video", "yuv420p", Other, Some("ac3")), t),
            (source("vc1", "yuv420p", Other, Some("wmav2")), t),
            (source("vp8", "yuv420p", Other, Some("vorbis")), t),
        ] {
            assert_eq!(plan(&s), want, "{s:?}");
        }
        let mut hlg = source("hevc", "yuv420p10le", Mp4, Some("aac"));
        hlg.transfer = Some("arib-std-b67".into());
        assert_eq!(plan(&hlg), Plan::Transcode { tonemap: true });
    }

    #[test]
    fn the_probe_decides_the_container_with_the_name() {
        let probe = |format: &str| {
            json!({
                "streams": [
                    {"index": 0, "codec_type": "video", "codec_name": "mjpeg",
                     "disposition": {"attached_pic": 1}},
                    {"index": 1, "codec_type": "audio"},
                    {"index": 2, "codec_type": "video", "codec_name": "h264", "pix_fmt": "yuv420p",
                     "tags": {"DURATION": "00:01:02.500000000"}},
                    {"index": 3, "codec_type": "audio", "codec_name": "aac"}
                ],
                "format": {"format_name": format}
            })
        };
        let mp4 = "mov,mp4,m4a,3gp,3g2,mj2";
        let s = Source::from_probe(&probe(mp4), Path::new("/a/IMG_1.MOV")).expect("video");
        assert_eq!(s.codec, "h264", "the cover art is not the video");
        assert_eq!(s.container, Container::Mp4);
        assert_eq!(
            s.audio,
            Some((3, "aac".into())),
            "the unknown audio is passed over"
        );
        assert_eq!(s.duration, Some(62.5));
        assert_eq!(plan(&s), Plan::Keep);
        let s = Source::from_probe(&probe(mp4), Path::new("/a/clip.3gp")).expect("video");
        assert_eq!(s.container, Container::Other);
        let s = Source::from_probe(&probe("mpegts"), Path::new("/a/fake.mp4")).expect("video");
        assert_eq!(s.container, Container::Other);
        assert_eq!(plan(&s), Plan::Remux);
        assert!(Source::from_probe(&json!({"streams": []}), Path::new("x.mp4")).is_none());
    }

    #[test]
    fn timeouts_grow_with_the_length_and_stop_growing() {
        assert_eq!(timeout_for(Some(0.0)), Duration::from_secs(120));
        assert_eq!(timeout_for(Some(60.0)), Duration::from_secs(720));
        assert_eq!(timeout_for(Some(1e9)), Duration::from_secs(6 * 3600));
        assert_eq!(timeout_for(None), Duration::from_secs(3600));
        assert_eq!(timeout_for(Some(f64::NAN)), Duration::from_secs(3600));
    }

    #[test]
    fn previews_live_in_buckets_apart_from_temporaries() {
        let store = PreviewStore::new(Path::new("/data/cache"));
        assert_eq!(
            store.path(0x1234),
            Path::new("/data/cache/video/34/12/4660.mp4")
        );
        let dir = tempfile::tempdir().expect("tmp");
        let store = PreviewStore::new(dir.path());
        let tmp = store.temp_file().expect("temp");
        std::fs::write(tmp.path(), b"mp4").expect("write");
        let path = store.persist(tmp, 7).expect("persist");
        assert_eq!(std::fs::read(&path).expect("read"), b"mp4");
        let left = store
            .temp_file()
            .expect("temp")
            .into_temp_path()
            .keep()
            .expect("keep");
        assert_eq!(store.clean_stale_temps(), 0, "a fresh temporary is kept");
        let old = SystemTime::now() - Duration::from_secs(2 * 3600);
        std::fs::File::options()
            .write(true)
            .open(&left)
            .and_then(|f| f.set_modified(old))
            .expect("age it");
        assert_eq!(store.clean_stale_temps(), 1);
        assert!(!left.exists());
        store.remove(7);
        assert!(!path.exists());
    }
}
