//! What a listing asks for ([`ItemFilter`], its sort and kinds) and the `WHERE` it becomes:
//! the space, the caller's folders, and every filter of the browse and search APIs.

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
pub(crate) async fn plan_keyword(
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

    pub(crate) fn column(self, filter: &ItemFilter) -> String {
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
    push_relations(qb, filter);
    push_properties(qb, filter);
}

/// `AND` the item is in the album, has the tags, people, subjects and rating, is a favourite,
/// is one of the ids.
fn push_relations(qb: &mut QueryBuilder<Sqlite>, filter: &ItemFilter) {
    if let Some(album) = filter.album {
        qb.push(" AND i.id IN (SELECT item_id FROM album_items WHERE album_id = ")
            .push_bind(album)
            .push(")");
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
}

/// `AND` the item's own properties match: times, kinds, camera, lens, ISO, flash, place,
/// the map's box and the keyword.
fn push_properties(qb: &mut QueryBuilder<Sqlite>, filter: &ItemFilter) {
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

pub(crate) fn like_escape(s: &str) -> String {
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
