//! The library as the browse APIs read and edit it: items, folders, tags, favourites and the
//! timeline's day counts. Every query takes the space (`owner`) and, where access is limited,
//! the folders the caller may see, so nothing outside them can be read or changed.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Sqlite, SqlitePool};

/// Items listed or counted: the space, the caller's reach, and the request's own scope.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub owner: i64,
    /// Only items in these folders (the caller's reach, or a folder scope); `None` is all.
    pub folders: Option<Vec<i64>>,
    /// Also the Shared Space's items (albums hold items of both spaces): `Some(None)` all of
    /// them, `Some(Some(folders))` those in the folders the caller sees. `folders` above limits
    /// the `owner` space only.
    pub shared: Option<Option<Vec<i64>>>,
    /// Only the items of this album.
    pub album: Option<i64>,
    /// With `album`: also the items members of its share link added to it, whoever owns them
    /// (they chose to show them there).
    pub contributed: bool,
    /// Only items indexed (found or uploaded) at or after this time, unix milliseconds.
    pub added_since: Option<i64>,
    /// Inclusive bounds on the taken time, unix seconds of the camera wall clock.
    pub start_time: Option<i64>,
    pub end_time: Option<i64>,
    /// Kinds, any of; empty is all.
    pub kinds: Vec<Kind>,
    /// Items carrying these tags: any of them, or all when `all_tags`.
    pub tags: Vec<i64>,
    pub all_tags: bool,
    pub ratings: Vec<i64>,
    /// Only the favourites of this user.
    pub favorite_of: Option<i64>,
    pub ids: Option<Vec<i64>>,
    /// Camera models (`make model` as the filter list names them).
    pub cameras: Vec<String>,
    pub lenses: Vec<String>,
    pub isos: Vec<i64>,
    pub flash: Vec<i64>,
    /// Items found in any of these places (`places` nodes: a country or region takes in every
    /// city in it).
    pub places: Vec<i64>,
    /// Items whose position is in this box (the map).
    pub geo_box: Option<GeoBox>,
    /// Items showing any of these people (faces not deleted).
    pub persons: Vec<i64>,
    /// Items in any of these subjects.
    pub concepts: Vec<i64>,
    /// Full-text keyword: every word must match (name, tags, description, title, camera).
    pub keyword: Option<String>,
    /// How the keyword's indexed words are matched ([`plan_keyword`]).
    pub keyword_plan: KeywordPlan,
}

/// How a keyword's words of three characters or more are matched against the trigram index.
#[derive(Debug, Clone, Default)]
pub enum KeywordPlan {
    /// Every matching item is read from the index first (counts, day groups).
    #[default]
    Materialize,
    /// Few items match: these, looked up by id.
    Ids(Vec<i64>),
    /// Many match: each item met in the listing's order is checked against the index, so a
    /// page of a common word reads a page's worth, not every match.
    PerRow,
}

/// Below this many matches a keyword's items are fetched by id.
const SPARSE_MATCHES: i64 = 5000;

/// Picks the [`KeywordPlan`] for `filter` by asking the index for up to [`SPARSE_MATCHES`] + 1
/// matches. `listing`: a page in some order (else a count or a grouping of every match).
async fn plan_keyword(
    db: &SqlitePool,
    filter: &ItemFilter,
    listing: bool,
) -> sqlx::Result<Option<ItemFilter>> {
    let Some(keyword) = &filter.keyword else {
        return Ok(None);
    };
    let Some(expression) = parse_keyword(keyword).match_expression() else {
        return Ok(None);
    };
    let ids: Vec<(i64,)> =
        sqlx::query_as("SELECT rowid FROM item_search WHERE item_search MATCH ? LIMIT ?")
            .bind(expression)
            .bind(SPARSE_MATCHES + 1)
            .fetch_all(db)
            .await?;
    let mut planned = filter.clone();
    planned.keyword_plan = if ids.len() as i64 <= SPARSE_MATCHES {
        KeywordPlan::Ids(ids.into_iter().map(|(id,)| id).collect())
    } else if listing && keyword.is_ascii() {
        // (The texts are lower-cased by SQLite, ASCII only; the index folds every case, so a
        // non-ASCII word is left to the index.)
        KeywordPlan::PerRow
    } else {
        KeywordPlan::Materialize
    };
    Ok(Some(planned))
}

impl ItemFilter {
    pub fn space(owner: i64) -> Self {
        Self {
            owner,
            ..Self::default()
        }
    }

    /// True when only the space limits the items: the timeline's day counts answer for it.
    pub fn is_whole_space(&self) -> bool {
        self.folders.is_none()
            && self.shared.is_none()
            && self.album.is_none()
            && self.added_since.is_none()
            && self.start_time.is_none()
            && self.end_time.is_none()
            && self.kinds.is_empty()
            && self.tags.is_empty()
            && self.ratings.is_empty()
            && self.favorite_of.is_none()
            && self.ids.is_none()
            && self.cameras.is_empty()
            && self.lenses.is_empty()
            && self.isos.is_empty()
            && self.flash.is_empty()
            && self.places.is_empty()
            && self.geo_box.is_none()
            && self.persons.is_empty()
            && self.concepts.is_empty()
            && self.keyword.is_none()
    }
}

/// A box on the map, in degrees, and the ranges of map cells (migration 0012) that cover it,
/// through which the index finds its items. `west` > `east` crosses the date line.
#[derive(Debug, Clone)]
pub struct GeoBox {
    pub south: f64,
    pub north: f64,
    pub west: f64,
    pub east: f64,
    pub cells: Vec<(i64, i64)>,
}

