//! Every external program (ffprobe, ffmpeg) runs through here: with a timeout, a bound on its
//! memory, its output bounded, and failing with a typed error. A bad file fails its job, never the
//! process, and never the machine: a file crafted to make a decoder allocate without end meets the
//! address-space limit, and one that makes it spin meets the timeout. A program stopped for either
//! reason, or because its job was dropped, is killed and reaped before `run` returns.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Output kept from a program, at most.
const MAX_OUTPUT: usize = 16 << 20;
/// The default address-space limit of one external program, MiB. Measured on Debian's ffmpeg
/// 5.1 with two threads (docs/indexer.md): its shared libraries alone map about 250 MiB; a 4K
/// 10-bit HEVC to 720p transcode needs 850 MiB (390 MiB resident), an 8K one 1200 MiB.
pub const DEFAULT_MEMORY_MIB: u64 = 1536;
/// Niceness of programs run for background work.
const BACKGROUND_NICE: i32 = 10;

#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error("{0} is not installed")]
    NotFound(String),
    #[error("{program} took longer than {secs} s and was stopped")]
    Timeout { program: String, secs: u64 },
    #[error("{program} needed more than its memory limit of {limit_mib} MiB and was stopped")]
    OutOfMemory { program: String, limit_mib: u64 },
    #[error("{program} was stopped: its job was cancelled")]
    Cancelled { program: String },
    #[error("{program} failed: {message}")]
    Failed { program: String, message: String },
    #[error("cannot run {program}: {source}")]
    Io {
        program: String,
        source: std::io::Error,
    },
}

/// Asks running programs to stop: set when the job that started them is dropped (a server
/// shutting down must not wait for an hour-long transcode).
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// A guard that cancels when dropped, to hold in the async task that waits for the program.
    pub fn on_drop(&self) -> CancelOnDrop {
        CancelOnDrop(self.clone())
    }
}

pub struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// What a program may use besides time.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    /// Address space (`RLIMIT_AS`), bytes. Virtual, not resident: it counts every mapped
    /// library and thread stack, so it must be well above what the program really touches.
    pub memory: Option<u64>,
    /// Run at a lower CPU priority, so that background work leaves the server responsive.
    pub background: bool,
    pub cancel: Option<Cancel>,
}

impl Limits {
    pub fn with_memory_mib(mib: u64) -> Self {
        Self {
            memory: (mib > 0).then_some(mib.saturating_mul(1 << 20)),
            ..Self::default()
        }
    }
}

/// An error message with the file's full path replaced by its name, so that a client never
/// learns where the library lives.
pub fn redact(message: &str, path: &std::path::Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    message.replace(path.to_string_lossy().as_ref(), &name)
}

/// Runs `program args…`, returning its standard output.
pub fn run(
    program: &str,
    args: &[&std::ffi::OsStr],
    timeout: Duration,
    limits: &Limits,
) -> Result<Vec<u8>, ProcessError> {
    let mut child = command(program, limits)?
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => ProcessError::NotFound(program.to_owned()),
            _ => ProcessError::Io {
                program: program.to_owned(),
                source,
            },
        })?;
    if let Err(source) = confine(&child, limits) {
        stop(&mut child);
        return Err(ProcessError::Io {
            program: program.to_owned(),
            source,
        });
    }
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out_reader = std::thread::spawn(move || read_bounded(stdout.as_mut()));
    let (err_tx, err_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = err_tx.send(read_bounded(stderr.as_mut()));
    });
    let started = Instant::now();
    let out_of_memory = |err: &[u8]| {
        limits
            .memory
            .filter(|_| mentions_memory_exhaustion(err))
            .map(|bytes| ProcessError::OutOfMemory {
                program: program.to_owned(),
                limit_mib: bytes >> 20,
            })
    };
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if limits.cancel.as_ref().is_some_and(Cancel::is_cancelled) => {
                stop(&mut child);
                return Err(ProcessError::Cancelled {
                    program: program.to_owned(),
                });
            }
            Ok(None) if started.elapsed() >= timeout => {
                stop(&mut child);
                // The pipes closed with the program, so the readers end now (unless it left a
                // child holding them). A decoder that failed an allocation may hang instead of
                // exiting: say so rather than "slow".
                let err = err_rx
                    .recv_timeout(Duration::from_secs(2))
                    .unwrap_or_default();
                return Err(out_of_memory(&err).unwrap_or(ProcessError::Timeout {
                    program: program.to_owned(),
                    secs: timeout.as_secs(),
                }));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(source) => {
                stop(&mut child);
                return Err(ProcessError::Io {
                    program: program.to_owned(),
                    source,
                });
            }
        }
    };
    let out = out_reader.join().unwrap_or_default();
    let err = err_rx.recv().unwrap_or_default();
    if status.success() {
        Ok(out)
    } else if let Some(oom) = out_of_memory(&err) {
        Err(oom)
    } else {
        Err(ProcessError::Failed {
            program: program.to_owned(),
            message: format!("{status}: {}", last_message(&err)),
        })
    }
}

