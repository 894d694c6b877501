//! Settings. Four layers, each overriding the one before: built-in defaults, a TOML file,
//! `SHOEBOX_*` environment variables, command-line flags. `shoebox.example.toml` at the top of
//! the repository documents every key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use shoebox_indexer::indexer::IndexerOptions;
use shoebox_indexer::preview::PreviewMode;

use crate::proxy::TrustedProxies;

/// Every setting, after the layers are merged.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The data folder: database, keys, caches, and by default the photos themselves.
    pub data: PathBuf,
    /// Address and port the HTTP server listens on.
    pub listen: String,
    /// The Shared Space root; `DATA/photo` when unset.
    pub photo_root: Option<PathBuf>,
    /// The folder holding each user's home (`<homes_root>/<user>/Photos`); `DATA/homes` when unset.
    pub homes_root: Option<PathBuf>,
    /// Deleting moves files into the `#recycle` folder of their space root (as DSM's recycle
    /// bin), from which a file manager can restore them; off deletes them for good.
    pub recycle_bin: bool,
    /// Serve the portal from this folder instead of the copy built into the binary: for working
    /// on `web/` without rebuilding. Unset (the default) serves the built-in copy.
    pub web_dir: Option<PathBuf>,
    /// Log filter in `RUST_LOG` syntax; `RUST_LOG` itself wins when set.
    pub log: String,
    /// Reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed
    /// ([`crate::proxy`]); none by default.
    pub trusted_proxies: TrustedProxies,
    pub sessions: SessionSettings,
    pub login_guard: LoginGuard,
    pub limits: Limits,
    pub indexer: IndexerSettings,
    pub recognition: RecognitionSettings,
}

/// People and Subjects (docs/recognition.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecognitionSettings {
    /// Find faces and group them into people.
    pub faces: bool,
    /// Find subjects (dogs, beaches, food…).
    pub subjects: bool,
    /// Also look for small faces (a group photo's back row): four times the work per photo.
    pub thorough: bool,
    /// The folder `ml/setup` filled with the models; `DATA/models` when unset.
    pub models_dir: Option<PathBuf>,
    /// Seconds without a photo to recognise after which the models' process ends and gives
    /// its memory back (loading them again takes a second or two).
    pub idle_seconds: u64,
}

/// The background indexer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexerSettings {
    /// Worker threads for metadata and thumbnails; 0 means one per CPU core.
    pub workers: usize,
    /// Scan the library when the server starts.
    pub scan_on_start: bool,
    /// Rescan the whole library this often, in minutes, for changes no watch reports (network
    /// mounts, a full watch table).
    pub rescan_minutes: u64,
    /// Follow changes through the system's file watches (inotify). Off, or when a watch cannot
    /// be set (watch limits, network mounts), the library is polled instead.
    pub watch: bool,
    /// Without working file watches, rescan the library this often, in seconds; 0 never polls.
    pub poll_seconds: u64,
    /// H.264 previews of videos browsers cannot play (HEVC and older codecs): made by a
    /// low-priority job after thumbnails (`background`), when first asked for (`on_demand`), or
    /// never (`off`).
    pub video_previews: PreviewMode,
    /// Address-space limit of each ffmpeg/ffprobe run, MiB; 0 means none.
    pub tool_memory_mib: u64,
}

impl IndexerSettings {
    /// The indexer's options.
    pub fn options(&self) -> IndexerOptions {
        IndexerOptions {
            workers: self.worker_count(),
            video_previews: self.video_previews,
            tool_memory_mib: self.tool_memory_mib,
            recognition: None,
        }
    }

    /// The worker count, with 0 resolved to the number of cores.
    pub fn worker_count(&self) -> usize {
        if self.workers > 0 {
            self.workers
        } else {
            std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
        }
    }
}

/// How long a sign-in lasts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionSettings {
    /// A session unused for this many days ends.
    pub idle_days: u32,
}

/// DSM-style auto-block of addresses that keep failing to sign in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginGuard {
    /// Failed sign-ins from one address, within `window_secs`, that get it blocked.
    pub max_failures: u32,
    /// The window failures are counted in.
    pub window_secs: u64,
    /// How long a blocked address stays blocked.
    pub block_secs: u64,
    /// After this many failures, each further failed answer is slowed down.
    pub slow_after: u32,
    /// Added delay per failure past `slow_after`, in milliseconds (capped at 3 s).
    pub slow_step_ms: u64,
}

