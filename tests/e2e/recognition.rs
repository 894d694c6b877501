//! People and Subjects over HTTP, with the real models (`ml/setup`) on the recognition corpus
//! (`ml/corpus`: photos of known people, group photos, non-faces, and photos of subjects), as
//! `./dev setup` and CI make them. The face test prints the clustering's precision and recall.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{Login, TestApp, error_code};

const PERSON: &str = "SYNO.Foto.Browse.Person";
const CONCEPT: &str = "SYNO.Foto.Browse.Concept";
const ITEM: &str = "SYNO.Foto.Browse.Item";

fn home() -> PathBuf {
    PathBuf::from(std::env::var_os("HOME").expect("HOME"))
}

/// Where ml/setup put the models.
fn models_dir() -> PathBuf {
    let dir = std::env::var_os("SHOEBOX_MODELS")
        .map_or_else(|| home().join(".cache/shoebox-models"), PathBuf::from);
    assert!(
        dir.join("manifest.json").is_file(),
        "no models in {}: run ml/setup (./dev setup does)",
        dir.display()
    );
    dir
}

/// Where ml/corpus put the recognition corpus.
fn corpus_dir() -> PathBuf {
    let dir = std::env::var_os("SHOEBOX_ML_CORPUS")
        .map_or_else(|| home().join(".cache/shoebox-ml-corpus"), PathBuf::from);
    assert!(
        dir.join("manifest.json").is_file(),
        "no recognition corpus in {}: run ml/corpus (./dev setup does)",
        dir.display()
    );
    dir
}

#[derive(Debug, Clone)]
struct Entry {
    path: String,
    identities: Option<Vec<String>>,
    faces: Option<i64>,
    subjects: Option<Vec<String>>,
    allowed: Vec<String>,
}

fn manifest(corpus: &Path) -> Vec<Entry> {
    let text = std::fs::read_to_string(corpus.join("manifest.json")).expect("manifest");
    let m: Value = serde_json::from_str(&text).expect("manifest JSON");
    let strings = |v: &Value| -> Option<Vec<String>> {
        v.as_array().map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
    };
    m["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            let mut allowed = strings(&f["also_ok"]).unwrap_or_default();
            allowed.extend(strings(&f["known_wrong"]).unwrap_or_default());
            Entry {
                path: f["path"].as_str().expect("path").to_owned(),
                identities: strings(&f["identities"]),
                faces: f["faces"].as_i64(),
                subjects: strings(&f["subjects"]),
                allowed,
            }
        })
        .collect()
}

struct World {
    app: TestApp,
    me: Login,
}

impl World {
    async fn start() -> World {
        // A short idle time: the models' process ends between the tests' phases and starts
        // again for the next photos.
        let config = format!(
            "[recognition]\nmodels_dir = {:?}\nidle_seconds = 4\n",
            models_dir().display().to_string()
        );
        let app = TestApp::spawn_with(&config, true).await;
        app.add_user("alice", "alice-pass-1", true);
        let me = app.login("alice", "alice-pass-1").await;
        World { app, me }
    }

    fn photos(&self) -> PathBuf {
        self.app.data_dir().join("homes/alice/Photos")
    }

    async fn call(&self, api: &str, method: &str, params: &[(&str, &str)]) -> Value {
        let mut all = vec![
            ("api", api),
            ("method", method),
            ("version", "1"),
            ("_sid", self.me.sid.as_str()),
        ];
        all.extend_from_slice(params);
        self.app.get(&all).await
    }

    async fn ok(&self, api: &str, method: &str, params: &[(&str, &str)]) -> Value {
        let body = self.call(api, method, params).await;
        assert_eq!(
            body["success"],
            true,
            "{api} {method} {params:?}: {body}\n{}",
            self.app.log()
        );
        body["data"].clone()
    }

