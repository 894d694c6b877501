//! Video metadata through `ffprobe`: duration, codecs, frame rate, displayed size, date and
//! place from the QuickTime/MP4 tags, and Apple's Live Photo content identifier. Also the
//! settings every ffmpeg and ffprobe run shares.

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use super::Metadata;
use super::time::{Taken, TakenSource, parse_iso};
use crate::process::{self, Limits, ProcessError};

const PROBE_TIMEOUT: Duration = Duration::from_secs(30);

/// The demuxers ffmpeg and ffprobe may use on a library file: the containers of the video
/// extensions the indexer knows (`media.rs`). ffmpeg picks a demuxer by content, not by name, so
/// without this a `.mp4` that is really an HLS playlist or a concat script would have it open
/// other files.
pub const DEMUXERS: &str =
    "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,mpeg,mpegvideo,asf,flv,h264,hevc";

/// Decoder and encoder threads of one ffmpeg run. By default ffmpeg starts about one thread per
/// core, each with its own frames, stack and allocator arena; two keep the memory (and the
/// address-space limit) independent of the machine, and a NAS has two to four cores anyway.
pub const THREADS: &str = "2";

/// `ffprobe -show_format -show_streams` of `path`, as JSON.
pub fn probe(path: &Path, limits: &Limits) -> Result<Value, ProcessError> {
    let args: [&OsStr; 12] = [
        OsStr::new("-v"),
        OsStr::new("error"),
        OsStr::new("-format_whitelist"),
        OsStr::new(DEMUXERS),
        OsStr::new("-threads"),
        OsStr::new(THREADS),
        OsStr::new("-print_format"),
        OsStr::new("json"),
        OsStr::new("-show_format"),
        OsStr::new("-show_streams"),
        OsStr::new("-i"),
        path.as_os_str(),
    ];
    let out = process::run("ffprobe", &args, PROBE_TIMEOUT, limits).map_err(|e| match e {
        ProcessError::Failed { program, message } => ProcessError::Failed {
            program,
            message: process::redact(&message, path),
        },
        other => other,
    })?;
    serde_json::from_slice(&out).map_err(|e| ProcessError::Failed {
        program: "ffprobe".into(),
        message: format!("unreadable output: {e}"),
    })
}

/// Probes `path` with ffprobe: its metadata, and the probe itself (whether the video needs a
/// preview is `crate::preview::needed` of it).
pub fn read_video(path: &Path, limits: &Limits) -> Result<(Metadata, Value), ProcessError> {
    let probe = probe(path, limits)?;
    let meta = from_probe(&probe);
    if meta.video_codec.is_none() {
        return Err(ProcessError::Failed {
            program: "ffprobe".into(),
            message: "no video stream".into(),
        });
    }
    Ok((meta, probe))
}

pub(crate) fn tag<'a>(tags: &'a Value, name: &str) -> Option<&'a str> {
    tags.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str())
}

