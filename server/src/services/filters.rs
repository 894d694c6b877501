//! Item filters as requests name them: the filter fields (`time`, `rating`, `general_tag`,
//! `item_type`, `camera`, `lens`, ...) narrowing an [`ItemFilter`], and the stable ids of
//! camera and lens names.

use std::collections::HashMap;

use serde_json::Value;
use shoebox_catalog::library::{self, CAMERA_EXPR, ItemFilter, Kind};

use super::access::Reach;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::params::Params;
use crate::state::AppState;

/// A stable id for a name in a filter list (cameras, lenses): the same name gets the same id
/// in every call, so a client may keep ids between the list and the filter call.
pub fn name_id(name: &str) -> i64 {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(name.as_bytes());
    let bytes: [u8; 4] = hash[..4].try_into().unwrap_or_default();
    i64::from(u32::from_le_bytes(bytes) & 0x7fff_ffff)
}

/// The camera and lens names of a space, by filter id.
pub struct FilterNames {
    pub cameras: HashMap<i64, String>,
    pub lenses: HashMap<i64, String>,
}

impl FilterNames {
    pub async fn load(state: &AppState, reach: &Reach) -> ApiResult<FilterNames> {
        Self::load_for(state, &reach.items()).await
    }

    /// The camera and lens names among the items of `filter`.
    pub async fn load_for(state: &AppState, filter: &ItemFilter) -> ApiResult<FilterNames> {
        let by_id = |names: Vec<String>| names.into_iter().map(|n| (name_id(&n), n)).collect();
        Ok(FilterNames {
            cameras: by_id(library::distinct_values(&state.db, filter, CAMERA_EXPR).await?),
            lenses: by_id(library::distinct_values(&state.db, filter, "i.lens").await?),
        })
    }

    fn names(map: &HashMap<i64, String>, ids: &[i64], key: &str) -> ApiResult<Vec<String>> {
        ids.iter()
            .map(|id| {
                map.get(id)
                    .cloned()
                    .ok_or_else(|| ApiError::bad(key.to_owned(), format!("unknown id {id}")))
            })
            .collect()
    }

    pub fn cameras(&self, ids: &[i64]) -> ApiResult<Vec<String>> {
        Self::names(&self.cameras, ids, "camera")
    }

    pub fn lenses(&self, ids: &[i64]) -> ApiResult<Vec<String>> {
        Self::names(&self.lenses, ids, "lens")
    }
}

/// `filter` narrowed by the filter fields of §3.1 other than folders (time, rating, tags with
/// their policy, item type, ISO, flash, camera, lens), as `list_with_filter` takes them and as
/// conditional albums keep them. Camera and lens ids name what `filter` holds.
pub async fn narrow_by_fields(
    params: &Params,
    state: &AppState,
    mut filter: ItemFilter,
) -> ApiResult<ItemFilter> {
    if let Some(time) = params.json("time")? {
        let Value::Array(ranges) = time else {
            return Err(ApiError::bad("time", "a list of {start_time, end_time}"));
        };
        // One range supported per call, as the clients send; several take their hull.
        for range in &ranges {
            let start = range["start_time"].as_i64();
            let end = range["end_time"].as_i64();
            filter.start_time = match (filter.start_time, start) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            filter.end_time = match (filter.end_time, end) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
        }
    }
    if let Some(ratings) = params.int_list("rating")? {
        filter.ratings = ratings;
    }
    if let Some(tags) = params.int_list("general_tag")? {
        filter.tags = tags;
        filter.all_tags = params.string("general_tag_policy").as_deref() == Some("and");
    }
    if let Some(types) = params.int_list("item_type")? {
        filter.kinds = types
            .into_iter()
            .map(|t| Kind::from_id(t).ok_or_else(|| ApiError::bad("item_type", "unknown id")))
            .collect::<ApiResult<_>>()?;
    }
    if let Some(isos) = params.int_list("iso")? {
        filter.isos = isos;
    }
    if let Some(flash) = params.int_list("flash")? {
        filter.flash = flash;
    }
    let cameras = params.int_list("camera")?;
    let lenses = params.int_list("lens")?;
    if cameras.is_some() || lenses.is_some() {
        let names = FilterNames::load_for(state, &filter).await?;
        if let Some(cameras) = cameras {
            filter.cameras = names.cameras(&cameras)?;
        }
        if let Some(lenses) = lenses {
            filter.lenses = names.lenses(&lenses)?;
        }
    }
    if let Some(places) = params.int_list("geocoding")?
        && !places.is_empty()
    {
        filter.places = places;
    }
    for unsupported in ["person", "concept"] {
        if params.int_list(unsupported)?.is_some_and(|l| !l.is_empty()) {
            return Err(ApiError::NotFound);
        }
    }
    Ok(filter)
}
