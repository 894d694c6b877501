//! People and subjects as the API sees them (migrations/0020_recognition.sql): counted over the
//! items the caller sees, and the users' changes (names, merges, hidden, covers, faces taken out).
//! Changes take the indexer's people lock, so a clustering pass never interleaves with them.

use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use crate::faces::recentre;

use super::library::{ItemFilter, json_ids, push_where};

/// A person with what the caller sees of them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub show: bool,
    pub item_count: i64,
    /// The face shown for them: the chosen one while it is still theirs, else the newest.
    pub cover_face: i64,
}

/// Which people to list.
#[derive(Debug, Clone, Default)]
pub struct PersonQuery<'a> {
    pub only: Option<&'a [i64]>,
    pub include_hidden: bool,
    /// Only named people whose name holds this (case-insensitive).
    pub name_like: Option<&'a str>,
}

/// The people of `filter.owner`'s space with at least one item in `filter`, most items first.
pub async fn persons(
    db: &SqlitePool,
    filter: &ItemFilter,
    q: &PersonQuery<'_>,
) -> sqlx::Result<Vec<PersonRow>> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT p.id AS id, p.name AS name, p.show AS show, COUNT(DISTINCT i.id) AS item_count,
                COALESCE(MAX(CASE WHEN fc.id = p.cover_face_id THEN fc.id END), MAX(fc.id))
                    AS cover_face
           FROM persons p JOIN faces fc ON fc.person_id = p.id AND fc.deleted = 0
           JOIN items i ON i.id = fc.item_id JOIN folders f ON f.id = i.folder_id",
    );
    push_where(&mut qb, filter);
    qb.push(" AND p.owner_id = ").push_bind(filter.owner);
    if !q.include_hidden {
        qb.push(" AND p.show = 1");
    }
    if let Some(only) = q.only {
        qb.push(" AND p.id IN (SELECT value FROM json_each(")
            .push_bind(json_ids(only))
            .push("))");
    }
    if let Some(word) = q.name_like {
        qb.push(" AND p.name != '' AND LOWER(p.name) LIKE ")
            .push_bind(format!("%{}%", like_escape(&word.to_lowercase())))
            .push(" ESCAPE '\\'");
    }
    qb.push(" GROUP BY p.id ORDER BY item_count DESC, p.id");
    qb.build_query_as().fetch_all(db).await
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// A face as `list_face` gives it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FaceRow {
    pub id: i64,
    pub item_id: i64,
    pub person_id: Option<i64>,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// The faces of a person on items in `filter`, newest item first.
pub async fn faces_of(
    db: &SqlitePool,
    filter: &ItemFilter,
    person: i64,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<FaceRow>> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT fc.id AS id, fc.item_id AS item_id, fc.person_id AS person_id,
                fc.x AS x, fc.y AS y, fc.w AS w, fc.h AS h
           FROM faces fc JOIN items i ON i.id = fc.item_id JOIN folders f ON f.id = i.folder_id",
    );
    push_where(&mut qb, filter);
    qb.push(" AND fc.deleted = 0 AND fc.person_id = ")
        .push_bind(person)
        .push(" ORDER BY i.taken_time DESC, fc.id DESC LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    qb.build_query_as().fetch_all(db).await
}

/// A face of a shown person in an item (`additional` `person` of items).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemFace {
    pub item_id: i64,
    pub person_id: i64,
    pub name: String,
    pub face_id: i64,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// The people shown in the given items: each face of a shown person, and each person's photo
/// count.
pub async fn people_of_items(
    db: &SqlitePool,
    items: &[i64],
) -> sqlx::Result<(Vec<ItemFace>, Vec<(i64, i64)>)> {
    let faces: Vec<ItemFace> = sqlx::query_as(
        "SELECT fc.item_id AS item_id, p.id AS person_id, p.name AS name, fc.id AS face_id,
                fc.x AS x, fc.y AS y, fc.w AS w, fc.h AS h
           FROM faces fc JOIN persons p ON p.id = fc.person_id
          WHERE fc.deleted = 0 AND p.show = 1
            AND fc.item_id IN (SELECT value FROM json_each(?))
          ORDER BY fc.item_id, p.name = '', p.name COLLATE NOCASE, p.id",
    )
    .bind(json_ids(items))
    .fetch_all(db)
    .await?;
    let mut persons: Vec<i64> = faces.iter().map(|f| f.person_id).collect();
    persons.sort_unstable();
    persons.dedup();
    let counts = if persons.is_empty() {
        Vec::new()
    } else {
        sqlx::query_as(
            "SELECT person_id, COUNT(DISTINCT item_id) FROM faces
              WHERE deleted = 0 AND person_id IN (SELECT value FROM json_each(?))
              GROUP BY person_id",
        )
        .bind(json_ids(&persons))
        .fetch_all(db)
        .await?
    };
    Ok((faces, counts))
}

