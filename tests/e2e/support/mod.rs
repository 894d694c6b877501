//! `TestApp`: the real `shoebox` binary serving a temporary data folder on `127.0.0.1:0`, and
//! helpers to drive it over HTTP and through its command line.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use serde_json::Value;

pub mod api;
pub mod corpus;
pub mod fs;
pub mod snapshot;
pub mod upload;

pub const BIN: &str = env!("CARGO_BIN_EXE_shoebox");

/// The repository's top folder.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub struct TestApp {
    pub data: tempfile::TempDir,
    pub base: String,
    pub port: u16,
    child: Child,
    log: Arc<Mutex<String>>,
    extra_args: Vec<String>,
    /// More environment for the server (each start).
    env: Vec<(String, String)>,
}

/// A signed-in session.
#[derive(Debug, Clone)]
pub struct Login {
    pub sid: String,
    pub token: String,
    pub data: Value,
    pub set_cookies: Vec<String>,
}

impl TestApp {
    /// A server with default settings and the test login key (so no key is generated).
    pub async fn spawn() -> TestApp {
        Self::spawn_with("", true).await
    }

    /// A server whose data folder holds `config_toml` as `shoebox.toml`; `with_key` pre-installs
    /// the fixture RSA key.
    pub async fn spawn_with(config_toml: &str, with_key: bool) -> TestApp {
        Self::spawn_with_env(config_toml, with_key, &[]).await
    }

    /// As [`TestApp::spawn_with`], the server's environment added to (at each start).
    pub async fn spawn_with_env(
        config_toml: &str,
        with_key: bool,
        env: &[(&str, &str)],
    ) -> TestApp {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let data = tempfile::tempdir().expect("temp data folder");
        if !config_toml.is_empty() {
            std::fs::write(data.path().join("shoebox.toml"), config_toml).expect("write config");
        }
        if with_key {
            let keys = data.path().join("keys");
            std::fs::create_dir_all(&keys).expect("keys folder");
            std::fs::copy(
                repo_root().join("tests/fixtures/login-rsa-4096.pem"),
                keys.join("login-rsa.pem"),
            )
            .expect("copy key");
        }
        let (child, port, log) = start(data.path(), &[], &env);
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            port,
            data,
            child,
            log,
            extra_args: Vec::new(),
            env,
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the server has logged so far.
    pub fn log(&self) -> String {
        self.log.lock().expect("log lock").clone()
    }

    /// Stops the server with SIGTERM and starts it again on the same data folder (new port).
    pub fn restart(&mut self) {
        self.stop();
        self.start_again();
    }

    /// Kills the server with SIGKILL (no clean-up of any kind), and waits for it to be gone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the server again on the same data folder (new port), after [`TestApp::kill`].
    pub fn start_again(&mut self) {
        let args: Vec<&str> = self.extra_args.iter().map(String::as_str).collect();
        let (child, port, log) = start(self.data.path(), &args, &self.env);
        self.child = child;
        self.port = port;
        self.base = format!("http://127.0.0.1:{port}");
        self.log = log;
    }

    /// Sends SIGTERM and waits up to `limit` for the server to exit: its exit status and how
    /// long it took, or `None` when it had to be killed.
    pub fn terminate_within(
        &mut self,
        limit: Duration,
    ) -> Option<(std::process::ExitStatus, Duration)> {
        let sent = std::time::Instant::now();
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        while sent.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some((status, sent.elapsed()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        None
    }

    fn stop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Runs `shoebox ARGS --data DATA` with `stdin` piped in.
    pub fn cli(&self, args: &[&str], stdin: &str) -> Output {
        cli_in(self.data.path(), args, stdin)
    }

    pub fn add_user(&self, name: &str, password: &str, admin: bool) {
        let mut args = vec!["user", "add", name, "--password-stdin"];
        if admin {
            args.push("--admin");
        }
        let out = self.cli(&args, &format!("{password}\n"));
        assert!(
            out.status.success(),
            "user add failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GET `/webapi/entry.cgi` with these parameters; returns the JSON body.
    pub async fn get(&self, params: &[(&str, &str)]) -> Value {
        self.get_at("/webapi/entry.cgi", params).await
    }

    pub async fn get_at(&self, path: &str, params: &[(&str, &str)]) -> Value {
        let response = Self::client()
            .get(self.url(path))
            .query(params)
            .send()
            .await
            .expect("request");
        response.json().await.expect("JSON body")
    }

    /// POST a form to `path`.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        Self::client()
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// Plain-field login through `auth.cgi`; panics unless it succeeds.
    pub async fn login(&self, account: &str, password: &str) -> Login {
        self.try_login(account, password, &[])
            .await
            .unwrap_or_else(|v| panic!("login failed: {v}"))
    }

    pub async fn try_login(
        &self,
        account: &str,
        password: &str,
        extra: &[(&str, &str)],
    ) -> Result<Login, Value> {
        let mut form = vec![
            ("api", "SYNO.API.Auth"),
            ("version", "7"),
            ("method", "login"),
            ("account", account),
            ("passwd", password),
        ];
        form.extend_from_slice(extra);
        let response = self.post_form("/webapi/auth.cgi", &form).await;
        let set_cookies = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().expect("cookie").to_owned())
            .collect();
        let body: Value = response.json().await.expect("JSON");
        if body["success"] != true {
            return Err(body);
        }
        let data = body["data"].clone();
        Ok(Login {
            sid: data["sid"].as_str().expect("sid").to_owned(),
            token: data["synotoken"].as_str().expect("synotoken").to_owned(),
            data,
            set_cookies,
        })
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the CLI against a data folder.
pub fn cli_in(data: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .arg("--data")
        .arg(data)
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run shoebox");
    // A command that exits before reading (a usage error) closes the pipe; that is its answer.
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    child.wait_with_output().expect("shoebox output")
}

/// Starts `shoebox serve` and waits for the line that names its port.
fn start(data: &Path, args: &[&str], env: &[(String, String)]) -> (Child, u16, Arc<Mutex<String>>) {
    let mut child = Command::new(BIN)
        .arg("serve")
        .arg("--data")
        .arg(data)
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .env_remove("RUST_LOG")
        .env("SHOEBOX_LOG", "info,tower_http=warn")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start shoebox serve");
    let stderr = child.stderr.take().expect("stderr");
    let log = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = mpsc::channel();
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let port = rest
                    .split_whitespace()
                    .next()
                    .and_then(|a| a.rsplit(':').next()?.parse::<u16>().ok());
                let _ = tx.send(port);
            }
            let mut log = sink.lock().expect("log lock");
            log.push_str(&line);
            log.push('\n');
        }
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(Some(port)) => (child, port, log),
        _ => {
            let _ = child.kill();
            panic!("shoebox did not start:\n{}", log.lock().expect("log lock"));
        }
    }
}

/// The DSM error code of a failed envelope, or `None` on success.
pub fn error_code(body: &Value) -> Option<i64> {
    if body["success"] == true {
        None
    } else {
        body["error"]["code"].as_i64()
    }
}
