//! Uploads as policy (reference §3.11; docs/protocol-choices.md "Upload"): which folder an upload
//! goes to and whether its caller may write there ([`check`]), the quota ([`within_quota`]),
//! putting the file in place ([`put`]: staged, flushed, linked under a free name, indexed),
//! a phone's backup question ([`backup`]) and Shoebox's resumable uploads ([`resumable`]).
//!
//! The handlers (`api/upload.rs`, `api/resumable.rs`, `api/requests.rs`) read the parameters
//! into a [`UploadRequest`] and hand over the spooled file; nothing here reads a `Call`.

pub mod backup;
mod names;
mod put;
pub mod resumable;
mod thumbs;

use std::sync::LazyLock;

use shoebox_catalog::{albums, library};

use crate::protocol::error::{ApiError, ApiResult};
use crate::services::access::Reach;
use crate::services::sharing::Shared;
use crate::state::AppState;
use crate::wire::upload::{AlbumRef, Destination, Duplicate, UploadRequest};
use names::Place;

pub use names::seconds;
pub use put::put;

/// Who uploads: the signed-in user, their reach in the space the call is for, and the share
/// link the call names when the album it joins is named through one.
pub struct Uploader {
    pub user: i64,
    pub reach: Reach,
    pub link: Option<Shared>,
}

/// A fixed set of locks that keys share by hash: one at a time per key, different keys
/// (mostly) in parallel, and no table that grows with the keys.
struct Striped(LazyLock<Vec<tokio::sync::Mutex<()>>>);

impl Striped {
    const fn new() -> Striped {
        Striped(LazyLock::new(|| {
            (0..64).map(|_| tokio::sync::Mutex::new(())).collect()
        }))
    }

    fn get(
        &'static self,
        key: &(impl std::hash::Hash + ?Sized),
    ) -> &'static tokio::sync::Mutex<()> {
        use std::hash::Hasher;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut h);
        &self.0[(h.finish() % self.0.len() as u64) as usize]
    }
}

/// An upload's request without its file, checked: the name, what to do with a duplicate, the
/// album, and the destination (for a folder id, the caller's right to upload there).
pub struct Checked {
    given: String,
    duplicate: Duplicate,
    album: Option<AlbumTarget>,
    folder: Place,
}

/// The album an upload joins, and who added it there if not the album's owner (a member of
/// its link: a Provider or a Manager).
#[derive(Clone, Copy)]
struct AlbumTarget {
    id: i64,
    added_by: Option<i64>,
}

impl AlbumTarget {
    async fn add(self, state: &AppState, item: i64) -> ApiResult<()> {
        if albums::add_items_by(&state.db, self.id, &[item], self.added_by).await? {
            Ok(())
        } else {
            Err(ApiError::bad("album_id", "the album is full"))
        }
    }
}

/// Checks an upload's request before any byte is stored: [`put`] with the file, a file gate or
/// a resumable upload's `create` without it.
pub async fn check(
    state: &AppState,
    who: &Uploader,
    request: &UploadRequest,
) -> ApiResult<Checked> {
    let given = names::safe_file_name(&request.name)?;
    let album = match request.album {
        Some(album) => Some(album_target(state, who, album).await?),
        None => None,
    };
    let reach = &who.reach;
    let folder = match &request.destination {
        Destination::Folder(id) => {
            let folder = reach.folder(state, *id).await?;
            if !reach.rights(folder.id).upload {
                return Err(ApiError::Forbidden);
            }
            Place {
                path: folder.path,
                timeline: false,
            }
        }
        destination => {
            let d = names::destination(destination)?;
            // The year and month folders go below `d.path`; this is checked again for them.
            require_upload(state, reach, &d.path).await?;
            d
        }
    };
    Ok(Checked {
        given,
        duplicate: request.duplicate,
        album,
        folder,
    })
}

/// The album `album` names, if the uploader may add to it: a manual album of theirs, or one
/// shared with them through the link the call names, as a Provider or Manager (whose photos
/// stay theirs, as `NormalAlbum add_item` through a link).
async fn album_target(state: &AppState, who: &Uploader, album: AlbumRef) -> ApiResult<AlbumTarget> {
    if album.by_link {
        let shared = who.link.as_ref().ok_or(ApiError::NotFound)?;
        let row = shared
            .album
            .as_ref()
            .filter(|a| a.id == album.id)
            .ok_or(ApiError::NotFound)?;
        if row.r#type != "normal" {
            return Err(ApiError::bad("album_id", "not a manual album"));
        }
        if shared.role < shoebox_catalog::shares::Role::Upload {
            return Err(ApiError::Forbidden);
        }
        return Ok(AlbumTarget {
            id: row.id,
            added_by: (who.user != shared.share.owner_id).then_some(who.user),
        });
    }
    let row = albums::get(&state.db, who.user, album.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if row.r#type != "normal" {
        return Err(ApiError::bad("album_id", "not a manual album"));
    }
    Ok(AlbumTarget {
        id: row.id,
        added_by: None,
    })
}

/// A Personal Space with a quota (`shoebox user quota`) takes `adding` more bytes only while
/// they fit with what it holds and the uploads in flight into it (`crate::inflight::Quotas`);
/// otherwise code 100 with the reason. The bytes are reserved until the reservation is settled
/// (the item is in the index) or dropped.
pub async fn within_quota(
    state: &AppState,
    user: i64,
    adding: u64,
) -> ApiResult<crate::inflight::Reservation> {
    let db = &state.db;
    state
        .quotas
        .reserve(user, adding, |in_flight| async move {
            let quota = shoebox_catalog::users::quota(db, user).await?;
            let Some(limit) = quota.limit else {
                return Ok(());
            };
            let bytes = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
            if quota
                .used
                .saturating_add(bytes(in_flight))
                .saturating_add(bytes(adding))
                > limit
            {
                let also = if in_flight > 0 {
                    format!(" and {in_flight} bytes of uploads in flight")
                } else {
                    String::new()
                };
                return Err(ApiError::Storage(format!(
                    "the quota is reached: {} of {} bytes used{also}, the upload is {adding} bytes",
                    quota.used, limit
                )));
            }
            Ok(())
        })
        .await
}

/// The caller must be allowed to upload into the deepest folder of `path` that exists.
async fn require_upload(state: &AppState, reach: &Reach, path: &str) -> ApiResult<()> {
    let id = deepest_folder(state, reach, path).await?;
    if reach.rights(id).upload {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// The id of the deepest folder of `path` that the index has (the root at least).
async fn deepest_folder(state: &AppState, reach: &Reach, path: &str) -> ApiResult<i64> {
    let mut probe = path.to_owned();
    loop {
        let found = if probe == "/" {
            Some(library::root_folder(&state.db, reach.owner).await?)
        } else {
            library::folder_by_path(&state.db, reach.owner, &probe).await?
        };
        if let Some(folder) = found {
            return Ok(folder.id);
        }
        probe = match probe.rsplit_once('/') {
            Some((parent, _)) if !parent.is_empty() => parent.to_owned(),
            _ => "/".to_owned(),
        };
    }
}

/// The rule for replacing a file (`duplicate=overwrite` over a file that is there): it
/// destroys the file, so it needs the right that deleting an item of that folder needs
/// ([`Reach::require_manage`]), not only the right to upload; the replaced file then goes to
/// the space's recycle bin when the bin is on, as a deleted item does.
async fn may_replace(state: &AppState, reach: &Reach, folder: &str) -> ApiResult<()> {
    let id = deepest_folder(state, reach, folder).await?;
    reach.require_manage([id])
}