/// What users filter items by (`type` and Search.Filter's `item_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Photo,
    Video,
    Live,
    Motion,
    Panorama,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Photo,
        Kind::Video,
        Kind::Live,
        Kind::Motion,
        Kind::Panorama,
    ];

    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "photo" => Kind::Photo,
            "video" => Kind::Video,
            "live" => Kind::Live,
            "motion" | "motionphoto" | "motion_photo" => Kind::Motion,
            "photo360" | "360" | "panorama" => Kind::Panorama,
            _ => return None,
        })
    }

    /// The id Search.Filter lists and `item_type` filters send.
    pub fn id(self) -> i64 {
        self as i64
    }

    pub fn from_id(id: i64) -> Option<Kind> {
        Self::ALL.into_iter().find(|k| k.id() == id)
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Photo => "photo",
            Kind::Video => "video",
            Kind::Live => "live",
            Kind::Motion => "motion_photo",
            Kind::Panorama => "photo360",
        }
    }

    fn sql(self) -> &'static str {
        match self {
            Kind::Photo => "i.type = 'photo'",
            Kind::Video => "i.type = 'video'",
            Kind::Live => "i.type = 'live'",
            Kind::Motion => "i.motion_offset IS NOT NULL",
            Kind::Panorama => "i.is_pano = 1",
        }
    }
}

/// Orders of `list` (`sort_by`), always with the id as the tie-break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    TakenTime,
    FileName,
    FileSize,
    ItemType,
    /// When the item came into the library, or into the album in an album.
    Added,
    /// The album's own order (`set_order`); time taken outside an album.
    Manual,
}

impl SortBy {
    pub fn parse(s: &str) -> Option<SortBy> {
        Some(match s {
            "takentime" | "time" | "default" => SortBy::TakenTime,
            "filename" | "name" => SortBy::FileName,
            "filesize" | "size" => SortBy::FileSize,
            "item_type" | "type" => SortBy::ItemType,
            "create_time" | "added" | "indexed_time" => SortBy::Added,
            "manual" => SortBy::Manual,
            _ => return None,
        })
    }