/// Interprets `ffprobe -show_format -show_streams` JSON.
pub fn from_probe(probe: &Value) -> Metadata {
    let mut meta = Metadata {
        orientation: 1,
        ..Metadata::default()
    };
    let streams = probe["streams"].as_array().cloned().unwrap_or_default();
    let video = streams
        .iter()
        .find(|s| s["codec_type"] == "video" && s["disposition"]["attached_pic"] != 1);
    let audio = streams.iter().find(|s| s["codec_type"] == "audio");
    let format_tags = &probe["format"]["tags"];
    if let Some(v) = video {
        meta.video_codec = v["codec_name"].as_str().map(str::to_owned);
        let w = v["width"].as_u64().unwrap_or(0) as u32;
        let h = v["height"].as_u64().unwrap_or(0) as u32;
        let rotation = v["side_data_list"]
            .as_array()
            .and_then(|l| l.iter().find_map(|d| d["rotation"].as_f64()))
            .or_else(|| tag(&v["tags"], "rotate").and_then(|r| r.parse().ok()))
            .unwrap_or(0.0);
        let quarter = (rotation.round() as i64).rem_euclid(180) == 90;
        (meta.width, meta.height) = if quarter { (h, w) } else { (w, h) };
        meta.frame_rate = v["avg_frame_rate"]
            .as_str()
            .and_then(ratio)
            .or_else(|| v["r_frame_rate"].as_str().and_then(ratio));
    }
    meta.audio_codec = audio
        .and_then(|a| a["codec_name"].as_str())
        .map(str::to_owned);
    meta.duration_ms = probe["format"]["duration"]
        .as_str()
        .and_then(|d| d.parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d >= 0.0)
        .map(|d| (d * 1000.0).round() as u64);
    // Apple's local creation date keeps the wall clock and zone; creation_time is UTC.
    meta.taken = tag(format_tags, "com.apple.quicktime.creationdate")
        .and_then(|d| parse_iso(d, TakenSource::Quicktime))
        .or_else(|| {
            let utc = tag(format_tags, "creation_time")
                .or_else(|| video.and_then(|v| tag(&v["tags"], "creation_time")))?;
            let t = parse_iso(utc, TakenSource::Quicktime)?;
            // 1904-01-01 / 1970 placeholders mean "not set".
            (t.secs > 86_400).then_some(Taken {
                offset_min: Some(0),
                ..t
            })
        });
    meta.gps = tag(format_tags, "com.apple.quicktime.location.ISO6709")
        .or_else(|| tag(format_tags, "location"))
        .and_then(iso6709);
    meta.make = tag(format_tags, "com.apple.quicktime.make").map(str::to_owned);
    meta.model = tag(format_tags, "com.apple.quicktime.model").map(str::to_owned);
    meta.content_id = tag(format_tags, "com.apple.quicktime.content.identifier").map(str::to_owned);
    meta
}

fn ratio(s: &str) -> Option<f64> {
    let (n, d) = s.split_once('/')?;
    let (n, d) = (n.parse::<f64>().ok()?, d.parse::<f64>().ok()?);
    (d > 0.0 && n > 0.0).then(|| (n / d * 1000.0).round() / 1000.0)
}

/// `+48.8566+002.3522+035.000/` → (48.8566, 2.3522).
fn iso6709(s: &str) -> Option<(f64, f64)> {
    let s = s.trim().trim_end_matches('/');
    let mut starts: Vec<usize> = s
        .char_indices()
        .filter(|(_, c)| *c == '+' || *c == '-')
        .map(|(i, _)| i)
        .collect();
    starts.push(s.len());
    if starts.len() < 3 || starts[0] != 0 {
        return None;
    }
    let lat: f64 = s[starts[0]..starts[1]].parse().ok()?;
    let lon: f64 = s[starts[1]..starts[2]].parse().ok()?;
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn probe_json() {
        let probe = json!({
            "streams": [
                {"codec_type": "video", "codec_name": "hevc", "width": 1920, "height": 1080,
                 "avg_frame_rate": "30000/1001", "side_data_list": [{"rotation": -90}]},
                {"codec_type": "audio", "codec_name": "aac"}
            ],
            "format": {"duration": "2.500000", "tags": {
                "creation_time": "2021-03-04T05:06:07.000000Z",
                "com.apple.quicktime.creationdate": "2021-03-04T06:06:07+0100",
                "com.apple.quicktime.location.ISO6709": "+35.6762+139.6503+040.000/",
                "com.apple.quicktime.content.identifier": "ABC"
            }}
        });
        let m = from_probe(&probe);
        assert_eq!((m.width, m.height), (1080, 1920));
        assert_eq!(m.video_codec.as_deref(), Some("hevc"));
        assert_eq!(m.audio_codec.as_deref(), Some("aac"));
        assert_eq!(m.duration_ms, Some(2500));
        assert_eq!(m.frame_rate, Some(29.97));
        let t = m.taken.expect("date");
        assert_eq!((t.source, t.offset_min), (TakenSource::Quicktime, Some(60)));
        assert_eq!(m.gps, Some((35.6762, 139.6503)));
        assert_eq!(m.content_id.as_deref(), Some("ABC"));
    }

    #[test]
    fn iso6709_forms() {
        assert_eq!(iso6709("-33.8688+151.2093/"), Some((-33.8688, 151.2093)));
        assert_eq!(
            iso6709("+40.7128-074.0060+010.000/"),
            Some((40.7128, -74.006))
        );
        assert_eq!(iso6709("garbage"), None);
    }
}
