//! `SYNO.Foto.Upload.Item` / `SYNO.FotoTeam.Upload.Item` (reference §3.11;
//! docs/protocol-choices.md "Upload"): `upload`, `upload_to_folder` and `backup_to_path` put a
//! multipart file into a space; `backup_check` tells a phone which of its files the space
//! already has, or had and deleted.
//!
//! The body was spooled to disk as it arrived ([`super::params`]), so memory does not grow with
//! the file, and a client that goes away leaves only a spool file that is removed at once. The
//! file is moved (or, from another file system, copied) to a hidden temporary name in the
//! destination folder, flushed to disk, then linked under its final name, so the library never
//! shows half a file, and a name taken meanwhile is never overwritten unless the client said so.
//! The item is in the index before the answer goes out.

use std::sync::LazyLock;

use serde_json::json;
use shoebox_indexer::media::MediaKind;
use shoebox_indexer::metadata::time::civil_from_days;

use super::Call;
use super::error::{ApiError, ApiResult};
use super::params::{FilePart, UploadedFile};
use super::reply::Reply;
use crate::services::access::Reach;
use crate::space_fs::{self, Entry, Folder, SpaceRoot};
use shoebox_catalog::{albums, library};

/// What to do when the name is taken (`duplicate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Duplicate {
    /// Keep what is there; the answer names the item already there.
    Ignore,
    /// Store under the next free name: `name_1.jpg`, `name_2.jpg`, …
    Rename,
    /// Replace the file; the item keeps its id and is indexed again.
    Overwrite,
}

/// A fixed set of locks that keys share by hash: one at a time per key, different keys
/// (mostly) in parallel, and no table that grows with the keys.
pub(super) struct Striped(LazyLock<Vec<tokio::sync::Mutex<()>>>);

impl Striped {
    pub(super) const fn new() -> Striped {
        Striped(LazyLock::new(|| {
            (0..64).map(|_| tokio::sync::Mutex::new(())).collect()
        }))
    }

    pub(super) fn get(
        &'static self,
        key: &(impl std::hash::Hash + ?Sized),
    ) -> &'static tokio::sync::Mutex<()> {
        use std::hash::Hasher;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut h);
        &self.0[(h.finish() % self.0.len() as u64) as usize]
    }
}

/// Uploads into one folder are one at a time (choosing a free name and linking it must not
/// interleave); different folders go in parallel.
static FOLDER_LOCKS: Striped = Striped::new();

/// Names Windows (and so the NAS's SMB shares) cannot hold, with or without an extension.
const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// A file or folder name from a client, checked: one path component, no control characters,
/// not hidden (the library does not show hidden names) and not a system or reserved name.
fn safe_component(key: &str, name: &str) -> ApiResult<String> {
    let bad = |why: &str| Err(ApiError::bad(key.to_owned(), format!("{name:?}: {why}")));
    if name.is_empty() || name.trim().is_empty() {
        return bad("empty");
    }
    if name.len() > 255 {
        return bad("longer than 255 bytes");
    }
    if name.contains(['/', '\\']) {
        return bad("a name, not a path");
    }
    if name.chars().any(char::is_control) {
        return bad("control characters");
    }
    if name == "." || name == ".." || name.starts_with('.') {
        return bad("hidden or relative names are not stored");
    }
    if name.starts_with('@') || name.starts_with('#') {
        return bad("names starting with @ or # are the system's");
    }
    if name.ends_with(['.', ' ']) {
        return bad("a name cannot end with a dot or a space");
    }
    let stem = name.split('.').next().unwrap_or("").trim_end();
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem)) {
        return bad("a reserved device name");
    }
    Ok(name.to_owned())
}

/// A file name: a safe component the library indexes (a photo or video by its extension).
fn safe_file_name(name: &str) -> ApiResult<String> {
    let name = safe_component("name", name)?;
    if MediaKind::of(&name).is_none() {
        return Err(ApiError::bad(
            "name",
            format!("{name:?}: not a photo or video Shoebox indexes (by its extension)"),
        ));
    }
    Ok(name)
}

pub(super) fn io_error(what: &str, e: std::io::Error) -> ApiError {
    space_fs::api_error(what, e)
}

