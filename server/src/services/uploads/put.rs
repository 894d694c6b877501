//! Putting an uploaded file in place ([`put`]): the folder and name by the date taken when the
//! timeline or the setting to rename by date needs it, the quota, then the file staged under a
//! hidden name in the folder, flushed, and linked under its own name (one upload at a time per
//! folder), so the library never shows half a file and a name taken meanwhile is never
//! overwritten unless the client said so. The item is in the index before [`put`] returns.

use shoebox_indexer::metadata::time::civil_from_days;

use super::names::{date_name, file_path, free_name, not_a_photo, seconds};
use super::{AlbumTarget, Checked, Striped, Uploader, check, may_replace, require_upload};
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::params::UploadedFile;
use crate::space_fs::{self, Entry, Folder, SpaceRoot, Staged};
use crate::state::AppState;
use crate::wire::upload::{Destination, Duplicate, UploadRequest, Uploaded};

/// Uploads into one folder are one at a time (choosing a free name and linking it must not
/// interleave); different folders go in parallel.
static FOLDER_LOCKS: Striped = Striped::new();

/// Stores `file` as `request` says, by `who`, and indexes it; `thumbs` are the phone's own
/// thumbnails (`thumb_xl`, `thumb_sm`), kept until ours are made.
pub async fn put(
    state: &AppState,
    who: &Uploader,
    request: UploadRequest,
    file: UploadedFile,
    thumbs: Vec<UploadedFile>,
) -> ApiResult<Uploaded> {
    let reach = &who.reach;
    let Checked {
        given,
        duplicate,
        album,
        folder,
    } = check(state, who, &request).await?;
    let rename = crate::services::settings::renames_by_date(state, who.user).await?;
    // The date taken, only when the timeline's folders or the name need it: the file read
    // (the index job reads it anyway), else the phone's `date` or `mtime`, else now.
    let taken = if folder.timeline || rename {
        Some(taken_time(state, &request, &file, &given).await?)
    } else {
        None
    };
    let folder = match taken.filter(|_| folder.timeline) {
        Some(t) => {
            let (y, m, _) = civil_from_days(t.div_euclid(86_400));
            format!("{}/{y:04}/{m:02}", folder.path.trim_end_matches('/'))
        }
        None => folder.path,
    };
    if !matches!(request.destination, Destination::Folder(_)) {
        require_upload(state, reach, &folder).await?;
    }
    let name = match taken.filter(|_| rename) {
        Some(t) => date_name(&given, t),
        None => given,
    };

    // Every step on disk is beneath the space's root (crate::space_fs).
    let space = SpaceRoot::of(&state.db, &state.library, reach.owner).await?;
    let dir = {
        let (space, path) = (space.clone(), folder.clone());
        space_fs::blocking("making the folder", move || space.make_folder(&path)).await?
    };
    let to = Landing {
        space,
        dir,
        folder,
        album,
    };
    // A duplicate to ignore costs nothing more; anything else is written to a hidden name in
    // the folder and flushed first, in parallel with other uploads.
    if duplicate == Duplicate::Ignore {
        match to.entry(&name).await? {
            Entry::Free => {}
            Entry::File => return ignored(state, reach.owner, &to, name).await,
            Entry::Other => return Err(not_a_photo(&name)),
        }
    }
    // Refused before a byte is staged; checked again below if the file appears meanwhile.
    if duplicate == Duplicate::Overwrite && to.entry(&name).await? == Entry::File {
        may_replace(state, reach, &to.folder).await?;
    }
    // Its bytes count for the owner from here until its item is in the index.
    let reserved = if reach.team {
        None
    } else {
        Some(super::within_quota(state, reach.owner, file.size).await?)
    };
    // The phone's modification time is kept, so a later backup check knows the file by it.
    let mtime = request.mtime.get()?.map(seconds);
    let checksum = file.checksum;
    let staged = {
        let dir = to.dir.clone();
        let (data, owner, at) = (state.config.data.clone(), reach.owner, to.folder.clone());
        space_fs::blocking("writing the upload", move || {
            // The journal names the staging file before it exists (crate::inflight).
            let ticket = crate::inflight::Ticket::write(&data, owner, &at)?;
            let name = ticket.name().to_owned();
            dir.stage(&name, Box::new(ticket), file.path, mtime)
        })
        .await?
    };
    crate::inflight::test_pause_staged().await;
    let (name, action) = match link(state, who, &to, name, duplicate, staged).await? {
        Linked::Named(name, action) => (name, action),
        Linked::Ignored(answer) => return Ok(answer),
    };
    let synced = to.dir.clone();
    space_fs::blocking("writing the upload", move || {
        synced.sync();
        Ok(())
    })
    .await?;
    let id = state
        .indexer
        .add_file(reach.owner, &to.folder, &name, checksum)
        .await?;
    if let Some(reserved) = reserved {
        reserved.settle().await;
    }
    if !thumbs.is_empty() {
        super::thumbs::keep(state, id, thumbs).await?;
    }
    if let Some(album) = to.album {
        album.add(state, id).await?;
    }
    Ok(Uploaded {
        id,
        unit_id: id,
        action,
        name,
    })
}

