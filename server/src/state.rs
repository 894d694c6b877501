//! The state every handler shares: settings, database, library layout, API discovery and the
//! sign-in machinery. Built once per server; tests run many servers side by side.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use shoebox_catalog::db::SqlitePool;
use shoebox_indexer::library::Library;

use crate::config::Config;
use crate::login_crypto::LoginKey;
use crate::protocol::discovery::Discovery;
use crate::throttle::LoginThrottle;

pub struct Inner {
    pub config: Config,
    pub db: SqlitePool,
    pub library: Library,
    /// The served APIs as `SYNO.API.Info` reports them (the table, with its handlers, is the
    /// router's: [`crate::app::router`]).
    pub discovery: Discovery,
    pub indexer: std::sync::Arc<shoebox_indexer::indexer::Indexer>,
    pub throttle: LoginThrottle,
    pub login_key: LoginKey,
    /// The `_SSID` cookie value handed out by `SYNO.API.Auth.UIConfig`.
    pub ssid: String,
    pub started: Instant,
    /// Told when a space may have appeared (a first sign-in made a Personal Space folder).
    pub spaces_changed: Arc<tokio::sync::Notify>,
    /// Sessions and reaches thumbnail requests trust for a moment.
    pub recent: crate::services::recent::Recent,
    /// The thumbnail path's own read of an item (shoebox_catalog::thumb_reader).
    pub thumb_reader: shoebox_catalog::thumb_reader::ThumbReader,
    /// Uploads each client address is sending now (`limits.spools_per_address`).
    pub spools: crate::spools::SpoolSlots,
    /// Bytes of uploads in flight, counted against their owners' quotas.
    pub quotas: crate::inflight::Quotas,
}

/// Cheap to clone; derefs to [`Inner`].
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(config: Config, db: SqlitePool, discovery: Discovery) -> Self {
        let library = Library::new(config.photo_root(), config.homes_root());
        let throttle = LoginThrottle::new(config.login_guard.clone());
        let indexer = crate::index_command::indexer_for(&config, db.clone());
        Self(Arc::new(Inner {
            indexer,
            library,
            throttle,
            db,
            discovery,
            login_key: LoginKey::default(),
            ssid: random_token(32),
            started: Instant::now(),
            spaces_changed: Arc::new(tokio::sync::Notify::new()),
            recent: crate::services::recent::Recent::default(),
            thumb_reader: shoebox_catalog::thumb_reader::ThumbReader::new(&config.database_path()),
            spools: crate::spools::SpoolSlots::new(config.limits.spools_per_address),
            quotas: crate::inflight::Quotas::default(),
            config,
        }))
    }

    pub fn session_idle_secs(&self) -> i64 {
        i64::from(self.config.sessions.idle_days) * 86_400
    }
}

/// `bytes` random bytes, base64url without padding: sids, tokens, device ids.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}
