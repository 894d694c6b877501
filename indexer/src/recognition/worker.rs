//! The recognition worker: the models run in a child process, `shoebox recognition-worker`,
//! which the server starts when the first picture needs them and stops after [`super::IDLE`]
//! without one.
//!
//! Why a process: dlib and ONNX Runtime allocate hundreds of megabytes through the C library
//! and their own arenas, and give little of it back to the system when the models are dropped
//! (measured: the server stayed 290 MB above one that never recognised). A process that ends
//! returns all of it. It also keeps a model's crash on a hostile picture away from the server:
//! that picture's job fails with the worker's exit status, and the next picture starts a new
//! worker.
//!
//! The protocol is one JSON line each way per picture, over the worker's standard input and
//! output: `{"path": "<xl thumbnail>", "faces": true, "subjects": true}` in,
//! `{"faces": [{"b": [x, y, w, h], "e": [128 floats]}], "subjects": [["dog", 0.93]]}` or
//! `{"error": "…"}` out. The worker's log goes to its standard error, which is the server's.
//! It ends at the end of its input, so it never outlives the server: between pictures it reads
//! the end of its input as soon as the server is gone, and within a picture (which may take
//! minutes) a thread that watches its parent ends it (docs/indexer.md "Programs die with the
//! server").

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{Analysis, Face, Local, RecognitionOptions, read_picture};

/// The subcommand of the `shoebox` binary that runs a worker.
pub const SUBCOMMAND: &str = "recognition-worker";
/// Longest a picture may take (a thorough pass over an xl thumbnail takes a few seconds on a
/// small NAS); past it the worker is stopped and the job fails.
const PICTURE_TIMEOUT: Duration = Duration::from_secs(300);
/// How long a worker told to end may take before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(2);
/// Workers run below the server's priority, like the other background programs.
#[cfg(target_os = "linux")]
const NICE: i32 = 10;

#[derive(Debug, Serialize, Deserialize)]
struct Request {
    path: PathBuf,
    faces: bool,
    subjects: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Reply {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    faces: Option<Vec<WireFace>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subjects: Option<Vec<(String, f32)>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireFace {
    /// x, y, w, h relative to the picture.
    b: [f32; 4],
    /// The 128-d embedding.
    e: Vec<f32>,
}

impl Reply {
    fn from_analysis(a: Analysis) -> Self {
        Self {
            error: None,
            faces: a.faces.map(|faces| {
                faces
                    .into_iter()
                    .map(|f| WireFace {
                        b: [f.x, f.y, f.w, f.h],
                        e: f.embedding.to_vec(),
                    })
                    .collect()
            }),
            subjects: a.subjects,
        }
    }

    fn into_analysis(self) -> Result<Analysis, String> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let faces = match self.faces {
            None => None,
            Some(faces) => Some(
                faces
                    .into_iter()
                    .map(|f| {
                        let embedding: [f32; 128] = f.e.try_into().map_err(|e: Vec<f32>| {
                            format!("the worker sent an embedding of {} values", e.len())
                        })?;
                        let [x, y, w, h] = f.b;
                        Ok(Face {
                            x,
                            y,
                            w,
                            h,
                            embedding,
                        })
                    })
                    .collect::<Result<Vec<_>, String>>()?,
            ),
        };
        Ok(Analysis {
            faces,
            subjects: self.subjects,
        })
    }
}

/// The program to start as the worker: this very binary (`/proc/self/exe` keeps pointing at
/// the running program even when an upgrade has replaced the file).
pub fn this_program() -> Option<PathBuf> {
    let proc = Path::new("/proc/self/exe");
    if proc.exists() {
        return Some(proc.to_path_buf());
    }
    std::env::current_exe().ok()
}

/// The arguments that make `shoebox recognition-worker` run with `opts`.
pub fn arguments(opts: &RecognitionOptions) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = vec![SUBCOMMAND.into(), "--models".into()];
    args.push(opts.models_dir.clone().into_os_string());
    for (on, flag) in [
        (opts.faces, "--faces"),
        (opts.subjects, "--subjects"),
        (opts.thorough, "--thorough"),
    ] {
        if on {
            args.push(flag.into());
        }
    }
    args
}

