//! `SYNO.Foto.Search.Search` and `SYNO.Foto.Search.Filter` (+Team) (reference §3.9, §4.7):
//! keyword search over what the index knows, suggestions, and the lists a filter panel offers.

use std::collections::HashMap;

use serde::Serialize;

use super::Call;
use super::error::{ApiError, ApiResult};
use super::reply::Reply;
use crate::extract;
use crate::protocol::listing::{Additional, page, sort};
use crate::services::access::Reach;
use crate::services::filters::{FilterNames, name_id};
use crate::services::items::present;
use crate::services::{people, places};
use crate::wire::list::{Count, List};
use crate::wire::place::PlaceBranch;
use shoebox_catalog::library::{self, ItemFilter, Kind};

/// A choice of a filter panel's list.
#[derive(Debug, Serialize)]
struct Named {
    id: i64,
    name: String,
}

/// A month of the filter panel's `time` list, its first and last second.
#[derive(Debug, Serialize)]
struct Month {
    year: i64,
    month: u32,
    start_time: i64,
    end_time: i64,
}

/// `Search.Filter list`'s answer: what the caller's items can be filtered by.
#[derive(Debug, Serialize)]
struct Filters {
    item_type: Vec<Named>,
    camera: Vec<Named>,
    lens: Vec<Named>,
    iso: Vec<Named>,
    aperture: Vec<Named>,
    flash: Vec<i64>,
    rating: Vec<i64>,
    general_tag: Vec<Named>,
    time: Vec<Month>,
    person: Vec<Named>,
    geocoding: Vec<PlaceBranch>,
    folder_filter: Vec<Named>,
    exposure_time_group: Vec<Named>,
    focal_length_group: Vec<Named>,
}

/// A suggestion of `Search.Search suggest`.
#[derive(Debug, Serialize)]
struct Suggestion {
    id: i64,
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
    /// A place's level (places only).
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<i64>,
    passphrase: &'static str,
}

impl Suggestion {
    fn of(kind: &'static str, id: i64, name: impl Into<String>) -> Suggestion {
        Suggestion {
            id,
            kind,
            name: name.into(),
            level: None,
            passphrase: "",
        }
    }
}

fn named(names: &HashMap<i64, String>) -> Vec<Named> {
    let mut list: Vec<(&i64, &String)> = names.iter().collect();
    list.sort_by_key(|a| a.1.to_lowercase());
    list.into_iter()
        .map(|(id, name)| Named {
            id: *id,
            name: name.clone(),
        })
        .collect()
}

/// `Search.Filter list`: what the caller's items can be filtered by.
pub async fn filter_list(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let db = &call.state.db;
    let filter = reach.items();
    let names = FilterNames::load(&call.state, &reach).await?;
    let ints = |v: Vec<String>| -> Vec<i64> { v.iter().filter_map(|s| s.parse().ok()).collect() };
    let mut isos = ints(library::distinct_values(db, &filter, "i.iso").await?);
    isos.sort_unstable();
    let mut flash = ints(library::distinct_values(db, &filter, "i.flash").await?);
    flash.sort_unstable();
    let mut rating = ints(library::distinct_values(db, &filter, "i.rating").await?);
    rating.sort_unstable();
    let apertures = library::distinct_values(db, &filter, "i.aperture").await?;
    let tags = library::tags_with_counts(db, &filter, None).await?;
    let mut months: Vec<(i64, u32)> = Vec::new();
    for (day, _) in library::days_of(db, &filter).await? {
        let (y, m, _) = shoebox_indexer::metadata::time::civil_from_days(day);
        if months.last() != Some(&(y, m)) {
            months.push((y, m));
        }
    }
    let time = months
        .into_iter()
        .map(|(year, month)| {
            let start = shoebox_indexer::metadata::time::days_from_civil(year, month, 1) * 86_400;
            let (ny, nm) = if month == 12 {
                (year + 1, 1)
            } else {
                (year, month + 1)
            };
            let end = shoebox_indexer::metadata::time::days_from_civil(ny, nm, 1) * 86_400 - 1;
            Month {
                year,
                month,
                start_time: start,
                end_time: end,
            }
        })
        .collect();
    let user = call.user()?.user_id.0;
    Ok(Reply::data(Filters {
        item_type: Kind::ALL
            .iter()
            .map(|k| Named {
                id: k.id(),
                name: k.name().to_owned(),
            })
            .collect(),
        camera: named(&names.cameras),
        lens: named(&names.lenses),
        iso: isos
            .iter()
            .map(|i| Named {
                id: *i,
                name: i.to_string(),
            })
            .collect(),
        aperture: apertures
            .iter()
            .map(|a| Named {
                id: name_id(a),
                name: format!("f/{a}"),
            })
            .collect(),
        flash,
        rating,
        general_tag: tags
            .into_iter()
            .filter(|t| t.2 > 0)
            .map(|(id, name, _)| Named { id, name })
            .collect(),
        time,
        person: Vec::new(),
        geocoding: places::filter_tree(&call.state, user, &filter).await?,
        folder_filter: Vec::new(),
        exposure_time_group: Vec::new(),
        focal_length_group: Vec::new(),
    }))
}

