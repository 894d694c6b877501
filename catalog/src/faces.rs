//! Faces, people and subjects in the database (migrations/0020_recognition.sql): saving what a
//! job found without losing what users decided, the clustering passes, and the switches.

use std::collections::HashMap;

use sqlx::{Row, SqlitePool};

use crate::cluster::{self, Centre, Embedding, Loose};
use crate::db::now_secs;

/// A face found: its box relative to the picture (0..1) and its 128-d embedding.
#[derive(Debug, Clone, PartialEq)]
pub struct Face {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    pub embedding: [f32; 128],
}

/// What a job found. `None`: that kind did not run (off or unavailable).
#[derive(Debug, Default)]
pub struct Analysis {
    pub faces: Option<Vec<Face>>,
    pub subjects: Option<Vec<(String, f32)>>,
}

/// People change under this lock: the clustering passes and the users' own changes (merge,
/// separate, name) never interleave.
pub async fn lock() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

/// What a space has switched on: `(faces, subjects)`. The administrator's setting covers the
/// server, the user's their Personal Space, the Shared Space's its own (`enable_person`,
/// `enable_concept`; on unless set to false).
pub async fn space_switches(db: &SqlitePool, owner: i64) -> sqlx::Result<(bool, bool)> {
    let space_key = if owner == crate::files::SHARED_OWNER {
        "team_space".to_owned()
    } else {
        format!("user.{owner}")
    };
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT key, value FROM settings WHERE key IN ('admin', ?)")
            .bind(&space_key)
            .fetch_all(db)
            .await?;
    let (mut faces, mut subjects) = (true, true);
    for (_, value) in rows {
        let v: serde_json::Value = serde_json::from_str(&value).unwrap_or_default();
        faces &= v["enable_person"] != false;
        subjects &= v["enable_concept"] != false;
    }
    Ok((faces, subjects))
}