/// The worker's side: answers requests from standard input until it ends, then says how much
/// memory it used. Runs on the calling thread.
pub fn serve(opts: RecognitionOptions) -> std::process::ExitCode {
    let local = Local::new(RecognitionOptions {
        worker: None,
        ..opts
    });
    exit_with_parent();
    let mut pictures = 0u64;
    let stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lines() {
        let Ok(line) = line else { break };
        let reply = match serde_json::from_str::<Request>(&line) {
            Ok(req) => {
                pictures += 1;
                match read_picture(&req.path)
                    .and_then(|picture| local.analyse(&picture, req.faces, req.subjects))
                {
                    Ok(analysis) => Reply::from_analysis(analysis),
                    Err(e) => Reply {
                        error: Some(e),
                        ..Reply::default()
                    },
                }
            }
            Err(e) => Reply {
                error: Some(format!("bad request to the recognition worker: {e}")),
                ..Reply::default()
            },
        };
        let sent = serde_json::to_writer(&mut stdout, &reply)
            .map_err(std::io::Error::from)
            .and_then(|()| stdout.write_all(b"\n"))
            .and_then(|()| stdout.flush());
        if sent.is_err() {
            break; // the server has gone
        }
    }
    tracing::info!(
        pictures,
        peak_rss_kb = peak_rss_kb().unwrap_or(0),
        "recognition worker done"
    );
    std::process::ExitCode::SUCCESS
}

/// Ends this process as soon as its parent (the server) is gone, whatever it is doing: the
/// parent's death makes another process the parent (init, or a subreaper), which a thread
/// checks for every [`PARENT_CHECK`]. Not `PR_SET_PDEATHSIG`: that fires when the *thread*
/// that started the worker ends, and the worker outlives the request that started it.
fn exit_with_parent() {
    #[cfg(target_os = "linux")]
    {
        let parent = rustix::process::getppid();
        let watch = std::thread::Builder::new()
            .name("parent-watch".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(PARENT_CHECK);
                    if rustix::process::getppid() != parent {
                        tracing::warn!("the server is gone; the recognition worker ends");
                        std::process::exit(1);
                    }
                }
            });
        if let Err(e) = watch {
            tracing::warn!("cannot watch the server: {e}");
        }
    }
}

/// How often the worker checks that the server is still there.
const PARENT_CHECK: Duration = Duration::from_millis(500);

/// This process's peak resident set (`VmHWM`), in kB.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The server's side: at most one worker, started on demand, one picture at a time.
pub struct Pool {
    program: PathBuf,
    args: Vec<std::ffi::OsString>,
    worker: Mutex<Option<Worker>>,
}

impl Pool {
    pub fn new(program: PathBuf, opts: &RecognitionOptions) -> Self {
        Self {
            program,
            args: arguments(opts),
            worker: Mutex::new(None),
        }
    }

    /// The faces and subjects of the picture in `path`, from the worker (started if needed).
    pub fn analyse(&self, path: &Path, faces: bool, subjects: bool) -> Result<Analysis, String> {
        let request = serde_json::to_string(&Request {
            path: path.to_path_buf(),
            faces,
            subjects,
        })
        .map_err(|e| format!("cannot ask for {}: {e}", path.display()))?;
        let mut slot = self
            .worker
            .lock()
            .map_err(|_| "the recognition worker is poisoned")?;
        // A worker that went away between pictures (killed from outside) is replaced once;
        // one that fails on this picture is not retried: the picture may be the cause.
        for attempt in 0..2 {
            if slot.is_none() {
                *slot = Some(Worker::start(&self.program, &self.args)?);
            }
            let worker = slot.as_mut().ok_or("no recognition worker")?;
            match worker.ask(&request) {
                Ok(line) => {
                    worker.used = Instant::now();
                    let reply: Reply = serde_json::from_str(&line)
                        .map_err(|e| format!("the recognition worker's answer: {e}"))?;
                    return reply.into_analysis();
                }
                Err(Failure::NotSent) if attempt == 0 => {
                    if let Some(w) = slot.take() {
                        w.stop();
                    }
                }
                Err(failure) => {
                    let status = slot.take().map(Worker::stop);
                    return Err(failure.describe(status.flatten()));
                }
            }
        }
        Err("the recognition worker could not be started".into())
    }