    /// Waits until `items` are indexed and recognised and the people stay the same over two
    /// clustering rounds.
    async fn wait_recognised(&self, items: i64) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(600);
        let mut last: Option<String> = None;
        loop {
            let state = self.ok("SYNO.Foto.Index", "get", &[]).await;
            let done = state["item_count"] == items
                && state["status"] == "done"
                && state["recognition"]["pending"] == 0;
            if done {
                let people = self.people().await;
                let now = serde_json::to_string(&people).expect("JSON");
                if last.as_deref() == Some(now.as_str()) {
                    return people;
                }
                last = Some(now);
            }
            assert!(
                Instant::now() < deadline,
                "not recognised in time: {state}\n{}",
                self.app.log()
            );
            tokio::time::sleep(Duration::from_secs(4)).await;
        }
    }

    async fn people(&self) -> Vec<Value> {
        let list = self
            .ok(PERSON, "list", &[("offset", "0"), ("limit", "500")])
            .await;
        list["list"].as_array().cloned().unwrap_or_default()
    }

    /// Every face of a person: (face id, item id).
    async fn faces(&self, person: i64) -> Vec<(i64, i64)> {
        let id = person.to_string();
        let list = self
            .ok(
                PERSON,
                "list_face",
                &[("id", &id), ("offset", "0"), ("limit", "1000")],
            )
            .await;
        list["list"]
            .as_array()
            .expect("faces")
            .iter()
            .map(|f| {
                (
                    f["id"].as_i64().expect("id"),
                    f["item_id"].as_i64().expect("item"),
                )
            })
            .collect()
    }

    /// Item id → file name, of every item.
    async fn names(&self) -> HashMap<i64, String> {
        let list = self
            .ok(ITEM, "list", &[("offset", "0"), ("limit", "5000")])
            .await;
        list["list"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| {
                (
                    i["id"].as_i64().expect("id"),
                    i["filename"].as_str().expect("name").to_owned(),
                )
            })
            .collect()
    }

    async fn person_items(&self, person: i64) -> Vec<i64> {
        let id = person.to_string();
        let count = self.ok(ITEM, "count", &[("person_id", &id)]).await;
        let list = self
            .ok(
                ITEM,
                "list",
                &[("person_id", &id), ("offset", "0"), ("limit", "5000")],
            )
            .await;
        let items: Vec<i64> = list["list"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["id"].as_i64().expect("id"))
            .collect();
        assert_eq!(
            count["count"],
            items.len(),
            "count and list of person {person}"
        );
        items
    }
}

/// Pairwise precision of clusters of labelled faces (pairs put together that are the same
/// person), the number of right pairs, and of pairs put together.
fn precision(clusters: &[Vec<String>]) -> (f64, f64, usize) {
    let mut together = 0usize;
    let mut right = 0usize;
    for c in clusters {
        for (i, a) in c.iter().enumerate() {
            for b in &c[i + 1..] {
                together += 1;
                if a == b {
                    right += 1;
                }
            }
        }
    }
    let p = if together == 0 {
        1.0
    } else {
        right as f64 / together as f64
    };
    (p, right as f64, together)
}