/// Where an upload goes: `upload`'s folder parts and destination, `upload_to_folder`'s folder
/// id, or `backup_to_path`'s path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    Library,
    FolderId,
    Path,
}

pub async fn upload(call: Call) -> ApiResult {
    put(call, Target::Library).await
}

/// The file gates of `upload`, `upload_to_folder` and `backup_to_path` (api::table): before a
/// byte of the file is stored, the request is checked as [`put`] will check it (the name, the
/// album, the caller's right to upload into the destination).
pub fn admits_upload<'a>(
    call: &'a Call,
    first: &'a FilePart,
) -> futures_util::future::BoxFuture<'a, ApiResult<Option<u64>>> {
    Box::pin(admits(call, first, Target::Library))
}

pub fn admits_upload_to_folder<'a>(
    call: &'a Call,
    first: &'a FilePart,
) -> futures_util::future::BoxFuture<'a, ApiResult<Option<u64>>> {
    Box::pin(admits(call, first, Target::FolderId))
}

pub fn admits_backup_to_path<'a>(
    call: &'a Call,
    first: &'a FilePart,
) -> futures_util::future::BoxFuture<'a, ApiResult<Option<u64>>> {
    Box::pin(admits(call, first, Target::Path))
}

async fn admits(call: &Call, first: &FilePart, target: Target) -> ApiResult<Option<u64>> {
    let reach = call.reach().await?;
    // The name, when not a parameter, is the `file` part's own (a thumbnail sent first has
    // none to lend).
    let file_name = first.file_name.clone().filter(|_| first.field == "file");
    check(call, &reach, target, file_name).await?;
    Ok(None)
}

pub async fn upload_to_folder(call: Call) -> ApiResult {
    put(call, Target::FolderId).await
}

/// `backup_to_path`: a phone's backup into `path` ("/MobileBackup/Pixel 7", made as needed;
/// default `/MobileBackup`), otherwise as `upload`.
pub async fn backup_to_path(call: Call) -> ApiResult {
    put(call, Target::Path).await
}

/// Most files one `backup_check` asks about.
const MAX_CHECK: usize = 5000;

/// `backup_check`: for each file of `files` (`[{"name", "size", "mtime"?, "checksum"?}]`, the
/// checksum a hex BLAKE3 of the content), whether the space already has it (`exists`, with the
/// item's id), had it and it was deleted there (`deleted`), or not (`new`), in the same order.
/// The "free up space" screen asks the same question of the files it would remove.
pub async fn backup_check(call: Call) -> ApiResult {
    let reach = call.reach().await?;
    let files = match call.params.json("files")? {
        Some(v) => v,
        None => call
            .params
            .json("file_list")?
            .ok_or(ApiError::MissingParam("files"))?,
    };
    let serde_json::Value::Array(files) = files else {
        return Err(ApiError::bad("files", "a list of {name, size}"));
    };
    if files.len() > MAX_CHECK {
        return Err(ApiError::bad(
            "files",
            format!("more than {MAX_CHECK} files"),
        ));
    }
    let mut described = Vec::with_capacity(files.len());
    for (n, f) in files.iter().enumerate() {
        let bad = |why: &str| ApiError::bad("files", format!("entry {n}: {why}"));
        let name = f["name"].as_str().ok_or_else(|| bad("no name"))?;
        let size = f["size"]
            .as_i64()
            .filter(|s| *s >= 0)
            .ok_or_else(|| bad("no size"))?;
        let mtime = match &f["mtime"] {
            serde_json::Value::Null => None,
            v => Some(seconds(
                v.as_i64().ok_or_else(|| bad("mtime is not a number"))?,
            )),
        };
        let checksum = match &f["checksum"] {
            serde_json::Value::Null => None,
            v => {
                let text = v.as_str().ok_or_else(|| bad("checksum is not text"))?;
                let bytes = hex::decode(text)
                    .ok()
                    .filter(|b| b.len() == 32)
                    .ok_or_else(|| bad("checksum is not 64 hex digits (BLAKE3)"))?;
                Some(bytes)
            }
        };
        described.push(shoebox_catalog::backup::Described {
            name: name.to_owned(),
            size,
            mtime,
            checksum,
        });
    }
    // Only items the caller may view answer: folders they merely pass through to reach
    // those do not, nor (for a caller who sees part of the space) what was deleted anywhere.
    let visible = |folder: i64| reach.rights(folder).view;
    let partial = reach.viewable_folders().is_some();
    let mut list = Vec::with_capacity(described.len());
    for file in &described {
        let found =
            match shoebox_catalog::backup::check(&call.state.db, reach.owner, &visible, file)
                .await?
            {
                shoebox_catalog::backup::Found::Deleted if partial => {
                    shoebox_catalog::backup::Found::New
                }
                found => found,
            };
        list.push(match found {
            shoebox_catalog::backup::Found::Exists(id) => {
                json!({"name": file.name, "size": file.size, "status": "exists", "id": id})
            }
            shoebox_catalog::backup::Found::Deleted => {
                json!({"name": file.name, "size": file.size, "status": "deleted"})
            }
            shoebox_catalog::backup::Found::New => {
                json!({"name": file.name, "size": file.size, "status": "new"})
            }
        });
    }
    Ok(Reply::data(json!({ "list": list })))
}

