//! `SYNO.Foto.Browse.GeneralTag` / `SYNO.FotoTeam.Browse.GeneralTag` (reference §3.9, §4.5):
//! the tags of the caller's items (keywords read from the files and the ones users add).

use serde::Serialize;

use crate::extract;
use crate::protocol::Call;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::listing::page;
use crate::protocol::reply::Reply;
use crate::wire::item::TagRef;
use crate::wire::{Count, Empty, List};
use shoebox_catalog::library;

/// A tag with how many of the caller's items carry it (§4.5).
#[derive(Serialize)]
struct Tag {
    id: i64,
    name: String,
    item_count: i64,
    additional: Empty,
}

fn tag(&(id, ref name, count): &(i64, String, i64)) -> Tag {
    Tag {
        id,
        name: name.clone(),
        item_count: count,
        additional: Empty {},
    }
}

/// `{"tag": …}`
#[derive(Serialize)]
struct Created {
    tag: TagRef,
}

pub async fn list(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let (offset, limit) = page(&call)?;
    let tags = library::tags_with_counts(&call.state.db, &reach.items(), None).await?;
    let list: Vec<_> = tags
        .iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0))
        .map(tag)
        .collect();
    Ok(Reply::data(List { list }))
}

pub async fn count(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let tags = library::tags_with_counts(&call.state.db, &reach.items(), None).await?;
    Ok(Reply::data(Count {
        count: tags.len() as i64,
    }))
}

pub async fn get(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let ids = call
        .params
        .int_list("id")?
        .ok_or(ApiError::MissingParam("id"))?;
    let tags = library::tags_with_counts(&call.state.db, &reach.items(), Some(&ids)).await?;
    if tags.len() != {
        let mut d = ids.clone();
        d.sort_unstable();
        d.dedup();
        d.len()
    } {
        return Err(ApiError::NotFound);
    }
    let list: Vec<_> = tags.iter().map(tag).collect();
    Ok(Reply::data(List { list }))
}

pub async fn create(call: Call) -> ApiResult {
    extract::reach(&call).await?;
    let name = call.params.required_string("name")?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 255 || name.chars().any(char::is_control) {
        return Err(ApiError::bad("name", "1 to 255 printable characters"));
    }
    let (id, name) = library::create_tag(&call.state.db, name).await?;
    Ok(Reply::data(Created {
        tag: TagRef { id, name },
    }))
}