    /// Stops the worker when it has had no picture for `idle`; true when one was stopped.
    pub fn stop_idle(&self, idle: Duration) -> bool {
        let Ok(mut slot) = self.worker.try_lock() else {
            return false; // busy
        };
        if slot.as_ref().is_some_and(|w| w.used.elapsed() >= idle) {
            if let Some(w) = slot.take() {
                w.stop();
            }
            return true;
        }
        false
    }

    /// Stops the worker now, waiting for its picture if it has one; true when one ran.
    pub fn stop(&self) -> bool {
        let mut slot = self
            .worker
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.take().map(Worker::stop).is_some()
    }

    /// The worker's process id, while one runs.
    pub fn pid(&self) -> Option<u32> {
        self.worker
            .lock()
            .ok()
            .and_then(|w| w.as_ref().map(|w| w.child.id()))
    }
}

enum Failure {
    /// The request could not be written: the worker had already gone.
    NotSent,
    /// The worker ended before answering.
    Died,
    /// It took longer than [`PICTURE_TIMEOUT`].
    TimedOut,
}

impl Failure {
    fn describe(&self, status: Option<ExitStatus>) -> String {
        let status = status.map_or_else(|| "status unknown".to_owned(), |s| s.to_string());
        match self {
            Self::NotSent => format!("the recognition worker is not running ({status})"),
            Self::Died => format!("the recognition worker stopped on this picture ({status})"),
            Self::TimedOut => format!(
                "the recognition worker took more than {} s on this picture and was stopped",
                PICTURE_TIMEOUT.as_secs()
            ),
        }
    }
}

struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    replies: Receiver<String>,
    used: Instant,
}

impl Worker {
    fn start(program: &Path, args: &[std::ffi::OsString]) -> Result<Self, String> {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start the recognition worker {}: {e}",
                    program.display()
                )
            })?;
        #[cfg(target_os = "linux")]
        {
            use rustix::process::{Pid, setpriority_process};
            if let Err(e) = setpriority_process(Some(Pid::from_child(&child)), NICE) {
                tracing::debug!("renicing the recognition worker: {e}");
            }
        }
        let stdin = child.stdin.take();
        let stdout = child
            .stdout
            .take()
            .ok_or("the recognition worker has no output")?;
        let (tx, replies) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("recognition-replies".into())
            .spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| format!("cannot start a thread: {e}"))?;
        tracing::info!(pid = child.id(), "recognition worker started");
        Ok(Self {
            child,
            stdin,
            replies,
            used: Instant::now(),
        })
    }

    /// Sends one request line and waits for its answer.
    fn ask(&mut self, request: &str) -> Result<String, Failure> {
        let stdin = self.stdin.as_mut().ok_or(Failure::NotSent)?;
        stdin
            .write_all(request.as_bytes())
            .and_then(|()| stdin.write_all(b"\n"))
            .and_then(|()| stdin.flush())
            .map_err(|_| Failure::NotSent)?;
        match self.replies.recv_timeout(PICTURE_TIMEOUT) {
            Ok(line) => Ok(line),
            Err(RecvTimeoutError::Timeout) => Err(Failure::TimedOut),
            Err(RecvTimeoutError::Disconnected) => Err(Failure::Died),
        }
    }

    /// Ends the worker: its input closes, it finishes and exits; killed if it takes longer than
    /// [`STOP_GRACE`]. Reaped either way. Its exit status.
    fn stop(mut self) -> Option<ExitStatus> {
        drop(self.stdin.take());
        let deadline = Instant::now() + STOP_GRACE;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                _ => break,
            }
        }
        let _ = self.child.kill();
        self.child.wait().ok()
    }
}

#[cfg(test)]
mod tests;
