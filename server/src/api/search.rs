//! `SYNO.Foto.Search.Search` and `SYNO.Foto.Search.Filter` (+Team) (reference §3.9, §4.7):
//! keyword search over what the index knows, suggestions, and the lists a filter panel offers.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::Call;
use super::error::{ApiError, ApiResult};
use super::reply::Reply;
use crate::protocol::listing::{Additional, page, sort};
use crate::services::access::Reach;
use crate::services::filters::{FilterNames, name_id};
use crate::services::items::present;
use shoebox_catalog::library::{self, ItemFilter, Kind};

fn named(names: &HashMap<i64, String>) -> Vec<Value> {
    let mut list: Vec<(&i64, &String)> = names.iter().collect();
    list.sort_by_key(|a| a.1.to_lowercase());
    list.into_iter()
        .map(|(id, name)| json!({"id": id, "name": name}))
        .collect()
}

/// `Search.Filter list`: what the caller's items can be filtered by.
pub async fn filter_list(call: Call) -> ApiResult {
    let reach = call.reach().await?;
    let db = &call.state.db;
    let filter = reach.items();
    let names = FilterNames::load(&call.state, &reach).await?;
    let ints = |v: Vec<String>| -> Vec<i64> { v.iter().filter_map(|s| s.parse().ok()).collect() };
    let isos = ints(library::distinct_values(db, &filter, "i.iso").await?);
    let mut flash = ints(library::distinct_values(db, &filter, "i.flash").await?);
    flash.sort_unstable();
    let mut ratings = ints(library::distinct_values(db, &filter, "i.rating").await?);
    ratings.sort_unstable();
    let apertures = library::distinct_values(db, &filter, "i.aperture").await?;
    let tags = library::tags_with_counts(db, &filter, None).await?;
    let mut months: Vec<(i64, u32)> = Vec::new();
    for (day, _) in library::days_of(db, &filter).await? {
        let (y, m, _) = shoebox_indexer::metadata::time::civil_from_days(day);
        if months.last() != Some(&(y, m)) {
            months.push((y, m));
        }
    }
    let time: Vec<Value> = months
        .into_iter()
        .map(|(y, m)| {
            let start = shoebox_indexer::metadata::time::days_from_civil(y, m, 1) * 86_400;
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            let end = shoebox_indexer::metadata::time::days_from_civil(ny, nm, 1) * 86_400 - 1;
            json!({"year": y, "month": m, "start_time": start, "end_time": end})
        })
        .collect();
    let mut iso_list = isos;
    iso_list.sort_unstable();
    Ok(Reply::data(json!({
        "item_type": Kind::ALL.iter().map(|k| json!({"id": k.id(), "name": k.name()})).collect::<Vec<_>>(),
        "camera": named(&names.cameras),
        "lens": named(&names.lenses),
        "iso": iso_list.iter().map(|i| json!({"id": i, "name": i.to_string()})).collect::<Vec<_>>(),
        "aperture": apertures.iter().map(|a| json!({"id": name_id(a), "name": format!("f/{a}")})).collect::<Vec<_>>(),
        "flash": flash,
        "rating": ratings,
        "general_tag": tags.iter().filter(|t| t.2 > 0).map(|(id, name, _)| json!({"id": id, "name": name})).collect::<Vec<_>>(),
        "time": time,
        "person": [],
        "geocoding": crate::api::browse::place::filter_tree(&call, &filter).await?,
        "folder_filter": [],
        "exposure_time_group": [],
        "focal_length_group": [],
    })))
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
    let reach = call.reach().await?;
    let filter = keyword_filter(&call, &reach)?;
    let (offset, limit) = page(&call)?;
    let rows = library::list_items(&call.state.db, &filter, sort(&call)?, offset, limit).await?;
    let list = present(&call.state, call.viewer(), &rows, &Additional::of(&call)?).await?;
    Ok(Reply::data(json!({ "list": list })))
}

pub async fn count_item(call: Call) -> ApiResult {
    let reach = call.reach().await?;
    let filter = keyword_filter(&call, &reach)?;
    let count = library::count_items(&call.state.db, &filter).await?;
    Ok(Reply::data(json!({ "count": count })))
}

/// `suggest`: tags and folders whose names contain the keyword, and the special keywords.
pub async fn suggest(call: Call) -> ApiResult {
    let reach = call.reach().await?;
    let keyword = call.params.required_string("keyword")?;
    let word = keyword.trim().to_lowercase();
    let mut list = Vec::new();
    if !word.is_empty() && word.len() <= 256 {
        for special in ["Video", "Live Photo", "Motion Photo", "360"] {
            if special.to_lowercase().starts_with(&word) {
                list.push(json!({"id": 0, "type": "keyword", "name": special, "passphrase": ""}));
            }
        }
        for (id, name, count) in
            library::tags_with_counts(&call.state.db, &reach.items(), None).await?
        {
            if count > 0 && name.to_lowercase().contains(&word) {
                list.push(json!({"id": id, "type": "general_tag", "name": name, "passphrase": ""}));
            }
        }
        for folder in library::folders_matching(&call.state.db, reach.owner, &word, 20).await? {
            if reach.sees_folder(folder.id) {
                list.push(json!({"id": folder.id, "type": "folder", "name": folder.path, "passphrase": ""}));
            }
        }
        let items = reach.items();
        // Named people and subjects (docs/recognition.md), when switched on.
        let (people_on, subjects_on) = super::browse::person::switches(&call, &reach).await?;
        if people_on {
            let q = shoebox_catalog::people::PersonQuery {
                name_like: Some(&word),
                ..Default::default()
            };
            for p in shoebox_catalog::people::persons(&call.state.db, &items, &q)
                .await?
                .into_iter()
                .take(10)
            {
                list.push(json!({"id": p.id, "type": "person", "name": p.name, "passphrase": ""}));
            }
        }
        if subjects_on {
            for c in shoebox_catalog::people::concepts(&call.state.db, &items, None).await? {
                if c.name.to_lowercase().contains(&word) || c.key.contains(&word) {
                    list.push(
                        json!({"id": c.id, "type": "concept", "name": c.name, "passphrase": ""}),
                    );
                }
            }
        }
        // The caller's own albums (Personal Space API only) and places.
        if !call.team() {
            let user = call.user()?.user_id.0;
            let albums =
                shoebox_catalog::albums::named_like(&call.state.db, user, &word, 10).await?;
            for (id, name) in albums {
                list.push(json!({"id": id, "type": "album", "name": name, "passphrase": ""}));
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
                list.push(json!({
                    "id": place.node.id,
                    "type": "geocoding",
                    "name": place.node.name,
                    "level": place.node.level,
                    "passphrase": "",
                }));
            }
        }
    }
    list.truncate(50);
    Ok(Reply::data(json!({ "list": list })))
}
