//! The `shoebox` binary.

use clap::Parser;
use shoebox_server::cli::{Cli, Command};
use tracing_subscriber::EnvFilter;

// mimalloc: a request allocates dozens of small strings and maps; glibc's allocator spent a
// tenth of the thumbnail path in malloc/free and fragments over time on a long-running server.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Command::RecognitionWorker(args) = &cli.command {
        // The server's child: no configuration, no runtime, its log on standard error.
        tracing_subscriber::fmt()
            .with_env_filter(
                EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
            )
            .with_writer(std::io::stderr)
            .init();
        return shoebox_indexer::recognition::worker::serve(args.options());
    }
    if let Command::ChildLauncher(args) = &cli.command {
        return shoebox_indexer::process::exec_child(args.parent, &args.command);
    }
    // ffmpeg and ffprobe are started through this binary, so that they die with the server.
    if let Some(program) = shoebox_indexer::recognition::worker::this_program() {
        shoebox_indexer::process::set_launcher(shoebox_indexer::process::Launcher {
            program,
            args: shoebox_server::cli::CHILD_LAUNCHER
                .iter()
                .map(std::ffi::OsString::from)
                .collect(),
        });
    }
    let config = match cli.config() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("shoebox: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&config.log))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("shoebox: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match &cli.command {
            Command::Serve(_) => shoebox_server::app::serve(config).await,
            Command::Index(args) => shoebox_server::index_command::run(&config, args.json).await,
            Command::User(command) => shoebox_server::cli::run_user(&config, command).await,
            Command::Group(command) => shoebox_server::cli::run_group(&config, command).await,
            Command::SharedSpace { state } => {
                shoebox_server::cli::run_shared_space(&config, state == "on").await
            }
            // Answered before the configuration was read.
            Command::RecognitionWorker(_) | Command::ChildLauncher(_) => Ok(()),
        }
    });
    // Bounded, so a stop never hangs: blocking tasks (a library walk, a key being made) get a
    // second, and job threads two more to finish what they run (dropping the tasks above has
    // cancelled their programs). The service manager's wait (DSM, systemd) is 10 s or more.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    if !shoebox_indexer::background::stop(std::time::Duration::from_secs(2)) {
        tracing::warn!("index jobs still running at exit; they run again at the next start");
    }
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("shoebox: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