    fn column(self, filter: &ItemFilter) -> String {
        match (self, filter.album) {
            (SortBy::TakenTime, _) | (SortBy::Manual, None) => "i.taken_time".into(),
            (SortBy::FileName, _) => "i.filename COLLATE NOCASE".into(),
            (SortBy::FileSize, _) => "i.size".into(),
            (SortBy::ItemType, _) => "i.type".into(),
            (SortBy::Added, None) => "i.indexed_at".into(),
            (SortBy::Added, Some(album)) => format!(
                "(SELECT ai.added_at FROM album_items ai WHERE ai.album_id = {album} AND ai.item_id = i.id)"
            ),
            (SortBy::Manual, Some(album)) => format!(
                "(SELECT ai.position FROM album_items ai WHERE ai.album_id = {album} AND ai.item_id = i.id)"
            ),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Sort {
    pub by: SortBy,
    pub desc: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Self {
            by: SortBy::TakenTime,
            desc: true,
        }
    }
}

/// One item as the API shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemRow {
    pub id: i64,
    pub owner_id: i64,
    pub folder_id: i64,
    pub filename: String,
    pub size: i64,
    #[sqlx(rename = "type")]
    pub item_type: String,
    pub format: String,
    pub taken_time: Option<i64>,
    pub indexed_at: i64,
    pub width: i64,
    pub height: i64,
    pub orientation: i64,
    pub make: Option<String>,
    pub model: Option<String>,
    pub lens: Option<String>,
    pub focal_length: Option<f64>,
    pub aperture: Option<f64>,
    pub exposure: Option<String>,
    pub iso: Option<i64>,
    pub flash: Option<i64>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub rating: i64,
    pub title: Option<String>,
    pub description: Option<String>,
    pub duration_ms: Option<i64>,
    pub video_codec: Option<String>,
    pub audio_codec: Option<String>,
    pub frame_rate: Option<f64>,
    pub motion_offset: Option<i64>,
    pub is_pano: bool,
    pub metadata_status: String,
    pub thumb_status: String,
    pub thumb_version: i64,
    /// The item's place (`places`), once found.
    pub place_id: Option<i64>,
    /// The file path relative to the space root ('/a/b.jpg').
    pub folder_path: String,
    /// For a Live Photo: the id and name of its video half.
    pub live_video_id: Option<i64>,
    pub live_video_name: Option<String>,
}

const ITEM_COLUMNS: &str = "i.id, i.owner_id, i.folder_id, i.filename, i.size, i.type, i.format,
    i.taken_time, i.indexed_at, i.width, i.height, i.orientation, i.make, i.model, i.lens,
    i.focal_length, i.aperture, i.exposure, i.iso, i.flash, i.latitude, i.longitude, i.rating,
    i.title, i.description, i.duration_ms, i.video_codec, i.audio_codec, i.frame_rate,
    i.motion_offset, i.is_pano, i.metadata_status, i.thumb_status, i.thumb_version, i.place_id,
    f.path AS folder_path, v.id AS live_video_id, v.filename AS live_video_name";

const ITEM_FROM: &str = " FROM items i JOIN folders f ON f.id = i.folder_id
    LEFT JOIN items v ON v.live_parent_id = i.id";

/// Appends `WHERE …` for `filter` (the alias of items is `i`).
pub(crate) fn push_where(qb: &mut QueryBuilder<Sqlite>, filter: &ItemFilter) {
    // When one folder or a list of ids narrows the items, the unary `+` keeps the planner (which
    // has no statistics) off the space-wide time index: walking it in order and testing every
    // item of the space costs seconds at a million items; the folder's index or the ids do not.
    let narrow = matches!(filter.folders.as_deref(), Some([_]))
        || filter.ids.is_some()
        || filter.album.is_some()
        || !filter.places.is_empty()
        || filter.geo_box.is_some()
        || matches!(filter.keyword_plan, KeywordPlan::Ids(_));
    let contributed = filter.album.filter(|_| filter.contributed);
    if filter.shared.is_some() || contributed.is_some() {
        // Two spaces: the owner's (within `folders`) and the Shared Space (within `shared`);
        // and what members added to a shared album.
        qb.push(" WHERE ((+i.owner_id = ").push_bind(filter.owner);
        push_folders(qb, filter.folders.as_deref());
        if let Some(shared) = &filter.shared {
            qb.push(") OR (+i.owner_id = ")
                .push_bind(crate::files::SHARED_OWNER);
            push_folders(qb, shared.as_deref());
        }
        if let Some(album) = contributed {
            qb.push(") OR (i.id IN (SELECT item_id FROM album_items WHERE album_id = ")
                .push_bind(album)
                .push(" AND added_by IS NOT NULL)");
        }
        qb.push(")) AND i.live_parent_id IS NULL");
    } else {
        qb.push(if narrow {
            " WHERE +i.owner_id = "
        } else {
            " WHERE i.owner_id = "
        })
        .push_bind(filter.owner)
        .push(" AND i.live_parent_id IS NULL");
        push_folders(qb, filter.folders.as_deref());
    }
    if let Some(album) = filter.album {
        qb.push(" AND i.id IN (SELECT item_id FROM album_items WHERE album_id = ")
            .push_bind(album)
            .push(")");
    }
    if let Some(t) = filter.added_since {
        qb.push(" AND i.indexed_at >= ").push_bind(t);
    }
    if let Some(t) = filter.start_time {
        qb.push(" AND i.taken_time >= ").push_bind(t);
    }
    if let Some(t) = filter.end_time {
        qb.push(" AND i.taken_time <= ").push_bind(t);
    }
    if !filter.kinds.is_empty() {
        qb.push(" AND (");
        for (n, kind) in filter.kinds.iter().enumerate() {
            if n > 0 {
                qb.push(" OR ");
            }
            qb.push(kind.sql());
        }
        qb.push(")");
    }
    if !filter.tags.is_empty() {
        if filter.all_tags {
            qb.push(" AND (SELECT COUNT(*) FROM item_tags t WHERE t.item_id = i.id AND t.tag_id IN (SELECT value FROM json_each(")
                .push_bind(json_ids(&filter.tags))
                .push("))) = ")
                .push_bind(i64::try_from(filter.tags.len()).unwrap_or(i64::MAX));
        } else {
            qb.push(" AND EXISTS (SELECT 1 FROM item_tags t WHERE t.item_id = i.id AND t.tag_id IN (SELECT value FROM json_each(")
                .push_bind(json_ids(&filter.tags))
                .push(")))");
        }
    }
    if !filter.persons.is_empty() {
        qb.push(" AND EXISTS (SELECT 1 FROM faces fp WHERE fp.item_id = i.id AND fp.deleted = 0 AND fp.person_id IN (SELECT value FROM json_each(")
            .push_bind(json_ids(&filter.persons))
            .push(")))");
    }
    if !filter.concepts.is_empty() {
        qb.push(" AND EXISTS (SELECT 1 FROM item_concepts cp WHERE cp.item_id = i.id AND cp.concept_id IN (SELECT value FROM json_each(")
            .push_bind(json_ids(&filter.concepts))
            .push(")))");
    }
    if !filter.ratings.is_empty() {
        qb.push(" AND i.rating IN (SELECT value FROM json_each(")
            .push_bind(json_ids(&filter.ratings))
            .push("))");
    }
    if let Some(user) = filter.favorite_of {
        qb.push(
            " AND EXISTS (SELECT 1 FROM favorites fav WHERE fav.item_id = i.id AND fav.user_id = ",
        )
        .push_bind(user)
        .push(")");
    }
    if let Some(ids) = &filter.ids {
        qb.push(" AND i.id IN (SELECT value FROM json_each(")
            .push_bind(json_ids(ids))
            .push("))");
    }
    if !filter.cameras.is_empty() {
        qb.push(" AND TRIM(COALESCE(i.make, '') || ' ' || COALESCE(i.model, '')) IN (SELECT value FROM json_each(")
            .push_bind(serde_json::to_string(&filter.cameras).unwrap_or_default())
            .push("))");
    }
    if !filter.lenses.is_empty() {
        qb.push(" AND i.lens IN (SELECT value FROM json_each(")
            .push_bind(serde_json::to_string(&filter.lenses).unwrap_or_default())
            .push("))");
    }
    if !filter.isos.is_empty() {
        qb.push(" AND i.iso IN (SELECT value FROM json_each(")
            .push_bind(json_ids(&filter.isos))
            .push("))");
    }
    if !filter.flash.is_empty() {
        qb.push(" AND i.flash IN (SELECT value FROM json_each(")
            .push_bind(json_ids(&filter.flash))
            .push("))");
    }
    if !filter.places.is_empty() {
        let ids = json_ids(&filter.places);
        qb.push(
            " AND i.place_id IN (SELECT id FROM places WHERE id IN (SELECT value FROM json_each(",
        )
        .push_bind(ids.clone())
        .push(")) OR region_id IN (SELECT value FROM json_each(")
        .push_bind(ids.clone())
        .push(")) OR country_id IN (SELECT value FROM json_each(")
        .push_bind(ids)
        .push(")))");
    }
    if let Some(b) = &filter.geo_box {
        push_geo_box(qb, filter.owner, b);
    }
    if let Some(keyword) = &filter.keyword {
        push_keyword(qb, keyword, &filter.keyword_plan);
    }
}

/// `AND` the item is in the box: found through the cell index by ranges, then checked against
/// the exact bounds.
fn push_geo_box(qb: &mut QueryBuilder<Sqlite>, owner: i64, b: &GeoBox) {
    qb.push(" AND i.id IN (");
    for (n, (lo, hi)) in b.cells.iter().enumerate() {
        if n > 0 {
            qb.push(" UNION ALL ");
        }
        qb.push("SELECT id FROM items WHERE owner_id = ")
            .push_bind(owner)
            .push(" AND geo_cell BETWEEN ")
            .push_bind(*lo)
            .push(" AND ")
            .push_bind(*hi)
            .push(" AND live_parent_id IS NULL");
    }
    if b.cells.is_empty() {
        qb.push("SELECT NULL WHERE 0");
    }
    qb.push(") AND i.latitude BETWEEN ")
        .push_bind(b.south)
        .push(" AND ")
        .push_bind(b.north);
    if b.west <= b.east {
        qb.push(" AND i.longitude BETWEEN ")
            .push_bind(b.west)
            .push(" AND ")
            .push_bind(b.east);
    } else {
        qb.push(" AND (i.longitude >= ")
            .push_bind(b.west)
            .push(" OR i.longitude <= ")
            .push_bind(b.east)
            .push(")");
    }
}

/// `AND` the items' folder is one of `folders` (`None`: any).
fn push_folders(qb: &mut QueryBuilder<Sqlite>, folders: Option<&[i64]>) {
    match folders {
        None => {}
        Some([one]) => {
            qb.push(" AND i.folder_id = ").push_bind(*one);
        }
        Some(many) => {
            qb.push(" AND i.folder_id IN (SELECT value FROM json_each(")
                .push_bind(json_ids(many))
                .push("))");
        }
    }
}

/// Every word of `keyword` must appear (case-insensitive substring) in one of the item's texts:
/// file name, title, description, camera, lens, tags, folder path; or name one of the seed's
/// special words ("video", "live photo", "motion photo", "360").
/// A keyword taken apart: the seed's special words as SQL conditions, words too short for
/// the trigram index, and the FTS5 expression of the others.
struct ParsedKeyword {
    special: Vec<&'static str>,
    short: Vec<String>,
    /// The words of three characters or more, and each as an FTS5 string.
    words: Vec<String>,
    indexed: Vec<String>,
}

impl ParsedKeyword {
    fn match_expression(&self) -> Option<String> {
        (!self.indexed.is_empty()).then(|| self.indexed.join(" AND "))
    }
}

fn parse_keyword(keyword: &str) -> ParsedKeyword {
    let mut rest = keyword.to_lowercase();
    let mut parsed = ParsedKeyword {
        special: Vec::new(),
        short: Vec::new(),
        words: Vec::new(),
        indexed: Vec::new(),
    };
    for (phrase, sql) in [
        ("live photo", "i.type = 'live'"),
        ("motion photo", "i.motion_offset IS NOT NULL"),
    ] {
        if rest.contains(phrase) {
            rest = rest.replace(phrase, " ");
            parsed.special.push(sql);
        }
    }
    for word in rest.split_whitespace() {
        match word {
            "video" | "videos" => parsed.special.push("i.type = 'video'"),
            "360" | "360°" | "panorama" => parsed.special.push("i.is_pano = 1"),
            _ if word.chars().count() >= 3 => {
                parsed.words.push(word.to_owned());
                parsed
                    .indexed
                    .push(format!("\"{}\"", word.replace('"', "\"\"")));
            }
            _ => parsed.short.push(word.to_owned()),
        }
    }
    parsed
}

fn push_keyword(qb: &mut QueryBuilder<Sqlite>, keyword: &str, plan: &KeywordPlan) {
    let parsed = parse_keyword(keyword);
    for sql in &parsed.special {
        qb.push(" AND ").push(*sql);
    }
    // Words of three characters or more go to the trigram index in one query; shorter ones (no
    // trigram to look up) are matched against the same texts by reading them.
    for word in parsed.short.iter() {
        qb.push(" AND i.id IN (SELECT rowid FROM item_search WHERE instr(body, ")
            .push_bind(word.clone())
            .push(") > 0)");
    }
    let Some(expression) = parsed.match_expression() else {
        return;
    };
    match plan {
        KeywordPlan::Ids(ids) => {
            qb.push(" AND i.id IN (SELECT value FROM json_each(")
                .push_bind(json_ids(ids))
                .push("))");
        }
        KeywordPlan::PerRow => {
            // The item's indexed text read by rowid (a seek, where a MATCH per row would run
            // the whole query each time), each word found in it as the index would find it.
            qb.push(" AND EXISTS (SELECT 1 FROM item_search s WHERE s.rowid = i.id");
            for word in &parsed.words {
                qb.push(" AND instr(s.body, ")
                    .push_bind(word.clone())
                    .push(") > 0");
            }
            qb.push(")");
        }
        KeywordPlan::Materialize => {
            qb.push(" AND i.id IN (SELECT rowid FROM item_search WHERE item_search MATCH ")
                .push_bind(expression)
                .push(")");
        }
    }
}

fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(crate) fn json_ids(ids: &[i64]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

/// Brings the keyword index up to date before a search that uses it, so a search sees every
/// write made before it. A flush that cannot run now (the database is busy) leaves the search to
/// the index as it is; the background flush catches up within seconds.
async fn fresh_search(db: &SqlitePool, filter: &ItemFilter) {
    if filter.keyword.is_none() {
        return;
    }
    if let Err(e) = crate::files::flush_search(db).await {
        tracing::warn!("bringing the search index up to date: {e}");
    }
}

/// A page of items.
pub async fn list_items(
    db: &SqlitePool,
    filter: &ItemFilter,
    sort: Sort,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<ItemRow>> {
    fresh_search(db, filter).await;
    let planned = plan_keyword(db, filter, true).await?;
    list_planned(db, planned.as_ref().unwrap_or(filter), sort, offset, limit).await
}

/// [`list_items`] with the keyword plan `filter` carries.
async fn list_planned(
    db: &SqlitePool,
    filter: &ItemFilter,
    sort: Sort,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<ItemRow>> {
    // Deep pages of a whole space in timeline order: skip whole days with the day counts, so
    // the database walks at most one day's items rather than `offset` of them.
    let (mut offset, mut before) = (offset, None);
    if filter.is_whole_space() && sort.by == SortBy::TakenTime && sort.desc && offset > 1000 {
        let days = timeline_days(db, filter.owner).await?;
        let mut seen = 0i64;
        for (day, count) in days {
            if seen + count > offset {
                before = Some((day + 1) * 86_400);
                offset -= seen;
                break;
            }
            seen += count;
        }
        if before.is_none() {
            return Ok(Vec::new());
        }
    }
    let mut qb = QueryBuilder::<Sqlite>::new(format!("SELECT {ITEM_COLUMNS}{ITEM_FROM}"));
    push_where(&mut qb, filter);
    if let Some(before) = before {
        qb.push(" AND i.taken_time < ").push_bind(before);
    }
    let dir = if sort.desc { "DESC" } else { "ASC" };
    qb.push(format!(
        " ORDER BY {} {dir}, i.id {dir} LIMIT ",
        sort.by.column(filter)
    ))
    .push_bind(limit)
    .push(" OFFSET ")
    .push_bind(offset);
    qb.build_query_as::<ItemRow>().fetch_all(db).await
}

pub async fn count_items(db: &SqlitePool, filter: &ItemFilter) -> sqlx::Result<i64> {
    fresh_search(db, filter).await;
    let planned = plan_keyword(db, filter, false).await?;
    count_planned(db, planned.as_ref().unwrap_or(filter)).await
}

/// [`count_items`] with the keyword plan `filter` carries.
async fn count_planned(db: &SqlitePool, filter: &ItemFilter) -> sqlx::Result<i64> {
    if filter.is_whole_space() {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COALESCE(SUM(count), 0) FROM timeline_days WHERE owner_id = ?")
                .bind(filter.owner)
                .fetch_one(db)
                .await?;
        return Ok(n);
    }
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*)".to_owned() + ITEM_FROM_NO_LIVE);
    push_where(&mut qb, filter);
    let (n,): (i64,) = qb.build_query_as().fetch_one(db).await?;
    Ok(n)
}

pub(crate) const ITEM_FROM_NO_LIVE: &str = " FROM items i JOIN folders f ON f.id = i.folder_id";

/// Items by id within `filter` (ids outside it are left out), in the order asked.
pub async fn items_by_ids(
    db: &SqlitePool,
    filter: &ItemFilter,
    ids: &[i64],
) -> sqlx::Result<Vec<ItemRow>> {
    let mut filter = filter.clone();
    filter.ids = Some(ids.to_vec());
    // No ORDER BY: the ids are looked up one by one and put in order here.
    let mut qb = QueryBuilder::<Sqlite>::new(format!("SELECT {ITEM_COLUMNS}{ITEM_FROM}"));
    push_where(&mut qb, &filter);
    let mut rows: Vec<ItemRow> = qb.build_query_as().fetch_all(db).await?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    Ok(rows)
}

/// What a thumbnail request needs of an item: one primary-key read.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ThumbState {
    pub id: i64,
    pub folder_id: i64,
    pub thumb_status: String,
    pub thumb_version: i64,
}

/// The thumbnail state of item `id` of any space, for callers that checked access already.
pub async fn thumb_state_any(db: &SqlitePool, id: i64) -> sqlx::Result<Option<ThumbState>> {
    sqlx::query_as("SELECT id, folder_id, thumb_status, thumb_version FROM items WHERE id = ?")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The oldest and newest taken time among the items of `filter`.
pub async fn time_span(
    db: &SqlitePool,
    filter: &ItemFilter,
) -> sqlx::Result<(Option<i64>, Option<i64>)> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT MIN(i.taken_time), MAX(i.taken_time)".to_owned() + ITEM_FROM_NO_LIVE,
    );
    push_where(&mut qb, filter);
    qb.build_query_as().fetch_one(db).await
}

/// `(day, count)` of a whole space, newest day first; `day` is floor(time / 86400).
pub async fn timeline_days(db: &SqlitePool, owner: i64) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT day, count FROM timeline_days WHERE owner_id = ? AND count > 0 ORDER BY day DESC",
    )
    .bind(owner)
    .fetch_all(db)
    .await
}