/// Request size limits.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Largest request body that is not a file upload (form fields, JSON), in bytes.
    pub max_body_bytes: u64,
    /// Largest uploaded file, in bytes.
    pub max_upload_bytes: u64,
    /// Uploads one client address may be receiving at once; one more waits (its body unread)
    /// up to `body_idle_secs` for one of them to end, then is refused (109), nothing stored.
    pub spools_per_address: usize,
    /// Seconds a client has to send a request's headers (and, on a new connection, to begin);
    /// then the connection is closed.
    pub header_timeout_secs: u64,
    /// A request body that brings nothing for this many seconds is cut off, and what of it
    /// was spooled is removed; so is one that falls this many seconds behind
    /// `min_body_bytes_per_sec`.
    pub body_idle_secs: u64,
    /// The slowest a request body may come, averaged: each byte buys `1 / rate` seconds, and a
    /// body `body_idle_secs` behind is cut off. An upload at this rate or faster may take as
    /// long as it needs.
    pub min_body_bytes_per_sec: u64,
    /// Connections one client address may hold open at once (IPv6 by its /64), counted when
    /// a connection is accepted, before anything of it is read; one more is answered 503 and
    /// closed. Addresses of `trusted_proxies` are not counted (their clients are not known
    /// until their requests are read: limit connections per client in the proxy).
    pub connections_per_address: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data: PathBuf::from("shoebox-data"),
            listen: "0.0.0.0:5080".into(),
            photo_root: None,
            homes_root: None,
            recycle_bin: true,
            web_dir: None,
            log: "info".into(),
            trusted_proxies: TrustedProxies::default(),
            sessions: SessionSettings { idle_days: 30 },
            login_guard: LoginGuard {
                max_failures: 10,
                window_secs: 300,
                block_secs: 1800,
                slow_after: 3,
                slow_step_ms: 250,
            },
            limits: Limits {
                max_body_bytes: 1 << 20,
                max_upload_bytes: 20 << 30,
                spools_per_address: 4,
                header_timeout_secs: 30,
                body_idle_secs: 60,
                min_body_bytes_per_sec: 1024,
                connections_per_address: 64,
            },
            indexer: IndexerSettings {
                workers: 0,
                scan_on_start: true,
                rescan_minutes: 360,
                watch: true,
                poll_seconds: 60,
                video_previews: PreviewMode::Background,
                tool_memory_mib: shoebox_indexer::process::DEFAULT_MEMORY_MIB,
            },
            recognition: RecognitionSettings {
                faces: true,
                subjects: true,
                thorough: false,
                models_dir: None,
                idle_seconds: shoebox_indexer::recognition::IDLE.as_secs(),
            },
        }
    }
}

/// The settings given on the command line; `None` leaves the lower layers' value.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo_root: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub homes_root: Option<PathBuf>,
}

/// The top-level keys environment variables may set (`SHOEBOX_LISTEN`,
/// `SHOEBOX_LOGIN_GUARD__MAX_FAILURES`, …). Other `SHOEBOX_*` variables are not settings.
const ENV_KEYS: &[&str] = &[
    "data",
    "listen",
    "photo_root",
    "homes_root",
    "recycle_bin",
    "web_dir",
    "log",
    "trusted_proxies",
    "sessions",
    "login_guard",
    "limits",
    "indexer",
    "recognition",
];

/// A setting could not be read or makes no sense.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the config file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("{0}")]
    Invalid(Box<figment::Error>),
    #[error("`listen` = {0:?} is not an address such as 0.0.0.0:5080 or [::]:5080")]
    Listen(String),
    #[error("{0} must be greater than zero")]
    Zero(&'static str),
}

