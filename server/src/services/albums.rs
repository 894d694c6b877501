//! Albums as policy (reference §3.4–3.6, §4.2): which albums a caller may read and change (their
//! own; a shared one through its link by role), what an album object shows (its items as its
//! owner sees them now, its cover, its link), conditional albums' conditions, and the albums
//! shared with or by a user. Handlers read the parameters and call these; docs/protocol-choices.md
//! "Albums" notes the choices where the reference says "unknown".

pub mod changes;
pub mod condition;

use serde_json::{Map, Value};
use shoebox_catalog::albums::{self, AlbumRow, AlbumSort};
use shoebox_catalog::library::{self, ItemFilter, ItemRow, Sort, SortBy};
use shoebox_catalog::sessions::Session;
use shoebox_catalog::shares::{self, Share};

use super::access::Reach;
use super::items::present as present_items;
use super::sharing::{Shared, owner_sight, sharing_info};
use super::sight::{Sight, album_items};
use crate::protocol::Viewer;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::listing::Additional;
use crate::state::AppState;
use crate::wire::album::{Album, AlbumAdditional};
use crate::wire::item::{Item, Thumbnail};
use crate::wire::list::Empty;
use crate::wire::sharing::SharingInfo;

/// Recently Added: what came into the library in the last 30 days.
const RECENT_DAYS: i64 = 30;

/// How albums are shown to a caller: the `additional` fields asked for, and the host their
/// links' pages are addressed on (the request's `Host`).
pub struct AlbumView<'a> {
    pub additional: Additional,
    pub host: Option<&'a str>,
}

impl<'a> AlbumView<'a> {
    pub fn new(additional: Additional, headers: &'a axum::http::HeaderMap) -> AlbumView<'a> {
        let host = headers.get("host").and_then(|v| v.to_str().ok());
        AlbumView { additional, host }
    }

    /// This view less `sharing_info`: who else an album is shared with is for its owner only.
    fn for_member(&self) -> AlbumView<'a> {
        AlbumView {
            additional: self.additional.without(&["sharing_info"]),
            host: self.host,
        }
    }
}