/// `(day, count)` of the items `filter` selects, newest first.
pub async fn days_of(db: &SqlitePool, filter: &ItemFilter) -> sqlx::Result<Vec<(i64, i64)>> {
    fresh_search(db, filter).await;
    let planned = plan_keyword(db, filter, false).await?;
    let filter = planned.as_ref().unwrap_or(filter);
    if filter.is_whole_space() {
        return timeline_days(db, filter.owner).await;
    }
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT (i.taken_time - ((i.taken_time % 86400) + 86400) % 86400) / 86400 AS day, COUNT(*)"
            .to_owned()
            + ITEM_FROM_NO_LIVE,
    );
    push_where(&mut qb, filter);
    qb.push(" AND i.taken_time IS NOT NULL GROUP BY day ORDER BY day DESC");
    qb.build_query_as().fetch_all(db).await
}

/// Tags of each of `ids`, as `(id, name)`.
pub async fn tags_of(
    db: &SqlitePool,
    ids: &[i64],
) -> sqlx::Result<HashMap<i64, Vec<(i64, String)>>> {
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT it.item_id, t.id, t.name FROM item_tags it JOIN tags t ON t.id = it.tag_id
          WHERE it.item_id IN (SELECT value FROM json_each(?)) ORDER BY t.name COLLATE NOCASE",
    )
    .bind(json_ids(ids))
    .fetch_all(db)
    .await?;
    let mut out: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for (item, id, name) in rows {
        out.entry(item).or_default().push((id, name));
    }
    Ok(out)
}