#[tokio::test]
async fn people_are_found_grouped_named_merged_and_separated() {
    let corpus = corpus_dir();
    let files: Vec<Entry> = manifest(&corpus)
        .into_iter()
        .filter(|e| e.path.starts_with("faces/"))
        .collect();
    assert!(
        files.len() >= 15,
        "the face corpus is too small: {}",
        files.len()
    );
    let world = World::start().await;
    // One photo of the best-covered person is held back, to come later.
    let held = files
        .iter()
        .find(|e| e.identities.as_deref() == Some(&["obama".to_owned()][..]) && e.faces == Some(1))
        .expect("a photo of obama alone")
        .path
        .clone();
    for e in files.iter().filter(|e| e.path != held) {
        let to = world.photos().join(&e.path);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(corpus.join(&e.path), &to).expect("copy");
    }
    let people = world
        .wait_recognised(i64::try_from(files.len() - 1).expect("count"))
        .await;
    assert!(!people.is_empty(), "nobody found\n{}", world.app.log());

    // Who each face is, from the manifest: photos of one known person with one face.
    let names = world.names().await;
    let by_name: HashMap<String, &Entry> = files
        .iter()
        .map(|e| {
            (
                Path::new(&e.path)
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
                e,
            )
        })
        .collect();
    let mut clusters: Vec<Vec<String>> = Vec::new();
    let mut person_of: HashMap<String, Vec<i64>> = HashMap::new();
    for p in &people {
        let id = p["id"].as_i64().expect("id");
        let mut labels = Vec::new();
        for (_, item) in world.faces(id).await {
            let entry = by_name[&names[&item]];
            let ids = entry.identities.clone().unwrap_or_default();
            assert!(
                ids != ["none"],
                "{} has no face, yet is in person {id}",
                entry.path
            );
            if ids.len() == 1 && ids[0] != "unknown" && entry.faces == Some(1) {
                labels.push(ids[0].clone());
                person_of.entry(ids[0].clone()).or_default().push(id);
            }
        }
        clusters.push(labels);
    }
    let (precision, right, together) = precision(&clusters);
    // Recall: of the pairs of photos of the same known person, how many were put together.
    let mut same_pairs = 0usize;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for e in &files {
        if let Some(ids) = &e.identities
            && ids.len() == 1
            && ids[0] != "unknown"
            && ids[0] != "none"
            && e.faces == Some(1)
            && e.path != held
        {
            *counts.entry(ids[0].clone()).or_default() += 1;
        }
    }
    for n in counts.values() {
        same_pairs += n * (n - 1) / 2;
    }
    let recall = if same_pairs == 0 {
        1.0
    } else {
        right / same_pairs as f64
    };
    println!(
        "recognition: {} people; pairwise precision {precision:.3} ({} of {together} pairs), recall {recall:.3} (of {same_pairs} pairs); photos per known person {counts:?}",
        people.len(),
        right as usize,
    );
    assert!(
        precision >= 0.95,
        "precision {precision:.3} below 0.95: {clusters:?}"
    );
    assert!(recall > 0.5, "recall {recall:.3}: {clusters:?}");

    // Name the person holding most of obama's photos; a new photo of him keeps the name.
    let mut obama_ids = person_of["obama"].clone();
    obama_ids.sort_unstable();
    let obama = *obama_ids
        .iter()
        .max_by_key(|id| obama_ids.iter().filter(|x| x == id).count())
        .expect("obama");
    let obama_s = obama.to_string();
    world
        .ok(PERSON, "set", &[("id", &obama_s), ("name", "\"Quentin\"")])
        .await;
    let before = world.person_items(obama).await.len();
    let to = world.photos().join(&held);
    std::fs::copy(corpus.join(&held), &to).expect("copy");
    world
        .wait_recognised(i64::try_from(files.len()).expect("count"))
        .await;
    let got = world.ok(PERSON, "get", &[("id", &obama_s)]).await;
    assert_eq!(got["list"][0]["name"], "Quentin", "{got}");
    let after_items = world.person_items(obama).await;
    let after = after_items.len();
    assert_eq!(after, before + 1, "the new photo joined Quentin");
    let one = after_items[0].to_string();
    let got_item = world
        .ok(
            ITEM,
            "get",
            &[("id", &format!("[{one}]")), ("additional", "[\"person\"]")],
        )
        .await;
    let people_in = &got_item["list"][0]["additional"]["person"];
    assert!(
        people_in
            .as_array()
            .is_some_and(|a| a.iter().any(|p| p["id"] == obama && p["name"] == "Quentin")),
        "additional person: {people_in}"
    );
    assert_eq!(got["list"][0]["item_count"], after);

    // Search by the name finds his photos.
    let found = world
        .ok(
            "SYNO.Foto.Search.Search",
            "list_item",
            &[
                ("keyword", "\"quentin\""),
                ("offset", "0"),
                ("limit", "100"),
            ],
        )
        .await;
    let mut found: Vec<i64> = found["list"]
        .as_array()
        .expect("list")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect();
    let mut his = world.person_items(obama).await;
    found.sort_unstable();
    his.sort_unstable();
    assert_eq!(
        found,
        his,
        "search by person name: {:?}",
        world.faces(obama).await
    );

    // The face cover is a JPEG.
    let thumb = TestApp::client()
        .get(world.app.url("/webapi/entry.cgi"))
        .query(&[
            ("api", "SYNO.Foto.Thumbnail"),
            ("method", "get"),
            ("version", "1"),
            ("type", "person"),
            ("id", &obama_s),
            ("size", "m"),
            ("_sid", world.me.sid.as_str()),
        ])
        .send()
        .await
        .expect("thumbnail");
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    let bytes = thumb.bytes().await.expect("bytes");
    let img = image::load_from_memory(&bytes).expect("a picture");
    assert_eq!((img.width(), img.height()), (320, 320));

    // Merge another person into Quentin: their faces are his, they are gone.
    let other = world
        .people()
        .await
        .iter()
        .map(|p| p["id"].as_i64().expect("id"))
        .find(|id| *id != obama)
        .expect("a second person");
    let other_s = other.to_string();
    let other_faces = world.faces(other).await;
    let sources = format!("[{other}]");
    world
        .ok(
            PERSON,
            "merge",
            &[("source_ids", &sources), ("target_id", &obama_s)],
        )
        .await;
    let gone = world.call(PERSON, "get", &[("id", &other_s)]).await;
    assert_eq!(error_code(&gone), Some(642), "{gone}");
    let merged: Vec<i64> = world.faces(obama).await.iter().map(|f| f.0).collect();
    assert!(other_faces.iter().all(|f| merged.contains(&f.0)));

    // Separate them again: those faces leave Quentin, and clustering does not bring them back.
    let face_ids = format!(
        "[{}]",
        other_faces
            .iter()
            .map(|f| f.0.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    world
        .ok(
            PERSON,
            "separate",
            &[("id", &obama_s), ("face_id", &face_ids)],
        )
        .await;
    tokio::time::sleep(Duration::from_secs(8)).await;
    let now: Vec<i64> = world.faces(obama).await.iter().map(|f| f.0).collect();
    assert!(
        other_faces.iter().all(|f| !now.contains(&f.0)),
        "separated faces came back"
    );
    assert_eq!(world.person_items(obama).await.len(), after);

    // "Name as …" an existing name: that person joins Quentin.
    if let Some(third) = world
        .people()
        .await
        .iter()
        .map(|p| p["id"].as_i64().expect("id"))
        .find(|id| *id != obama)
    {
        let third_s = third.to_string();
        let answer = world
            .ok(PERSON, "set", &[("id", &third_s), ("name", "\"quentin\"")])
            .await;
        assert_eq!(answer["id"], obama);
        assert_eq!(
            error_code(&world.call(PERSON, "get", &[("id", &third_s)]).await),
            Some(642)
        );
    }

    // Hide and show; bad input is refused.
    world
        .ok(PERSON, "show", &[("id", &obama_s), ("show", "false")])
        .await;
    assert!(world.people().await.iter().all(|p| p["id"] != obama));
    world
        .ok(PERSON, "show", &[("id", &obama_s), ("show", "true")])
        .await;
    assert!(world.people().await.iter().any(|p| p["id"] == obama));
    for bad in [
        vec![("id", "999999"), ("name", "\"x\"")],
        vec![("id", obama_s.as_str()), ("name", "\"a\\u0007b\"")],
        vec![("id", "abc"), ("name", "\"x\"")],
    ] {
        let body = world.call(PERSON, "set", &bad).await;
        assert_eq!(body["success"], false, "{bad:?}: {body}");
    }
}

#[tokio::test]
async fn subjects_put_photos_in_their_albums_and_search_finds_them() {
    let corpus = corpus_dir();
    let files: Vec<Entry> = manifest(&corpus)
        .into_iter()
        .filter(|e| e.path.starts_with("subjects/") && e.subjects.is_some())
        .collect();
    assert!(files.len() >= 8, "the subject corpus is too small");
    let world = World::start().await;
    for e in &files {
        let to = world.photos().join(&e.path);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(corpus.join(&e.path), &to).expect("copy");
    }
    world
        .wait_recognised(i64::try_from(files.len()).expect("count"))
        .await;
    let names = world.names().await;
    let concepts = world
        .ok(
            CONCEPT,
            "list",
            &[
                ("offset", "0"),
                ("limit", "100"),
                ("additional", "[\"thumbnail\"]"),
            ],
        )
        .await;
    let concepts = concepts["list"].as_array().expect("concepts").clone();
    assert!(!concepts.is_empty(), "no subjects\n{}", world.app.log());
    // Subject key → its items' file names.
    let mut members: HashMap<String, Vec<String>> = HashMap::new();
    for c in &concepts {
        let id = c["id"].as_i64().expect("id").to_string();
        let items = world
            .ok(
                ITEM,
                "list",
                &[
                    ("concept_id", &id),
                    ("offset", "0"),
                    ("limit", "500"),
                    ("additional", "[\"thumbnail\"]"),
                ],
            )
            .await;
        let key = c["key"].as_str().expect("key").to_owned();
        // The cover is one of its photos, with that photo's own cache_key.
        let cover = &c["additional"]["thumbnail"];
        let covered = items["list"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["id"] == cover["unit_id"])
            .unwrap_or_else(|| panic!("the cover of {c} is not among its photos"));
        assert_eq!(
            cover["cache_key"], covered["additional"]["thumbnail"]["cache_key"],
            "{c}"
        );
        let list: Vec<String> = items["list"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| names[&i["id"].as_i64().expect("id")].clone())
            .collect();
        assert_eq!(c["item_count"], list.len(), "{c}");
        let counted = world.ok(ITEM, "count", &[("concept_id", &id)]).await;
        assert_eq!(counted["count"], list.len(), "count by concept_id");
        members.insert(key, list);
    }
    let mut wrong = Vec::new();
    let mut missed = Vec::new();
    for e in &files {
        let name = Path::new(&e.path)
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let want = e.subjects.clone().unwrap_or_default();
        for s in &want {
            if !members.get(s).is_some_and(|m| m.contains(&name)) {
                missed.push(format!("{name} not in {s}"));
            }
        }
        for (s, m) in &members {
            if m.contains(&name) && !want.contains(s) && !e.allowed.contains(s) {
                wrong.push(format!("{name} in {s}"));
            }
        }
    }
    println!(
        "subjects: {} photos, {} subjects; missed {missed:?}; wrong {wrong:?}",
        files.len(),
        members.len()
    );
    // Every album holds only what it says; a photo the model cannot place (ImageNet has few
    // flower classes, and horses.jpg reads as other animals) may miss one.
    let expected: usize = files
        .iter()
        .map(|e| e.subjects.as_ref().map_or(0, Vec::len))
        .sum();
    let recall = 1.0 - missed.len() as f64 / expected as f64;
    println!("subjects: recall {recall:.3} of {expected} expected placements");
    assert!(wrong.is_empty(), "photos in a wrong subject: {wrong:?}");
    assert!(recall >= 0.85, "recall {recall:.3}: missed {missed:?}");

    // Search by subject: every photo of dogs is found by "dog".
    if let Some(dogs) = members.get("dog") {
        let found = world
            .ok(
                "SYNO.Foto.Search.Search",
                "list_item",
                &[("keyword", "\"dog\""), ("offset", "0"), ("limit", "500")],
            )
            .await;
        let found: Vec<String> = found["list"]
            .as_array()
            .expect("list")
            .iter()
            .map(|i| i["filename"].as_str().expect("name").to_owned())
            .collect();
        for d in dogs {
            assert!(found.contains(d), "search for dog misses {d}: {found:?}");
        }
    }
    // The per-user switch turns subjects off for the caller's space.
    world
        .ok(
            "SYNO.Foto.Setting.User",
            "set",
            &[("enable_concept", "false")],
        )
        .await;
    let none = world.ok(CONCEPT, "count", &[]).await;
    assert_eq!(none["count"], 0);

    // The models ran in a child process, which ended once idle: the server never held them.
    let log = world.app.log();
    assert!(log.contains("recognition worker started"), "{log}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !workers_of(world.app.pid()).is_empty()
        || !world.app.log().contains("recognition worker done")
    {
        assert!(
            Instant::now() < deadline,
            "the recognition worker is still running 60 s after the work: {:?}\n{}",
            workers_of(world.app.pid()),
            world.app.log()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The server's child processes that are recognition workers.
fn workers_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for task in tasks.flatten() {
        let children = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        for child in children
            .split_whitespace()
            .filter_map(|c| c.parse::<u32>().ok())
        {
            let cmdline = std::fs::read(format!("/proc/{child}/cmdline")).unwrap_or_default();
            if String::from_utf8_lossy(&cmdline).contains("recognition-worker") {
                out.push(child);
            }
        }
    }
    out
}
