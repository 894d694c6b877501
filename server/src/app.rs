//! Builds the HTTP router and runs the server until SIGTERM or Ctrl-C.

use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::any;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::connections::ConnectionCap;
use crate::protocol::dispatch;
use crate::protocol::table::ApiTable;
use crate::state::AppState;
use crate::web;
use shoebox_catalog::{sessions, users};

/// The whole HTTP surface: the web API under `/webapi` and `/photo/webapi`, the portal elsewhere.
pub fn router(state: AppState, apis: std::sync::Arc<ApiTable>) -> Router {
    let webapi = Router::new()
        .route("/{cgi}", any(dispatch::cgi))
        .route("/entry.cgi/{api}", any(dispatch::entry_with_api));
    let rest = Router::new().route(
        "/synofoto/api/v2/{space}/Thumbnail/get",
        axum::routing::get(dispatch::rest_thumbnail),
    );
    Router::new()
        .nest("/webapi", webapi.clone())
        .nest("/photo/webapi", webapi)
        .merge(rest.clone())
        .nest("/photo", rest)
        .merge(web::router())
        .with_state(state)
        // The table of served APIs, with their handlers: dispatch's own, outside the state.
        .layer(axum::Extension(apis))
        // Bodies are bounded by `api::params` against the configured limits instead.
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn(require_host))
        .layer(TraceLayer::new_for_http())
}

/// RFC 9112 §3.2: an HTTP/1.1 request without `Host`, any request with more than one, or
/// one whose `Host` is not a host and port, is answered 400. HTTP/1.0 may go without.
async fn require_host(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{StatusCode, Version, header};
    use axum::response::IntoResponse;
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let valid = match (hosts.next(), hosts.next()) {
        (None, _) => request.version() < Version::HTTP_11,
        (Some(host), None) => {
            host.is_empty()
                || (!host.as_bytes().contains(&b'@')
                    && axum::http::uri::Authority::try_from(host.as_bytes()).is_ok())
        }
        (Some(_), Some(_)) => false,
    };
    if valid {
        next.run(request).await
    } else {
        (
            StatusCode::BAD_REQUEST,
            "a request needs exactly one valid Host header\n",
        )
            .into_response()
    }
}

/// Opens the data folder and serves until told to stop.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let addr = config.listen_addr()?;
    std::fs::create_dir_all(&config.data)
        .with_context(|| format!("cannot create the data folder {}", config.data.display()))?;
    let db = shoebox_catalog::db::open(&config.database_path()).await?;
    let apis = std::sync::Arc::new(crate::api::table::build());
    let state = AppState::new(config, db, apis.discovery());
    state
        .library
        .ensure_roots()
        .context("cannot create the library folders")?;
    // What interrupted uploads left (a killed server's spool and staging files), before any
    // request; then now and then.
    let leftovers = crate::inflight::Leftovers {
        db: state.db.clone(),
        library: state.library.clone(),
        data: state.config.data.clone(),
        spool: state.config.spool_dir(),
    };
    crate::inflight::clean_at_start(&leftovers).await;
    tokio::spawn(crate::inflight::sweep_now_and_then(leftovers));
    let purged = sessions::purge_expired(&state.db).await?;
    tracing::debug!(purged, "expired sessions removed");
    if users::count(&state.db).await? == 0 {
        tracing::warn!(
            "no user exists yet. Create the first admin with:\n    \
             shoebox user add admin --admin --password-stdin --data {}\n\
             then type the password and press Enter (or pipe it in).",
            shell_quote(&state.config.data.display().to_string()),
        );
    }
    // The indexer: workers for the life of the server, watches on every space, and full
    // rescans at start and now and then (for what watches cannot see, such as network mounts).
    let indexer = state.indexer.clone();
    indexer.spawn_workers();
    tokio::spawn(keep_library_indexed(
        indexer,
        state.config.indexer.clone(),
        state.spaces_changed.clone(),
    ));
    // Make the sign-in key now, in the background, so the first sign-in does not wait for it.
    let key_state = state.clone();
    tokio::spawn(async move {
        if let Err(e) = key_state.login_key.get(&key_state.config.keys_dir()).await {
            tracing::error!("{e}");
        }
    });
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    tracing::info!(
        data = %state.config.data.display(),
        shared_space = %state.library.shared_root().display(),
        "Shoebox {} listening on http://{local}",
        env!("CARGO_PKG_VERSION"),
    );
    let db = state.db.clone();
    let stopping = std::sync::Arc::new(tokio::sync::Notify::new());
    let told = stopping.clone();
    let header_timeout = Duration::from_secs(state.config.limits.header_timeout_secs);
    let cap = ConnectionCap::new(
        state.config.limits.connections_per_address,
        state.config.trusted_proxies.clone(),
    );
    let server = serve_connections(
        listener,
        router(state, apis),
        header_timeout,
        cap,
        async move {
            shutdown_signal().await;
            told.notify_one();
        },
    );
    // Requests still running when the signal comes get a few seconds to finish; an upload or a
    // download that takes longer is cut, so a stop (DSM, systemd) never waits on a client.
    let drained = async {
        stopping.notified().await;
        tokio::time::sleep(DRAIN).await;
    };
    tokio::select! {
        () = server => {},
        () = drained => {
            let secs = DRAIN.as_secs();
            tracing::warn!("requests still running {secs} s after the stop signal were cut");
        }
    }
    // Jobs in flight are checkpointed by the queue itself: their rows stay claimed and are
    // released at the next start (jobs::release_orphans). Closing the pool checkpoints the WAL.
    if tokio::time::timeout(CLOSE_DB, db.close()).await.is_err() {
        tracing::warn!(
            "the database was still busy {} s after the stop signal",
            CLOSE_DB.as_secs()
        );
    }
    tracing::info!("stopped");
    Ok(())
}