/// Which of `ids` are favourites of `user`.
pub async fn favorites_among(
    db: &SqlitePool,
    user: i64,
    ids: &[i64],
) -> sqlx::Result<std::collections::HashSet<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT item_id FROM favorites WHERE user_id = ? AND item_id IN (SELECT value FROM json_each(?))",
    )
    .bind(user)
    .bind(json_ids(ids))
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// An edit of `Browse.Item set`; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ItemEdit {
    pub rating: Option<i64>,
    pub description: Option<String>,
    pub time: Option<i64>,
}

/// Applies `edit` to `ids` in one transaction: the user's value is kept apart from the file's,
/// so a re-index does not undo it.
pub async fn edit_items(db: &SqlitePool, ids: &[i64], edit: &ItemEdit) -> sqlx::Result<()> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    for id in ids {
        if let Some(rating) = edit.rating {
            sqlx::query("UPDATE items SET user_rating = ?1, rating = ?1 WHERE id = ?2")
                .bind(rating)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(description) = &edit.description {
            sqlx::query("UPDATE items SET user_description = ?1, description = ?1 WHERE id = ?2")
                .bind(description)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(time) = edit.time {
            sqlx::query(
                "UPDATE items SET user_time = ?1, taken_time = ?1, taken_month = ?2,
                        taken_source = 'user' WHERE id = ?3",
            )
            .bind(time)
            .bind(crate::time::month_key(time))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await
}

pub async fn set_favorite(
    db: &SqlitePool,
    user: i64,
    ids: &[i64],
    favorite: bool,
) -> sqlx::Result<()> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    for id in ids {
        let sql = if favorite {
            "INSERT OR IGNORE INTO favorites (user_id, item_id) VALUES (?, ?)"
        } else {
            "DELETE FROM favorites WHERE user_id = ? AND item_id = ?"
        };
        sqlx::query(sql)
            .bind(user)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

/// Adds or removes user tags; returns false when a tag id does not exist.
pub async fn tag_items(
    db: &SqlitePool,
    ids: &[i64],
    tags: &[i64],
    add: bool,
) -> sqlx::Result<bool> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let (known,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM tags WHERE id IN (SELECT value FROM json_each(?))")
            .bind(json_ids(tags))
            .fetch_one(&mut *tx)
            .await?;
    let mut distinct = tags.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if known != distinct.len() as i64 {
        return Ok(false);
    }
    for id in ids {
        for tag in &distinct {
            let sql = if add {
                "INSERT OR IGNORE INTO item_tags (item_id, tag_id, source) VALUES (?, ?, 'user')"
            } else {
                "DELETE FROM item_tags WHERE item_id = ? AND tag_id = ?"
            };
            sqlx::query(sql)
                .bind(id)
                .bind(tag)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// One folder as the API shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FolderRow {
    pub id: i64,
    pub owner_id: i64,
    pub parent_id: Option<i64>,
    pub path: String,
    pub cover_item_id: Option<i64>,
}

const FOLDER_COLUMNS: &str = "id, owner_id, parent_id, path, cover_item_id";

/// The root folder of a space, made when the space has not been scanned yet.
pub async fn root_folder(db: &SqlitePool, owner: i64) -> sqlx::Result<FolderRow> {
    let mut conn = db.acquire().await?;
    let id = crate::files::ensure_folder(&mut conn, owner, "/").await?;
    drop(conn);
    folder(db, owner, id).await?.ok_or(sqlx::Error::RowNotFound)
}

/// The folders of space `owner` among `ids` (one query), in id order; missing ids are left out.
pub async fn folders_by_ids(
    db: &SqlitePool,
    owner: i64,
    ids: &[i64],
) -> sqlx::Result<Vec<FolderRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {FOLDER_COLUMNS} FROM folders
          WHERE owner_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id"
    )))
    .bind(owner)
    .bind(json_ids(ids))
    .fetch_all(db)
    .await
}

/// The path of folder `id` in its space ('/' or '/a/b').
pub async fn folder_path_of(db: &SqlitePool, id: i64) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT path FROM folders WHERE id = ?")
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|(path,)| path))
}

