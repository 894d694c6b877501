//! The item object of reference §4.1 and the thumbnail object every cover uses.

use serde::Serialize;
use shoebox_catalog::library::ItemRow;

/// An item as a listing answers it. The `additional` object carries only the fields asked for;
/// the flags after it appear only when true (a real NAS leaves them out otherwise).
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: i64,
    pub filename: String,
    pub filesize: i64,
    pub time: i64,
    pub indexed_time: i64,
    pub owner_user_id: i64,
    pub folder_id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub additional: ItemAdditional,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_360: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_motion_photo: Option<bool>,
}

impl Item {
    /// The item of `row` with no `additional` field filled yet.
    pub fn of(row: &ItemRow) -> Item {
        Item {
            id: row.id,
            filename: row.filename.clone(),
            filesize: row.size,
            time: row.taken_time.unwrap_or(0),
            indexed_time: row.indexed_at,
            owner_user_id: row.owner_id,
            folder_id: row.folder_id,
            kind: row.item_type.clone(),
            additional: ItemAdditional::default(),
            live_type: (row.item_type == "live").then_some("photo"),
            is_360: row.is_pano.then_some(true),
            is_motion_photo: row.motion_offset.is_some().then_some(true),
        }
    }
}

/// The `additional` fields of an item; each is present only when asked for (and allowed).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ItemAdditional {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<Thumbnail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orientation: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orientation_original: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exif: Option<Exif>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gps: Option<Gps>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub geocoding_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<Vec<TagRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub favorite: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<Vec<ItemPerson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_user_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_meta: Option<VideoMeta>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub motion_photo: Option<bool>,
}

/// Thumbnail sizes' states and the key that changes when they are made again (§3.2).
#[derive(Debug, Clone, Serialize)]
pub struct Thumbnail {
    pub sm: &'static str,
    pub m: &'static str,
    pub xl: &'static str,
    pub preview: &'static str,
    pub cache_key: String,
    pub unit_id: i64,
}

impl Thumbnail {
    /// The thumbnails of item `row` (also a folder's, an album's or a place's cover).
    pub fn of(row: &ItemRow) -> Thumbnail {
        let st = match row.thumb_status.as_str() {
            "ready" => "ready",
            "broken" => "broken",
            _ => "notready",
        };
        Thumbnail {
            sm: st,
            m: st,
            xl: st,
            preview: st,
            cache_key: cache_key_of(row.id, row.thumb_version),
            unit_id: row.id,
        }
    }
}

/// The `cache_key` of item `id` whose thumbnails were made at `thumb_version`:
/// `<id>_<unix seconds of the last build>` (§3.2).
pub fn cache_key_of(id: i64, thumb_version: i64) -> String {
    format!("{id}_{thumb_version}")
}

#[derive(Debug, Clone, Serialize)]
pub struct Resolution {
    pub width: i64,
    pub height: i64,
}

/// The camera settings, as words a person reads (`f/2.8`, `1/125 s`, `35 mm`).
#[derive(Debug, Clone, Serialize)]
pub struct Exif {
    pub camera: String,
    pub lens: String,
    pub aperture: String,
    pub exposure_time: String,
    pub focal_length: String,
    pub iso: String,
    pub flash: Option<i64>,
}

impl Exif {
    pub fn of(row: &ItemRow) -> Exif {
        let camera = [row.make.as_deref(), row.model.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        Exif {
            camera,
            lens: row.lens.clone().unwrap_or_default(),
            aperture: row
                .aperture
                .map(|a| format!("f/{}", trim_float(a)))
                .unwrap_or_default(),
            exposure_time: row
                .exposure
                .as_deref()
                .map(|e| format!("{e} s"))
                .unwrap_or_default(),
            focal_length: row
                .focal_length
                .map(|f| format!("{} mm", trim_float(f)))
                .unwrap_or_default(),
            iso: row.iso.map(|i| i.to_string()).unwrap_or_default(),
            flash: row.flash,
        }
    }
}

fn trim_float(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[derive(Debug, Clone, Serialize)]
pub struct Gps {
    pub latitude: f64,
    pub longitude: f64,
}

/// The `address` object (reference §4.1): country, region (as `state`) and city filled, the
/// finer levels empty; ids are strings, as the syno_api DTO has.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Address {
    pub country: String,
    pub country_id: String,
    pub state: String,
    pub state_id: String,
    pub city: String,
    pub city_id: String,
    pub county: String,
    pub county_id: String,
    pub town: String,
    pub town_id: String,
    pub district: String,
    pub district_id: String,
    pub village: String,
    pub village_id: String,
    pub route: String,
    pub route_id: String,
    pub landmark: String,
    pub landmark_id: String,
}

/// A tag on an item.
#[derive(Debug, Clone, Serialize)]
pub struct TagRef {
    pub id: i64,
    pub name: String,
}

/// A person recognised on an item, with where the face is.
#[derive(Debug, Clone, Serialize)]
pub struct ItemPerson {
    pub id: i64,
    pub name: String,
    pub show: bool,
    pub cover: i64,
    pub item_count: i64,
    pub face: FaceBox,
}

#[derive(Debug, Clone, Serialize)]
pub struct FaceBox {
    pub id: i64,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct VideoMeta {
    pub duration: i64,
    pub orientation: i64,
    pub framerate: f64,
    pub resolution_x: i64,
    pub resolution_y: i64,
    pub video_codec: String,
    pub audio_codec: String,
    pub container_type: String,
}

impl VideoMeta {
    pub fn of(row: &ItemRow) -> VideoMeta {
        VideoMeta {
            duration: row.duration_ms.unwrap_or(0),
            orientation: row.orientation,
            framerate: row.frame_rate.unwrap_or(0.0),
            resolution_x: row.width,
            resolution_y: row.height,
            video_codec: row.video_codec.clone().unwrap_or_default(),
            audio_codec: row.audio_codec.clone().unwrap_or_default(),
            container_type: row.format.clone(),
        }
    }
}
