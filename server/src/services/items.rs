//! How items are shown to a viewer: the item objects of a listing with the `additional` fields
//! asked for, less what this viewer may not read (a guest of a link sees photo information only
//! as the admin allows, and nobody through a link sees who is in the photos).

use std::collections::{HashMap, HashSet};

use crate::protocol::Viewer;
use crate::protocol::error::ApiResult;
use crate::protocol::listing::Additional;
use crate::state::AppState;
use crate::wire::item::{
    Address, Exif, FaceBox, Gps, Item, ItemPerson, Resolution, TagRef, Thumbnail, VideoMeta,
};
use shoebox_catalog::library::{self, ItemRow};
use shoebox_catalog::places::PlaceNode;

/// Whether `viewer` sees photo information (where, when, tags, people, camera): signed-in
/// users do; guests of a share link only as the admin allows (`display_photo_info_to_guest`).
/// Without it a guest neither reads it in the items nor filters by it (`person_id`,
/// `concept_id`, `geocoding_id`, `general_tag_id`); the lists of people, places and tags are
/// for signed-in users only (the dispatch table).
pub async fn shows_photo_info(state: &AppState, viewer: Viewer) -> ApiResult<bool> {
    Ok(match viewer.user {
        Some(_) => true,
        None => super::settings::guests_see_info(state).await?,
    })
}

/// The fields of `asked` that `viewer` may read.
async fn allowed(state: &AppState, viewer: Viewer, asked: &Additional) -> ApiResult<Additional> {
    // Guests of a link never see who is in the photos, nor do its members: the people are
    // its owner's, named and counted over the owner's whole library.
    let mut allowed = if viewer.user.is_none() || viewer.via_link {
        asked.without(&["person"])
    } else {
        asked.clone()
    };
    if !shows_photo_info(state, viewer).await? {
        allowed = allowed.without(&[
            "exif",
            "gps",
            "address",
            "geocoding_id",
            "tag",
            "description",
            "rating",
        ]);
    }
    Ok(allowed)
}

/// What the rows' `additional` fields need beyond the rows themselves.
#[derive(Default)]
struct Extras {
    tags: HashMap<i64, Vec<(i64, String)>>,
    favorites: HashSet<i64>,
    people: HashMap<i64, Vec<ItemPerson>>,
    places: HashMap<i64, PlaceNode>,
    /// Whether the viewer's locations setting lets places show.
    locations: bool,
}

async fn extras(
    state: &AppState,
    viewer: Viewer,
    rows: &[ItemRow],
    additional: &Additional,
) -> ApiResult<Extras> {
    let mut out = Extras::default();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(out);
    }
    if additional.has("tag") {
        out.tags = library::tags_of(&state.db, &ids).await?;
    }
    // A guest of a share link has no favourites.
    if let Some(me) = viewer.user
        && additional.has("favorite")
    {
        out.favorites = library::favorites_among(&state.db, me, &ids).await?;
    }
    if additional.has("person") {
        out.people = people_of(state, &ids).await?;
    }
    let wants_place =
        additional.has("gps") || additional.has("address") || additional.has("geocoding_id");
    out.locations = wants_place
        && match viewer.user {
            Some(me) => super::settings::shows_locations(state, me).await?,
            None => true,
        };
    if out.locations && additional.has("address") && rows.iter().any(|r| r.place_id.is_some()) {
        out.places = shoebox_catalog::places::nodes(&state.db).await?;
    }
    Ok(out)
}