/// Every item in folder `folder_id` (whose path is `path`) of `owner`'s space and below it.
pub async fn items_in_subtree(
    db: &SqlitePool,
    owner: i64,
    folder_id: i64,
    path: &str,
) -> sqlx::Result<Vec<i64>> {
    let ids: Vec<(i64,)> = sqlx::query_as(
        "SELECT i.id FROM items i JOIN folders f ON f.id = i.folder_id
          WHERE f.owner_id = ? AND (f.id = ? OR substr(f.path, 1, ?) = ?)",
    )
    .bind(owner)
    .bind(folder_id)
    .bind(path.len() as i64 + 1)
    .bind(format!("{path}/"))
    .fetch_all(db)
    .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// The space (owner id) folder `id` belongs to.
pub async fn folder_owner(db: &SqlitePool, id: i64) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT owner_id FROM folders WHERE id = ?")
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|(owner,)| owner))
}

pub async fn folder(db: &SqlitePool, owner: i64, id: i64) -> sqlx::Result<Option<FolderRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {FOLDER_COLUMNS} FROM folders WHERE owner_id = ? AND id = ?"
    )))
    .bind(owner)
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn folder_by_path(
    db: &SqlitePool,
    owner: i64,
    path: &str,
) -> sqlx::Result<Option<FolderRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {FOLDER_COLUMNS} FROM folders WHERE owner_id = ? AND path = ?"
    )))
    .bind(owner)
    .bind(path)
    .fetch_optional(db)
    .await
}

/// Child folders of `parent`, by name, limited to `only` when given.
pub async fn child_folders(
    db: &SqlitePool,
    parent: i64,
    only: Option<&[i64]>,
    desc: bool,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<FolderRow>> {
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {FOLDER_COLUMNS} FROM folders WHERE parent_id = "
    ));
    qb.push_bind(parent);
    if let Some(only) = only {
        qb.push(" AND id IN (SELECT value FROM json_each(")
            .push_bind(json_ids(only))
            .push("))");
    }
    let dir = if desc { "DESC" } else { "ASC" };
    qb.push(format!(
        " ORDER BY name COLLATE NOCASE {dir}, id {dir} LIMIT "
    ))
    .push_bind(limit)
    .push(" OFFSET ")
    .push_bind(offset);
    qb.build_query_as().fetch_all(db).await
}

pub async fn count_child_folders(
    db: &SqlitePool,
    parent: i64,
    only: Option<&[i64]>,
) -> sqlx::Result<i64> {
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM folders WHERE parent_id = ");
    qb.push_bind(parent);
    if let Some(only) = only {
        qb.push(" AND id IN (SELECT value FROM json_each(")
            .push_bind(json_ids(only))
            .push("))");
    }
    let (n,): (i64,) = qb.build_query_as().fetch_one(db).await?;
    Ok(n)
}

/// Which of `ids` are folders of the space.
pub async fn existing_folders(db: &SqlitePool, owner: i64, ids: &[i64]) -> sqlx::Result<Vec<i64>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(500) {
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT id FROM folders WHERE owner_id = ");
        qb.push_bind(owner).push(" AND id IN (");
        let mut sep = qb.separated(", ");
        for id in chunk {
            sep.push_bind(*id);
        }
        qb.push(")");
        let rows: Vec<(i64,)> = qb.build_query_as().fetch_all(db).await?;
        found.extend(rows.into_iter().map(|(id,)| id));
    }
    Ok(found)
}

/// `(id, parent_id)` of every folder of a space: the tree permissions are worked out on.
pub async fn folder_tree(db: &SqlitePool, owner: i64) -> sqlx::Result<Vec<(i64, Option<i64>)>> {
    sqlx::query_as("SELECT id, parent_id FROM folders WHERE owner_id = ?")
        .bind(owner)
        .fetch_all(db)
        .await
}