/// The folder an upload goes into: its space, the folder opened, its path, and the album the
/// upload joins.
struct Landing {
    space: SpaceRoot,
    dir: Folder,
    folder: String,
    album: Option<AlbumTarget>,
}

impl Landing {
    /// What `name` is in the folder.
    async fn entry(&self, name: &str) -> ApiResult<Entry> {
        let (dir, name) = (self.dir.clone(), name.to_owned());
        space_fs::blocking("reading the folder", move || dir.entry(&name)).await
    }
}

/// How [`link`] ended: the file is in place under a name, by an action; or the name was taken
/// and the upload ignored (the answer names the item there).
enum Linked {
    Named(String, &'static str),
    Ignored(Uploaded),
}

/// Chooses the name and links the staged file under it, one upload at a time per folder.
async fn link(
    state: &AppState,
    who: &Uploader,
    to: &Landing,
    name: String,
    duplicate: Duplicate,
    staged: Staged,
) -> ApiResult<Linked> {
    let reach = &who.reach;
    let _one_at_a_time = FOLDER_LOCKS
        .get(&(reach.owner, to.folder.as_str()))
        .lock()
        .await;
    let (name, action) = match (to.entry(&name).await?, duplicate) {
        (Entry::Free, _) => (name, "upload"),
        (Entry::File, Duplicate::Ignore) => {
            drop(staged);
            return Ok(Linked::Ignored(
                ignored(state, reach.owner, to, name).await?,
            ));
        }
        (Entry::Other, Duplicate::Ignore | Duplicate::Overwrite) => {
            return Err(not_a_photo(&name));
        }
        (_, Duplicate::Rename) => {
            let (dir, taken) = (to.dir.clone(), name.clone());
            let free = space_fs::blocking("naming the upload", move || free_name(&dir, &taken))
                .await?
                .ok_or_else(|| {
                    ApiError::bad(
                        "name",
                        format!("{name:?}: no free numbered name for it in the folder"),
                    )
                })?;
            (free, "rename")
        }
        (Entry::File, Duplicate::Overwrite) => {
            may_replace(state, reach, &to.folder).await?;
            (name, "overwrite")
        }
    };
    let replace = action == "overwrite";
    let recycle = replace && crate::services::recycle::enabled(state).await?;
    let (space, dir, path, target) = (
        to.space.clone(),
        to.dir.clone(),
        file_path(&to.folder, &name),
        name.clone(),
    );
    space_fs::blocking("writing the upload", move || {
        // The replaced file goes to the bin as a deleted one would.
        if recycle {
            space.copy_to_bin(&path)?;
        }
        dir.link(staged, &target, replace)
    })
    .await
    .map_err(|e| {
        if space_fs::name_taken(&e) {
            ApiError::bad("name", format!("{name:?} was taken meanwhile"))
        } else {
            e
        }
    })?;
    Ok(Linked::Named(name, action))
}

/// The answer to an upload whose name is taken, with `duplicate` = ignore: nothing is
/// written, the item there is named (indexed now if it was not yet) and joins the album.
async fn ignored(state: &AppState, owner: i64, to: &Landing, name: String) -> ApiResult<Uploaded> {
    let id = state.indexer.add_existing(owner, &to.folder, &name).await?;
    if let Some(album) = to.album {
        album.add(state, id).await?;
    }
    Ok(Uploaded {
        id,
        unit_id: id,
        action: "ignore",
        name,
    })
}

/// When the photo in `file` was taken: from its metadata, else the phone's `date` or
/// `mtime`, else now.
async fn taken_time(
    state: &AppState,
    request: &UploadRequest,
    file: &UploadedFile,
    name: &str,
) -> ApiResult<i64> {
    let probed = state
        .indexer
        .probe(file.path.to_path_buf(), name.to_owned())
        .await;
    let told = match request.date.get()? {
        Some(t) => Some(t),
        None => request.mtime.get()?,
    };
    Ok(probed
        .as_ref()
        .ok()
        .and_then(|i| i.meta.taken.as_ref())
        .filter(|t| t.source != shoebox_indexer::metadata::TakenSource::Mtime)
        .map(|t| t.secs)
        .or(told.map(seconds))
        .unwrap_or_else(shoebox_catalog::now))
}
