//! `SYNO.Foto.Browse.Category get` (shape unknown in the reference; see docs): the automatic
//! albums, in the order the seed's Albums tab shows them, each with whether this server has it.

use serde::Serialize;

use crate::protocol::Call;
use crate::protocol::error::ApiResult;
use crate::protocol::reply::Reply;
use crate::wire::list::List;

/// An automatic album and whether it is there (people and subjects need recognition).
#[derive(Serialize)]
struct Category {
    id: &'static str,
    name: &'static str,
    enabled: bool,
}

pub async fn get(call: Call) -> ApiResult {
    call.user()?;
    let (faces, subjects) = call.state.indexer.recogniser().map_or((false, false), |r| {
        (r.faces().is_ready(), r.subjects().is_ready())
    });
    let list = [
        ("person", "People", faces),
        ("concept", "Subjects", subjects),
        ("geocoding", "Places", true),
        ("general_tag", "Tags", true),
        ("video", "Videos", true),
        ("recently_added", "Recently Added", true),
        ("shared_with_me", "Shared with me", true),
    ]
    .into_iter()
    .map(|(id, name, enabled)| Category { id, name, enabled })
    .collect();
    Ok(Reply::data(List::of(list)))
}
