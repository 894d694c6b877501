//! `SYNO.Foto.Browse.*` / `SYNO.FotoTeam.Browse.*`: one set of handlers for both spaces; the
//! API name picks the space (reference §3 "Space"). This module holds what they share: paging,
//! sorting, the `additional` list, and the item object of reference §4.1.

pub mod album;
pub mod diff;
pub mod folder;
pub mod item;
pub mod person;
pub mod place;
pub mod tag;
pub mod timeline;

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

use super::Call;
use super::error::{ApiError, ApiResult};
use shoebox_catalog::library::{self, ItemRow, Sort, SortBy};

/// The largest page a listing returns (FD: "max 5000").
pub const MAX_LIMIT: i64 = 5000;

/// `offset` and `limit` of a listing. `limit` is required and must be positive, as on DSM.
pub fn page(call: &Call) -> ApiResult<(i64, i64)> {
    let offset = call.params.int("offset")?.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::bad("offset", "negative"));
    }
    let limit = call
        .params
        .int("limit")?
        .ok_or(ApiError::MissingParam("limit"))?;
    if limit <= 0 {
        return Err(ApiError::bad("limit", "must be greater than 0"));
    }
    Ok((offset, limit.min(MAX_LIMIT)))
}

/// `sort_by` and `sort_direction`; unknown values are refused, `default` means taken time,
/// newest first.
pub fn sort(call: &Call) -> ApiResult<Sort> {
    let mut sort = Sort::default();
    if let Some(by) = call.params.string("sort_by") {
        sort.by = SortBy::parse(&by).ok_or_else(|| ApiError::bad("sort_by", "unknown order"))?;
        // Names and sizes read naturally from the smallest.
        sort.desc = sort.by == SortBy::TakenTime;
    }
    match call.params.string("sort_direction").as_deref() {
        None | Some("default") => {}
        Some("asc") => sort.desc = false,
        Some("desc") => sort.desc = true,
        Some(_) => return Err(ApiError::bad("sort_direction", "asc or desc")),
    }
    Ok(sort)
}

/// The `additional` fields asked for.
#[derive(Debug, Clone)]
pub struct Additional(HashSet<String>);

impl Additional {
    pub fn of(call: &Call) -> ApiResult<Additional> {
        Ok(Additional(
            call.params
                .string_list("additional")?
                .unwrap_or_default()
                .into_iter()
                .collect(),
        ))
    }

    pub fn has(&self, key: &str) -> bool {
        self.0.contains(key)
    }

    /// These fields less `keys`.
    pub fn without(&self, keys: &[&str]) -> Additional {
        Additional(
            self.0
                .iter()
                .filter(|k| !keys.contains(&k.as_str()))
                .cloned()
                .collect(),
        )
    }
}

fn status(s: &str) -> &'static str {
    match s {
        "ready" => "ready",
        "broken" => "broken",
        _ => "notready",
    }
}

/// `cache_key` of an item's thumbnails: `<id>_<unix seconds of the last build>` (§3.2).
pub fn cache_key(row: &ItemRow) -> String {
    cache_key_of(row.id, row.thumb_version)
}

/// The `cache_key` of item `id` whose thumbnails were made at `thumb_version`.
pub fn cache_key_of(id: i64, thumb_version: i64) -> String {
    format!("{id}_{thumb_version}")
}

/// The thumbnail object of an item (§4.1), also used for folder and album covers.
pub fn thumbnail_json(row: &ItemRow) -> Value {
    let st = status(&row.thumb_status);
    json!({"sm": st, "m": st, "xl": st, "preview": st, "cache_key": cache_key(row), "unit_id": row.id})
}