/// An upload's request without its file, checked: the name, what to do with a duplicate, the
/// album, and the destination (for a folder id, the caller's right to upload there).
pub(super) struct Checked {
    given: String,
    duplicate: Duplicate,
    album: Option<AlbumTarget>,
    folder: Destination,
}

/// The album an upload joins, and who added it there if not the album's owner (a member of
/// its link: a Provider or a Manager).
#[derive(Clone, Copy)]
pub(super) struct AlbumTarget {
    id: i64,
    added_by: Option<i64>,
}

impl AlbumTarget {
    async fn add(self, call: &Call, item: i64) -> ApiResult<()> {
        if albums::add_items_by(&call.state.db, self.id, &[item], self.added_by).await? {
            Ok(())
        } else {
            Err(ApiError::bad("album_id", "the album is full"))
        }
    }
}

/// Checks an upload's request before any byte is stored: [`put`] with the file, a resumable
/// upload's `create` without it (`file_name`: the multipart part's own name, if any).
pub(super) async fn check(
    call: &Call,
    reach: &Reach,
    target: Target,
    file_name: Option<String>,
) -> ApiResult<Checked> {
    let user = call.user()?.user_id.0;
    let given = call
        .params
        .string("name")
        .or(file_name)
        .ok_or(ApiError::MissingParam("name"))?;
    let given = safe_file_name(&given)?;
    let duplicate = match call.params.string("duplicate").as_deref() {
        None | Some("ignore") => Duplicate::Ignore,
        Some("rename") => Duplicate::Rename,
        Some("overwrite") => Duplicate::Overwrite,
        Some(_) => return Err(ApiError::bad("duplicate", "ignore, rename or overwrite")),
    };
    let album = match call.params.int("album_id")? {
        // Into an album shared with the caller, named by its link: Providers and Managers add
        // their own photos, which stay theirs (as `NormalAlbum add_item` through a link).
        Some(id) if call.params.raw("passphrase").is_some() => {
            let shared = crate::services::sharing::Shared::of(call)
                .await?
                .ok_or(ApiError::NotFound)?;
            let album = shared
                .album
                .as_ref()
                .filter(|a| a.id == id)
                .ok_or(ApiError::NotFound)?;
            if album.r#type != "normal" {
                return Err(ApiError::bad("album_id", "not a manual album"));
            }
            if shared.role < shoebox_catalog::shares::Role::Upload {
                return Err(ApiError::Forbidden);
            }
            Some(AlbumTarget {
                id: album.id,
                added_by: (user != shared.share.owner_id).then_some(user),
            })
        }
        Some(id) => {
            let album = albums::get(&call.state.db, user, id)
                .await?
                .ok_or(ApiError::NotFound)?;
            if album.r#type != "normal" {
                return Err(ApiError::bad("album_id", "not a manual album"));
            }
            Some(AlbumTarget {
                id: album.id,
                added_by: None,
            })
        }
        None => None,
    };
    let folder = if target == Target::FolderId {
        let id = match call.params.int("target_folder_id")? {
            Some(id) => id,
            None => call
                .params
                .int("folder_id")?
                .ok_or(ApiError::MissingParam("target_folder_id"))?,
        };
        let folder = reach.folder(&call.state, id).await?;
        if !reach.rights(folder.id).upload {
            return Err(ApiError::Forbidden);
        }
        Destination {
            path: folder.path,
            timeline: false,
        }
    } else {
        let d = destination(call, target == Target::Path)?;
        // The year and month folders go below `d.path`; this is checked again for them.
        require_upload(call, reach, &d.path).await?;
        d
    };
    Ok(Checked {
        given,
        duplicate,
        album,
        folder,
    })
}