/// The item a folder shows as its cover: the chosen one while it is still inside the folder
/// tree, else the newest item below it.
pub async fn folder_cover(db: &SqlitePool, folder: &FolderRow) -> sqlx::Result<Option<ItemRow>> {
    // The folders below sort between `path/` and `path0` ('0' follows '/'): a range of the
    // (owner_id, path) index. The folder itself is added by id.
    let base = if folder.path == "/" {
        ""
    } else {
        folder.path.as_str()
    };
    let subtree = |qb: &mut QueryBuilder<Sqlite>| {
        qb.push("SELECT ")
            .push_bind(folder.id)
            .push(" UNION ALL SELECT id FROM folders WHERE owner_id = ")
            .push_bind(folder.owner_id)
            .push(" AND path >= ")
            .push_bind(format!("{base}/"))
            .push(" AND path < ")
            .push_bind(format!("{base}0"));
    };
    if let Some(cover) = folder.cover_item_id {
        let mut qb = QueryBuilder::<Sqlite>::new(format!("SELECT {ITEM_COLUMNS}{ITEM_FROM}"));
        qb.push(" WHERE i.id = ")
            .push_bind(cover)
            .push(" AND i.owner_id = ")
            .push_bind(folder.owner_id)
            .push(" AND i.live_parent_id IS NULL AND i.folder_id IN (");
        subtree(&mut qb);
        qb.push(")");
        if let Some(row) = qb.build_query_as().fetch_optional(db).await? {
            return Ok(Some(row));
        }
    }
    // The newest item of each folder is the first entry of its part of the (folder, time)
    // index; the newest of those is the cover. Walking the space's time index instead, until an
    // item of the subtree turns up, reads most of a million items for an old folder.
    let mut qb = QueryBuilder::<Sqlite>::new("WITH sub(id) AS (");
    subtree(&mut qb);
    // `newest` is worked out first (MATERIALIZED, and CROSS JOIN fixes the join order): left to
    // itself, SQLite may walk the space's time index to skip the final sort and run the
    // per-folder subquery for every item it passes, seconds at 20,000 items.
    qb.push(format!(
        "), newest(id) AS MATERIALIZED (SELECT (SELECT x.id FROM items x
              WHERE x.folder_id = sub.id AND x.live_parent_id IS NULL
              ORDER BY x.taken_time DESC, x.id DESC LIMIT 1) FROM sub)
          SELECT {ITEM_COLUMNS} FROM newest CROSS JOIN items i ON i.id = newest.id
            JOIN folders f ON f.id = i.folder_id LEFT JOIN items v ON v.live_parent_id = i.id
          WHERE +i.owner_id = "
    ))
    .push_bind(folder.owner_id)
    .push(" ORDER BY i.taken_time DESC, i.id DESC LIMIT 1");
    qb.build_query_as().fetch_optional(db).await
}

pub async fn set_folder_cover(db: &SqlitePool, folder: i64, item: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE folders SET cover_item_id = ? WHERE id = ?")
        .bind(item)
        .bind(folder)
        .execute(db)
        .await?;
    Ok(())
}

/// The ids of `folder` and of every folder below it.
pub async fn subtree(db: &SqlitePool, owner: i64, folder: &FolderRow) -> sqlx::Result<Vec<i64>> {
    let prefix = if folder.path == "/" {
        "/".to_owned()
    } else {
        format!("{}/", folder.path)
    };
    // Compared exactly (LIKE would fold case and read `_` and `%`).
    let length = i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX);
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM folders WHERE owner_id = ? AND (id = ? OR substr(path, 1, ?) = ?)",
    )
    .bind(owner)
    .bind(folder.id)
    .bind(length)
    .bind(&prefix)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Rights of one user on Shared Space folders (custom access), by folder: their own and their
/// groups', together.
pub async fn folder_permissions(
    db: &SqlitePool,
    user: i64,
) -> sqlx::Result<Vec<(i64, bool, bool, bool, bool)>> {
    sqlx::query_as(
        "SELECT folder_id, MAX(view), MAX(download), MAX(upload), MAX(manage) FROM (
             SELECT folder_id, view, download, upload, manage FROM folder_permissions
              WHERE user_id = ?1
             UNION ALL
             SELECT folder_id, view, download, upload, manage FROM group_folder_permissions
              WHERE group_id IN (SELECT group_id FROM group_members WHERE user_id = ?1))
          GROUP BY folder_id",
    )
    .bind(user)
    .fetch_all(db)
    .await
}

/// The Shared Space access level of a user: `full`, `custom` or `none`.
pub async fn team_access(db: &SqlitePool, user: i64) -> sqlx::Result<String> {
    let row: Option<(String,)> = sqlx::query_as("SELECT team_access FROM users WHERE id = ?")
        .bind(user)
        .fetch_optional(db)
        .await?;
    Ok(row.map_or_else(|| "none".to_owned(), |(a,)| a))
}

/// Distinct non-empty values of an item expression among the items `filter` selects, sorted.
/// `expr` is one of the fixed expressions of the filter list, never user text.
pub async fn distinct_values(
    db: &SqlitePool,
    filter: &ItemFilter,
    expr: &'static str,
) -> sqlx::Result<Vec<String>> {
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "SELECT DISTINCT CAST({expr} AS TEXT) AS v{ITEM_FROM_NO_LIVE}"
    ));
    push_where(&mut qb, filter);
    qb.push(format!(
        " AND {expr} IS NOT NULL AND TRIM(CAST({expr} AS TEXT)) != '' ORDER BY v"
    ));
    let rows: Vec<(String,)> = qb.build_query_as().fetch_all(db).await?;
    Ok(rows.into_iter().map(|(v,)| v).collect())
}

/// The camera expression the filter list and the `camera` filter share.
pub const CAMERA_EXPR: &str = "TRIM(COALESCE(i.make, '') || ' ' || COALESCE(i.model, ''))";

