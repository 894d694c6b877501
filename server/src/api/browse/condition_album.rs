//! `SYNO.Foto.Browse.ConditionAlbum` (reference §3.6): albums filled by a condition, which is
//! kept and evaluated when the album is read, so new photos that match appear without anyone
//! touching it. `get` is `Browse.Album`'s (`album.rs`).

use serde::Serialize;

use crate::protocol::Call;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::listing::{Additional, page};
use crate::protocol::reply::Reply;
use crate::services::albums::changes::checked_name;
use crate::services::albums::{self, AlbumView, condition};
use crate::wire::album::Album;
use crate::wire::list::{Count, Empty, List};

/// The `condition` parameter: an object of filter fields (see docs).
fn condition_param(call: &Call) -> ApiResult<serde_json::Value> {
    call.params
        .json("condition")?
        .ok_or(ApiError::MissingParam("condition"))
}

#[derive(Serialize)]
struct Created {
    album: Album,
}

/// `create`: `name`, `condition`.
pub async fn create(call: Call) -> ApiResult {
    let name = checked_name(&call.params.required_string("name")?)?;
    let user = call.user()?;
    let condition = condition::checked(&call.state, user, condition_param(&call)?).await?;
    let album = condition::create(&call.state, user, &name, &condition).await?;
    let view = AlbumView::new(Additional::of(&call)?, &call.headers);
    let album = albums::present_own(&call.state, &view, user, &[album])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    Ok(Reply::data(Created { album }))
}

/// `set_condition`: `id`, `condition`.
pub async fn set_condition(call: Call) -> ApiResult {
    let user = call.user()?;
    let id = call.params.int("id")?.ok_or(ApiError::MissingParam("id"))?;
    let album = albums::own_condition(&call.state, user.user_id.0, id).await?;
    let condition = condition::checked(&call.state, user, condition_param(&call)?).await?;
    condition::set(&call.state, &album, &condition).await?;
    Ok(Reply::data(Empty {}))
}

/// `list`: the caller's conditional albums, newest first.
pub async fn list(call: Call) -> ApiResult {
    let page = page(&call)?;
    let view = AlbumView::new(Additional::of(&call)?, &call.headers);
    let list = albums::list_of_type(&call.state, &view, call.user()?, "condition", page).await?;
    Ok(Reply::data(List::of(list)))
}

/// `count`.
pub async fn count(call: Call) -> ApiResult {
    let count = albums::count_of_type(&call.state, call.user()?.user_id.0, "condition").await?;
    Ok(Reply::data(Count::of(count)))
}

/// `peek_item_count`: how many items a `condition` would hold, before saving it.
pub async fn peek_item_count(call: Call) -> ApiResult {
    let condition = condition_param(&call)?;
    let count = condition::item_count(&call.state, call.user()?, &condition).await?;
    Ok(Reply::data(Count::of(count)))
}

/// `suggest`: tags (`general_tag`), folders (`folder`) and places (`geocoding`) whose names
/// contain `keyword`, of the kinds `condition` lists (default tags), for building a condition.
pub async fn suggest(call: Call) -> ApiResult {
    let word = condition::keyword(&call.params.required_string("keyword")?)?;
    let kinds = call
        .params
        .string_list("condition")?
        .unwrap_or_else(|| vec!["general_tag".into()]);
    let list = condition::suggest(&call.state, call.user()?, &word, &kinds).await?;
    Ok(Reply::data(List::of(list)))
}