/// The command that starts `program` within `limits.memory`. The limit must hold from the first
/// instruction, before the program has mapped its libraries or opened the file; without `unsafe`
/// (which a `pre_exec` hook needs, and the workspace forbids) the way to set it in the child
/// before `exec` is the shell's `ulimit`, which then `exec`s the program in its own place: the
/// pid, the pipes and a kill reach the program itself. (Setting it with `prlimit` after `spawn`
/// races the dynamic loader: measured, some runs got half their libraries mapped first.)
///
/// With a [launcher](set_launcher) (the server's own binary), the command starts the launcher,
/// which asks the kernel to kill it when the server dies and then `exec`s the rest in its own
/// place ([`exec_child`]): the program dies with the server however the server ends.
fn command(program: &str, limits: &Limits) -> Result<Command, ProcessError> {
    let launcher = LAUNCHER.get();
    if limits.memory.is_none() && launcher.is_none() {
        return Ok(Command::new(program));
    }
    let path = find_program(program).ok_or_else(|| ProcessError::NotFound(program.to_owned()))?;
    let mut words: Vec<std::ffi::OsString> = Vec::new();
    if let Some(bytes) = limits.memory {
        let kib = own_hard_limit().map_or(bytes, |hard| hard.min(bytes)) >> 10;
        // No core dumps either, from a program that crashes on a bad file.
        let script =
            format!("ulimit -c 0 2>/dev/null; ulimit -v {kib} || exit 125; exec \"$0\" \"$@\"");
        words.extend(["/bin/sh".into(), "-c".into(), script.into()]);
    }
    words.push(path.into_os_string());
    let command = match launcher {
        Some(launcher) => {
            let mut c = Command::new(&launcher.program);
            c.args(&launcher.args)
                .arg(std::process::id().to_string())
                .arg("--");
            c.args(&words);
            c
        }
        None => {
            let mut c = Command::new(&words[0]);
            c.args(&words[1..]);
            c
        }
    };
    Ok(command)
}

/// How the server's own binary is started to launch a program: the binary, and the arguments
/// before the server's pid (`child-launcher --parent`).
#[derive(Debug)]
pub struct Launcher {
    pub program: std::path::PathBuf,
    pub args: Vec<std::ffi::OsString>,
}

static LAUNCHER: std::sync::OnceLock<Launcher> = std::sync::OnceLock::new();

/// From now on every program is started through `launcher` (see [`command`]); the first call
/// wins. The `shoebox` binary sets it at start (docs/indexer.md "Programs die with the
/// server"); without it (tests of this crate) programs are started directly.
pub fn set_launcher(launcher: Launcher) {
    let _ = LAUNCHER.set(launcher);
}

/// The launcher's side, in the child: asks the kernel for SIGKILL when the thread that spawned
/// it ends (the server's thread waiting in [`run`], which lives as long as the program unless
/// the server dies), checks that `parent` did not die before that, and `exec`s `command`
/// (program and arguments) in its own place, which keeps the request: the program, and the
/// `sh` that sets its limits before it, die with the server. Returns only on failure.
pub fn exec_child(parent: u32, command: &[std::ffi::OsString]) -> std::process::ExitCode {
    use std::os::unix::process::CommandExt;
    let Some((program, args)) = command.split_first() else {
        eprintln!("shoebox child-launcher: no program to run");
        return std::process::ExitCode::from(127);
    };
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{Signal, getppid, set_parent_process_death_signal};
        if let Err(e) = set_parent_process_death_signal(Some(Signal::KILL)) {
            eprintln!("shoebox child-launcher: cannot ask to die with the server: {e}");
            return std::process::ExitCode::from(126);
        }
        // The server may have died before the request was made: then nobody waits for this.
        if getppid().map(|p| p.as_raw_pid() as u32) != Some(parent) {
            return std::process::ExitCode::from(126);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = parent;
    let e = Command::new(program).args(args).exec();
    eprintln!(
        "shoebox child-launcher: cannot run {}: {e}",
        program.to_string_lossy()
    );
    std::process::ExitCode::from(127)
}

/// `program` as `PATH` finds it (an executable file), or as given when it is a path.
fn find_program(program: &str) -> Option<std::path::PathBuf> {
    let executable = |p: &std::path::Path| {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        }
        #[cfg(not(unix))]
        {
            p.is_file()
        }
    };
    if program.contains('/') {
        let path = std::path::PathBuf::from(program);
        return executable(&path).then_some(path);
    }
    let dirs = std::env::var_os("PATH")?;
    std::env::split_paths(&dirs)
        .map(|dir| dir.join(program))
        .find(|p| executable(p))
}

