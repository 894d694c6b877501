//! Albums (reference §3.4–3.6, §4.2): `SYNO.Foto.Browse.Album`, `.NormalAlbum` (manual) and
//! `.ConditionAlbum` (filled by a condition), plus the automatic ones: `Browse.RecentlyAdded`
//! (both spaces) and `Browse.Category`.
//!
//! An album belongs to the user who made it and may hold items of both spaces. What it shows
//! is worked out on every read: the owner's Personal Space items and the Shared Space items the
//! owner sees now. A conditional album keeps its condition and is evaluated when read, so new
//! photos that match appear without anyone touching it. docs/protocol-choices.md "Albums" notes
//! the choices where the reference says "unknown".

use serde_json::{Map, Value, json};

use crate::api::sharing::{Direction, shared_album_count, shared_albums_json};
use crate::protocol::Call;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::listing::{Additional, page};
use crate::protocol::reply::Reply;
use crate::services::items::present;
use crate::services::sight::{Sight, album_items, condition_items};
use crate::wire::item::Thumbnail;
use shoebox_catalog::albums::{self, AlbumRow, AlbumSort, MAX_ALBUM_ITEMS};
use shoebox_catalog::library::{self, ItemFilter, ItemRow, Sort, SortBy};
use shoebox_catalog::shares::Role;

/// Longest album name, in characters.
const MAX_NAME: usize = 255;

/// Recently Added: what came into the library in the last 30 days.
const RECENT_DAYS: i64 = 30;

fn album_name(call: &Call) -> ApiResult<String> {
    let name = call.params.required_string("name")?;
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::bad("name", "empty"));
    }
    if name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(ApiError::bad(
            "name",
            format!("at most {MAX_NAME} characters, none of them control characters"),
        ));
    }
    Ok(name.to_owned())
}

/// The caller's album `id` (another user's albums answer as missing ones do).
async fn own_album(call: &Call, id: i64) -> ApiResult<AlbumRow> {
    albums::get(&call.state.db, call.user()?.user_id.0, id)
        .await?
        .ok_or(ApiError::NotFound)
}

fn album_id(call: &Call) -> ApiResult<i64> {
    call.params.int("id")?.ok_or(ApiError::MissingParam("id"))
}