fn trim_float(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The `address` object of an item in place `place` (reference §4.1): country, region (as
/// `state`) and city filled, the finer levels empty; ids are strings, as the syno_api DTO has.
fn address_json(
    place: Option<i64>,
    nodes: &HashMap<i64, shoebox_catalog::places::PlaceNode>,
) -> Value {
    let node = place.and_then(|id| nodes.get(&id));
    let named = |id: Option<i64>| -> (String, String) {
        id.and_then(|id| nodes.get(&id))
            .map(|n| (n.name.clone(), n.id.to_string()))
            .unwrap_or_default()
    };
    let (country, country_id) = named(node.map(|n| n.country_id));
    let (state, state_id) = named(node.and_then(|n| n.region_id));
    let (city, city_id) = named(node.filter(|n| n.level == 3).map(|n| n.id));
    let mut out = json!({
        "country": country, "country_id": country_id,
        "state": state, "state_id": state_id,
        "city": city, "city_id": city_id,
    });
    for key in ["county", "town", "district", "village", "route", "landmark"] {
        out[key] = json!("");
        out[format!("{key}_id")] = json!("");
    }
    out
}

/// Whether the caller sees photo information (where, when, tags, people, camera): signed-in
/// users do; guests of a share link only as the admin allows (`display_photo_info_to_guest`).
/// Without it a guest neither reads it in the items nor filters by it (`person_id`,
/// `concept_id`, `geocoding_id`, `general_tag_id`); the lists of people, places and tags are
/// for signed-in users only (the dispatch table).
pub async fn shows_photo_info(call: &Call) -> ApiResult<bool> {
    Ok(match call.session {
        Some(_) => true,
        None => crate::services::settings::guests_see_info(&call.state).await?,
    })
}

/// Item objects for `rows` with the `additional` fields asked for.
pub async fn items_json(
    call: &Call,
    rows: &[ItemRow],
    additional: &Additional,
) -> ApiResult<Vec<Value>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let tags: HashMap<i64, Vec<(i64, String)>> = if additional.has("tag") && !ids.is_empty() {
        library::tags_of(&call.state.db, &ids).await?
    } else {
        HashMap::new()
    };
    // A guest of a share link has no favourites, and sees photo information only as the
    // admin allows (`display_photo_info_to_guest`).
    let caller = call.session.as_ref().map(|s| s.user_id.0);
    let info = shows_photo_info(call).await?;
    // Guests of a link never see who is in the photos, nor do its members: the people are
    // its owner's, named and counted over the owner's whole library.
    let additional = &if caller.is_none() || crate::services::sharing::via_link(call) {
        additional.without(&["person"])
    } else {
        additional.clone()
    };
    let additional = &if info {
        additional.clone()
    } else {
        additional.without(&[
            "exif",
            "gps",
            "address",
            "geocoding_id",
            "tag",
            "description",
            "rating",
        ])
    };
    let favorites = match caller {
        Some(me) if additional.has("favorite") && !ids.is_empty() => {
            library::favorites_among(&call.state.db, me, &ids).await?
        }
        _ => HashSet::new(),
    };
    // The people in the items (face recognition, docs/recognition.md).
    let people: HashMap<i64, Vec<Value>> = if additional.has("person") && !ids.is_empty() {
        let (faces, counts) =
            shoebox_catalog::people::people_of_items(&call.state.db, &ids).await?;
        let counts: HashMap<i64, i64> = counts.into_iter().collect();
        let mut out: HashMap<i64, Vec<Value>> = HashMap::new();
        for f in faces {
            let list = out.entry(f.item_id).or_default();
            if !list.iter().any(|p| p["id"] == f.person_id) {
                list.push(json!({
                    "id": f.person_id,
                    "name": f.name,
                    "show": true,
                    "cover": f.face_id,
                    "item_count": counts.get(&f.person_id).copied().unwrap_or(0),
                    "face": {"id": f.face_id, "x": f.x, "y": f.y, "width": f.w, "height": f.h},
                }));
            }
        }
        out
    } else {
        HashMap::new()
    };
    let provider = caller.unwrap_or(0);
    let wants_place =
        additional.has("gps") || additional.has("address") || additional.has("geocoding_id");
    let locations = wants_place
        && match caller {
            Some(me) => crate::services::settings::shows_locations(&call.state, me).await?,
            None => true,
        };
    let places =
        if locations && additional.has("address") && rows.iter().any(|r| r.place_id.is_some()) {
            shoebox_catalog::places::nodes(&call.state.db).await?
        } else {
            HashMap::new()
        };
    Ok(rows
        .iter()
        .map(|row| {
            let mut extra = Map::new();
            if additional.has("thumbnail") {
                extra.insert("thumbnail".into(), thumbnail_json(row));
            }
            if additional.has("resolution") {
                extra.insert(
                    "resolution".into(),
                    json!({"width": row.width, "height": row.height}),
                );
            }
            if additional.has("orientation") {
                extra.insert("orientation".into(), json!(row.orientation));
                extra.insert("orientation_original".into(), json!(row.orientation));
            }
            if additional.has("exif") {
                let camera = [row.make.as_deref(), row.model.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                extra.insert(
                    "exif".into(),
                    json!({
                        "camera": camera,
                        "lens": row.lens.clone().unwrap_or_default(),
                        "aperture": row.aperture.map(|a| format!("f/{}", trim_float(a))).unwrap_or_default(),
                        "exposure_time": row.exposure.as_deref().map(|e| format!("{e} s")).unwrap_or_default(),
                        "focal_length": row.focal_length.map(|f| format!("{} mm", trim_float(f))).unwrap_or_default(),
                        "iso": row.iso.map(|i| i.to_string()).unwrap_or_default(),
                        "flash": row.flash,
                    }),
                );
            }
            if locations {
                if additional.has("gps")
                    && let (Some(lat), Some(lon)) = (row.latitude, row.longitude)
                {
                    extra.insert("gps".into(), json!({"latitude": lat, "longitude": lon}));
                }
                if additional.has("geocoding_id") {
                    extra.insert("geocoding_id".into(), json!(row.place_id.unwrap_or(0)));
                }
                if additional.has("address") {
                    extra.insert("address".into(), address_json(row.place_id, &places));
                }
            }
            if additional.has("tag") {
                let list: Vec<Value> = tags
                    .get(&row.id)
                    .map(|t| t.iter().map(|(id, name)| json!({"id": id, "name": name})).collect())
                    .unwrap_or_default();
                extra.insert("tag".into(), Value::Array(list));
            }
            if additional.has("description") {
                extra.insert(
                    "description".into(),
                    json!(row.description.clone().unwrap_or_default()),
                );
            }
            if additional.has("rating") {
                extra.insert("rating".into(), json!(row.rating));
            }
            if additional.has("favorite") {
                extra.insert("favorite".into(), json!(favorites.contains(&row.id)));
            }
            if additional.has("person") {
                extra.insert(
                    "person".into(),
                    Value::Array(people.get(&row.id).cloned().unwrap_or_default()),
                );
            }
            if additional.has("provider_user_id") {
                let owner = if row.owner_id == 0 { provider } else { row.owner_id };
                extra.insert("provider_user_id".into(), json!(owner));
            }
            if additional.has("video_meta") && row.item_type == "video" {
                extra.insert(
                    "video_meta".into(),
                    json!({
                        "duration": row.duration_ms.unwrap_or(0),
                        "orientation": row.orientation,
                        "framerate": row.frame_rate.unwrap_or(0.0),
                        "resolution_x": row.width,
                        "resolution_y": row.height,
                        "video_codec": row.video_codec.clone().unwrap_or_default(),
                        "audio_codec": row.audio_codec.clone().unwrap_or_default(),
                        "container_type": row.format,
                    }),
                );
            }
            if additional.has("motion_photo") {
                extra.insert(
                    "motion_photo".into(),
                    json!(row.motion_offset.is_some()),
                );
            }
            let mut item = json!({
                "id": row.id,
                "filename": row.filename,
                "filesize": row.size,
                "time": row.taken_time.unwrap_or(0),
                "indexed_time": row.indexed_at,
                "owner_user_id": row.owner_id,
                "folder_id": row.folder_id,
                "type": row.item_type,
                "additional": Value::Object(extra),
            });
            if row.item_type == "live" {
                item["live_type"] = json!("photo");
            }
            if row.is_pano {
                item["is_360"] = json!(true);
            }
            if row.motion_offset.is_some() {
                item["is_motion_photo"] = json!(true);
            }
            item
        })
        .collect())
}