/// Stores the request's `file` as `target` says and indexes it.
pub(super) async fn put(call: Call, target: Target) -> ApiResult {
    Ok(Reply::data(put_value(call, target).await?))
}

/// [`put`]'s answer as JSON: `{"id", "unit_id", "action", "name"}`.
pub(super) async fn put_value(mut call: Call, target: Target) -> ApiResult<serde_json::Value> {
    let user = call.user()?.user_id.0;
    let reach = call.reach().await?;
    let at = call
        .params
        .files
        .iter()
        .position(|f| f.field == "file")
        .ok_or(ApiError::MissingParam("file"))?;
    let file = call.params.files.swap_remove(at);
    let client_thumbs: Vec<UploadedFile> = call
        .params
        .files
        .drain(..)
        .filter(|f| f.field == "thumb_xl" || f.field == "thumb_sm")
        .collect();
    let Checked {
        given,
        duplicate,
        album,
        folder,
    } = check(&call, &reach, target, file.file_name.clone()).await?;
    let rename = crate::services::settings::renames_by_date(&call.state, user).await?;
    // The date taken, only when the timeline's folders or the name need it: the file read
    // (the index job reads it anyway), else the phone's `date` or `mtime`, else now.
    let taken = if folder.timeline || rename {
        Some(taken_time(&call, &file, &given).await?)
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
    if target != Target::FolderId {
        require_upload(&call, &reach, &folder).await?;
    }
    let name = match taken.filter(|_| rename) {
        Some(t) => date_name(&given, t),
        None => given,
    };

    // Every step on disk is beneath the space's root (crate::space_fs).
    let space = SpaceRoot::of(&call.state.db, &call.state.library, reach.owner).await?;
    let dir = {
        let (space, path) = (space.clone(), folder.clone());
        space_fs::blocking("making the folder", move || space.make_folder(&path)).await?
    };
    let entry = |name: String| {
        let dir = dir.clone();
        space_fs::blocking("reading the folder", move || dir.entry(&name))
    };
    // A duplicate to ignore costs nothing more; anything else is written to a hidden name in
    // the folder and flushed first, in parallel with other uploads.
    if duplicate == Duplicate::Ignore {
        match entry(name.clone()).await? {
            Entry::Free => {}
            Entry::File => return ignored(&call, reach.owner, &folder, name, album).await,
            Entry::Other => return Err(not_a_photo(&name)),
        }
    }
    // Refused before a byte is staged; checked again below if the file appears meanwhile.
    if duplicate == Duplicate::Overwrite && entry(name.clone()).await? == Entry::File {
        may_replace(&call, &reach, &folder).await?;
    }
    // Its bytes count for the owner from here until its item is in the index.
    let reserved = if call.team() {
        None
    } else {
        Some(within_quota(&call, reach.owner, file.size).await?)
    };
    // The phone's modification time is kept, so a later backup check knows the file by it.
    let mtime = call.params.int("mtime")?.map(seconds);
    let checksum = file.checksum;
    let staged = {
        let dir = dir.clone();
        let (data, owner, at) = (call.state.config.data.clone(), reach.owner, folder.clone());
        space_fs::blocking("writing the upload", move || {
            // The journal names the staging file before it exists (crate::inflight).
            let ticket = crate::inflight::Ticket::write(&data, owner, &at)?;
            let name = ticket.name().to_owned();
            dir.stage(&name, Box::new(ticket), file.path, mtime)
        })
        .await?
    };
    crate::inflight::test_pause_staged().await;
    // Choosing the name and linking it are one step per folder.
    let (name, action) = {
        let _one_at_a_time = FOLDER_LOCKS
            .get(&(reach.owner, folder.as_str()))
            .lock()
            .await;
        let (name, action) = match (entry(name.clone()).await?, duplicate) {
            (Entry::Free, _) => (name, "upload"),
            (Entry::File, Duplicate::Ignore) => {
                drop(staged);
                return ignored(&call, reach.owner, &folder, name, album).await;
            }
            (Entry::Other, Duplicate::Ignore | Duplicate::Overwrite) => {
                return Err(not_a_photo(&name));
            }
            (_, Duplicate::Rename) => {
                let (dir, taken) = (dir.clone(), name.clone());
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
                may_replace(&call, &reach, &folder).await?;
                (name, "overwrite")
            }
        };
        let replace = action == "overwrite";
        let recycle = replace && crate::services::recycle::enabled(&call.state).await?;
        let (space, dir, path, target) = (
            space.clone(),
            dir.clone(),
            file_path(&folder, &name),
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
        (name, action)
    };
    let synced = dir.clone();
    space_fs::blocking("writing the upload", move || {
        synced.sync();
        Ok(())
    })
    .await?;
    let id = call
        .state
        .indexer
        .add_file(reach.owner, &folder, &name, checksum)
        .await?;
    if let Some(reserved) = reserved {
        reserved.settle().await;
    }
    if !client_thumbs.is_empty() {
        keep_client_thumbs(&call, id, client_thumbs).await?;
    }
    if let Some(album) = album {
        album.add(&call, id).await?;
    }
    Ok(json!({"id": id, "unit_id": id, "action": action, "name": name}))
}

/// The phone's own thumbnails (`thumb_xl`, long side 1920, for m and xl; `thumb_sm`, 360, for
/// sm), served until ours are made. One that is not a plausible JPEG is ignored: they are a
/// courtesy, and ours follow anyway.
async fn keep_client_thumbs(call: &Call, id: i64, parts: Vec<UploadedFile>) -> ApiResult<()> {
    use shoebox_indexer::thumbnail::ThumbSize;
    let store = call.state.indexer.thumbs().clone();
    let writer = store.clone();
    tokio::task::spawn_blocking(move || {
        for part in parts {
            let sizes: &[ThumbSize] = if part.field == "thumb_sm" {
                &[ThumbSize::Sm]
            } else {
                &[ThumbSize::M, ThumbSize::Xl]
            };
            if part.size > 4 << 20 {
                continue;
            }
            let Ok(bytes) = std::fs::read(&part.path) else {
                continue;
            };
            for size in sizes {
                if let Err(e) = writer.write_provisional(id, *size, &bytes) {
                    tracing::debug!(item = id, field = part.field, error = %e, "client thumbnail not kept");
                    break;
                }
            }
        }
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?;
    // Ours may be done already; then the phone's are not needed.
    if library::thumb_state_any(&call.state.db, id)
        .await?
        .is_some_and(|t| t.thumb_status == "ready")
    {
        store.remove_provisional(id);
    }
    Ok(())
}

/// A Personal Space with a quota (`shoebox user quota`) takes `adding` more bytes only while
/// they fit with what it holds and the uploads in flight into it (`crate::inflight::Quotas`);
/// otherwise code 100 with the reason. The bytes are reserved until the reservation is settled
/// (the item is in the index) or dropped.
pub(super) async fn within_quota(
    call: &Call,
    user: i64,
    adding: u64,
) -> ApiResult<crate::inflight::Reservation> {
    let db = &call.state.db;
    call.state
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

/// The answer to an upload whose name is taken, with `duplicate` = ignore: nothing is
/// written, the item there is named (indexed now if it was not yet) and joins the album.
async fn ignored(
    call: &Call,
    owner: i64,
    folder: &str,
    name: String,
    album: Option<AlbumTarget>,
) -> ApiResult<serde_json::Value> {
    let id = call
        .state
        .indexer
        .add_existing(owner, folder, &name)
        .await?;
    if let Some(album) = album {
        album.add(call, id).await?;
    }
    Ok(json!({"id": id, "unit_id": id, "action": "ignore", "name": name}))
}

/// When the photo in `file` was taken: from its metadata, else the phone's `date` or
/// `mtime`, else now.
async fn taken_time(call: &Call, file: &UploadedFile, name: &str) -> ApiResult<i64> {
    let probed = call
        .state
        .indexer
        .probe(file.path.to_path_buf(), name.to_owned())
        .await;
    let told = match call.params.int("date")? {
        Some(t) => Some(t),
        None => call.params.int("mtime")?,
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

/// Where an upload goes before the date is known: a folder path, and whether the year and
/// month taken go below it (the timeline).
struct Destination {
    path: String,
    timeline: bool,
}

/// The folder of an `upload`: the parts of `folder` (default `["PhotoLibrary"]`) under the
/// space root, the timeline's year and month to go below it with `uploadDestination=timeline`
/// or with no destination and the default folder; for `backup_to_path` (`backup`), `path`.
fn destination(call: &Call, backup: bool) -> ApiResult<Destination> {
    let parts = if backup {
        let path = call
            .params
            .string("path")
            .unwrap_or_else(|| "/MobileBackup".to_owned());
        path.split('/')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    } else {
        call.params
            .string_list("folder")?
            .unwrap_or_else(|| vec!["PhotoLibrary".to_owned()])
    };
    let parts = parts
        .iter()
        .map(|p| safe_component("folder", p))
        .collect::<ApiResult<Vec<_>>>()?;
    let timeline = match call.params.string("uploadDestination").as_deref() {
        _ if backup => false,
        Some("timeline") => true,
        Some("folder") => false,
        None => parts == ["PhotoLibrary"],
        Some(_) => return Err(ApiError::bad("uploadDestination", "timeline or folder")),
    };
    let path = if parts.is_empty() {
        "/".to_owned()
    } else {
        parts.iter().map(|p| format!("/{p}")).collect()
    };
    Ok(Destination { path, timeline })
}

/// The caller must be allowed to upload into the deepest folder of `path` that exists.
async fn require_upload(call: &Call, reach: &Reach, path: &str) -> ApiResult<()> {
    let id = deepest_folder(call, reach, path).await?;
    if reach.rights(id).upload {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// The id of the deepest folder of `path` that the index has (the root at least).
async fn deepest_folder(call: &Call, reach: &Reach, path: &str) -> ApiResult<i64> {
    let mut probe = path.to_owned();
    loop {
        let found = if probe == "/" {
            Some(library::root_folder(&call.state.db, reach.owner).await?)
        } else {
            library::folder_by_path(&call.state.db, reach.owner, &probe).await?
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

/// Unix seconds from a phone's time, which may be in milliseconds.
fn seconds(t: i64) -> i64 {
    if t > 100_000_000_000 { t / 1000 } else { t }
}

/// `IMG_yyyyMMdd_HHmmss` and the original extension (lower case).
fn date_name(original: &str, taken: i64) -> String {
    let ext = original
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let days = taken.div_euclid(86_400);
    let secs = taken.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "IMG_{y:04}{m:02}{d:02}_{:02}{:02}{:02}.{ext}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Most numbered names tried for an upload whose name is taken.
const MAX_RENAMES: u32 = 10_000;

/// `name_1.ext`, `name_2.ext`, … the first free in `dir` (the stem shortened to stay within 255
/// bytes); `None` after [`MAX_RENAMES`] tries. A folder that cannot be read is an error, not a
/// name taken.
fn free_name(dir: &Folder, name: &str) -> std::io::Result<Option<String>> {
    for n in 1..=MAX_RENAMES {
        let Some(candidate) = space_fs::with_suffix(name, &format!("_{n}")) else {
            return Ok(None);
        };
        if dir.entry(&candidate)? == Entry::Free {
            return Ok(Some(candidate));
        }
    }
    Ok(None)
}

/// The answer when the name is taken by a folder or a link, which an upload neither names as
/// its item nor replaces.
fn not_a_photo(name: &str) -> ApiError {
    ApiError::bad(
        "name",
        format!("{name:?} is a folder or a link in the folder, not a photo"),
    )
}

/// The space-relative path of `name` in `folder`.
fn file_path(folder: &str, name: &str) -> String {
    format!("{}/{name}", folder.trim_end_matches('/'))
}

/// The rule for replacing a file (`duplicate=overwrite` over a file that is there): it
/// destroys the file, so it needs the right that deleting an item of that folder needs
/// ([`Reach::require_manage`]), not only the right to upload; the replaced file then goes to
/// the space's recycle bin when the bin is on, as a deleted item does.
async fn may_replace(call: &Call, reach: &Reach, folder: &str) -> ApiResult<()> {
    let id = deepest_folder(call, reach, folder).await?;
    reach.require_manage([id])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        for ok in ["IMG_1.jpg", "été 2020.HEIC", "a..b.mp4", "console.jpg"] {
            assert!(safe_file_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            " ",
            "../x.jpg",
            "a/b.jpg",
            "a\\b.jpg",
            ".hidden.jpg",
            "x\0.jpg",
            "x\n.jpg",
            "CON.jpg",
            "lpt1.JPG",
            "#recycle",
            "@eaDir",
            "x.jpg.",
            "notes.txt",
            "noext",
            &"a".repeat(252).to_string(),
        ] {
            let name = if bad.len() > 250 {
                format!("{bad}.jpg")
            } else {
                bad.to_owned()
            };
            assert!(safe_file_name(&name).is_err(), "{name:?}");
        }
    }

    /// A name accepted by a check, joined onto a folder, names a direct child of it.
    fn stays_a_child(name: &str) {
        use std::path::{Component, Path};
        assert!(
            !name.is_empty() && name.len() <= space_fs::NAME_MAX,
            "{name:?}"
        );
        assert!(!name.contains(['/', '\0']) && name != "." && name != "..");
        let folder = Path::new("/space/folder");
        let joined = folder.join(name);
        assert_eq!(joined.parent(), Some(folder), "{name:?}");
        assert!(matches!(
            joined.components().next_back(),
            Some(Component::Normal(_))
        ));
    }

    proptest::proptest! {
        /// The name checks and the numbered names never panic, and whatever they accept stays
        /// a direct child of its folder (no `..`, `/`, NUL, nothing over 255 bytes).
        #[test]
        fn accepted_names_never_leave_their_folder(
            name in proptest::prelude::any::<String>(),
            picked in proptest::prop_oneof![
                "[a-zA-Z0-9 ._é€😀#@-]{1,260}",
                r"[a-zA-Z0-9 ._/\\\x00-\x1fé€😀#@-]{0,300}",
            ],
            ext in proptest::sample::select(vec!["", ".jpg", ".HEIC", ".mp4", ".jpg.", "/.jpg"]),
            n in 1u32..100_000,
        ) {
            let with_ext = format!("{picked}{ext}");
            for name in [&name, &picked, &with_ext] {
                if let Ok(ok) = safe_component("folder", name) {
                    stays_a_child(&ok);
                }
                if let Ok(ok) = safe_file_name(name) {
                    stays_a_child(&ok);
                    let numbered = space_fs::with_suffix(&ok, &format!("_{n}"))
                        .expect("a checked name can always be numbered");
                    stays_a_child(&numbered);
                    proptest::prop_assert!(safe_file_name(&numbered).is_ok(), "{numbered:?}");
                }
                if let Some(numbered) = space_fs::with_suffix(name, &format!(" ({n})")) {
                    proptest::prop_assert!(numbered.len() <= space_fs::NAME_MAX);
                }
                // A path of a space: every part it yields is one plain name.
                if let Ok(parts) = space_fs::parts(name) {
                    for part in parts {
                        stays_a_child(part);
                    }
                }
            }
        }
    }

    #[test]
    fn the_free_name_is_bounded_and_fits() {
        let tmp = tempfile::tempdir().expect("tmp");
        let space = SpaceRoot::open(tmp.path()).expect("open");
        let dir = space.make_folder("/f").expect("folder");
        let long = format!("{}.jpg", "a".repeat(251));
        std::fs::write(tmp.path().join("f").join(&long), b"x").expect("write");
        let free = free_name(&dir, &long).expect("read").expect("a name");
        assert!(free.len() <= 255 && free.ends_with("_1.jpg"), "{free}");
        assert_eq!(dir.entry(&free).expect("entry"), Entry::Free);
    }

    #[test]
    fn date_names() {
        // 2021-07-06 16:08:14 UTC.
        assert_eq!(
            date_name("x.HEIC", 1_625_587_694),
            "IMG_20210706_160814.heic"
        );
        assert_eq!(date_name("y.jpg", 0), "IMG_19700101_000000.jpg");
    }
}
