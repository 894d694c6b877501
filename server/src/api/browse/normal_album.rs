//! `SYNO.Foto.Browse.NormalAlbum` (reference §3.5): manual albums, made by hand and holding
//! the items put in them, of either space. Their members of a link (a Provider or a Manager)
//! add and take out items too. `get` is `Browse.Album`'s (`album.rs`).

use serde::Serialize;

use crate::extract;
use crate::protocol::Call;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::listing::{Additional, page};
use crate::protocol::reply::Reply;
use crate::services::albums::changes::{self, Target};
use crate::services::albums::{self, AlbumView};
use crate::wire::album::{Album, ItemError};
use crate::wire::list::{Count, Empty, List};

/// The album a change of items names: a shared one by its link (`passphrase`), else the
/// caller's `id`.
async fn target(call: &Call) -> ApiResult<Target> {
    if call.params.raw("passphrase").is_none() {
        let id = call.params.int("id")?.ok_or(ApiError::MissingParam("id"))?;
        return Ok(Target::Own(id));
    }
    let shared = extract::shared(call).await?.ok_or(ApiError::NotFound)?;
    Ok(Target::Link(Box::new(shared)))
}

fn items(call: &Call) -> ApiResult<Vec<i64>> {
    changes::item_list(call.params.int_list("item")?, true)
}

/// The items a change could not take (ids the caller does not see).
#[derive(Serialize)]
struct Refused {
    error_list: Vec<ItemError>,
}

/// `create`: `name`, optional `item` [ids] of either space; ids the caller does not see are
/// listed in `error_list`.
#[derive(Serialize)]
struct Created {
    album: Album,
    error_list: Vec<ItemError>,
}

pub async fn create(call: Call) -> ApiResult {
    let name = changes::checked_name(&call.params.required_string("name")?)?;
    let items = changes::item_list(call.params.int_list("item")?, false)?;
    let user = call.user()?;
    let (album, errors) = changes::create_normal(&call.state, user, &name, &items).await?;
    let view = AlbumView::new(Additional::of(&call)?, &call.headers);
    let album = albums::present_own(&call.state, &view, user, &[album])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    Ok(Reply::data(Created {
        album,
        error_list: errors,
    }))
}

/// `add_item`: `id`, `item` [ids]; ids the caller does not see are listed in `error_list` and
/// the others added.
pub async fn add_item(call: Call) -> ApiResult {
    let user = call.user()?;
    let editing = changes::editing(&call.state, user.user_id.0, target(&call).await?).await?;
    let items = items(&call)?;
    let errors = changes::add_items(&call.state, user, &editing, &items).await?;
    Ok(Reply::data(Refused { error_list: errors }))
}

/// `delete_item`: takes items out of the album; they stay in the library.
pub async fn delete_item(call: Call) -> ApiResult {
    let user = call.user()?.user_id.0;
    let editing = changes::editing(&call.state, user, target(&call).await?).await?;
    let items = items(&call)?;
    changes::remove_items(&call.state, user, &editing, &items).await?;
    Ok(Reply::data(Empty {}))
}

/// `list`: the caller's manual albums, newest first.
pub async fn list(call: Call) -> ApiResult {
    let page = page(&call)?;
    let view = AlbumView::new(Additional::of(&call)?, &call.headers);
    let list = albums::list_of_type(&call.state, &view, call.user()?, "normal", page).await?;
    Ok(Reply::data(List::of(list)))
}

/// `count`.
pub async fn count(call: Call) -> ApiResult {
    let count = albums::count_of_type(&call.state, call.user()?.user_id.0, "normal").await?;
    Ok(Reply::data(Count::of(count)))
}