/// A face's cover data: its item, box and the item's thumbnail build.
pub async fn face(
    db: &SqlitePool,
    id: i64,
) -> sqlx::Result<Option<(i64, f64, f64, f64, f64, i64)>> {
    sqlx::query_as(
        "SELECT fc.item_id, fc.x, fc.y, fc.w, fc.h, i.thumb_version FROM faces fc
           JOIN items i ON i.id = fc.item_id WHERE fc.id = ? AND fc.deleted = 0",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The owner and name of a person.
pub async fn person(db: &SqlitePool, id: i64) -> sqlx::Result<Option<(i64, String)>> {
    sqlx::query_as("SELECT owner_id, name FROM persons WHERE id = ?")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Names a person. A name another person of the space has already (case-insensitively) makes
/// them one: this person's faces join that one ("Name as …"). Returns the person that has the
/// name now.
pub async fn set_name(db: &SqlitePool, id: i64, name: &str) -> sqlx::Result<i64> {
    let _people = crate::faces::lock().await;
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let same: Option<(i64,)> = if name.is_empty() {
        None
    } else {
        sqlx::query_as(
            "SELECT id FROM persons WHERE id != ?1 AND name = ?2 COLLATE NOCASE
               AND owner_id = (SELECT owner_id FROM persons WHERE id = ?1)
             ORDER BY id LIMIT 1",
        )
        .bind(id)
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?
    };
    let result = match same {
        Some((into,)) => {
            merge_into(&mut tx, &[id], into).await?;
            into
        }
        None => {
            sqlx::query("UPDATE persons SET name = ? WHERE id = ?")
                .bind(name)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            id
        }
    };
    tx.commit().await?;
    Ok(result)
}

async fn merge_into(
    tx: &mut sqlx::SqliteConnection,
    sources: &[i64],
    target: i64,
) -> sqlx::Result<()> {
    for source in sources.iter().filter(|s| **s != target) {
        sqlx::query(
            "UPDATE persons SET name = (SELECT name FROM persons WHERE id = ?1)
              WHERE id = ?2 AND name = ''",
        )
        .bind(source)
        .bind(target)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE faces SET person_id = ?, pinned = 1, excluded_person_id = NULL WHERE person_id = ?",
        )
        .bind(target)
        .bind(source)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM persons WHERE id = ?")
            .bind(source)
            .execute(&mut *tx)
            .await?;
    }
    // Every face now in the target is the user's decision.
    sqlx::query("UPDATE faces SET pinned = 1 WHERE person_id = ?")
        .bind(target)
        .execute(&mut *tx)
        .await?;
    recentre(tx, target).await.map(|_| ())
}

/// Makes `sources` one with `target` (their faces join it, pinned; a name it lacks comes from
/// them).
pub async fn merge(db: &SqlitePool, sources: &[i64], target: i64) -> sqlx::Result<()> {
    let _people = crate::faces::lock().await;
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    merge_into(&mut tx, sources, target).await?;
    tx.commit().await
}

/// Takes faces out of a person ("not this person"): they belong to nobody and no pass puts them
/// back there. Returns how many were the person's.
pub async fn separate(db: &SqlitePool, person: i64, faces: &[i64]) -> sqlx::Result<u64> {
    let _people = crate::faces::lock().await;
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let done = sqlx::query(
        "UPDATE faces SET person_id = NULL, pinned = 0, excluded_person_id = ?1, clustered = 1
          WHERE person_id = ?1 AND id IN (SELECT value FROM json_each(?2))",
    )
    .bind(person)
    .bind(json_ids(faces))
    .execute(&mut *tx)
    .await?;
    recentre(&mut tx, person).await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}

/// Marks faces of a person as no face at all: they leave every person and stay gone when the
/// item is indexed again.
pub async fn delete_faces(db: &SqlitePool, person: i64, faces: &[i64]) -> sqlx::Result<u64> {
    let _people = crate::faces::lock().await;
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let done = sqlx::query(
        "UPDATE faces SET person_id = NULL, pinned = 0, deleted = 1
          WHERE person_id = ? AND id IN (SELECT value FROM json_each(?))",
    )
    .bind(person)
    .bind(json_ids(faces))
    .execute(&mut *tx)
    .await?;
    recentre(&mut tx, person).await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}

pub async fn set_shown(db: &SqlitePool, ids: &[i64], show: bool) -> sqlx::Result<()> {
    sqlx::query("UPDATE persons SET show = ? WHERE id IN (SELECT value FROM json_each(?))")
        .bind(show)
        .bind(json_ids(ids))
        .execute(db)
        .await?;
    Ok(())
}

/// Sets the cover face; false when the face is not the person's.
pub async fn set_cover(db: &SqlitePool, person: i64, face: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE persons SET cover_face_id = ?1 WHERE id = ?2
            AND EXISTS (SELECT 1 FROM faces WHERE id = ?1 AND person_id = ?2 AND deleted = 0)",
    )
    .bind(face)
    .bind(person)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The person's face on an item, for `set_cover` by item.
pub async fn face_on_item(db: &SqlitePool, person: i64, item: i64) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM faces WHERE person_id = ? AND item_id = ? AND deleted = 0 LIMIT 1",
    )
    .bind(person)
    .bind(item)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// Named people of the space nearest to a person's centre (for "Is this …?").
pub async fn nearest_named(db: &SqlitePool, person: i64, limit: usize) -> sqlx::Result<Vec<i64>> {
    use crate::cluster;
    let me: Option<(i64, Option<Vec<u8>>)> =
        sqlx::query_as("SELECT owner_id, centroid FROM persons WHERE id = ?")
            .bind(person)
            .fetch_optional(db)
            .await?;
    let Some((owner, Some(centre))) = me else {
        return Ok(Vec::new());
    };
    let Some(centre) = cluster::from_blob(&centre) else {
        return Ok(Vec::new());
    };
    let others: Vec<(i64, Option<Vec<u8>>)> = sqlx::query_as(
        "SELECT id, centroid FROM persons WHERE owner_id = ? AND id != ? AND name != ''",
    )
    .bind(owner)
    .bind(person)
    .fetch_all(db)
    .await?;
    let mut near: Vec<(i64, f32)> = others
        .iter()
        .filter_map(|(id, c)| {
            let c = cluster::from_blob(c.as_deref()?)?;
            Some((*id, cluster::distance(&c, &centre)))
        })
        .filter(|(_, d)| *d < 0.6)
        .collect();
    near.sort_by(|a, b| a.1.total_cmp(&b.1));
    Ok(near.into_iter().take(limit).map(|(id, _)| id).collect())
}

/// A subject with what the caller sees of it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConceptRow {
    pub id: i64,
    /// The subject's key in ml/subjects.tsv (`dog`).
    pub key: String,
    pub name: String,
    pub item_count: i64,
    /// The newest item in it.
    pub cover_item: i64,
    /// That item's thumbnail build (its `cache_key`).
    pub cover_version: i64,
}

/// The subjects of the items in `filter`, most items first.
pub async fn concepts(
    db: &SqlitePool,
    filter: &ItemFilter,
    only: Option<&[i64]>,
) -> sqlx::Result<Vec<ConceptRow>> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT c.id AS id, c.key AS key, c.name AS name, COUNT(*) AS item_count, MAX(i.id) AS cover_item,
                i.thumb_version AS cover_version
           FROM concepts c JOIN item_concepts ic ON ic.concept_id = c.id
           JOIN items i ON i.id = ic.item_id JOIN folders f ON f.id = i.folder_id",
    );
    push_where(&mut qb, filter);
    if let Some(only) = only {
        qb.push(" AND c.id IN (SELECT value FROM json_each(")
            .push_bind(json_ids(only))
            .push("))");
    }
    qb.push(" GROUP BY c.id ORDER BY item_count DESC, c.name");
    qb.build_query_as().fetch_all(db).await
}