/// Serves the connections `listener` accepts until `shutdown` completes, then lets those open
/// finish their requests. A client must send each request's headers within `header_timeout`
/// (hyper's timer), and a new connection must begin its first request within it (checked
/// here as well): a client that connects and says nothing, or half a request ("slow loris"),
/// is closed. Hyper's timer runs from when it begins to wait for a request's headers until it
/// has them all, however slowly they trickle in, and also between the requests of a kept-alive
/// connection. An address holding all the connections `cap` allows has the next one answered
/// 503 and closed at once, before any of it is read. Request bodies are bounded as they are
/// read (`api::params`); answers, however long, are not.
async fn serve_connections(
    listener: tokio::net::TcpListener,
    router: Router,
    header_timeout: Duration,
    cap: ConnectionCap,
    shutdown: impl std::future::Future<Output = ()>,
) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use axum::extract::ConnectInfo;
    use hyper_util::rt::{TokioIo, TokioTimer};

    // HTTP/1.1 only, as before (DSM's clients speak nothing else over plain HTTP).
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    // Each connection holds a receiver: told to finish when the server stops, and the server
    // is done once they are all gone.
    let (stop, stopped) = tokio::sync::watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::debug!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(admitted) = cap.admit(peer.ip()) else {
            tracing::debug!(%peer, "too many connections from this address; refused");
            // Written only if the socket takes it at once; nothing of the request is read.
            let _ = stream.try_write(REFUSED);
            drop(stream);
            continue;
        };
        let begun = Arc::new(AtomicBool::new(false));
        let service = {
            let begun = begun.clone();
            let router = router.clone();
            hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                begun.store(true, Ordering::Relaxed);
                request.extensions_mut().insert(ConnectInfo(peer));
                tower::ServiceExt::oneshot(router.clone(), request)
            })
        };
        let builder = builder.clone();
        let mut told = stopped.clone();
        tokio::spawn(async move {
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            let mut first = std::pin::pin!(tokio::time::sleep(header_timeout));
            let (mut awaiting_first, mut stopping) = (true, false);
            loop {
                tokio::select! {
                    served = connection.as_mut() => {
                        if let Err(e) = served {
                            tracing::trace!(%peer, "connection ended: {e}");
                        }
                        break;
                    }
                    () = &mut first, if awaiting_first => {
                        awaiting_first = false;
                        if !begun.load(Ordering::Relaxed) {
                            tracing::debug!(%peer, "no request within the header timeout; closed");
                            break;
                        }
                    }
                    _ = told.changed(), if !stopping => {
                        stopping = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
            drop(told);
            drop(admitted);
        });
    }
    drop(listener);
    drop(stopped);
    let _ = stop.send(());
    stop.closed().await;
}

/// The answer to a connection over `limits.connections_per_address`.
const REFUSED: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\
    Retry-After: 5\r\nContent-Length: 0\r\n\r\n";

/// How long running requests may go on after the stop signal.
const DRAIN: std::time::Duration = std::time::Duration::from_secs(3);
/// How long closing the database may take after that.
const CLOSE_DB: std::time::Duration = std::time::Duration::from_secs(2);

/// Watches the spaces (re-watching when a Personal Space appears) and rescans them fully at
/// start, if configured, and every `rescan_minutes`. Where file watches are off or cannot be set,
/// the spaces are polled every `poll_seconds` instead, and watching is tried again now and then.
async fn keep_library_indexed(
    indexer: std::sync::Arc<shoebox_indexer::indexer::Indexer>,
    settings: crate::config::IndexerSettings,
    spaces_changed: std::sync::Arc<tokio::sync::Notify>,
) {
    use tokio::time::{Duration, Instant};
    const CHECK: Duration = Duration::from_secs(30);
    const RETRY_WATCH: Duration = Duration::from_secs(600);
    const RETRY_SCAN: Duration = Duration::from_secs(2);
    let period = Duration::from_secs(settings.rescan_minutes.max(1) * 60);
    let poll = (settings.poll_seconds > 0).then(|| Duration::from_secs(settings.poll_seconds));
    let mut watched: Vec<std::path::PathBuf> = Vec::new();
    let mut watch: Option<shoebox_indexer::watch::WatchHandle> = None;
    let mut next_watch_try = Instant::now();
    let mut told: Option<String> = None;
    let mut first_round = true;
    // New spaces whose first scan failed, tried again at the next round.
    let mut unscanned: Vec<shoebox_indexer::indexer::SpaceRoot> = Vec::new();
    let mut last_full = Instant::now();
    let mut next_full = if settings.scan_on_start {
        last_full
    } else {
        last_full + period
    };
    loop {
        let spaces = indexer.spaces().await.unwrap_or_else(|e| {
            tracing::error!("cannot list the spaces: {e}");
            Vec::new()
        });
        let roots: Vec<std::path::PathBuf> = spaces.iter().map(|s| s.root.clone()).collect();
        let complete = watch
            .as_ref()
            .is_some_and(shoebox_indexer::watch::WatchHandle::is_complete);
        // A space that appeared since the last round (a first sign-in) is scanned once it is
        // watched: files may already be there, and no watch saw them arrive.
        let mut new_spaces: Vec<shoebox_indexer::indexer::SpaceRoot> =
            std::mem::take(&mut unscanned);
        if !first_round {
            new_spaces.extend(
                spaces
                    .iter()
                    .filter(|s| !watched.contains(&s.root))
                    .cloned(),
            );
        }
        first_round = false;
        if settings.watch
            && !roots.is_empty()
            && (roots != watched || (!complete && Instant::now() >= next_watch_try))
        {
            // The new watches are set before the old ones go, so no change falls between them
            // (both may report one; a rescan is idempotent). When the new ones cannot be set,
            // the old ones are kept.
            match shoebox_indexer::watch::spawn(indexer.clone(), spaces) {
                Ok(new) => watch = Some(new),
                Err(e) => tracing::warn!("cannot watch the library: {e}"),
            }
            next_watch_try = Instant::now() + RETRY_WATCH;
        }
        watched = roots;
        for space in new_spaces {
            if let Err(e) = indexer.scan_subtrees(&space, vec!["/".to_owned()]).await {
                tracing::warn!(space = %space.label, "scan failed, trying again shortly: {e:#}");
                unscanned.push(space);
            }
            indexer.wake();
        }
        let watching = watch
            .as_ref()
            .is_some_and(shoebox_indexer::watch::WatchHandle::is_complete);
        let poll = poll.filter(|_| !watching);
        let mode = match (watching, poll) {
            (true, _) => "watching the library for changes".to_owned(),
            (false, Some(every)) => format!(
                "changes are found by polling the library every {} s (file watches are {})",
                every.as_secs(),
                if settings.watch {
                    "unavailable; see fs.inotify.max_user_instances and max_user_watches"
                } else {
                    "off"
                }
            ),
            (false, None) => format!(
                "changes are found only by the full rescan every {} min (file watches are {}, polling is off)",
                period.as_secs() / 60,
                if settings.watch { "unavailable" } else { "off" }
            ),
        };
        if told.as_ref() != Some(&mode) {
            if watching {
                tracing::info!("{mode}");
            } else {
                tracing::warn!("{mode}");
            }
            told = Some(mode);
        }
        let due = poll.map_or(next_full, |every| next_full.min(last_full + every));
        if Instant::now() >= due {
            for (space, report) in indexer.scan_all().await {
                if let Err(e) = report {
                    tracing::error!(space = %space.label, "scan failed: {e:#}");
                }
            }
            last_full = Instant::now();
            if last_full >= next_full {
                next_full = last_full + period;
            }
        }
        let due = poll.map_or(next_full, |every| next_full.min(last_full + every));
        let check = if unscanned.is_empty() {
            CHECK
        } else {
            RETRY_SCAN
        };
        tokio::select! {
            () = tokio::time::sleep_until(due.min(Instant::now() + check)) => {}
            () = spaces_changed.notified() => {}
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("stopping");
}

fn shell_quote(s: &str) -> String {
    if s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
