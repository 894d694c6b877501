//! `Library`: a running server with three signed-in users, and the calls every scenario makes
//! (`call`, `ok`, `code`, `items`, …); the two standard libraries (`library`, `people`).

use std::time::Duration;

use serde_json::Value;

use crate::support::corpus::{copy, corpus};
use crate::support::{Login, TestApp, error_code};

/// A server with a Shared Space and a Personal Space filled from the corpus, fully indexed, and
/// three users: `anna` (admin), `ben` (no Shared Space access) and `cleo` (custom access).
pub struct Library {
    pub app: TestApp,
    pub anna: Login,
    pub ben: Login,
    pub cleo: Login,
}

pub async fn library() -> Library {
    let corpus = corpus();
    let app = TestApp::spawn().await;
    app.add_user("anna", "anna-pass-1", true);
    app.add_user("ben", "ben-pass-1", false);
    app.add_user("cleo", "cleo-pass-1", false);
    let shared = app.data_dir().join("photo");
    copy(
        &corpus,
        "metadata/gps_paris.jpg",
        &shared.join("2020/Trip/paris.jpg"),
    );
    copy(
        &corpus,
        "metadata/gps_tokyo.jpg",
        &shared.join("2020/Trip/tokyo.jpg"),
    );
    copy(&corpus, "video/h264.mp4", &shared.join("2020/clip.mp4"));
    copy(
        &corpus,
        "formats/png.png",
        &shared.join("Family/picture.png"),
    );
    // Signing in makes the Personal Space folder.
    let anna = app.login("anna", "anna-pass-1").await;
    let ben = app.login("ben", "ben-pass-1").await;
    let cleo = app.login("cleo", "cleo-pass-1").await;
    let personal = app.data_dir().join("homes/ben/Photos");
    copy(
        &corpus,
        "orientation/orient_6.jpg",
        &personal.join("mine.jpg"),
    );
    copy(
        &corpus,
        "live/IMG_0001.HEIC",
        &personal.join("Live/IMG_0001.HEIC"),
    );
    copy(
        &corpus,
        "live/IMG_0001.MOV",
        &personal.join("Live/IMG_0001.MOV"),
    );
    let lib = Library {
        app,
        anna,
        ben,
        cleo,
    };
    lib.wait_indexed(4, 3).await;
    lib
}

/// A server with three users (`anna` admin, `ben`, `cleo`), signed in, an empty Shared Space
/// folder `Family`, and nothing indexed.
pub async fn people() -> Library {
    let app = TestApp::spawn().await;
    app.add_user("anna", "anna-pass-1", true);
    app.add_user("ben", "ben-pass-1", false);
    app.add_user("cleo", "cleo-pass-1", false);
    std::fs::create_dir_all(app.data_dir().join("photo/Family")).expect("mkdir");
    let anna = app.login("anna", "anna-pass-1").await;
    let ben = app.login("ben", "ben-pass-1").await;
    let cleo = app.login("cleo", "cleo-pass-1").await;
    Library {
        app,
        anna,
        ben,
        cleo,
    }
}

impl Library {
    pub async fn call(
        &self,
        who: &Login,
        api: &str,
        method: &str,
        params: &[(&str, &str)],
    ) -> Value {
        let mut all = vec![
            ("api", api),
            ("method", method),
            ("version", "1"),
            ("_sid", who.sid.as_str()),
        ];
        all.extend_from_slice(params);
        self.app.get(&all).await
    }

    pub async fn ok(&self, who: &Login, api: &str, method: &str, params: &[(&str, &str)]) -> Value {
        let body = self.call(who, api, method, params).await;
        assert_eq!(
            body["success"],
            true,
            "{api} {method} {params:?}: {body}\n{}",
            self.app.log()
        );
        body["data"].clone()
    }

    pub async fn code(&self, who: &Login, api: &str, method: &str, params: &[(&str, &str)]) -> i64 {
        let body = self.call(who, api, method, params).await;
        error_code(&body).unwrap_or_else(|| panic!("{api} {method} {params:?} succeeded: {body}"))
    }

    /// Waits for the geocoding pass (every few seconds in the server) to have placed `want`
    /// items of the space whose `Browse.Geocoding` API is `api` (as anna sees it).
    pub async fn wait_placed(&self, api: &str, want: i64) {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let countries = self
                .ok(
                    &self.anna,
                    api,
                    "list",
                    &[("offset", "0"), ("limit", "100"), ("level", "1")],
                )
                .await;
            let placed: i64 = countries["list"]
                .as_array()
                .expect("list")
                .iter()
                .map(|c| c["item_count"].as_i64().expect("count"))
                .sum();
            if placed == want {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{api}: places not found in time: {countries}\n{}",
                self.app.log()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Waits until both spaces have their files (a Live Photo counts its two) with thumbnails
    /// made.
    pub async fn wait_indexed(&self, shared: i64, personal: i64) {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let team = self
                .call(&self.anna, "SYNO.FotoTeam.Index", "get", &[])
                .await;
            let mine = self.call(&self.ben, "SYNO.Foto.Index", "get", &[]).await;
            let done =
                |v: &Value, n: i64| v["data"]["item_count"] == n && v["data"]["pending_count"] == 0;
            if done(&team, shared) && done(&mine, personal) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "not indexed in time: {team} {mine}\n{}",
                self.app.log()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Gives `cleo` custom Shared Space access with view (no download) on one folder, written
    /// straight into the database.
    pub async fn give_cleo_view_of(&self, path: &str) {
        let folder = self
            .ok(
                &self.anna,
                "SYNO.FotoTeam.Browse.Folder",
                "get",
                &[("name", path)],
            )
            .await["folder"]["id"]
            .as_i64()
            .expect("id");
        self.sql(&format!(
            "UPDATE users SET team_access = 'custom' WHERE name = 'cleo';
             INSERT INTO folder_permissions (folder_id, user_id, view, download)
             SELECT {folder}, id, 1, 0 FROM users WHERE name = 'cleo'"
        ))
        .await;
    }

    pub async fn items(&self, who: &Login, api: &str, extra: &[(&str, &str)]) -> Vec<Value> {
        let mut params = vec![("offset", "0"), ("limit", "100")];
        params.extend_from_slice(extra);
        let data = self.ok(who, api, "list", &params).await;
        data["list"].as_array().expect("list").clone()
    }

    pub async fn id_of(&self, who: &Login, api: &str, name: &str) -> i64 {
        self.items(who, api, &[])
            .await
            .iter()
            .find(|i| i["filename"] == name)
            .unwrap_or_else(|| panic!("{name} not listed"))["id"]
            .as_i64()
            .expect("id")
    }

    fn db(&self) -> String {
        format!(
            "sqlite://{}",
            self.app.data_dir().join("shoebox.db").display()
        )
    }

    pub async fn sql(&self, sql: &str) {
        let pool = sqlx::SqlitePool::connect(&self.db()).await.expect("db");
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&pool)
            .await
            .expect("sql");
        pool.close().await;
    }
}

/// The sorted `filename`s of a list of items.
pub fn names(list: &[Value]) -> Vec<String> {
    let mut n: Vec<String> = list
        .iter()
        .map(|i| i["filename"].as_str().expect("filename").to_owned())
        .collect();
    n.sort();
    n
}