/// Makes the concepts table hold the built-in subjects, `(key, name)` each (ids stay; subjects
/// no longer in the list go, with their items' links).
pub async fn sync_concepts(db: &SqlitePool, subjects: &[(&str, &str)]) -> sqlx::Result<()> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    for (key, name) in subjects {
        sqlx::query(
            "INSERT INTO concepts (key, name) VALUES (?, ?)
             ON CONFLICT (key) DO UPDATE SET name = excluded.name",
        )
        .bind(key)
        .bind(name)
        .execute(&mut *tx)
        .await?;
    }
    let keys: Vec<(i64, String)> = sqlx::query_as("SELECT id, key FROM concepts")
        .fetch_all(&mut *tx)
        .await?;
    for (id, key) in keys {
        if !subjects.iter().any(|(k, _)| *k == key) {
            sqlx::query("DELETE FROM concepts WHERE id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await
}

fn iou(a: (f32, f32, f32, f32), b: (f32, f32, f32, f32)) -> f32 {
    let x0 = a.0.max(b.0);
    let y0 = a.1.max(b.1);
    let x1 = (a.0 + a.2).min(b.0 + b.2);
    let y1 = (a.1 + a.3).min(b.1 + b.3);
    let inter = (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
    let union = a.2 * a.3 + b.2 * b.3 - inter;
    if union <= 0.0 { 0.0 } else { inter / union }
}

/// Saves what the job found for an item. A face found again where one was before (boxes
/// overlapping by half) keeps its row, so its person, the user's decisions about it and its
/// deletion stay; faces no longer found go. `None` parts are left as they are.
pub async fn save(db: &SqlitePool, item: i64, owner: i64, found: &Analysis) -> sqlx::Result<()> {
    let _people = lock().await;
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    if let Some(faces) = &found.faces {
        let old: Vec<(i64, f64, f64, f64, f64)> =
            sqlx::query_as("SELECT id, x, y, w, h FROM faces WHERE item_id = ?")
                .bind(item)
                .fetch_all(&mut *tx)
                .await?;
        let mut kept: Vec<i64> = Vec::new();
        for f in faces {
            let b = (f.x, f.y, f.w, f.h);
            let same = old
                .iter()
                .filter(|o| !kept.contains(&o.0))
                .map(|o| {
                    (
                        o.0,
                        iou(b, (o.1 as f32, o.2 as f32, o.3 as f32, o.4 as f32)),
                    )
                })
                .filter(|(_, v)| *v >= 0.5)
                .max_by(|a, b| a.1.total_cmp(&b.1));
            match same {
                Some((id, _)) => {
                    kept.push(id);
                    sqlx::query(
                        "UPDATE faces SET x = ?, y = ?, w = ?, h = ?, embedding = ? WHERE id = ?",
                    )
                    .bind(f.x)
                    .bind(f.y)
                    .bind(f.w)
                    .bind(f.h)
                    .bind(cluster::to_blob(&f.embedding))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    insert_face(&mut tx, item, owner, f).await?;
                }
            }
        }
        for (id, ..) in old.iter().filter(|o| !kept.contains(&o.0)) {
            sqlx::query("DELETE FROM faces WHERE id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
    }
    if let Some(subjects) = &found.subjects {
        sqlx::query("DELETE FROM item_concepts WHERE item_id = ?")
            .bind(item)
            .execute(&mut *tx)
            .await?;
        for (key, score) in subjects {
            sqlx::query(
                "INSERT INTO item_concepts (item_id, concept_id, score)
                 SELECT ?, id, ? FROM concepts WHERE key = ?",
            )
            .bind(item)
            .bind(score)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        }
    }
    sqlx::query("UPDATE items SET recog_status = 'done' WHERE id = ?")
        .bind(item)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

async fn insert_face(
    tx: &mut sqlx::SqliteConnection,
    item: i64,
    owner: i64,
    f: &Face,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO faces (item_id, owner_id, x, y, w, h, embedding) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(item)
    .bind(owner)
    .bind(f.x)
    .bind(f.y)
    .bind(f.w)
    .bind(f.h)
    .bind(cluster::to_blob(&f.embedding))
    .execute(tx)
    .await?;
    Ok(())
}

pub async fn set_status(db: &SqlitePool, item: i64, status: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE items SET recog_status = ? WHERE id = ?")
        .bind(status)
        .bind(item)
        .execute(db)
        .await?;
    Ok(())
}

/// Queues a `recognise` job for every photo whose thumbnails are made and that waits for
/// recognition (in `owner`'s space only, when given, after its switch was turned on again:
/// then every photo of it). Returns how many.
pub async fn queue_waiting(db: &SqlitePool, owner: Option<i64>, all: bool) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "INSERT INTO jobs (kind, item_id, priority)
         SELECT 'recognise', id, ?1 FROM items
          WHERE (recog_status = 'pending' OR ?3)
            AND thumb_status = 'ready' AND type != 'video' AND live_parent_id IS NULL
            AND (?2 IS NULL OR owner_id = ?2)
         ON CONFLICT (kind, item_id) DO NOTHING",
    )
    .bind(crate::jobs::JobKind::Recognise.priority())
    .bind(owner)
    .bind(all)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

fn loose_of(row: &sqlx::sqlite::SqliteRow) -> Option<Loose> {
    let blob: Vec<u8> = row.get("embedding");
    Some(Loose {
        face: row.get("id"),
        embedding: cluster::from_blob(&blob)?,
        excluded: row.get("excluded_person_id"),
    })
}

async fn centres(db: &SqlitePool, owner: i64) -> sqlx::Result<Vec<Centre>> {
    let rows = sqlx::query(
        "SELECT id, centroid, face_count FROM persons WHERE owner_id = ? AND centroid IS NOT NULL",
    )
    .bind(owner)
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let blob: Vec<u8> = r.get("centroid");
            Some(Centre {
                person: r.get("id"),
                centre: cluster::from_blob(&blob)?,
                faces: usize::try_from(r.get::<i64, _>("face_count")).unwrap_or(0),
            })
        })
        .collect())
}

/// Places the faces no pass has seen yet: into existing people, into new people, or into the
/// pool. Returns how many faces it placed into people.
pub async fn cluster_new(db: &SqlitePool) -> sqlx::Result<usize> {
    let owners: Vec<(i64,)> =
        sqlx::query_as("SELECT DISTINCT owner_id FROM faces WHERE clustered = 0 AND deleted = 0")
            .fetch_all(db)
            .await?;
    let mut placed = 0;
    for (owner,) in owners {
        placed += cluster_space(db, owner).await?;
    }
    Ok(placed)
}

async fn cluster_space(db: &SqlitePool, owner: i64) -> sqlx::Result<usize> {
    let _people = lock().await;
    let mut centres = centres(db, owner).await?;
    let new_rows = sqlx::query(
        "SELECT id, embedding, excluded_person_id FROM faces
          WHERE owner_id = ? AND clustered = 0 AND deleted = 0 AND person_id IS NULL
          ORDER BY id LIMIT 2000",
    )
    .bind(owner)
    .fetch_all(db)
    .await?;
    let new: Vec<Loose> = new_rows.iter().filter_map(loose_of).collect();
    let mut assign: Vec<(i64, i64)> = Vec::new();
    let mut touched: Vec<usize> = Vec::new();
    let mut left: Vec<Loose> = Vec::new();
    for face in new {
        match cluster::nearest(&centres, &face) {
            Some(i) => {
                centres[i].add(&face.embedding);
                assign.push((face.face, centres[i].person));
                touched.push(i);
            }
            None => left.push(face),
        }
    }
    let pool_rows = sqlx::query(
        "SELECT id, embedding, excluded_person_id FROM faces
          WHERE owner_id = ? AND clustered = 1 AND deleted = 0 AND person_id IS NULL",
    )
    .bind(owner)
    .fetch_all(db)
    .await?;
    let pool: Vec<Loose> = pool_rows.iter().filter_map(loose_of).collect();
    let groups = cluster::new_people(&left, &pool);

    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let mut placed = assign.len();
    for (face, person) in &assign {
        sqlx::query("UPDATE faces SET person_id = ? WHERE id = ? AND person_id IS NULL")
            .bind(person)
            .bind(face)
            .execute(&mut *tx)
            .await?;
    }
    touched.sort_unstable();
    touched.dedup();
    for i in touched {
        let c = &centres[i];
        sqlx::query("UPDATE persons SET centroid = ?, face_count = ? WHERE id = ?")
            .bind(cluster::to_blob(&c.centre))
            .bind(i64::try_from(c.faces).unwrap_or(i64::MAX))
            .bind(c.person)
            .execute(&mut *tx)
            .await?;
    }
    for (from_new, from_pool) in groups {
        let members: Vec<&Loose> = from_new
            .iter()
            .map(|&i| &left[i])
            .chain(from_pool.iter().map(|&i| &pool[i]))
            .collect();
        let Some(centre) = cluster::mean(members.iter().map(|m| &m.embedding)) else {
            continue;
        };
        let (person,): (i64,) = sqlx::query_as(
            "INSERT INTO persons (owner_id, centroid, face_count, created_at)
             VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(owner)
        .bind(cluster::to_blob(&centre))
        .bind(i64::try_from(members.len()).unwrap_or(i64::MAX))
        .bind(now_secs())
        .fetch_one(&mut *tx)
        .await?;
        for m in &members {
            sqlx::query("UPDATE faces SET person_id = ? WHERE id = ?")
                .bind(person)
                .bind(m.face)
                .execute(&mut *tx)
                .await?;
        }
        placed += members.len();
    }
    for row in &new_rows {
        let id: i64 = row.get("id");
        sqlx::query("UPDATE faces SET clustered = 1 WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(placed)
}

/// The periodic tidy pass over every space: people's centres from their faces again; faces not
/// pinned that drifted from their person leave it (to the pool); unnamed people left with too
/// few faces go; unnamed people near another person join it. Names, pinned faces and hidden
/// flags stay. Returns how many faces moved.
pub async fn tidy(db: &SqlitePool) -> sqlx::Result<usize> {
    let owners: Vec<(i64,)> = sqlx::query_as("SELECT DISTINCT owner_id FROM persons")
        .fetch_all(db)
        .await?;
    let mut moved = 0;
    for (owner,) in owners {
        moved += tidy_space(db, owner).await?;
    }
    Ok(moved)
}

struct Member {
    face: i64,
    embedding: Embedding,
    pinned: bool,
}

async fn tidy_space(db: &SqlitePool, owner: i64) -> sqlx::Result<usize> {
    let _people = lock().await;
    let persons: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM persons WHERE owner_id = ?")
            .bind(owner)
            .fetch_all(db)
            .await?;
    let rows = sqlx::query(
        "SELECT f.id, f.person_id, f.embedding, f.pinned FROM faces f
           JOIN persons p ON p.id = f.person_id
          WHERE p.owner_id = ? AND f.deleted = 0",
    )
    .bind(owner)
    .fetch_all(db)
    .await?;
    let mut members: HashMap<i64, Vec<Member>> = HashMap::new();
    for r in &rows {
        let blob: Vec<u8> = r.get("embedding");
        if let Some(e) = cluster::from_blob(&blob) {
            members.entry(r.get("person_id")).or_default().push(Member {
                face: r.get("id"),
                embedding: e,
                pinned: r.get::<i64, _>("pinned") != 0,
            });
        }
    }
    let mut leave: Vec<i64> = Vec::new();
    let mut centres: Vec<(i64, bool, Option<Embedding>, Vec<i64>)> = Vec::new();
    for (person, name) in &persons {
        let faces = members.remove(person).unwrap_or_default();
        let all = cluster::mean(faces.iter().map(|m| &m.embedding));
        let mut stay: Vec<&Member> = Vec::new();
        for m in &faces {
            let far = all.is_some_and(|c| cluster::distance(&c, &m.embedding) > cluster::LEAVE);
            if far && !m.pinned {
                leave.push(m.face);
            } else {
                stay.push(m);
            }
        }
        let centre = cluster::mean(stay.iter().map(|m| &m.embedding));
        centres.push((
            *person,
            !name.is_empty() || stay.iter().any(|m| m.pinned),
            centre,
            stay.iter().map(|m| m.face).collect(),
        ));
    }
    // Unnamed people near another: the smaller joins the larger (a named one never joins).
    let mut joins: Vec<(i64, i64)> = Vec::new();
    let mut gone: Vec<i64> = Vec::new();
    for i in 0..centres.len() {
        let (pi, kept_i, Some(ci), ref fi) = centres[i] else {
            continue;
        };
        if kept_i {
            continue;
        }
        let best = centres
            .iter()
            .filter(|(pj, _, cj, fj)| {
                *pj != pi && !gone.contains(pj) && cj.is_some() && fj.len() >= fi.len()
            })
            .filter_map(|(pj, _, cj, _)| cj.map(|c| (*pj, cluster::distance(&c, &ci))))
            .filter(|(_, d)| *d < cluster::MERGE)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((into, _)) = best {
            joins.push((pi, into));
            gone.push(pi);
        }
    }
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    for face in &leave {
        sqlx::query("UPDATE faces SET person_id = NULL WHERE id = ?")
            .bind(face)
            .execute(&mut *tx)
            .await?;
    }
    for (from, into) in &joins {
        sqlx::query("UPDATE faces SET person_id = ? WHERE person_id = ?")
            .bind(into)
            .bind(from)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM persons WHERE id = ?")
            .bind(from)
            .execute(&mut *tx)
            .await?;
    }
    // Centres and counts from what each person holds now; an unnamed person left with too
    // few faces, none of them pinned, goes back to the pool.
    for (person, name) in &persons {
        if gone.contains(person) {
            continue;
        }
        let (faces, pinned) = recentre(&mut tx, *person).await?;
        if name.is_empty() && pinned == 0 && faces < cluster::MIN_FACES {
            sqlx::query("UPDATE faces SET person_id = NULL WHERE person_id = ?")
                .bind(person)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM persons WHERE id = ?")
                .bind(person)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(leave.len() + joins.len())
}

/// Sets a person's centre and count from the faces they hold now; returns how many faces that
/// is and how many of them are pinned.
pub async fn recentre(
    conn: &mut sqlx::SqliteConnection,
    person: i64,
) -> sqlx::Result<(usize, usize)> {
    let rows: Vec<(Vec<u8>, bool)> =
        sqlx::query_as("SELECT embedding, pinned FROM faces WHERE person_id = ? AND deleted = 0")
            .bind(person)
            .fetch_all(&mut *conn)
            .await?;
    let faces: Vec<Embedding> = rows
        .iter()
        .filter_map(|(b, _)| cluster::from_blob(b))
        .collect();
    let pinned = rows.iter().filter(|(_, p)| *p).count();
    sqlx::query("UPDATE persons SET centroid = ?, face_count = ? WHERE id = ?")
        .bind(cluster::mean(faces.iter()).map(|c| cluster::to_blob(&c)))
        .bind(i64::try_from(faces.len()).unwrap_or(i64::MAX))
        .bind(person)
        .execute(&mut *conn)
        .await?;
    Ok((faces.len(), pinned))
}