/// The item ids of an `item` parameter: 1 to [`MAX_ALBUM_ITEMS`] of them.
fn item_ids(call: &Call, required: bool) -> ApiResult<Vec<i64>> {
    let Some(mut ids) = call.params.int_list("item")? else {
        return if required {
            Err(ApiError::MissingParam("item"))
        } else {
            Ok(Vec::new())
        };
    };
    if ids.len() as i64 > MAX_ALBUM_ITEMS {
        return Err(ApiError::bad(
            "item",
            format!("more than {MAX_ALBUM_ITEMS} ids"),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
    Ok(ids)
}

/// Checks a condition a client sends (`create`, `set_condition`) by evaluating it once.
async fn checked_condition(call: &Call) -> ApiResult<Value> {
    let condition = call
        .params
        .json("condition")?
        .ok_or(ApiError::MissingParam("condition"))?;
    if condition.to_string().len() > 64 * 1024 {
        return Err(ApiError::bad("condition", "larger than 64 KiB"));
    }
    let filter = condition_items(call, &condition, &Sight::of(call).await?).await?;
    library::count_items(&call.state.db, &filter).await?;
    // Kept as one object, whichever form it came in.
    Ok(match condition {
        Value::Array(mut list) => list.remove(0),
        other => other,
    })
}

/// The order an album was given (`set_order`), if not the default.
pub fn stored_sort(album: &AlbumRow) -> Option<Sort> {
    let by = SortBy::parse(&album.sort_by).filter(|_| album.sort_by != "default")?;
    let desc = match album.sort_direction.as_str() {
        "asc" => false,
        "desc" => true,
        _ => matches!(by, SortBy::TakenTime | SortBy::Added),
    };
    Some(Sort { by, desc })
}

/// The album object of §4.2.
pub async fn album_json(
    call: &Call,
    sight: &Sight,
    album: &AlbumRow,
    additional: &Additional,
) -> ApiResult<Value> {
    let filter = album_items(call, sight, album, false).await?;
    let db = &call.state.db;
    let count = library::count_items(db, &filter).await?;
    let (start, end) = library::time_span(db, &filter).await?;
    let share = shoebox_catalog::shares::of_album(db, album.id)
        .await?
        .filter(|s| !s.expired());
    let mut object = json!({
        "id": album.id,
        "name": album.name,
        "type": album.r#type,
        "item_count": count,
        "owner_user_id": album.owner_id,
        "passphrase": share.as_ref().map_or("", |s| s.passphrase.as_str()),
        "shared": share.is_some(),
        "sort_by": album.sort_by,
        "sort_direction": album.sort_direction,
        "create_time": album.create_time,
        "start_time": start.unwrap_or(album.create_time),
        "end_time": end.unwrap_or(album.create_time),
        "cant_migrate_condition": {},
        "condition": if album.is_condition() { album.condition() } else { json!({}) },
        "version": album.version,
    });
    if !album.is_condition() {
        object["temporary_shared"] = json!(false);
        object["freeze_album"] = json!(false);
    }
    let mut extra = Map::new();
    if additional.has("thumbnail") {
        let cover = cover(call, album, &filter).await?;
        extra.insert(
            "thumbnail".into(),
            cover
                .as_ref()
                .map_or(Value::Null, |r| json!(Thumbnail::of(r))),
        );
    }
    if additional.has("sharing_info") {
        let info = match &share {
            Some(share) => crate::api::sharing::sharing_info(call, share).await?,
            None => json!({"enable_password": false, "expiration": 0, "is_public": false,
                           "passphrase": "", "permission": [], "privacy_type": "private",
                           "owner": {"id": album.owner_id}}),
        };
        extra.insert("sharing_info".into(), info);
    }
    if !extra.is_empty() {
        object["additional"] = Value::Object(extra);
    }
    Ok(object)
}

/// The album's cover: the one chosen if the caller still sees it in the album, else its newest
/// item.
pub async fn cover(
    call: &Call,
    album: &AlbumRow,
    filter: &ItemFilter,
) -> ApiResult<Option<ItemRow>> {
    let db = &call.state.db;
    if let Some(id) = album.cover_item_id
        && let Some(row) = library::items_by_ids(db, filter, &[id]).await?.pop()
    {
        return Ok(Some(row));
    }
    Ok(library::list_items(db, filter, Sort::default(), 0, 1)
        .await?
        .pop())
}

/// The album of an album-type thumbnail request: its cover's id, if the caller's album has one.
pub async fn cover_id(call: &Call, id: i64) -> ApiResult<i64> {
    let album = own_album(call, id).await?;
    let filter = album_items(call, &Sight::of(call).await?, &album, false).await?;
    cover(call, &album, &filter)
        .await?
        .map(|row| row.id)
        .ok_or(ApiError::NotFound)
}

async fn one_album_json(call: &Call, album: &AlbumRow) -> ApiResult<Value> {
    let mut list = albums_json(call, std::slice::from_ref(album)).await?;
    Ok(list.pop().unwrap_or(Value::Null))
}

async fn albums_json(call: &Call, rows: &[AlbumRow]) -> ApiResult<Vec<Value>> {
    let additional = Additional::of(call)?;
    let sight = Sight::of(call).await?;
    let mut list = Vec::with_capacity(rows.len());
    for album in rows {
        list.push(album_json(call, &sight, album, &additional).await?);
    }
    Ok(list)
}

/// Which albums a `category` asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Category {
    /// The caller's own (`normal`; also with no category).
    Own,
    /// The caller's own, then those shared with them (`normal_share_with_me`, what the
    /// official clients send, and `all`).
    OwnAndSharedWithMe,
    /// Shared with the caller by others (`shared_with_me`, `share_with_me`).
    SharedWithMe,
    /// The caller's own albums shared with others (`shared`, `shared_with_others`).
    SharedByMe,
}

fn category_of(call: &Call) -> ApiResult<Category> {
    match call.params.string("category").as_deref() {
        None | Some("normal") => Ok(Category::Own),
        Some("normal_share_with_me" | "all") => Ok(Category::OwnAndSharedWithMe),
        Some("shared_with_me" | "share_with_me") => Ok(Category::SharedWithMe),
        Some("shared" | "shared_with_others") => Ok(Category::SharedByMe),
        Some(_) => Err(ApiError::bad(
            "category",
            "normal, normal_share_with_me, shared or shared_with_me",
        )),
    }
}

/// `Browse.Album list`. With `normal_share_with_me` the caller's own albums come first (in the
/// order asked), then those shared with them (newest link first), paged as one list.
pub async fn list(call: Call) -> ApiResult {
    let (offset, limit) = page(&call)?;
    let category = category_of(&call)?;
    let shared_only = match category {
        Category::SharedWithMe => Some(Direction::WithMe),
        Category::SharedByMe => Some(Direction::ByMe),
        _ => None,
    };
    if let Some(direction) = shared_only {
        let list = shared_albums_json(&call, direction, offset, limit).await?;
        return Ok(Reply::data(json!({ "list": list })));
    }
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
    let rows = albums::list(
        &call.state.db,
        call.user()?.user_id.0,
        None,
        sort,
        desc,
        offset,
        limit,
    )
    .await?;
    let mut list = albums_json(&call, &rows).await?;
    let room = limit - i64::try_from(list.len()).unwrap_or(limit);
    if category == Category::OwnAndSharedWithMe && room > 0 {
        // The page reaches past the caller's own albums: those shared with them follow.
        let own = albums::count(&call.state.db, call.user()?.user_id.0, None).await?;
        let from = (offset - own).max(0);
        list.extend(shared_albums_json(&call, Direction::WithMe, from, room).await?);
    }
    Ok(Reply::data(json!({ "list": list })))
}

/// `Browse.Album count`.
pub async fn count(call: Call) -> ApiResult {
    let own = || async {
        Ok::<_, ApiError>(albums::count(&call.state.db, call.user()?.user_id.0, None).await?)
    };
    let count = match category_of(&call)? {
        Category::Own => own().await?,
        Category::OwnAndSharedWithMe => {
            own().await? + shared_album_count(&call, Direction::WithMe).await?
        }
        Category::SharedWithMe => shared_album_count(&call, Direction::WithMe).await?,
        Category::SharedByMe => shared_album_count(&call, Direction::ByMe).await?,
    };
    Ok(Reply::data(json!({ "count": count })))
}

/// `Browse.Album get`: `{"list": [album…]}` for the ids asked; any id the caller does not own
/// answers 642.
pub async fn get(call: Call) -> ApiResult {
    if crate::services::sharing::via_link(&call) {
        // Through a link: the shared album, as its owner's album shows to its members; who
        // else it is shared with is for the owner only.
        let shared = crate::services::sharing::Shared::of(&call)
            .await?
            .ok_or(ApiError::NotFound)?;
        let album = shared.album.as_ref().ok_or(ApiError::NotFound)?;
        let mine = call
            .session
            .as_ref()
            .is_some_and(|s| s.user_id.0 == shared.share.owner_id);
        let additional = Additional::of(&call)?;
        let additional = if mine {
            additional
        } else {
            additional.without(&["sharing_info"])
        };
        let sight = crate::services::sharing::owner_sight(&call, shared.share.owner_id).await?;
        let object = album_json(&call, &sight, album, &additional).await?;
        return Ok(Reply::data(json!({ "list": [object] })));
    }
    let rows = own_albums(&call).await?;
    let list = albums_json(&call, &rows).await?;
    Ok(Reply::data(json!({ "list": list })))
}

/// The caller's albums an `id` list names (1 to 1000, in the order given); any id the caller
/// does not own fails the call with 642.
async fn own_albums(call: &Call) -> ApiResult<Vec<AlbumRow>> {
    let ids = call
        .params
        .int_list("id")?
        .ok_or(ApiError::MissingParam("id"))?;
    if ids.is_empty() || ids.len() > 1000 {
        return Err(ApiError::bad("id", "1 to 1000 album ids"));
    }
    let rows = albums::by_ids(&call.state.db, call.user()?.user_id.0, &ids).await?;
    let mut distinct = ids;
    distinct.sort_unstable();
    distinct.dedup();
    if rows.len() != distinct.len() {
        return Err(ApiError::NotFound);
    }
    Ok(rows)
}

/// `NormalAlbum get` / `ConditionAlbum get`: `{"album": album}` (also as `list`).
pub async fn get_one(call: Call) -> ApiResult {
    let album = own_album(&call, album_id(&call)?).await?;
    let object = one_album_json(&call, &album).await?;
    Ok(Reply::data(json!({ "album": object, "list": [object] })))
}

/// `Browse.Album set_name`.
pub async fn set_name(call: Call) -> ApiResult {
    let name = album_name(&call)?;
    if let Some(shared) = managed_album(&call).await? {
        albums::rename(&call.state.db, shared_id(&shared), &name).await?;
        return Ok(Reply::data(json!({})));
    }
    let album = own_album(&call, album_id(&call)?).await?;
    albums::rename(&call.state.db, album.id, &name).await?;
    Ok(Reply::data(json!({})))
}

/// `Browse.Album delete`: the albums go; their items stay in the library.
pub async fn delete(call: Call) -> ApiResult {
    let ids: Vec<i64> = own_albums(&call).await?.iter().map(|a| a.id).collect();
    albums::delete(&call.state.db, &ids).await?;
    Ok(Reply::data(json!({})))
}

/// `Browse.Album set_cover`: `id`, and the item as `id_item` (or `item_id`), which must be in
/// the album for the caller.
pub async fn set_cover(call: Call) -> ApiResult {
    let item = match call.params.int("id_item")? {
        Some(id) => id,
        None => call
            .params
            .int("item_id")?
            .ok_or(ApiError::MissingParam("id_item"))?,
    };
    if let Some(shared) = managed_album(&call).await? {
        // Any item of the album as its members see it.
        if shared.rows(&call, &[item]).await?.is_empty() {
            return Err(ApiError::NotFound);
        }
        albums::set_cover(&call.state.db, shared_id(&shared), item).await?;
        return Ok(Reply::data(json!({})));
    }
    let album = own_album(&call, album_id(&call)?).await?;
    let filter = album_items(&call, &Sight::of(&call).await?, &album, false).await?;
    if library::items_by_ids(&call.state.db, &filter, &[item])
        .await?
        .is_empty()
    {
        return Err(ApiError::NotFound);
    }
    albums::set_cover(&call.state.db, album.id, item).await?;
    Ok(Reply::data(json!({})))
}

/// `Browse.Album set_order` (parameters unknown in the reference; see docs): with `item` [ids]
/// those items go first in that order and the album sorts by hand; with `sort_by` (takentime,
/// filename, create_time, manual, default) and `sort_direction` the album's order is set.
pub async fn set_order(call: Call) -> ApiResult {
    let album = own_album(&call, album_id(&call)?).await?;
    let items = item_ids(&call, false)?;
    if !items.is_empty() {
        if album.is_condition() {
            return Err(ApiError::bad(
                "item",
                "a conditional album has no manual order",
            ));
        }
        albums::set_order(&call.state.db, album.id, &items).await?;
        return Ok(Reply::data(json!({})));
    }
    let by = call.params.required_string("sort_by")?;
    if by != "default" && SortBy::parse(&by).is_none() {
        return Err(ApiError::bad(
            "sort_by",
            "default, takentime, filename, create_time or manual",
        ));
    }
    let direction = call
        .params
        .string("sort_direction")
        .unwrap_or_else(|| "default".into());
    if !["default", "asc", "desc"].contains(&direction.as_str()) {
        return Err(ApiError::bad("sort_direction", "default, asc or desc"));
    }
    albums::set_sort(&call.state.db, album.id, &by, &direction).await?;
    Ok(Reply::data(json!({})))
}

/// The items of `ids` the caller sees in either space; the others go to the `error_list`.
async fn visible_items(call: &Call, ids: &[i64]) -> ApiResult<(Vec<i64>, Vec<Value>)> {
    if ids.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let filter = Sight::of(call).await?.items();
    let found: std::collections::HashSet<i64> = library::items_by_ids(&call.state.db, &filter, ids)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for id in ids {
        if found.contains(id) {
            ok.push(*id);
        } else {
            errors.push(json!({"id": id, "error": {"code": crate::protocol::codes::NOT_FOUND}}));
        }
    }
    Ok((ok, errors))
}

/// `NormalAlbum create`: `name`, optional `item` [ids] of either space.
pub async fn create_normal(call: Call) -> ApiResult {
    let name = album_name(&call)?;
    let items = item_ids(&call, false)?;
    let (ok, errors) = visible_items(&call, &items).await?;
    let owner = call.user()?.user_id.0;
    let id = albums::create(&call.state.db, owner, &name, None)
        .await?
        .ok_or_else(|| ApiError::bad("name", format!("at most {} albums", albums::MAX_ALBUMS)))?;
    if !ok.is_empty() {
        albums::add_items(&call.state.db, id, &ok).await?;
    }
    let album = own_album(&call, id).await?;
    let object = one_album_json(&call, &album).await?;
    Ok(Reply::data(
        json!({ "album": object, "error_list": errors }),
    ))
}

/// A new manual album of the caller's holding `items` (a selection to share): `name` if the
/// call gives one, else "Shared on <date>". Every item must be one the caller sees (642
/// otherwise): nothing is made for a selection that is not wholly theirs to share.
pub async fn create_for_selection(call: &Call, items: &[i64]) -> ApiResult<AlbumRow> {
    if items.is_empty() || items.len() as i64 > MAX_ALBUM_ITEMS {
        return Err(ApiError::bad(
            "item_id",
            format!("1 to {MAX_ALBUM_ITEMS} ids"),
        ));
    }
    let name = match call.params.raw("name") {
        Some(_) => album_name(call)?,
        None => {
            let (y, m, d) = shoebox_indexer::metadata::time::civil_from_days(
                shoebox_catalog::now().div_euclid(86_400),
            );
            format!("Shared on {y}-{m:02}-{d:02}")
        }
    };
    let (ok, errors) = visible_items(call, items).await?;
    if !errors.is_empty() {
        return Err(ApiError::NotFound);
    }
    let owner = call.user()?.user_id.0;
    let id = albums::create(&call.state.db, owner, &name, None)
        .await?
        .ok_or_else(|| ApiError::bad("name", format!("at most {} albums", albums::MAX_ALBUMS)))?;
    albums::add_items(&call.state.db, id, &ok).await?;
    own_album(call, id).await
}

/// The id of a shared album ([`shared_album`] made sure it is one).
fn shared_id(shared: &crate::services::sharing::Shared) -> i64 {
    shared.album.as_ref().map_or(0, |a| a.id)
}

/// The shared normal album a member names by its `passphrase` (instead of `id`), signed in.
async fn shared_album(call: &Call) -> ApiResult<Option<crate::services::sharing::Shared>> {
    if call.params.raw("passphrase").is_none() {
        return Ok(None);
    }
    let shared = crate::services::sharing::Shared::of(call)
        .await?
        .ok_or(ApiError::NotFound)?;
    match &shared.album {
        Some(album) if !album.is_condition() => Ok(Some(shared)),
        _ => Err(ApiError::bad(
            "passphrase",
            "not the link of a manual album: it takes no items",
        )),
    }
}

/// The shared album a Manager (or its owner) names by its `passphrase`, to rename or give a
/// cover; other members may not.
async fn managed_album(call: &Call) -> ApiResult<Option<crate::services::sharing::Shared>> {
    if call.params.raw("passphrase").is_none() {
        return Ok(None);
    }
    let shared = crate::services::sharing::Shared::of(call)
        .await?
        .ok_or(ApiError::NotFound)?;
    if shared.album.is_none() {
        return Err(ApiError::bad("passphrase", "not the link of an album"));
    }
    if shared.role < Role::Manage {
        return Err(ApiError::Forbidden);
    }
    Ok(Some(shared))
}

/// A manual album of the caller's, for changing its items.
async fn own_normal_album(call: &Call) -> ApiResult<AlbumRow> {
    let album = own_album(call, album_id(call)?).await?;
    if album.is_condition() {
        return Err(ApiError::bad(
            "id",
            "a conditional album: change its condition instead",
        ));
    }
    Ok(album)
}

/// `NormalAlbum add_item`: `id`, `item` [ids]; ids the caller does not see are listed in
/// `error_list` and the others added.
pub async fn add_item(call: Call) -> ApiResult {
    if let Some(shared) = shared_album(&call).await? {
        // A member of the link: a Provider or a Manager adds their own photos; they stay
        // theirs (`provider_user_id`), and leave the album when the link ends.
        if shared.role < Role::Upload {
            return Err(ApiError::Forbidden);
        }
        let me = call.user()?.user_id.0;
        let by = (me != shared.share.owner_id).then_some(me);
        let items = item_ids(&call, true)?;
        let (ok, errors) = visible_items(&call, &items).await?;
        if !ok.is_empty()
            && !albums::add_items_by(&call.state.db, shared_id(&shared), &ok, by).await?
        {
            return Err(ApiError::bad(
                "item",
                format!("an album holds at most {MAX_ALBUM_ITEMS} items"),
            ));
        }
        return Ok(Reply::data(json!({ "error_list": errors })));
    }
    let album = own_normal_album(&call).await?;
    let items = item_ids(&call, true)?;
    let (ok, errors) = visible_items(&call, &items).await?;
    if !ok.is_empty() && !albums::add_items(&call.state.db, album.id, &ok).await? {
        return Err(ApiError::bad(
            "item",
            format!("an album holds at most {MAX_ALBUM_ITEMS} items"),
        ));
    }
    Ok(Reply::data(json!({ "error_list": errors })))
}

/// `NormalAlbum delete_item`: takes items out of the album; they stay in the library.
pub async fn delete_item(call: Call) -> ApiResult {
    if let Some(shared) = shared_album(&call).await? {
        // A Manager takes out any item; a Provider only those they added.
        let only_by = match shared.role {
            Role::Manage => None,
            Role::Upload => Some(call.user()?.user_id.0),
            _ => return Err(ApiError::Forbidden),
        };
        let items = item_ids(&call, true)?;
        albums::remove_items_of(&call.state.db, shared_id(&shared), &items, only_by).await?;
        return Ok(Reply::data(json!({})));
    }
    let album = own_normal_album(&call).await?;
    let items = item_ids(&call, true)?;
    albums::remove_items(&call.state.db, album.id, &items).await?;
    Ok(Reply::data(json!({})))
}

/// `NormalAlbum list`/`count` and `ConditionAlbum list`/`count`: the caller's albums of that
/// type, newest first.
pub async fn list_normal(call: Call) -> ApiResult {
    list_of_type(call, "normal").await
}

pub async fn list_condition(call: Call) -> ApiResult {
    list_of_type(call, "condition").await
}

async fn list_of_type(call: Call, kind: &str) -> ApiResult {
    let (offset, limit) = page(&call)?;
    let rows = albums::list(
        &call.state.db,
        call.user()?.user_id.0,
        Some(kind),
        AlbumSort::CreateTime,
        true,
        offset,
        limit,
    )
    .await?;
    let list = albums_json(&call, &rows).await?;
    Ok(Reply::data(json!({ "list": list })))
}

pub async fn count_normal(call: Call) -> ApiResult {
    count_of_type(call, "normal").await
}

pub async fn count_condition(call: Call) -> ApiResult {
    count_of_type(call, "condition").await
}

async fn count_of_type(call: Call, kind: &str) -> ApiResult {
    let n = albums::count(&call.state.db, call.user()?.user_id.0, Some(kind)).await?;
    Ok(Reply::data(json!({ "count": n })))
}

/// `ConditionAlbum create`: `name`, `condition` (an object of filter fields; see docs).
pub async fn create_condition(call: Call) -> ApiResult {
    let name = album_name(&call)?;
    let condition = checked_condition(&call).await?;
    let owner = call.user()?.user_id.0;
    let id = albums::create(&call.state.db, owner, &name, Some(&condition))
        .await?
        .ok_or_else(|| ApiError::bad("name", format!("at most {} albums", albums::MAX_ALBUMS)))?;
    let album = own_album(&call, id).await?;
    let object = one_album_json(&call, &album).await?;
    Ok(Reply::data(json!({ "album": object })))
}

/// `ConditionAlbum set_condition`: `id`, `condition`.
pub async fn set_condition(call: Call) -> ApiResult {
    let album = own_album(&call, album_id(&call)?).await?;
    if !album.is_condition() {
        return Err(ApiError::bad("id", "not a conditional album"));
    }
    let condition = checked_condition(&call).await?;
    albums::set_condition(&call.state.db, album.id, &condition).await?;
    Ok(Reply::data(json!({})))
}

/// `ConditionAlbum peek_item_count`: how many items a `condition` would hold, before saving it.
pub async fn peek_item_count(call: Call) -> ApiResult {
    let condition = call
        .params
        .json("condition")?
        .ok_or(ApiError::MissingParam("condition"))?;
    let filter = condition_items(&call, &condition, &Sight::of(&call).await?).await?;
    let count = library::count_items(&call.state.db, &filter).await?;
    Ok(Reply::data(json!({ "count": count })))
}

/// `ConditionAlbum suggest`: tags (`general_tag`) and folders (`folder`) whose names contain
/// `keyword`, of the kinds `condition` lists (default tags), for building a condition.
pub async fn suggest(call: Call) -> ApiResult {
    let keyword = call.params.required_string("keyword")?;
    let word = keyword.trim().to_lowercase();
    if word.len() > 256 {
        return Err(ApiError::bad("keyword", "longer than 256 bytes"));
    }
    let kinds = call
        .params
        .string_list("condition")?
        .unwrap_or_else(|| vec!["general_tag".into()]);
    let sight = Sight::of(&call).await?;
    let mut list = Vec::new();
    for kind in &kinds {
        match kind.as_str() {
            "general_tag" => {
                let filter = sight.items();
                for (id, name, _) in
                    library::tags_with_counts(&call.state.db, &filter, None).await?
                {
                    if name.to_lowercase().contains(&word) {
                        list.push(json!({"id": id, "name": name, "type": "general_tag"}));
                    }
                }
            }
            "folder" => {
                for reach in std::iter::once(&sight.personal).chain(sight.team.as_ref()) {
                    for f in
                        library::folders_matching(&call.state.db, reach.owner, &word, 50).await?
                    {
                        if reach.sees_folder(f.id) {
                            list.push(json!({"id": f.id, "name": f.path, "type": "folder"}));
                        }
                    }
                }
            }
            "geocoding" => {
                let filter = sight.items();
                for place in shoebox_catalog::places::counted(&call.state.db, &filter).await? {
                    if place.node.name.to_lowercase().contains(&word) {
                        list.push(json!({"id": place.node.id, "name": place.node.name, "type": "geocoding"}));
                    }
                }
            }
            // People and subjects come with their features.
            "person" | "concept" => {}
            other => {
                return Err(ApiError::bad(
                    "condition",
                    format!("unknown kind {other:?}: general_tag, folder or geocoding"),
                ));
            }
        }
    }
    list.truncate(100);
    Ok(Reply::data(json!({ "list": list })))
}

/// `Browse.RecentlyAdded list`: items that came into the space in the last 30 days, newest
/// first.
pub async fn recently_added_list(call: Call) -> ApiResult {
    let filter = recently_added(&call).await?;
    let (offset, limit) = page(&call)?;
    let sort = Sort {
        by: SortBy::Added,
        desc: true,
    };
    let rows = library::list_items(&call.state.db, &filter, sort, offset, limit).await?;
    let list = present(&call.state, call.viewer(), &rows, &Additional::of(&call)?).await?;
    Ok(Reply::data(json!({ "list": list })))
}

pub async fn recently_added_count(call: Call) -> ApiResult {
    let filter = recently_added(&call).await?;
    let count = library::count_items(&call.state.db, &filter).await?;
    Ok(Reply::data(json!({ "count": count })))
}

async fn recently_added(call: &Call) -> ApiResult<ItemFilter> {
    let reach = call.reach().await?;
    let since_ms = (shoebox_catalog::now() - RECENT_DAYS * 86_400) * 1000;
    Ok(ItemFilter {
        added_since: Some(since_ms),
        ..reach.items()
    })
}

/// `Browse.Category get` (shape unknown in the reference; see docs): the automatic albums, in
/// the order the seed's Albums tab shows them, each with whether this server has it.
pub async fn category(call: Call) -> ApiResult {
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
    .map(|(id, name, enabled)| json!({"id": id, "name": name, "enabled": enabled}))
    .collect::<Vec<_>>();
    Ok(Reply::data(json!({ "list": list })))
}
