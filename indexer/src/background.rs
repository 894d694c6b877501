//! The threads the index jobs run on. They run at a lower CPU priority (nice 10) than the
//! server's own threads, so thumbnails of a thousand photos being uploaded do not slow the
//! uploads (or browsing) down: on a two-core NAS the job threads would otherwise take half the
//! machine from the requests. Programs they start (ffmpeg, ffprobe) inherit the priority.
//!
//! A fixed pool, one thread per indexer worker, fed through a channel; [`run`] hands a closure
//! over and awaits its result. Requests that need an answer at once (an upload's date probe) do
//! not come here.
//!
//! At shutdown, [`stop`] lets the jobs running finish (a cancelled ffmpeg is killed and reaped
//! within milliseconds) for a bounded time and starts no queued one; a job cut off stays claimed in
//! the queue and is released at the next start.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::{Duration, Instant};

/// Niceness of the job threads.
const NICE: i32 = 10;

type Task = Box<dyn FnOnce() + Send + 'static>;

struct Pool {
    send: Mutex<mpsc::Sender<Task>>,
}

static POOL: OnceLock<Pool> = OnceLock::new();
/// Tasks running on a job thread now.
static RUNNING: AtomicUsize = AtomicUsize::new(0);
/// Set by [`stop`]: queued tasks are dropped instead of run.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Starts the pool with `threads` threads (the first call wins; later calls do nothing).
pub fn start(threads: usize) {
    POOL.get_or_init(|| spawn(threads.max(1)));
}

fn spawn(threads: usize) -> Pool {
    let (send, recv) = mpsc::channel::<Task>();
    let recv = Arc::new(Mutex::new(recv));
    for n in 0..threads {
        let recv = recv.clone();
        let started = std::thread::Builder::new()
            .name(format!("shoebox-job-{n}"))
            .spawn(move || {
                // Linux: nice is per thread, and this thread's children inherit it.
                if let Err(e) = rustix::process::setpriority_process(None, NICE) {
                    tracing::debug!("job thread keeps its priority: {e}");
                }
                loop {
                    let task = match recv.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    match task {
                        Ok(_) if STOPPING.load(Ordering::SeqCst) => {}
                        Ok(task) => {
                            RUNNING.fetch_add(1, Ordering::SeqCst);
                            // `run` catches panics, so the count always comes down.
                            task();
                            RUNNING.fetch_sub(1, Ordering::SeqCst);
                        }
                        Err(_) => return,
                    }
                }
            });
        if let Err(e) = started {
            tracing::error!("cannot start a job thread: {e}");
        }
    }
    Pool {
        send: Mutex::new(send),
    }
}

/// Runs `f` on a job thread and returns its result; a panic in `f` is an error. Without a
/// started pool (a tool or a test that never called [`start`]), the pool starts with two
/// threads.
pub async fn run<T, F>(f: F) -> anyhow::Result<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let pool = POOL.get_or_init(|| spawn(2));
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task: Task = Box::new(move || {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let _ = tx.send(out);
    });
    pool.send
        .lock()
        .map_err(|_| anyhow::anyhow!("the job threads are gone"))?
        .send(task)
        .map_err(|_| anyhow::anyhow!("the job threads are gone"))?;
    match rx.await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(_)) => Err(anyhow::anyhow!("a job panicked")),
        Err(_) => Err(anyhow::anyhow!("the job threads are gone")),
    }
}

/// Starts no more tasks and waits up to `limit` for the running ones to end; false when some
/// were still running then.
pub fn stop(limit: Duration) -> bool {
    STOPPING.store(true, Ordering::SeqCst);
    let until = Instant::now() + limit;
    while RUNNING.load(Ordering::SeqCst) > 0 {
        if Instant::now() >= until {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    true
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn jobs_run_niced_and_panics_are_errors() {
        super::start(2);
        let nice = super::run(|| rustix::process::getpriority_process(None))
            .await
            .expect("ran")
            .expect("getpriority");
        assert_eq!(nice, super::NICE);
        assert!(super::run(|| panic!("boom")).await.is_err());
        assert_eq!(super::run(|| 41 + 1).await.expect("ran"), 42);
    }
}