/// The items a keyword finds in the caller's reach.
fn keyword_filter(call: &Call, reach: &Reach) -> ApiResult<ItemFilter> {
    let keyword = call.params.required_string("keyword")?;
    let keyword = keyword.trim();
    if keyword.is_empty() {
        return Err(ApiError::bad("keyword", "empty"));
    }
    if keyword.len() > 256 {
        return Err(ApiError::bad("keyword", "longer than 256 bytes"));
    }
    Ok(ItemFilter {
        keyword: Some(keyword.to_owned()),
        start_time: call.params.int("start_time")?,
        end_time: call.params.int("end_time")?,
        ..reach.items()
    })
}

pub async fn list_item(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let filter = keyword_filter(&call, &reach)?;
    let (offset, limit) = page(&call)?;
    let rows = library::list_items(&call.state.db, &filter, sort(&call)?, offset, limit).await?;
    let list = present(&call.state, call.viewer(), &rows, &Additional::of(&call)?).await?;
    Ok(Reply::data(List::of(list)))
}

pub async fn count_item(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let filter = keyword_filter(&call, &reach)?;
    let count = library::count_items(&call.state.db, &filter).await?;
    Ok(Reply::data(Count { count }))
}

/// `suggest`: tags and folders whose names contain the keyword, and the special keywords.
pub async fn suggest(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let keyword = call.params.required_string("keyword")?;
    let word = keyword.trim().to_lowercase();
    let mut list = Vec::new();
    if !word.is_empty() && word.len() <= 256 {
        for special in ["Video", "Live Photo", "Motion Photo", "360"] {
            if special.to_lowercase().starts_with(&word) {
                list.push(Suggestion::of("keyword", 0, special));
            }
        }
        for (id, name, count) in
            library::tags_with_counts(&call.state.db, &reach.items(), None).await?
        {
            if count > 0 && name.to_lowercase().contains(&word) {
                list.push(Suggestion::of("general_tag", id, name));
            }
        }
        for folder in library::folders_matching(&call.state.db, reach.owner, &word, 20).await? {
            if reach.sees_folder(folder.id) {
                list.push(Suggestion::of("folder", folder.id, folder.path));
            }
        }
        let items = reach.items();
        // Named people and subjects (docs/recognition.md), when switched on.
        let on = people::switches(&call.state, reach.owner).await?;
        if on.faces {
            let q = shoebox_catalog::people::PersonQuery {
                name_like: Some(&word),
                ..Default::default()
            };
            for p in shoebox_catalog::people::persons(&call.state.db, &items, &q)
                .await?
                .into_iter()
                .take(10)
            {
                list.push(Suggestion::of("person", p.id, p.name));
            }
        }
        if on.subjects {
            for c in shoebox_catalog::people::concepts(&call.state.db, &items, None).await? {
                if c.name.to_lowercase().contains(&word) || c.key.contains(&word) {
                    list.push(Suggestion::of("concept", c.id, c.name));
                }
            }
        }
        // The caller's own albums (Personal Space API only) and places.
        if !call.team() {
            let user = call.user()?.user_id.0;
            let albums =
                shoebox_catalog::albums::named_like(&call.state.db, user, &word, 10).await?;
            for (id, name) in albums {
                list.push(Suggestion::of("album", id, name));
            }
        }
        let me = call.user()?.user_id.0;
        if crate::services::settings::shows_locations(&call.state, me).await? {
            for place in shoebox_catalog::places::counted(&call.state.db, &items)
                .await?
                .into_iter()
                .filter(|p| p.node.name.to_lowercase().contains(&word))
                .take(10)
            {
                list.push(Suggestion {
                    level: Some(place.node.level),
                    ..Suggestion::of("geocoding", place.node.id, place.node.name)
                });
            }
        }
    }
    list.truncate(50);
    Ok(Reply::data(List::of(list)))
}