/// The people in the items (face recognition, docs/recognition.md), once each per item.
async fn people_of(state: &AppState, ids: &[i64]) -> ApiResult<HashMap<i64, Vec<ItemPerson>>> {
    let (faces, counts) = shoebox_catalog::people::people_of_items(&state.db, ids).await?;
    let counts: HashMap<i64, i64> = counts.into_iter().collect();
    let mut out: HashMap<i64, Vec<ItemPerson>> = HashMap::new();
    for f in faces {
        let list = out.entry(f.item_id).or_default();
        if !list.iter().any(|p| p.id == f.person_id) {
            list.push(ItemPerson {
                id: f.person_id,
                name: f.name,
                show: true,
                cover: f.face_id,
                item_count: counts.get(&f.person_id).copied().unwrap_or(0),
                face: FaceBox {
                    id: f.face_id,
                    x: f.x,
                    y: f.y,
                    width: f.w,
                    height: f.h,
                },
            });
        }
    }
    Ok(out)
}

/// The `address` of an item in place `place`.
fn address(place: Option<i64>, nodes: &HashMap<i64, PlaceNode>) -> Address {
    let node = place.and_then(|id| nodes.get(&id));
    let named = |id: Option<i64>| -> (String, String) {
        id.and_then(|id| nodes.get(&id))
            .map(|n| (n.name.clone(), n.id.to_string()))
            .unwrap_or_default()
    };
    let (country, country_id) = named(node.map(|n| n.country_id));
    let (state, state_id) = named(node.and_then(|n| n.region_id));
    let (city, city_id) = named(node.filter(|n| n.level == 3).map(|n| n.id));
    Address {
        country,
        country_id,
        state,
        state_id,
        city,
        city_id,
        ..Address::default()
    }
}

/// The item objects of `rows` with the `additional` fields asked for that `viewer` may read.
pub async fn present(
    state: &AppState,
    viewer: Viewer,
    rows: &[ItemRow],
    asked: &Additional,
) -> ApiResult<Vec<Item>> {
    let additional = &allowed(state, viewer, asked).await?;
    let extras = extras(state, viewer, rows, additional).await?;
    let provider = viewer.user.unwrap_or(0);
    Ok(rows
        .iter()
        .map(|row| {
            let mut item = Item::of(row);
            let a = &mut item.additional;
            let has = |key: &str| additional.has(key);
            if has("thumbnail") {
                a.thumbnail = Some(Thumbnail::of(row));
            }
            if has("resolution") {
                a.resolution = Some(Resolution {
                    width: row.width,
                    height: row.height,
                });
            }
            if has("orientation") {
                a.orientation = Some(row.orientation);
                a.orientation_original = Some(row.orientation);
            }
            if has("exif") {
                a.exif = Some(Exif::of(row));
            }
            if extras.locations {
                if has("gps")
                    && let (Some(latitude), Some(longitude)) = (row.latitude, row.longitude)
                {
                    a.gps = Some(Gps {
                        latitude,
                        longitude,
                    });
                }
                if has("geocoding_id") {
                    a.geocoding_id = Some(row.place_id.unwrap_or(0));
                }
                if has("address") {
                    a.address = Some(address(row.place_id, &extras.places));
                }
            }
            if has("tag") {
                a.tag = Some(
                    extras
                        .tags
                        .get(&row.id)
                        .map(|t| {
                            t.iter()
                                .map(|(id, name)| TagRef {
                                    id: *id,
                                    name: name.clone(),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                );
            }
            if has("description") {
                a.description = Some(row.description.clone().unwrap_or_default());
            }
            if has("rating") {
                a.rating = Some(row.rating);
            }
            if has("favorite") {
                a.favorite = Some(extras.favorites.contains(&row.id));
            }
            if has("person") {
                a.person = Some(extras.people.get(&row.id).cloned().unwrap_or_default());
            }
            if has("provider_user_id") {
                let owner = if row.owner_id == 0 {
                    provider
                } else {
                    row.owner_id
                };
                a.provider_user_id = Some(owner);
            }
            if has("video_meta") && row.item_type == "video" {
                a.video_meta = Some(VideoMeta::of(row));
            }
            if has("motion_photo") {
                a.motion_photo = Some(row.motion_offset.is_some());
            }
            item
        })
        .collect())
}
