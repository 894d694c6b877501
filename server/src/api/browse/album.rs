//! `SYNO.Foto.Browse.Album` (reference §3.4, §4.2): the caller's albums of both kinds and those
//! shared with them, listed, counted, read, renamed, given a cover or an order, deleted; and
//! `get` of `NormalAlbum` and `ConditionAlbum`.
//!
//! An album belongs to the user who made it and may hold items of both spaces. What it shows
//! is worked out on every read (`services/albums.rs`): the owner's Personal Space items and the
//! Shared Space items the owner sees now. docs/protocol-choices.md "Albums" notes the choices
//! where the reference says "unknown".

use serde::Serialize;

use crate::extract;
use crate::protocol::Call;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::listing::{Additional, page};
use crate::protocol::reply::Reply;
use crate::services::albums::changes::{self, Order, Target};
use crate::services::albums::{self, AlbumOrder, AlbumView, Category};
use crate::wire::album::Album;
use crate::wire::list::{Count, Empty, List};
use shoebox_catalog::albums::AlbumSort;

fn album_id(call: &Call) -> ApiResult<i64> {
    call.params.int("id")?.ok_or(ApiError::MissingParam("id"))
}

/// The album a change names: a shared one by its link (`passphrase`), else the caller's `id`.
async fn target(call: &Call) -> ApiResult<Target> {
    if call.params.raw("passphrase").is_none() {
        return Ok(Target::Own(album_id(call)?));
    }
    let shared = extract::shared(call).await?.ok_or(ApiError::NotFound)?;
    Ok(Target::Link(Box::new(shared)))
}

fn view(call: &Call) -> ApiResult<AlbumView<'_>> {
    Ok(AlbumView::new(Additional::of(call)?, &call.headers))
}

fn category(call: &Call) -> ApiResult<Category> {
    Category::parse(call.params.string("category").as_deref())
}

/// The order `list` asks for the caller's own albums in.
fn order(call: &Call) -> ApiResult<AlbumOrder> {
    let sort = match call.params.string("sort_by") {
        None => AlbumSort::CreateTime,
        Some(by) => AlbumSort::parse(&by).ok_or_else(|| {
            ApiError::bad(
                "sort_by",
                "album_name, album_type, start_time, create_time or share_status",
            )
        })?,
    };
    let desc = match call.params.string("sort_direction").as_deref() {
        None | Some("default") => sort != AlbumSort::Name,
        Some("asc") => false,
        Some("desc") => true,
        Some(_) => return Err(ApiError::bad("sort_direction", "asc or desc")),
    };
    Ok(AlbumOrder { sort, desc })
}

/// `list`. With `normal_share_with_me` the caller's own albums come first (in the order asked),
/// then those shared with them (newest link first), paged as one list.
pub async fn list(call: Call) -> ApiResult {
    let page = page(&call)?;
    let category = category(&call)?;
    let user = call.user()?;
    let list = match category.shared_only() {
        Some(direction) => {
            let view = view(&call)?;
            albums::shared_page(&call.state, &view, user.user_id.0, direction, page).await?
        }
        None => {
            let order = order(&call)?;
            albums::list(&call.state, &view(&call)?, user, category, order, page).await?
        }
    };
    Ok(Reply::data(List::of(list)))
}

/// `count`.
pub async fn count(call: Call) -> ApiResult {
    let category = category(&call)?;
    let count = albums::count(&call.state, call.user()?.user_id.0, category).await?;
    Ok(Reply::data(Count::of(count)))
}

/// `get`: `{"list": [album…]}` for the ids asked; any id the caller does not own answers 642.
/// Through a link: the shared album, as its owner's album shows to its members.
pub async fn get(call: Call) -> ApiResult {
    if call.viewer().via_link {
        let shared = extract::shared(&call).await?.ok_or(ApiError::NotFound)?;
        shared.album.as_ref().ok_or(ApiError::NotFound)?;
        let viewer = call.viewer().user;
        let album = albums::present_shared(&call.state, &view(&call)?, viewer, &shared).await?;
        return Ok(Reply::data(List::of(vec![album])));
    }
    let user = call.user()?;
    let rows = albums::own_many(&call.state, user.user_id.0, call.params.int_list("id")?).await?;
    let list = albums::present_own(&call.state, &view(&call)?, user, &rows).await?;
    Ok(Reply::data(List::of(list)))
}

/// One album, as `NormalAlbum get` and `ConditionAlbum get` answer it (also as `list`).
#[derive(Serialize)]
struct OneAlbum {
    album: Album,
    list: [Album; 1],
}

/// `NormalAlbum get` / `ConditionAlbum get`: `{"album": album, "list": [album]}`.
pub async fn get_one(call: Call) -> ApiResult {
    let user = call.user()?;
    let album = albums::own(&call.state, user.user_id.0, album_id(&call)?).await?;
    let mut list = albums::present_own(&call.state, &view(&call)?, user, &[album]).await?;
    let album = list.pop().ok_or(ApiError::NotFound)?;
    Ok(Reply::data(OneAlbum {
        list: [album.clone()],
        album,
    }))
}

/// `set_name`: `name`; the caller's album `id`, or one a Manager names by its `passphrase`.
pub async fn set_name(call: Call) -> ApiResult {
    let name = changes::checked_name(&call.params.required_string("name")?)?;
    let target = target(&call).await?;
    changes::rename(&call.state, call.user()?.user_id.0, target, &name).await?;
    Ok(Reply::data(Empty {}))
}

/// `delete`: the albums `id` [ids] go; their items stay in the library.
pub async fn delete(call: Call) -> ApiResult {
    let user = call.user()?.user_id.0;
    changes::delete(&call.state, user, call.params.int_list("id")?).await?;
    Ok(Reply::data(Empty {}))
}

/// `set_cover`: `id` (or a Manager's `passphrase`), and the item as `id_item` (or `item_id`),
/// which must be in the album for the caller.
pub async fn set_cover(call: Call) -> ApiResult {
    let item = match call.params.int("id_item")? {
        Some(id) => id,
        None => call
            .params
            .int("item_id")?
            .ok_or(ApiError::MissingParam("id_item"))?,
    };
    let target = target(&call).await?;
    changes::set_cover(&call.state, call.user()?, target, item).await?;
    Ok(Reply::data(Empty {}))
}

/// `set_order` (parameters unknown in the reference; see docs): with `item` [ids] those items
/// go first in that order and the album sorts by hand; with `sort_by` (takentime, filename,
/// create_time, manual, default) and `sort_direction` the album's order is set.
pub async fn set_order(call: Call) -> ApiResult {
    let album = albums::own(&call.state, call.user()?.user_id.0, album_id(&call)?).await?;
    let items = changes::item_list(call.params.int_list("item")?, false)?;
    let order = if items.is_empty() {
        Order::Sorted {
            by: call.params.required_string("sort_by")?,
            direction: call
                .params
                .string("sort_direction")
                .unwrap_or_else(|| "default".into()),
        }
    } else {
        Order::Manual(items)
    };
    changes::set_order(&call.state, &album, order).await?;
    Ok(Reply::data(Empty {}))
}