/// Tags with the number of items the filter selects that carry them; tags no item carries at
/// all (just made) are listed with 0, tags only on items outside the filter are not.
pub async fn tags_with_counts(
    db: &SqlitePool,
    filter: &ItemFilter,
    only: Option<&[i64]>,
) -> sqlx::Result<Vec<(i64, String, i64)>> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT t.id, t.name, COUNT(i.id) FROM tags t JOIN item_tags it ON it.tag_id = t.id
           JOIN items i ON i.id = it.item_id JOIN folders f ON f.id = i.folder_id",
    );
    push_where(&mut qb, filter);
    if let Some(only) = only {
        qb.push(" AND t.id IN (SELECT value FROM json_each(")
            .push_bind(json_ids(only))
            .push("))");
    }
    qb.push(
        " GROUP BY t.id UNION ALL SELECT t.id, t.name, 0 FROM tags t
           WHERE NOT EXISTS (SELECT 1 FROM item_tags it WHERE it.tag_id = t.id)",
    );
    if let Some(only) = only {
        qb.push(" AND t.id IN (SELECT value FROM json_each(")
            .push_bind(json_ids(only))
            .push("))");
    }
    qb.push(" ORDER BY 2 COLLATE NOCASE, 1");
    qb.build_query_as().fetch_all(db).await
}

/// Makes a tag (or finds the one of that name, case-insensitively).
pub async fn create_tag(db: &SqlitePool, name: &str) -> sqlx::Result<(i64, String)> {
    sqlx::query("INSERT OR IGNORE INTO tags (name) VALUES (?)")
        .bind(name)
        .execute(db)
        .await?;
    sqlx::query_as("SELECT id, name FROM tags WHERE name = ?")
        .bind(name)
        .fetch_one(db)
        .await
}

/// Folders of a space whose name contains `word`, for search suggestions.
pub async fn folders_matching(
    db: &SqlitePool,
    owner: i64,
    word: &str,
    limit: i64,
) -> sqlx::Result<Vec<FolderRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {FOLDER_COLUMNS} FROM folders WHERE owner_id = ? AND path != '/'
            AND LOWER(name) LIKE ? ESCAPE '\\' ORDER BY path LIMIT ?"
    )))
    .bind(owner)
    .bind(format!("%{}%", like_escape(&word.to_lowercase())))
    .bind(limit)
    .fetch_all(db)
    .await
}

/// After a folder was renamed on disk: its row and every row below it take the new path, in
/// one transaction; ids stay.
pub async fn move_folder_rows(
    db: &SqlitePool,
    owner: i64,
    folder: &FolderRow,
    new_path: &str,
    new_name: &str,
) -> sqlx::Result<()> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let old_prefix = format!("{}/", folder.path);
    sqlx::query(
        "UPDATE folders SET path = ?1 || substr(path, ?2)
          WHERE owner_id = ?3 AND substr(path, 1, ?4) = ?5",
    )
    .bind(new_path)
    .bind(folder.path.len() as i64 + 1)
    .bind(owner)
    .bind(old_prefix.len() as i64)
    .bind(&old_prefix)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE folders SET path = ?, name = ? WHERE id = ?")
        .bind(new_path)
        .bind(new_name)
        .bind(folder.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Ids of a folder and every folder below it.
pub async fn folder_subtree(
    db: &SqlitePool,
    owner: i64,
    folder: &FolderRow,
) -> sqlx::Result<Vec<i64>> {
    let prefix = format!("{}/", folder.path);
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM folders WHERE owner_id = ? AND (id = ? OR substr(path, 1, ?) = ?)",
    )
    .bind(owner)
    .bind(folder.id)
    .bind(prefix.len() as i64)
    .bind(&prefix)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::{self as catalog, NewFile, SHARED_OWNER};

    /// Every keyword plan finds the same items: by id (few matches), per row (many, in listing
    /// order) and from the whole match list (counts).
    #[tokio::test]
    async fn keyword_plans_agree() {
        let dir = tempfile::tempdir().expect("tmp");
        let db = crate::db::open(&dir.path().join("t.db")).await.expect("db");
        let mut conn = db.acquire().await.expect("conn");
        let folder = catalog::ensure_folder(&mut conn, SHARED_OWNER, "/Trip")
            .await
            .expect("folder");
        for n in 0..30i64 {
            let name = if n % 3 == 0 {
                format!("zeppelin_{n}.jpg")
            } else {
                format!("other_{n}.jpg")
            };
            catalog::insert_file(
                &mut conn,
                &NewFile {
                    owner_id: SHARED_OWNER,
                    folder_id: folder,
                    filename: name,
                    size: 1,
                    mtime_ns: n * 1_000_000_000,
                    inode: n,
                    item_type: "photo",
                    format: "jpeg".into(),
                },
            )
            .await
            .expect("insert");
        }
        drop(conn);
        crate::files::flush_search(&db).await.expect("flush");
        let base = ItemFilter {
            keyword: Some("Zeppelin".into()),
            ..ItemFilter::space(SHARED_OWNER)
        };
        let planned = plan_keyword(&db, &base, true)
            .await
            .expect("plan")
            .expect("indexed words");
        let KeywordPlan::Ids(ids) = &planned.keyword_plan else {
            panic!("10 matches are few: {:?}", planned.keyword_plan);
        };
        assert_eq!(ids.len(), 10);
        let mut names = Vec::new();
        for plan in [
            KeywordPlan::Ids(ids.clone()),
            KeywordPlan::PerRow,
            KeywordPlan::Materialize,
        ] {
            let filter = ItemFilter {
                keyword_plan: plan.clone(),
                ..base.clone()
            };
            let rows = list_planned(&db, &filter, Sort::default(), 0, 100)
                .await
                .expect("list");
            assert_eq!(count_planned(&db, &filter).await.expect("count"), 10);
            names.push(rows.into_iter().map(|r| r.filename).collect::<Vec<_>>());
        }
        assert_eq!(names[0].len(), 10);
        assert!(names[0].iter().all(|n| n.starts_with("zeppelin_")));
        assert_eq!(names[0], names[1], "by id and per row");
        assert_eq!(names[0], names[2], "by id and from the whole list");
    }
}
