//! Every external program (ffprobe, ffmpeg) runs through here: with a timeout, with its output
//! bounded, and failing with a typed error. A bad file fails its job, never the process.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Output kept from a program, at most.
const MAX_OUTPUT: usize = 16 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error("{0} is not installed")]
    NotFound(String),
    #[error("{program} took longer than {secs} s and was stopped")]
    Timeout { program: String, secs: u64 },
    #[error("{program} failed: {message}")]
    Failed { program: String, message: String },
    #[error("cannot run {program}: {source}")]
    Io {
        program: String,
        source: std::io::Error,
    },
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
) -> Result<Vec<u8>, ProcessError> {
    let mut child = Command::new(program)
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
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out_reader = std::thread::spawn(move || read_bounded(stdout.as_mut()));
    let err_reader = std::thread::spawn(move || read_bounded(stderr.as_mut()));
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ProcessError::Timeout {
                    program: program.to_owned(),
                    secs: timeout.as_secs(),
                });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(source) => {
                return Err(ProcessError::Io {
                    program: program.to_owned(),
                    source,
                });
            }
        }
    };
    let out = out_reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    if status.success() {
        Ok(out)
    } else {
        let message = String::from_utf8_lossy(&err);
        let message = message
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message")
            .trim();
        Err(ProcessError::Failed {
            program: program.to_owned(),
            message: format!("{status}: {message}"),
        })
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

    #[test]
    fn timeouts_failures_and_missing_programs() {
        let secs = |s: &str| std::ffi::OsString::from(s);
        let sleep = [secs("5")];
        let args: Vec<&std::ffi::OsStr> = sleep.iter().map(|s| s.as_os_str()).collect();
        assert!(matches!(
            run("sleep", &args, Duration::from_millis(200)),
            Err(ProcessError::Timeout { .. })
        ));
        assert!(matches!(
            run("false", &[], Duration::from_secs(5)),
            Err(ProcessError::Failed { .. })
        ));
        assert!(matches!(
            run("no-such-program-xyz", &[], Duration::from_secs(5)),
            Err(ProcessError::NotFound(_))
        ));
        let echo = [secs("hi")];
        let args: Vec<&std::ffi::OsStr> = echo.iter().map(|s| s.as_os_str()).collect();
        assert_eq!(
            run("echo", &args, Duration::from_secs(5)).expect("echo"),
            b"hi\n"
        );
    }
}
