//! Times Shoebox's thumbnail pipeline in-process, one file after another on one thread.
//!
//! ```sh
//! cargo build --release --example thumb_bench -p shoebox-indexer
//! target/release/examples/thumb_bench --out /tmp/thumbs a.jpg b.jpg …
//! target/release/examples/thumb_bench --heic --out /tmp/thumbs a.heic b.heic …
//! ```
//!
//! For each file: read it, read its EXIF orientation (JPEG and other stills), make the full set
//! (xl, m, sm) with `thumbnail::from_image_bytes` or `heif::thumbnails`, and write the three
//! JPEGs to `--out`. The first file is a warm-up (page cache, allocator, SIMD dispatch, lazy
//! tables) and is not counted. `bench/thumbnails` drives this; see bench/README.md.
//!
//! Output, on standard output, one JSON object a line: one per file
//! (`{"file","warmup","wall_ms","cpu_ms","thread_cpu_ms",…}`), then a summary
//! (`{"summary":true,"files","median_wall_ms","median_cpu_ms",…}`).
//!
//! `--stages` (JPEG only) prints instead, per file, the CPU time of each step of the pipeline,
//! from a replica of `indexer/src/thumbnail/` made of the same crates and settings (its modules
//! are private), plus alternatives (baseline encoding, cheaper xl filters, a pipeline that stays
//! in 4:2:0 YCbCr planes), to show where the time goes. The headline figures always come from
//! the real `from_image_bytes`.
//!
//! CPU time without libc: the main thread's run time in nanoseconds comes from
//! `/proc/thread-self/schedstat`, read right after a `sched_yield` (which brings it up to date;
//! without it the figure lags by up to a scheduler tick). Work on other threads (libheif hands
//! HEVC decoding to a libde265 worker thread) is added from the process and thread
//! `utime+stime` of `/proc/self/stat` and `/proc/thread-self/stat`, whose difference is the
//! other threads' time, including threads that ended, at clock-tick (10 ms) resolution.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use serde_json::json;
use shoebox_indexer::heif;
use shoebox_indexer::thumbnail::{self, DecodeLimits, ThumbSet};

/// Clock ticks per second of `/proc/*/stat` (USER_HZ); 100 on every Linux port that matters.
const TICKS_PER_SEC: f64 = 100.0;

#[derive(Clone, Copy)]
struct CpuSample {
    /// Main thread run time (user+sys), nanoseconds.
    thread_ns: u64,
    /// Main thread utime+stime, clock ticks.
    thread_ticks: u64,
    /// Whole process utime+stime (every thread, alive or ended), clock ticks.
    process_ticks: u64,
}

fn read_ticks(path: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(path).ok()?;
    // The command name is in parentheses and may hold spaces: fields are counted after it.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 (utime) and 15 (stime) of proc(5); `rest` starts at field 3.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

fn sample() -> CpuSample {
    // The kernel brings a running thread's run time up to date only when it is scheduled;
    // sched_yield does that (and costs about a microsecond when nothing else is waiting).
    std::thread::yield_now();
    let thread_ns = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    CpuSample {
        thread_ns,
        thread_ticks: read_ticks("/proc/thread-self/stat").unwrap_or(0),
        process_ticks: read_ticks("/proc/self/stat").unwrap_or(0),
    }
}

/// (CPU ms of the process, CPU ms of the main thread alone) between two samples.
fn cpu_between(a: CpuSample, b: CpuSample) -> (f64, f64) {
    let thread_ms = b.thread_ns.saturating_sub(a.thread_ns) as f64 / 1e6;
    let process = b.process_ticks.saturating_sub(a.process_ticks);
    let thread = b.thread_ticks.saturating_sub(a.thread_ticks);
    let others_ms = process.saturating_sub(thread) as f64 * 1000.0 / TICKS_PER_SEC;
    (thread_ms + others_ms, thread_ms)
}

/// Peak resident set of the process, in MB (VmHWM).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn orientation(bytes: &[u8]) -> u8 {
    exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .ok()
        .and_then(|e| {
            e.get_field(exif::Tag::Orientation, exif::In::PRIMARY)?
                .value
                .get_uint(0)
        })
        .filter(|o| (1..=8).contains(o))
        .map_or(1, |o| o as u8)
}

