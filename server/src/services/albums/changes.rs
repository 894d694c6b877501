//! Changes to albums: names and item lists as given, renaming, covers, order, deleting, making
//! manual albums (also of a selection to share) and changing their items, by their owner or
//! through a link by a member whose role lets them.

use std::collections::HashSet;

use shoebox_catalog::albums::{self, AlbumRow, MAX_ALBUM_ITEMS};
use shoebox_catalog::library::{self, SortBy};
use shoebox_catalog::sessions::Session;
use shoebox_catalog::shares::Role;

use super::{own, own_many};
use crate::protocol::codes::NOT_FOUND;
use crate::protocol::error::{ApiError, ApiResult};
use crate::services::sharing::Shared;
use crate::services::sight::{Sight, album_items};
use crate::state::AppState;
use crate::wire::album::{ErrorCode, ItemError};

/// Longest album name, in characters.
const MAX_NAME: usize = 255;

/// An album name as given: trimmed, not empty, at most [`MAX_NAME`] characters, none of them
/// control characters.
pub fn checked_name(name: &str) -> ApiResult<String> {
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

/// The item ids of an `item` parameter: 1 to [`MAX_ALBUM_ITEMS`] of them, each once; none is
/// an empty list unless `required`.
pub fn item_list(ids: Option<Vec<i64>>, required: bool) -> ApiResult<Vec<i64>> {
    let Some(mut ids) = ids else {
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
    let mut seen = HashSet::new();
    ids.retain(|id| seen.insert(*id));
    Ok(ids)
}

/// Which album a change names: one of the caller's by `id`, or a shared one by its link.
pub enum Target {
    Own(i64),
    Link(Box<Shared>),
}

/// The album a Manager (or its owner) names by its link, to rename or give a cover; other
/// members may not.
fn managed(shared: &Shared) -> ApiResult<i64> {
    let album = shared
        .album
        .as_ref()
        .ok_or_else(|| ApiError::bad("passphrase", "not the link of an album"))?;
    if shared.role < Role::Manage {
        return Err(ApiError::Forbidden);
    }
    Ok(album.id)
}

/// `Browse.Album set_name`: renames `user`'s album, or a shared one its Manager names.
pub async fn rename(state: &AppState, user: i64, target: Target, name: &str) -> ApiResult<()> {
    let id = match target {
        Target::Link(shared) => managed(&shared)?,
        Target::Own(id) => own(state, user, id).await?.id,
    };
    albums::rename(&state.db, id, name).await?;
    Ok(())
}

/// `Browse.Album set_cover`: `item` becomes the album's cover; it must be in the album for
/// the caller (through a link: as its members see it).
pub async fn set_cover(
    state: &AppState,
    user: &Session,
    target: Target,
    item: i64,
) -> ApiResult<()> {
    let id = match target {
        Target::Link(shared) => {
            let id = managed(&shared)?;
            if !shared.shows(state, item).await? {
                return Err(ApiError::NotFound);
            }
            id
        }
        Target::Own(id) => {
            let album = own(state, user.user_id.0, id).await?;
            let filter = album_items(state, &Sight::of(state, user).await?, &album, false).await?;
            if library::items_by_ids(&state.db, &filter, &[item])
                .await?
                .is_empty()
            {
                return Err(ApiError::NotFound);
            }
            album.id
        }
    };
    albums::set_cover(&state.db, id, item).await?;
    Ok(())
}

/// `Browse.Album delete`: `user`'s albums go; their items stay in the library.
pub async fn delete(state: &AppState, user: i64, ids: Option<Vec<i64>>) -> ApiResult<()> {
    let ids: Vec<i64> = own_many(state, user, ids)
        .await?
        .iter()
        .map(|a| a.id)
        .collect();
    albums::delete(&state.db, &ids).await?;
    Ok(())
}

/// An album's new order (`Browse.Album set_order`).
pub enum Order {
    /// These items first, in this order; the album sorts by hand.
    Manual(Vec<i64>),
    /// `sort_by` (takentime, filename, create_time, manual, default) and `sort_direction`
    /// (default, asc, desc), as given.
    Sorted { by: String, direction: String },
}

/// Gives `album` (the caller's, [`own`]) its `order`.
pub async fn set_order(state: &AppState, album: &AlbumRow, order: Order) -> ApiResult<()> {
    match order {
        Order::Manual(items) => {
            if album.is_condition() {
                return Err(ApiError::bad(
                    "item",
                    "a conditional album has no manual order",
                ));
            }
            albums::set_order(&state.db, album.id, &items).await?;
        }
        Order::Sorted { by, direction } => {
            if by != "default" && SortBy::parse(&by).is_none() {
                return Err(ApiError::bad(
                    "sort_by",
                    "default, takentime, filename, create_time or manual",
                ));
            }
            if !["default", "asc", "desc"].contains(&direction.as_str()) {
                return Err(ApiError::bad("sort_direction", "default, asc or desc"));
            }
            albums::set_sort(&state.db, album.id, &by, &direction).await?;
        }
    }
    Ok(())
}

/// The items of `ids` `user` sees in either space; the others are listed as not found.
async fn visible_items(
    state: &AppState,
    user: &Session,
    ids: &[i64],
) -> ApiResult<(Vec<i64>, Vec<ItemError>)> {
    if ids.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let filter = Sight::of(state, user).await?.items();
    let found: HashSet<i64> = library::items_by_ids(&state.db, &filter, ids)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let (ok, missing): (Vec<i64>, Vec<i64>) = ids.iter().partition(|id| found.contains(id));
    let errors = missing
        .into_iter()
        .map(|id| ItemError {
            id,
            error: ErrorCode { code: NOT_FOUND },
        })
        .collect();
    Ok((ok, errors))
}

/// `NormalAlbum create`: a manual album of `user`'s named `name` holding those of `items`
/// they see; the others are answered as errors.
pub async fn create_normal(
    state: &AppState,
    user: &Session,
    name: &str,
    items: &[i64],
) -> ApiResult<(AlbumRow, Vec<ItemError>)> {
    let (ok, errors) = visible_items(state, user, items).await?;
    let owner = user.user_id.0;
    let id = albums::create(&state.db, owner, name, None)
        .await?
        .ok_or_else(|| ApiError::bad("name", format!("at most {} albums", albums::MAX_ALBUMS)))?;
    if !ok.is_empty() {
        albums::add_items(&state.db, id, &ok).await?;
    }
    Ok((own(state, owner, id).await?, errors))
}

/// A new manual album of `user`'s holding `items` (a selection to share): `name` if given,
/// else "Shared on <date>". Every item must be one they see (642 otherwise): nothing is made
/// for a selection that is not wholly theirs to share.
pub async fn create_for_selection(
    state: &AppState,
    user: &Session,
    name: Option<&str>,
    items: &[i64],
) -> ApiResult<AlbumRow> {
    if items.is_empty() || items.len() as i64 > MAX_ALBUM_ITEMS {
        return Err(ApiError::bad(
            "item_id",
            format!("1 to {MAX_ALBUM_ITEMS} ids"),
        ));
    }
    let name = match name {
        Some(name) => checked_name(name)?,
        None => {
            let (y, m, d) = shoebox_indexer::metadata::time::civil_from_days(
                shoebox_catalog::now().div_euclid(86_400),
            );
            format!("Shared on {y}-{m:02}-{d:02}")
        }
    };
    let (ok, errors) = visible_items(state, user, items).await?;
    if !errors.is_empty() {
        return Err(ApiError::NotFound);
    }
    let owner = user.user_id.0;
    let id = albums::create(&state.db, owner, &name, None)
        .await?
        .ok_or_else(|| ApiError::bad("name", format!("at most {} albums", albums::MAX_ALBUMS)))?;
    albums::add_items(&state.db, id, &ok).await?;
    own(state, owner, id).await
}

/// A manual album whose items a call changes: the caller's own, or a shared one whose link
/// lets them (a Provider or a Manager).
pub struct Editing {
    album: i64,
    /// Through a link: the member's role on it and the album's owner.
    link: Option<(Role, i64)>,
}

/// The manual album `target` names, if `user` may change its items.
pub async fn editing(state: &AppState, user: i64, target: Target) -> ApiResult<Editing> {
    match target {
        Target::Link(shared) => {
            let album = match &shared.album {
                Some(album) if !album.is_condition() => album.id,
                _ => {
                    return Err(ApiError::bad(
                        "passphrase",
                        "not the link of a manual album: it takes no items",
                    ));
                }
            };
            if shared.role < Role::Upload {
                return Err(ApiError::Forbidden);
            }
            Ok(Editing {
                album,
                link: Some((shared.role, shared.share.owner_id)),
            })
        }
        Target::Own(id) => {
            let album = own(state, user, id).await?;
            if album.is_condition() {
                return Err(ApiError::bad(
                    "id",
                    "a conditional album: change its condition instead",
                ));
            }
            Ok(Editing {
                album: album.id,
                link: None,
            })
        }
    }
}

/// `NormalAlbum add_item`: adds those of `items` `user` sees, and answers the others. Added
/// through a link, a member's photos stay theirs (`provider_user_id`) and leave the album when
/// the link ends.
pub async fn add_items(
    state: &AppState,
    user: &Session,
    editing: &Editing,
    items: &[i64],
) -> ApiResult<Vec<ItemError>> {
    let (ok, errors) = visible_items(state, user, items).await?;
    if ok.is_empty() {
        return Ok(errors);
    }
    let added = match editing.link {
        Some((_, owner)) => {
            let me = user.user_id.0;
            let by = (me != owner).then_some(me);
            albums::add_items_by(&state.db, editing.album, &ok, by).await?
        }
        None => albums::add_items(&state.db, editing.album, &ok).await?,
    };
    if !added {
        return Err(ApiError::bad(
            "item",
            format!("an album holds at most {MAX_ALBUM_ITEMS} items"),
        ));
    }
    Ok(errors)
}

/// `NormalAlbum delete_item`: takes items out of the album; they stay in the library. Through
/// a link a Manager takes out any item, a Provider only those they added.
pub async fn remove_items(
    state: &AppState,
    user: i64,
    editing: &Editing,
    items: &[i64],
) -> ApiResult<()> {
    if let Some((role, _)) = editing.link {
        let only_by = (role != Role::Manage).then_some(user);
        albums::remove_items_of(&state.db, editing.album, items, only_by).await?;
    } else {
        albums::remove_items(&state.db, editing.album, items).await?;
    }
    Ok(())
}