/// Our own hard address-space limit, which a child cannot be given more than.
#[cfg(target_os = "linux")]
fn own_hard_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::As).maximum
}

#[cfg(not(target_os = "linux"))]
fn own_hard_limit() -> Option<u64> {
    None
}

/// Kills and reaps a child, so that no zombie is left behind.
fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Lowers the priority of a child doing background work. It is set from outside, right after
/// `spawn`: the threads the program starts later inherit it from its main thread.
#[cfg(target_os = "linux")]
fn confine(child: &Child, limits: &Limits) -> std::io::Result<()> {
    use rustix::process::{Pid, setpriority_process};
    if limits.background {
        match setpriority_process(Some(Pid::from_child(child)), BACKGROUND_NICE) {
            // A program that exits at once (`echo`) is gone before it can be reniced.
            Ok(()) | Err(rustix::io::Errno::SRCH) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn confine(_: &Child, _: &Limits) -> std::io::Result<()> {
    Ok(())
}

/// Whether a program's error output says it could not get memory: the C library, ffmpeg and its
/// codecs, the dynamic loader, C++ and Python each say it their own way.
fn mentions_memory_exhaustion(stderr: &[u8]) -> bool {
    const SIGNS: &[&str] = &[
        "cannot allocate memory",
        "out of memory",
        "memory exhausted",
        "failed to allocate",
        "bad_alloc",
        "memoryerror",
        "cannot map",
        "failed to map segment",
        "pthread_create failed",
    ];
    let text = String::from_utf8_lossy(stderr).to_lowercase();
    SIGNS.iter().any(|s| text.contains(s)) || (text.contains("malloc") && text.contains("failed"))
}

/// The line of a program's error output that says what went wrong: the last one, leaving out
/// ffmpeg's "Last message repeated" and the addresses in its `[hevc @ 0x55…]` prefixes.
fn last_message(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("Last message repeated"))
        .unwrap_or("no message");
    let line = match line.strip_prefix('[').and_then(|l| l.split_once("] ")) {
        Some((context, rest)) => match context.split_once(" @ ") {
            Some((name, _)) => format!("{name}: {rest}"),
            None => line.to_owned(),
        },
        None => line.to_owned(),
    };
    match line.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

fn read_bounded(stream: Option<&mut impl Read>) -> Vec<u8> {
    let mut buf = Vec::new();
    if let Some(stream) = stream {
        let _ = stream.take(MAX_OUTPUT as u64).read_to_end(&mut buf);
        // Keep draining so the program never blocks on a full pipe.
        let _ = std::io::copy(stream, &mut std::io::sink());
    }
    buf
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    fn os(args: &[&'static str]) -> Vec<&'static OsStr> {
        args.iter().map(|a| OsStr::new(*a)).collect()
    }

    #[test]
    fn timeouts_failures_and_missing_programs() {
        let none = Limits::default();
        assert!(matches!(
            run("sleep", &os(&["5"]), Duration::from_millis(200), &none),
            Err(ProcessError::Timeout { .. })
        ));
        assert!(matches!(
            run("false", &[], Duration::from_secs(5), &none),
            Err(ProcessError::Failed { .. })
        ));
        for limits in [&none, &Limits::with_memory_mib(512)] {
            assert!(matches!(
                run("no-such-program-xyz", &[], Duration::from_secs(5), limits),
                Err(ProcessError::NotFound(_))
            ));
        }
        assert_eq!(
            run("echo", &os(&["hi"]), Duration::from_secs(5), &none).expect("echo"),
            b"hi\n"
        );
    }

    /// Whether a child with this pid is still around (running or a zombie).
    fn exists(pid: &str) -> bool {
        std::path::Path::new("/proc").join(pid).exists()
    }

    #[test]
    fn a_program_stopped_for_time_or_cancelled_is_reaped() {
        for memory in [None, Some(512 << 20)] {
            stopped_and_reaped(Limits {
                memory,
                background: true,
                cancel: None,
            });
        }
    }

    /// Runs a shell that writes its pid and becomes `sleep 30`, stops it with `stop` (given the
    /// pid file, once written), and checks the process is gone.
    fn stopped_and_reaped(limits: Limits) {
        let pid_file = tempfile::NamedTempFile::new().expect("tmp");
        let script = format!("echo $$ > {}; exec sleep 30", pid_file.path().display());
        let args = ["-c", script.as_str()].map(OsStr::new);
        let written = |path: &std::path::Path| {
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                let pid = std::fs::read_to_string(path).unwrap_or_default();
                if pid.ends_with('\n') {
                    return pid.trim().to_owned();
                }
                assert!(Instant::now() < deadline, "the shell never started");
                std::thread::sleep(Duration::from_millis(10));
            }
        };

        // A timeout long enough for the shell to start on a loaded machine.
        let err = run("sh", &args, Duration::from_secs(3), &limits);
        assert!(matches!(err, Err(ProcessError::Timeout { .. })), "{err:?}");
        let pid = written(pid_file.path());
        assert!(!exists(&pid), "the timed-out child {pid} is gone");

        std::fs::write(pid_file.path(), "").expect("reset");
        let cancel = Cancel::default();
        let limits = Limits {
            cancel: Some(cancel.clone()),
            ..limits
        };
        let path = pid_file.path().to_owned();
        let stopper = std::thread::spawn(move || {
            let pid = written(&path);
            drop(cancel.on_drop());
            pid
        });
        let started = Instant::now();
        let err = run("sh", &args, Duration::from_secs(60), &limits);
        let pid = stopper.join().expect("join");
        assert!(
            matches!(err, Err(ProcessError::Cancelled { .. })),
            "{err:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(30));
        assert!(!exists(&pid), "the cancelled child {pid} is gone");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_program_allocating_past_the_limit_is_stopped_with_a_clear_error() {
        let limits = Limits::with_memory_mib(256);
        // 1 GiB at once, well past 256 MiB of address space.
        let hog = os(&["-c", "b = bytearray(1 << 30); print(len(b))"]);
        let err = run("python3", &hog, Duration::from_secs(30), &limits)
            .expect_err("the allocation must fail");
        assert!(
            matches!(err, ProcessError::OutOfMemory { limit_mib: 256, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("memory limit of 256 MiB"), "{err}");
        // The same program within bounds runs, and without a limit the allocation succeeds.
        let small = os(&["-c", "b = bytearray(1 << 20); print(len(b))"]);
        assert_eq!(
            run("python3", &small, Duration::from_secs(30), &limits).expect("1 MiB"),
            b"1048576\n"
        );
        assert_eq!(
            run("python3", &hog, Duration::from_secs(30), &Limits::default()).expect("1 GiB"),
            b"1073741824\n"
        );
        // ffmpeg below the memory its libraries alone map cannot even start.
        let err = run(
            "ffmpeg",
            &os(&["-version"]),
            Duration::from_secs(30),
            &Limits::with_memory_mib(32),
        )
        .expect_err("ffmpeg cannot load");
        assert!(
            matches!(err, ProcessError::OutOfMemory { limit_mib: 32, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn messages_lose_ffmpeg_noise() {
        let err = b"[hevc @ 0x55d0c1] Invalid NAL unit size (7 > 5).\n\
            Error while decoding stream #0:0: Invalid data found when processing input\n\
            \x20   Last message repeated 1 times\n";
        assert_eq!(
            last_message(err),
            "Error while decoding stream #0:0: Invalid data found when processing input"
        );
        assert_eq!(
            last_message(b"[hevc @ 0x55d0c1] Invalid NAL unit size (7 > 5).\n"),
            "hevc: Invalid NAL unit size (7 > 5)."
        );
        assert_eq!(last_message(b""), "no message");
        assert!(mentions_memory_exhaustion(
            b"x264 [error]: malloc of size 3325760 failed\n"
        ));
        assert!(!mentions_memory_exhaustion(b"moov atom not found"));
    }
}