impl Config {
    /// Merges the layers. `file` is the `--config` flag; without it `SHOEBOX_CONFIG` is used, and
    /// then `DATA/shoebox.toml` if that exists.
    pub fn load(file: Option<&Path>, flags: Overrides) -> Result<Config, ConfigError> {
        // Figment keeps the variable's case here; match the top-level key without it.
        let env = Env::prefixed("SHOEBOX_").split("__").filter(|key| {
            let top = key.as_str().split('.').next().unwrap_or("");
            ENV_KEYS.iter().any(|k| k.eq_ignore_ascii_case(top))
        });
        let base = Figment::from(Serialized::defaults(Config::default()));
        let file = match file
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("SHOEBOX_CONFIG").map(PathBuf::from))
        {
            Some(path) if !path.is_file() => return Err(ConfigError::MissingFile(path)),
            Some(path) => Some(path),
            None => {
                // The data folder itself may come from env or flags; find it without the file.
                let data: PathBuf = base
                    .clone()
                    .merge(env.clone())
                    .merge(Serialized::defaults(&flags))
                    .extract_inner("data")
                    .map_err(|e| ConfigError::Invalid(Box::new(e)))?;
                Some(data.join("shoebox.toml")).filter(|p| p.is_file())
            }
        };
        let mut figment = base;
        if let Some(path) = &file {
            figment = figment.merge(Toml::file_exact(path));
        }
        let config: Config = figment
            .merge(env)
            .merge(Serialized::defaults(flags))
            .extract()
            .map_err(|e| ConfigError::Invalid(Box::new(e)))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.listen_addr()?;
        let positive = [
            ("sessions.idle_days", u64::from(self.sessions.idle_days)),
            (
                "login_guard.max_failures",
                u64::from(self.login_guard.max_failures),
            ),
            ("login_guard.window_secs", self.login_guard.window_secs),
            ("limits.max_body_bytes", self.limits.max_body_bytes),
            ("limits.max_upload_bytes", self.limits.max_upload_bytes),
            (
                "limits.spools_per_address",
                self.limits.spools_per_address as u64,
            ),
            (
                "limits.header_timeout_secs",
                self.limits.header_timeout_secs,
            ),
            ("limits.body_idle_secs", self.limits.body_idle_secs),
            (
                "limits.min_body_bytes_per_sec",
                self.limits.min_body_bytes_per_sec,
            ),
            (
                "limits.connections_per_address",
                self.limits.connections_per_address as u64,
            ),
            ("recognition.idle_seconds", self.recognition.idle_seconds),
        ];
        match positive.iter().find(|(_, v)| *v == 0) {
            Some((name, _)) => Err(ConfigError::Zero(name)),
            None => Ok(()),
        }
    }

    /// The `listen` setting as a socket address.
    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.listen
            .parse()
            .map_err(|_| ConfigError::Listen(self.listen.clone()))
    }

    /// The indexer's options, recognition included.
    pub fn indexer_options(&self) -> IndexerOptions {
        let mut options = self.indexer.options();
        let r = &self.recognition;
        options.recognition = Some(shoebox_indexer::recognition::RecognitionOptions {
            faces: r.faces,
            subjects: r.subjects,
            thorough: r.thorough,
            models_dir: r
                .models_dir
                .clone()
                .unwrap_or_else(|| self.data.join("models")),
            idle: std::time::Duration::from_secs(r.idle_seconds),
            worker: shoebox_indexer::recognition::worker::this_program(),
        });
        options
    }

    pub fn photo_root(&self) -> PathBuf {
        self.photo_root
            .clone()
            .unwrap_or_else(|| self.data.join("photo"))
    }

    pub fn homes_root(&self) -> PathBuf {
        self.homes_root
            .clone()
            .unwrap_or_else(|| self.data.join("homes"))
    }

    pub fn database_path(&self) -> PathBuf {
        self.data.join("shoebox.db")
    }

    pub fn keys_dir(&self) -> PathBuf {
        self.data.join("keys")
    }

    /// Derived files (thumbnails, previews): can be deleted and rebuilt at any time.
    pub fn cache_dir(&self) -> PathBuf {
        self.data.join("cache")
    }

    /// Where uploads are spooled while they arrive.
    pub fn spool_dir(&self) -> PathBuf {
        self.data.join("tmp")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_config_is_valid_and_says_the_defaults() {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shoebox.example.toml");
        let figment = Figment::from(Serialized::defaults(Config::default()));
        let from_file: Config = figment
            .merge(Toml::file_exact(&example))
            .extract()
            .expect("example parses");
        let defaults = Config::default();
        assert_eq!(
            serde_json::to_value(&from_file).expect("json"),
            serde_json::to_value(&defaults).expect("json"),
            "shoebox.example.toml must show the built-in defaults"
        );
    }
}
