//! The person object (reference §4.4), the subject (`Browse.Concept`) object and a face of a
//! person's `list_face`.

use serde::Serialize;
use shoebox_catalog::people::{ConceptRow, FaceRow, PersonRow};

use super::item::{Thumbnail, cache_key_of};

/// A person as `Browse.Person list`/`get`/`suggest` answer them.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub item_count: i64,
    pub show: bool,
    /// The face shown for them.
    pub cover: i64,
    pub additional: CoverAdditional,
}

impl Person {
    /// Person `p`, with the thumbnail of their cover face when `with_thumbnail`.
    pub fn of(p: &PersonRow, with_thumbnail: bool) -> Person {
        Person {
            id: p.id,
            name: p.name.clone(),
            item_count: p.item_count,
            show: p.show,
            cover: p.cover_face,
            additional: CoverAdditional {
                thumbnail: with_thumbnail
                    .then(|| ready(format!("{}_{}", p.id, p.cover_face), p.cover_face)),
            },
        }
    }
}

/// A subject as `Browse.Concept list`/`get` answer them.
#[derive(Debug, Clone, Serialize)]
pub struct Concept {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub item_count: i64,
    pub additional: CoverAdditional,
}

impl Concept {
    /// Subject `c`, with the thumbnail of its newest item when `with_thumbnail`.
    pub fn of(c: &ConceptRow, with_thumbnail: bool) -> Concept {
        Concept {
            id: c.id,
            key: c.key.clone(),
            name: c.name.clone(),
            item_count: c.item_count,
            additional: CoverAdditional {
                thumbnail: with_thumbnail
                    .then(|| ready(cache_key_of(c.cover_item, c.cover_version), c.cover_item)),
            },
        }
    }
}

/// The `additional` of a person or subject: its cover's thumbnail, when asked for.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CoverAdditional {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<Thumbnail>,
}

/// A cover's thumbnails, made (a face's cover is cut from a made thumbnail).
fn ready(cache_key: String, unit_id: i64) -> Thumbnail {
    Thumbnail {
        sm: "ready",
        m: "ready",
        xl: "ready",
        preview: "ready",
        cache_key,
        unit_id,
    }
}

/// One face of `Browse.Person list_face`, its box relative to the displayed photo.
#[derive(Debug, Clone, Serialize)]
pub struct Face {
    pub id: i64,
    pub item_id: i64,
    /// 0 for a face of nobody yet.
    pub person_id: i64,
    #[serde(rename = "box")]
    pub rect: FaceRect,
}

#[derive(Debug, Clone, Serialize)]
pub struct FaceRect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Face {
    pub fn of(f: &FaceRow) -> Face {
        Face {
            id: f.id,
            item_id: f.item_id,
            person_id: f.person_id.unwrap_or(0),
            rect: FaceRect {
                x: f.x,
                y: f.y,
                width: f.w,
                height: f.h,
            },
        }
    }
}