/// The album `id` of `user`'s (another user's albums answer as missing ones do).
pub async fn own(state: &AppState, user: i64, id: i64) -> ApiResult<AlbumRow> {
    albums::get(&state.db, user, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A conditional album of `user`'s, for changing its condition.
pub async fn own_condition(state: &AppState, user: i64, id: i64) -> ApiResult<AlbumRow> {
    let album = own(state, user, id).await?;
    if !album.is_condition() {
        return Err(ApiError::bad("id", "not a conditional album"));
    }
    Ok(album)
}

/// `user`'s albums an `id` list names (1 to 1000, in the order given); any id not theirs
/// fails the call with 642.
pub async fn own_many(
    state: &AppState,
    user: i64,
    ids: Option<Vec<i64>>,
) -> ApiResult<Vec<AlbumRow>> {
    let ids = ids.ok_or(ApiError::MissingParam("id"))?;
    if ids.is_empty() || ids.len() > 1000 {
        return Err(ApiError::bad("id", "1 to 1000 album ids"));
    }
    let rows = albums::by_ids(&state.db, user, &ids).await?;
    let mut distinct = ids;
    distinct.sort_unstable();
    distinct.dedup();
    if rows.len() != distinct.len() {
        return Err(ApiError::NotFound);
    }
    Ok(rows)
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

/// The album object of §4.2 for `album`, its items as `sight` sees them.
pub async fn present(
    state: &AppState,
    view: &AlbumView<'_>,
    sight: &Sight,
    album: &AlbumRow,
) -> ApiResult<Album> {
    let filter = album_items(state, sight, album, false).await?;
    let db = &state.db;
    let count = library::count_items(db, &filter).await?;
    let (start, end) = library::time_span(db, &filter).await?;
    let share = shares::of_album(db, album.id)
        .await?
        .filter(|s| !s.expired());
    let manual = !album.is_condition();
    let mut additional = AlbumAdditional::default();
    if view.additional.has("thumbnail") {
        let cover = cover(state, album, &filter).await?;
        additional.thumbnail = Some(cover.as_ref().map(Thumbnail::of));
    }
    if view.additional.has("sharing_info") {
        additional.sharing_info = Some(match &share {
            Some(share) => sharing_info(state, view.host, share).await?,
            None => SharingInfo::unshared(album.owner_id),
        });
    }
    Ok(Album {
        id: album.id,
        name: album.name.clone(),
        kind: album.r#type.clone(),
        item_count: count,
        owner_user_id: album.owner_id,
        passphrase: share
            .as_ref()
            .map_or_else(String::new, |s| s.passphrase.clone()),
        shared: share.is_some(),
        sort_by: album.sort_by.clone(),
        sort_direction: album.sort_direction.clone(),
        create_time: album.create_time,
        start_time: start.unwrap_or(album.create_time),
        end_time: end.unwrap_or(album.create_time),
        cant_migrate_condition: Empty {},
        condition: if manual {
            Value::Object(Map::new())
        } else {
            album.condition()
        },
        version: album.version,
        temporary_shared: manual.then_some(false),
        freeze_album: manual.then_some(false),
        additional,
    })
}

/// The album objects of `user`'s albums `rows`, as they see them.
pub async fn present_own(
    state: &AppState,
    view: &AlbumView<'_>,
    user: &Session,
    rows: &[AlbumRow],
) -> ApiResult<Vec<Album>> {
    let sight = Sight::of(state, user).await?;
    let mut list = Vec::with_capacity(rows.len());
    for album in rows {
        list.push(present(state, view, &sight, album).await?);
    }
    Ok(list)
}

/// The album of a link as its members see it (its owner's sight); who else it is shared with
/// shows to its owner only (`viewer`, `None` for a guest).
pub async fn present_shared(
    state: &AppState,
    view: &AlbumView<'_>,
    viewer: Option<i64>,
    shared: &Shared,
) -> ApiResult<Album> {
    let album = shared.album.as_ref().ok_or(ApiError::NotFound)?;
    let view = if viewer == Some(shared.share.owner_id) {
        AlbumView {
            additional: view.additional.clone(),
            host: view.host,
        }
    } else {
        view.for_member()
    };
    let sight = owner_sight(state, shared.share.owner_id).await?;
    present(state, &view, &sight, album).await
}

/// The album's cover: the one chosen if the caller still sees it in the album, else its newest
/// item.
async fn cover(
    state: &AppState,
    album: &AlbumRow,
    filter: &ItemFilter,
) -> ApiResult<Option<ItemRow>> {
    let db = &state.db;
    if let Some(id) = album.cover_item_id
        && let Some(row) = library::items_by_ids(db, filter, &[id]).await?.pop()
    {
        return Ok(Some(row));
    }
    Ok(library::list_items(db, filter, Sort::default(), 0, 1)
        .await?
        .pop())
}

/// The cover of album `id` of `user`'s, for an album-type thumbnail request: its item's id.
pub async fn cover_id(state: &AppState, user: &Session, id: i64) -> ApiResult<i64> {
    let album = own(state, user.user_id.0, id).await?;
    let filter = album_items(state, &Sight::of(state, user).await?, &album, false).await?;
    cover(state, &album, &filter)
        .await?
        .map(|row| row.id)
        .ok_or(ApiError::NotFound)
}

/// Which albums a `category` asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Category {
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

impl Category {
    /// The category a client names (absent: the caller's own).
    pub fn parse(name: Option<&str>) -> ApiResult<Category> {
        match name {
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

    /// The shared albums alone this category lists, if it lists only those.
    pub fn shared_only(self) -> Option<Direction> {
        match self {
            Category::SharedWithMe => Some(Direction::WithMe),
            Category::SharedByMe => Some(Direction::ByMe),
            _ => None,
        }
    }
}

/// How `Browse.Album list` orders the caller's own albums.
#[derive(Clone, Copy)]
pub struct AlbumOrder {
    pub sort: AlbumSort,
    pub desc: bool,
}

/// A page of `user`'s albums of `category` (not [`Category::shared_only`]): their own in
/// `order`, and with [`Category::OwnAndSharedWithMe`] then those shared with them (newest link
/// first), paged as one list.
pub async fn list(
    state: &AppState,
    view: &AlbumView<'_>,
    user: &Session,
    category: Category,
    order: AlbumOrder,
    (offset, limit): (i64, i64),
) -> ApiResult<Vec<Album>> {
    let me = user.user_id.0;
    let rows = albums::list(&state.db, me, None, order.sort, order.desc, offset, limit).await?;
    let mut list = present_own(state, view, user, &rows).await?;
    let room = limit - i64::try_from(list.len()).unwrap_or(limit);
    if category == Category::OwnAndSharedWithMe && room > 0 {
        // The page reaches past the caller's own albums: those shared with them follow.
        let own = albums::count(&state.db, me, None).await?;
        let from = (offset - own).max(0);
        list.extend(shared_page(state, view, me, Direction::WithMe, (from, room)).await?);
    }
    Ok(list)
}

/// How many albums of `category` `user` has.
pub async fn count(state: &AppState, user: i64, category: Category) -> ApiResult<i64> {
    let own = || async { Ok::<_, ApiError>(albums::count(&state.db, user, None).await?) };
    Ok(match category {
        Category::Own => own().await?,
        Category::OwnAndSharedWithMe => {
            own().await? + shared_count(state, user, Direction::WithMe).await?
        }
        Category::SharedWithMe => shared_count(state, user, Direction::WithMe).await?,
        Category::SharedByMe => shared_count(state, user, Direction::ByMe).await?,
    })
}

/// A page of `user`'s albums of one type (`normal`, `condition`), newest first.
pub async fn list_of_type(
    state: &AppState,
    view: &AlbumView<'_>,
    user: &Session,
    kind: &str,
    (offset, limit): (i64, i64),
) -> ApiResult<Vec<Album>> {
    let me = user.user_id.0;
    let rows = albums::list(
        &state.db,
        me,
        Some(kind),
        AlbumSort::CreateTime,
        true,
        offset,
        limit,
    )
    .await?;
    present_own(state, view, user, &rows).await
}

/// How many albums of one type `user` has.
pub async fn count_of_type(state: &AppState, user: i64, kind: &str) -> ApiResult<i64> {
    Ok(albums::count(&state.db, user, Some(kind)).await?)
}

/// Which shared albums: shared with the caller by others, or the caller's own shared with
/// others.
#[derive(Clone, Copy)]
pub enum Direction {
    WithMe,
    ByMe,
}

async fn shared_links(state: &AppState, user: i64, direction: Direction) -> ApiResult<Vec<Share>> {
    Ok(match direction {
        Direction::WithMe => shares::shared_with(&state.db, user).await?,
        Direction::ByMe => shares::shared_by(&state.db, user).await?,
    })
}

/// How many albums are shared that way.
pub async fn shared_count(state: &AppState, user: i64, direction: Direction) -> ApiResult<i64> {
    let links = shared_links(state, user, direction).await?;
    Ok(i64::try_from(links.len()).unwrap_or(i64::MAX))
}

/// A page of the albums shared that way, newest link first, each as its members see it.
pub async fn shared_page(
    state: &AppState,
    view: &AlbumView<'_>,
    user: i64,
    direction: Direction,
    (offset, limit): (i64, i64),
) -> ApiResult<Vec<Album>> {
    // Who else an album is shared with is for its owner only, as `Album get` shows it.
    let member_view;
    let view = match direction {
        Direction::WithMe => {
            member_view = view.for_member();
            &member_view
        }
        Direction::ByMe => view,
    };
    let links = shared_links(state, user, direction).await?;
    let mut list = Vec::new();
    for share in links
        .iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(usize::try_from(limit).unwrap_or(0))
    {
        let Some(album_id) = share.album_id else {
            continue;
        };
        let Some(album) = albums::get(&state.db, share.owner_id, album_id).await? else {
            continue;
        };
        let sight = owner_sight(state, share.owner_id).await?;
        list.push(present(state, view, &sight, &album).await?);
    }
    Ok(list)
}

/// Recently Added (`Browse.RecentlyAdded`, an automatic album of either space): the items of
/// `reach` that came into the library in the last 30 days.
pub fn recently_added(reach: &Reach) -> ItemFilter {
    let since_ms = (shoebox_catalog::now() - RECENT_DAYS * 86_400) * 1000;
    ItemFilter {
        added_since: Some(since_ms),
        ..reach.items()
    }
}

/// A page of [`recently_added`], newest first, as `viewer` sees the items.
pub async fn recently_added_page(
    state: &AppState,
    viewer: Viewer,
    reach: &Reach,
    additional: &Additional,
    (offset, limit): (i64, i64),
) -> ApiResult<Vec<Item>> {
    let sort = Sort {
        by: SortBy::Added,
        desc: true,
    };
    let rows = library::list_items(&state.db, &recently_added(reach), sort, offset, limit).await?;
    present_items(state, viewer, &rows, additional).await
}

/// How many items [`recently_added`] holds.
pub async fn recently_added_count(state: &AppState, reach: &Reach) -> ApiResult<i64> {
    Ok(library::count_items(&state.db, &recently_added(reach)).await?)
}