fn make_set(path: &Path, heic: bool, limits: &DecodeLimits) -> Result<ThumbSet, String> {
    if heic {
        heif::thumbnails(path, limits)
    } else {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
        thumbnail::from_image_bytes(&bytes, orientation(&bytes), limits).map_err(|e| e.to_string())
    }
}

fn write_set(out: &Path, source: &Path, set: &ThumbSet) -> std::io::Result<()> {
    let stem = source
        .file_stem()
        .map_or_else(|| "image".into(), |s| s.to_string_lossy());
    for (name, bytes) in [("xl", &set.xl), ("m", &set.m), ("sm", &set.sm)] {
        std::fs::write(out.join(format!("{stem}.{name}.jpg")), bytes)?;
    }
    Ok(())
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

struct Args {
    heic: bool,
    stages: bool,
    out: PathBuf,
    files: Vec<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut heic = false;
    let mut stages = false;
    let mut out = None;
    let mut files = Vec::new();
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--heic") => heic = true,
            Some("--stages") => stages = true,
            Some("--out") => out = Some(PathBuf::from(args.next().ok_or("--out needs a DIR")?)),
            Some("-h" | "--help") => {
                return Err("usage: thumb_bench [--heic | --stages] --out DIR FILE…\n\
                     Makes xl/m/sm for each FILE in-process, single-threaded; the first \
                     FILE is a warm-up and is not counted."
                    .into());
            }
            Some(s) if s.starts_with("--") => return Err(format!("unknown option {s}")),
            _ => files.push(PathBuf::from(arg)),
        }
    }
    let out = out.ok_or("--out DIR is required")?;
    if files.is_empty() {
        return Err("no input files".into());
    }
    if heic && stages {
        return Err("--stages is for JPEGs only".into());
    }
    Ok(Args {
        heic,
        stages,
        out,
        files,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("cannot create {}: {e}", args.out.display());
        return ExitCode::FAILURE;
    }
    if args.stages {
        return stages::run(&args.files, &args.out);
    }
    let limits = DecodeLimits::default();
    let (mut walls, mut cpus, mut thread_cpus) = (Vec::new(), Vec::new(), Vec::new());
    let mut failures = 0usize;
    let run_start = sample();
    let mut measured_start = run_start;
    let mut measured_wall = 0.0;
    for (i, path) in args.files.iter().enumerate() {
        let warmup = i == 0;
        if i == 1 {
            measured_start = sample();
        }
        let cpu0 = sample();
        let t0 = Instant::now();
        let result = make_set(path, args.heic, &limits).and_then(|set| {
            write_set(&args.out, path, &set)
                .map(|()| set)
                .map_err(|e| e.to_string())
        });
        let wall_ms = t0.elapsed().as_secs_f64() * 1e3;
        let (cpu_ms, thread_cpu_ms) = cpu_between(cpu0, sample());
        match result {
            Ok(set) => {
                println!(
                    "{}",
                    json!({
                        "file": path.display().to_string(),
                        "warmup": warmup,
                        "wall_ms": round2(wall_ms),
                        "cpu_ms": round2(cpu_ms),
                        "thread_cpu_ms": round2(thread_cpu_ms),
                        "bytes": {"xl": set.xl.len(), "m": set.m.len(), "sm": set.sm.len()},
                    })
                );
                if !warmup {
                    walls.push(wall_ms);
                    cpus.push(cpu_ms);
                    thread_cpus.push(thread_cpu_ms);
                    measured_wall += wall_ms;
                }
            }
            Err(e) => {
                failures += 1;
                println!(
                    "{}",
                    json!({"file": path.display().to_string(), "warmup": warmup, "error": e})
                );
            }
        }
    }
    // Cross-check of the per-file figures: the whole measured span at tick resolution.
    let end = sample();
    let span_process_ms = end
        .process_ticks
        .saturating_sub(measured_start.process_ticks) as f64
        * 1000.0
        / TICKS_PER_SEC;
    let n = cpus.len();
    let sum_cpu: f64 = cpus.iter().sum();
    println!(
        "{}",
        json!({
            "summary": true,
            "kind": if args.heic { "heic" } else { "image" },
            "files": n,
            "warmup_files": 1,
            "failed": failures,
            "median_wall_ms": median(&mut walls).map(round2),
            "median_cpu_ms": median(&mut cpus).map(round2),
            "median_thread_cpu_ms": median(&mut thread_cpus).map(round2),
            "mean_cpu_ms": (n > 0).then(|| round2(sum_cpu / n as f64)),
            "total_wall_ms": round2(measured_wall),
            "process_cpu_ms_over_measured_files": round2(span_process_ms),
            "peak_rss_mb": peak_rss_mb().map(round2),
        })
    );
    if failures > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The pipeline of `indexer/src/thumbnail/` step by step, each step timed on its own.
mod stages {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};
    use std::process::ExitCode;

    use fast_image_resize::images::Image as FirImage;
    use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
    use image::{DynamicImage, RgbImage};
    use serde_json::json;
    use shoebox_indexer::thumbnail::ThumbSize;
    use turbojpeg::{Compressor, Decompressor, Image, PixelFormat, ScalingFactor, Subsamp};

    type Res<T> = Result<T, String>;

    fn thread_ns() -> u64 {
        super::sample().thread_ns
    }

    /// Runs `f`, adds its CPU time (ms) under `name`.
    fn timed<T>(
        times: &mut BTreeMap<&'static str, f64>,
        name: &'static str,
        f: impl FnOnce() -> T,
    ) -> T {
        let t0 = thread_ns();
        let out = f();
        *times.entry(name).or_default() += (thread_ns() - t0) as f64 / 1e6;
        out
    }

    fn decode(bytes: &[u8]) -> Res<RgbImage> {
        let e = |e: turbojpeg::Error| e.to_string();
        let mut d = Decompressor::new().map_err(e)?;
        let header = d.read_header(bytes).map_err(e)?;
        let (tw, th) = ThumbSize::Xl.fit(header.width as u32, header.height as u32);
        let factor = [8usize, 4, 2]
            .into_iter()
            .map(|k| ScalingFactor::new(1, k))
            .find(|f| f.scale(header.width) >= tw as usize && f.scale(header.height) >= th as usize)
            .unwrap_or(ScalingFactor::ONE);
        d.set_scaling_factor(factor).map_err(e)?;
        let scaled = header.scaled(factor);
        let mut image = Image {
            pixels: vec![0u8; scaled.width * scaled.height * 3],
            width: scaled.width,
            pitch: scaled.width * 3,
            height: scaled.height,
            format: PixelFormat::RGB,
        };
        d.decompress(bytes, image.as_deref_mut()).map_err(e)?;
        RgbImage::from_raw(scaled.width as u32, scaled.height as u32, image.pixels)
            .ok_or_else(|| "decode buffer".into())
    }

    fn resize(src: RgbImage, (w, h): (u32, u32), filter: FilterType) -> Res<RgbImage> {
        if src.dimensions() == (w, h) {
            return Ok(src);
        }
        let (sw, sh) = src.dimensions();
        let source = FirImage::from_vec_u8(sw, sh, src.into_raw(), PixelType::U8x3)
            .map_err(|e| e.to_string())?;
        let mut target = FirImage::new(w, h, PixelType::U8x3);
        let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(filter));
        Resizer::new()
            .resize(&source, &mut target, &options)
            .map_err(|e| e.to_string())?;
        RgbImage::from_raw(w, h, target.into_vec()).ok_or_else(|| "resize buffer".into())
    }

    fn encode(rgb: &RgbImage, quality: i32, progressive: bool, optimize: bool) -> Res<Vec<u8>> {
        let e = |e: turbojpeg::Error| e.to_string();
        let mut c = Compressor::new().map_err(e)?;
        c.set_quality(quality).map_err(e)?;
        c.set_subsamp(Subsamp::Sub2x2).map_err(e)?;
        c.set_progressive(progressive).map_err(e)?;
        if !progressive {
            c.set_optimize(optimize).map_err(e)?;
        }
        let (w, h) = rgb.dimensions();
        let image = Image {
            pixels: rgb.as_raw().as_slice(),
            width: w as usize,
            pitch: w as usize * 3,
            height: h as usize,
            format: PixelFormat::RGB,
        };
        c.compress_to_vec(image).map_err(e)
    }

    fn orient(img: RgbImage, orientation: u8) -> RgbImage {
        let mut dynamic = DynamicImage::ImageRgb8(img);
        if let Some(o) = image::metadata::Orientation::from_exif(orientation) {
            dynamic.apply_orientation(o);
        }
        dynamic.into_rgb8()
    }

    /// Plane sizes of a 4:2:0 YUV image as libjpeg-turbo lays it out (align 1): Y, U, V.
    fn planes_420(w: u32, h: u32) -> [(u32, u32); 3] {
        let (pw, ph) = ((w + 1) & !1, (h + 1) & !1);
        [(pw, ph), (pw / 2, ph / 2), (pw / 2, ph / 2)]
    }

    /// A 4:2:0 YUV image in one buffer, Y then U then V.
    struct Yuv {
        pixels: Vec<u8>,
        width: u32,
        height: u32,
    }

    fn decode_yuv(bytes: &[u8]) -> Res<Yuv> {
        let e = |e: turbojpeg::Error| e.to_string();
        let mut d = Decompressor::new().map_err(e)?;
        let header = d.read_header(bytes).map_err(e)?;
        if header.subsamp != Subsamp::Sub2x2 {
            return Err("not 4:2:0".into());
        }
        d.set_scaling_factor(ScalingFactor::new(1, 2)).map_err(e)?;
        let scaled = header.scaled(ScalingFactor::new(1, 2));
        let len = turbojpeg::yuv_pixels_len(scaled.width, 1, scaled.height, Subsamp::Sub2x2)
            .map_err(e)?;
        let mut image = turbojpeg::YuvImage {
            pixels: vec![0u8; len],
            width: scaled.width,
            align: 1,
            height: scaled.height,
            subsamp: Subsamp::Sub2x2,
        };
        d.decompress_to_yuv(bytes, image.as_deref_mut())
            .map_err(e)?;
        Ok(Yuv {
            pixels: image.pixels,
            width: scaled.width as u32,
            height: scaled.height as u32,
        })
    }

    /// Resizes each plane on its own: one channel, so about a third of the RGB work per
    /// pixel, and the chroma planes are a quarter of the pixels.
    fn resize_yuv(src: &Yuv, (w, h): (u32, u32), filter: FilterType) -> Res<Yuv> {
        let from = planes_420(src.width, src.height);
        let to = planes_420(w, h);
        let mut pixels = Vec::with_capacity(to.iter().map(|(a, b)| (a * b) as usize).sum());
        let mut offset = 0usize;
        let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(filter));
        let mut resizer = Resizer::new();
        for ((fw, fh), (tw, th)) in from.into_iter().zip(to) {
            let len = (fw * fh) as usize;
            let plane = src
                .pixels
                .get(offset..offset + len)
                .ok_or("short YUV buffer")?;
            offset += len;
            let source = fast_image_resize::images::ImageRef::new(fw, fh, plane, PixelType::U8)
                .map_err(|e| e.to_string())?;
            let mut target = FirImage::new(tw, th, PixelType::U8);
            resizer
                .resize(&source, &mut target, &options)
                .map_err(|e| e.to_string())?;
            pixels.extend_from_slice(target.buffer());
        }
        Ok(Yuv {
            pixels,
            width: w,
            height: h,
        })
    }

    fn encode_yuv(yuv: &Yuv, quality: i32, progressive: bool) -> Res<Vec<u8>> {
        let e = |e: turbojpeg::Error| e.to_string();
        let mut c = Compressor::new().map_err(e)?;
        c.set_quality(quality).map_err(e)?;
        c.set_subsamp(Subsamp::Sub2x2).map_err(e)?;
        c.set_progressive(progressive).map_err(e)?;
        if !progressive {
            c.set_optimize(true).map_err(e)?;
        }
        let image = turbojpeg::YuvImage {
            pixels: yuv.pixels.as_slice(),
            width: yuv.width as usize,
            align: 1,
            height: yuv.height as usize,
            subsamp: Subsamp::Sub2x2,
        };
        c.compress_yuv_to_vec(image).map_err(e)
    }

    /// The steps of `thumbnail::from_image_bytes` for a JPEG, then the alternatives.
    fn one(path: &Path, out: &Path) -> Res<BTreeMap<&'static str, f64>> {
        let mut t = BTreeMap::new();
        let bytes =
            timed(&mut t, "1 read file", || std::fs::read(path)).map_err(|e| e.to_string())?;
        let orientation = timed(&mut t, "2 exif orientation", || super::orientation(&bytes));
        let rgb = timed(&mut t, "3 decode 1/2 scale (turbojpeg)", || decode(&bytes))?;
        let (w, h) = rgb.dimensions();
        // fit() from the decoded size, as `thumbnail::from_rgb` does.
        let rgb_copy = rgb.clone();
        let lanczos = FilterType::Lanczos3;
        let xl = timed(&mut t, "4 resize xl Lanczos3", || {
            resize(rgb, ThumbSize::Xl.fit(w, h), lanczos)
        })?;
        let m = timed(&mut t, "5 resize m from xl (incl. clone)", || {
            resize(xl.clone(), ThumbSize::M.fit(w, h), lanczos)
        })?;
        let sm = timed(&mut t, "6 resize sm from m (incl. clone)", || {
            resize(m.clone(), ThumbSize::Sm.fit(w, h), lanczos)
        })?;
        let (xl, m, sm) = timed(&mut t, "7 orientation (3 sizes)", || {
            (
                orient(xl, orientation),
                orient(m, orientation),
                orient(sm, orientation),
            )
        });
        let xl_jpeg = timed(&mut t, "8 encode xl q82 progressive", || {
            encode(&xl, 82, true, false)
        })?;
        let m_jpeg = timed(&mut t, "9 encode m q80 progressive", || {
            encode(&m, 80, true, false)
        })?;
        let sm_jpeg = timed(&mut t, "9b encode sm q80 progressive", || {
            encode(&sm, 80, true, false)
        })?;
        let stem = path
            .file_stem()
            .map_or_else(|| "image".into(), |s| s.to_string_lossy());
        timed(&mut t, "9c write 3 files", || {
            for (name, b) in [("xl", &xl_jpeg), ("m", &m_jpeg), ("sm", &sm_jpeg)] {
                std::fs::write(out.join(format!("{stem}.{name}.jpg")), b)?;
            }
            Ok::<(), std::io::Error>(())
        })
        .map_err(|e| e.to_string())?;
        let pipeline: f64 = t.values().sum();
        t.insert("= sum of the steps above", pipeline);
        // Alternatives, not part of the pipeline.
        timed(
            &mut t,
            "alt: encode xl q82 baseline, optimized Huffman",
            || encode(&xl, 82, false, true),
        )?;
        timed(
            &mut t,
            "alt: encode xl q82 baseline, standard Huffman",
            || encode(&xl, 82, false, false),
        )?;
        timed(&mut t, "alt: encode m+sm baseline, optimized", || {
            encode(&m, 80, false, true).and_then(|_| encode(&sm, 80, false, true))
        })?;
        let c2 = rgb_copy.clone();
        timed(&mut t, "alt: resize xl CatmullRom", || {
            resize(c2, ThumbSize::Xl.fit(w, h), FilterType::CatmullRom)
        })?;
        let c3 = rgb_copy.clone();
        timed(&mut t, "alt: resize xl Bilinear", || {
            resize(c3, ThumbSize::Xl.fit(w, h), FilterType::Bilinear)
        })?;
        let xl2 = resize(rgb_copy, ThumbSize::Xl.fit(w, h), lanczos)?;
        timed(
            &mut t,
            "alt: resize m from xl without clone (by ref)",
            || resize(xl2, ThumbSize::M.fit(w, h), lanczos),
        )?;
        timed(&mut t, "alt: decode full scale (turbojpeg)", || {
            let e = |e: turbojpeg::Error| e.to_string();
            turbojpeg::decompress(&bytes, PixelFormat::RGB)
                .map_err(e)
                .map(|_| ())
        })?;
        // The planar alternative: stay in 4:2:0 YCbCr from decode to encode.
        let mut y = BTreeMap::new();
        let yuv = timed(&mut y, "yuv: decode 1/2 to 4:2:0 planes", || {
            decode_yuv(&bytes)
        })?;
        let (yw, yh) = (yuv.width, yuv.height);
        let yxl = timed(&mut y, "yuv: resize xl planes Lanczos3", || {
            resize_yuv(&yuv, ThumbSize::Xl.fit(yw, yh), lanczos)
        })?;
        let ym = timed(&mut y, "yuv: resize m from xl planes", || {
            resize_yuv(&yxl, ThumbSize::M.fit(yw, yh), lanczos)
        })?;
        let ysm = timed(&mut y, "yuv: resize sm from m planes", || {
            resize_yuv(&ym, ThumbSize::Sm.fit(yw, yh), lanczos)
        })?;
        timed(&mut y, "yuv: encode xl baseline optimized", || {
            encode_yuv(&yxl, 82, false)
        })?;
        timed(&mut y, "yuv: encode m+sm baseline optimized", || {
            encode_yuv(&ym, 80, false).and_then(|_| encode_yuv(&ysm, 80, false))
        })?;
        let yuv_sum: f64 = y.values().sum();
        let yxl_bilinear = timed(&mut t, "yuv: (alt) resize xl planes Bilinear", || {
            resize_yuv(&yuv, ThumbSize::Xl.fit(yw, yh), FilterType::Bilinear)
        })?;
        drop(yxl_bilinear);
        timed(&mut t, "yuv: (alt) encode xl progressive", || {
            encode_yuv(&yxl, 82, true)
        })?;
        t.extend(y);
        let get = |t: &BTreeMap<&'static str, f64>, k: &str| t.get(k).copied().unwrap_or(0.0);
        let fixed = get(&t, "1 read file")
            + get(&t, "2 exif orientation")
            + yuv_sum
            + get(&t, "9c write 3 files");
        t.insert("yuv: = read + exif + yuv steps + write", fixed);
        t.insert(
            "yuv: = same with xl Bilinear",
            fixed - get(&t, "yuv: resize xl planes Lanczos3")
                + get(&t, "yuv: (alt) resize xl planes Bilinear"),
        );
        let baseline_only = pipeline - get(&t, "8 encode xl q82 progressive")
            + get(&t, "alt: encode xl q82 baseline, optimized Huffman");
        t.insert("alt: = pipeline with baseline xl encode", baseline_only);
        t.insert(
            "alt: = pipeline with baseline xl encode + xl Bilinear",
            baseline_only - get(&t, "4 resize xl Lanczos3") + get(&t, "alt: resize xl Bilinear"),
        );
        Ok(t)
    }

    pub fn run(files: &[PathBuf], out: &Path) -> ExitCode {
        let mut all: BTreeMap<&'static str, Vec<f64>> = BTreeMap::new();
        let mut failed = false;
        for (i, path) in files.iter().enumerate() {
            match one(path, out) {
                Ok(t) => {
                    println!(
                        "{}",
                        json!({
                            "file": path.display().to_string(),
                            "warmup": i == 0,
                            "stages_cpu_ms": t,
                        })
                    );
                    if i > 0 {
                        for (k, v) in t {
                            all.entry(k).or_default().push(v);
                        }
                    }
                }
                Err(e) => {
                    failed = true;
                    println!(
                        "{}",
                        json!({"file": path.display().to_string(), "error": e})
                    );
                }
            }
        }
        let medians: BTreeMap<&str, Option<f64>> = all
            .iter_mut()
            .map(|(k, v)| (*k, super::median(v).map(super::round2)))
            .collect();
        println!(
            "{}",
            json!({
                "summary": true,
                "kind": "stages",
                "files": files.len().saturating_sub(1),
                "median_cpu_ms": medians,
            })
        );
        if failed {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }
}
