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
//! `--stages` (stills only) prints instead, per file, the CPU time of each step of the pipeline,
//! in order: the real `from_image_bytes`, which reports the end of each step
//! (`thumbnail::from_image_bytes_marked`), so the steps add up to the headline figure plus the
//! cost of the timing points (about 0.1 ms).
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
        return Err("--stages is for stills (not --heic)".into());
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

/// The pipeline of `thumbnail::from_image_bytes` step by step: the real code, which reports
/// the end of each step through `from_image_bytes_marked`.
mod stages {
    use std::path::{Path, PathBuf};
    use std::process::ExitCode;

    use serde_json::json;
    use shoebox_indexer::thumbnail::{self, DecodeLimits};

    fn thread_ns() -> u64 {
        super::sample().thread_ns
    }

    /// CPU ms of each step in pipeline order (a step seen twice is added up).
    #[derive(Default)]
    struct Steps(Vec<(&'static str, f64)>);

    impl Steps {
        fn add(&mut self, name: &'static str, ms: f64) {
            match self.0.iter_mut().find(|(n, _)| *n == name) {
                Some((_, v)) => *v += ms,
                None => self.0.push((name, ms)),
            }
        }
    }

    fn one(path: &Path, out: &Path, limits: &DecodeLimits) -> Result<Steps, String> {
        let mut steps = Steps::default();
        let mut last = thread_ns();
        let mut mark = |steps: &mut Steps, name: &'static str| {
            let now = thread_ns();
            steps.add(name, (now - last) as f64 / 1e6);
            last = now;
        };
        let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
        mark(&mut steps, "read file");
        let orientation = super::orientation(&bytes);
        mark(&mut steps, "EXIF orientation");
        let set = {
            let steps = &mut steps;
            thumbnail::from_image_bytes_marked(&bytes, orientation, limits, &mut |name| {
                mark(steps, name)
            })
            .map_err(|e| e.to_string())?
        };
        super::write_set(out, path, &set).map_err(|e| e.to_string())?;
        mark(&mut steps, "write 3 files");
        let sum = steps.0.iter().map(|(_, v)| v).sum();
        steps.0.push(("= sum", sum));
        Ok(steps)
    }

    pub fn run(files: &[PathBuf], out: &Path) -> ExitCode {
        let limits = DecodeLimits::default();
        let mut all = Steps::default();
        let mut per_step: Vec<Vec<f64>> = Vec::new();
        let mut failed = false;
        for (i, path) in files.iter().enumerate() {
            match one(path, out, &limits) {
                Ok(steps) => {
                    let list: Vec<_> = steps
                        .0
                        .iter()
                        .map(|(n, v)| json!([n, super::round2(*v)]))
                        .collect();
                    println!(
                        "{}",
                        json!({"file": path.display().to_string(), "warmup": i == 0, "stages_cpu_ms": list})
                    );
                    if i > 0 {
                        for (name, ms) in steps.0 {
                            let at = match all.0.iter().position(|(n, _)| *n == name) {
                                Some(at) => at,
                                None => {
                                    all.0.push((name, 0.0));
                                    per_step.push(Vec::new());
                                    all.0.len() - 1
                                }
                            };
                            per_step[at].push(ms);
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
        let medians: Vec<_> = all
            .0
            .iter()
            .zip(per_step.iter_mut())
            .map(|((name, _), values)| json!([name, super::median(values).map(super::round2)]))
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
