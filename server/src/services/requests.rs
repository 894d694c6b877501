//! Photo Requests as policy (docs/protocol-choices.md "Photo Requests"): a link through which
//! anyone, without an account, uploads photos into a folder (and album) of the requester.
//!
//! Who may make one (a folder they may upload to, while user sharing is on) and change, close or
//! delete it (its requester alone); what its link opens (an open request, its password given:
//! a wrong one counts against the address as a failed sign-in does); and an upload through it,
//! stored as the requester's own upload into the folder ([`super::uploads::put`]: the same name
//! checks, flush and link, duplicate renaming, quota and rights).

use std::net::IpAddr;

use shoebox_catalog::requests::{self, NewRequest, Request, Upload};
use shoebox_catalog::{albums, library, now, users};

use super::access::Reach;
use super::uploads::{self, Uploader};
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::params::UploadedFile;
use crate::state::AppState;
use crate::wire::upload::{AlbumRef, Destination, Duplicate, LaterInt, UploadRequest, Uploaded};

/// Most files one request takes unless its creator says otherwise, and the most they may say.
const DEFAULT_MAX_FILES: i64 = 500;
pub const MAX_MAX_FILES: i64 = 10_000;
/// The bytes one request takes in all unless its creator says otherwise.
const DEFAULT_MAX_BYTES: i64 = 10 << 30;

/// A free text a client gives (`subject`, `description`, `sender`): at most `max` bytes, no
/// control characters but new lines; `required` ones not blank.
pub fn checked_text(
    key: &'static str,
    value: Option<String>,
    max: usize,
    required: bool,
) -> ApiResult<String> {
    let value = value.unwrap_or_default();
    if required && value.trim().is_empty() {
        return Err(ApiError::MissingParam(key));
    }
    if value.len() > max || value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ApiError::bad(
            key,
            format!("at most {max} bytes, no control characters"),
        ));
    }
    Ok(value)
}

/// A request's `passphrase` as given: present, not empty, at most 64 bytes.
fn passphrase(given: Option<String>) -> ApiResult<String> {
    given
        .filter(|p| !p.is_empty() && p.len() <= 64)
        .ok_or(ApiError::MissingParam("passphrase"))
}

/// A request as its requester sees it: with the files it took (`count`), and who sent what
/// when asked for.
pub struct Summary {
    pub request: Request,
    pub count: i64,
    pub uploads: Option<Vec<Upload>>,
}

/// [`Summary`] of `request`.
pub async fn summary(state: &AppState, request: Request, with_uploads: bool) -> ApiResult<Summary> {
    let (count, _) = requests::taken(&state.db, &request.passphrase).await?;
    let uploads = if with_uploads {
        Some(requests::uploads(&state.db, &request.passphrase).await?)
    } else {
        None
    };
    Ok(Summary {
        request,
        count,
        uploads,
    })
}

/// What `create` is given: `folder_id`, `subject`, `description`, an album (0: none), and the
/// optional `expiration` (`None` never), limits and `password` (as given).
pub struct NewForm {
    pub folder_id: i64,
    pub subject: String,
    pub description: String,
    pub album_id: Option<i64>,
    pub expires: Option<i64>,
    pub max_files: Option<i64>,
    pub max_bytes: Option<i64>,
    pub password: Option<String>,
}

/// Makes a request of `user` into a folder of `reach` they may upload to (and a manual album of
/// theirs), while user sharing is on.
pub async fn create(
    state: &AppState,
    user: i64,
    reach: &Reach,
    form: NewForm,
) -> ApiResult<Request> {
    super::settings::require_user_sharing(state).await?;
    let folder = reach.folder(state, form.folder_id).await?;
    if !reach.rights(folder.id).upload {
        return Err(ApiError::Forbidden);
    }
    let album = match form.album_id {
        None | Some(0) => None,
        Some(id) => {
            let album = albums::get(&state.db, user, id)
                .await?
                .ok_or(ApiError::NotFound)?;
            if album.is_condition() {
                return Err(ApiError::bad("album_id", "not a manual album"));
            }
            Some(album.id)
        }
    };
    let password = super::sharing::link_password(form.password)
        .await?
        .flatten();
    let passphrase = crate::state::random_token(16);
    let new = NewRequest {
        passphrase: &passphrase,
        user_id: user,
        folder_id: folder.id,
        album_id: album,
        subject: &form.subject,
        description: &form.description,
        expires_at: form.expires,
        max_files: form.max_files.unwrap_or(DEFAULT_MAX_FILES),
        max_bytes: form.max_bytes.unwrap_or(DEFAULT_MAX_BYTES),
        password_hash: password,
    };
    requests::insert(&state.db, &new).await?;
    requests::by_passphrase(&state.db, &passphrase)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The requests of `user`, newest first.
pub async fn of_user(state: &AppState, user: i64) -> ApiResult<Vec<Request>> {
    Ok(requests::of_user(&state.db, user).await?)
}

/// The request `passphrase` of `user`'s; anyone else's is 642, as if it did not exist.
pub async fn own(state: &AppState, user: i64, passphrase: Option<String>) -> ApiResult<Request> {
    let passphrase = self::passphrase(passphrase)?;
    requests::by_passphrase(&state.db, &passphrase)
        .await?
        .filter(|r| r.user_id == user)
        .ok_or(ApiError::NotFound)
}

/// What `set` changes; `None` leaves it (`expires`: `Some(None)` never; `password` as given,
/// `""` removes it).
pub struct Changes {
    pub subject: Option<String>,
    pub description: Option<String>,
    pub expires: Option<Option<i64>>,
    pub max_files: Option<i64>,
    pub max_bytes: Option<i64>,
    pub closed: Option<bool>,
    pub password: Option<String>,
}

/// Changes `user`'s request `passphrase`, while user sharing is on; the request as it is now.
pub async fn set(
    state: &AppState,
    user: i64,
    passphrase: Option<String>,
    changes: Changes,
) -> ApiResult<Request> {
    let r = own(state, user, passphrase).await?;
    super::settings::require_user_sharing(state).await?;
    let password = super::sharing::link_password(changes.password).await?;
    let passphrase = r.passphrase.clone();
    let changed = Request {
        subject: changes.subject.unwrap_or(r.subject.clone()),
        description: changes.description.unwrap_or(r.description.clone()),
        expires_at: changes.expires.unwrap_or(r.expires_at),
        max_files: changes.max_files.unwrap_or(r.max_files),
        max_bytes: changes.max_bytes.unwrap_or(r.max_bytes),
        closed: changes.closed.unwrap_or(r.closed),
        password_hash: password.unwrap_or(r.password_hash.clone()),
        ..r
    };
    requests::update(&state.db, &changed).await?;
    own(state, user, Some(passphrase)).await
}

/// Deletes `user`'s request and its record of uploads (the photos it brought stay).
pub async fn delete(state: &AppState, user: i64, passphrase: Option<String>) -> ApiResult<()> {
    let r = own(state, user, passphrase).await?;
    Ok(requests::delete(&state.db, &r.passphrase).await?)
}

/// Closes `user`'s request: its link takes nothing more.
pub async fn close(state: &AppState, user: i64, passphrase: Option<String>) -> ApiResult<()> {
    let r = own(state, user, passphrase).await?;
    Ok(requests::close(&state.db, &r.passphrase).await?)
}

/// A request's link as a public call names it: from `client`, the `passphrase` and `password`
/// given.
pub struct LinkCall {
    pub client: IpAddr,
    pub passphrase: Option<String>,
    pub password: Option<String>,
}

/// The open request a public call names; a closed, expired or unknown one is 642, all alike.
/// A request with a password wants it: wrong or missing is 400, and counts against the address
/// as a failed sign-in does (so guessing is throttled).
async fn open_request(state: &AppState, link: &LinkCall) -> ApiResult<Request> {
    if state.throttle.is_blocked(link.client) {
        return Err(ApiError::IpBlocked);
    }
    // While user sharing is off, requests answer as if they did not exist.
    if !super::settings::user_sharing_enabled(state).await? {
        return Err(ApiError::NotFound);
    }
    let passphrase = passphrase(link.passphrase.clone())?;
    let r = requests::by_passphrase(&state.db, &passphrase)
        .await?
        .filter(Request::open)
        .ok_or(ApiError::NotFound)?;
    if let Some(hash) = &r.password_hash {
        let target = crate::throttle::Target::Link(&r.passphrase);
        if state.throttle.is_blocked_for(link.client, target) {
            return Err(ApiError::IpBlocked);
        }
        let given = link.password.clone().unwrap_or_default();
        if !crate::password::verify(given, Some(hash.clone())).await {
            state.throttle.record_failure_for(link.client, target);
            return Err(ApiError::WrongCredentials);
        }
        state.throttle.record_success(target);
    }
    Ok(r)
}

/// What the public page shows of the request a link names: the request, and its requester's
/// name.
pub async fn public_info(state: &AppState, link: &LinkCall) -> ApiResult<(Request, String)> {
    let r = open_request(state, link).await?;
    let owner = users::by_id(&state.db, r.user_id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    Ok((r, owner))
}

/// What the file gate and the upload check: the open request (its password given), the
/// sender's name (as given), and that the request still takes a file; with the bytes it has
/// taken.
pub async fn accepting(
    state: &AppState,
    link: &LinkCall,
    sender: Option<String>,
) -> ApiResult<(Request, String, i64)> {
    let r = open_request(state, link).await?;
    let sender = checked_text("sender", sender, 100, true)?;
    let (count, bytes) = requests::taken(&state.db, &r.passphrase).await?;
    if count >= r.max_files {
        return Err(ApiError::bad(
            "passphrase",
            format!("this request has taken its {} files", r.max_files),
        ));
    }
    Ok((r, sender, bytes))
}

/// An upload through a request's link: `file` (with the phone's `thumbs`) named `name` (else the
/// file's own name) by `sender`, stored into the request's folder (and album) as the requester's
/// own upload with `duplicate` = rename; what the sender may set is the name only.
pub async fn upload(
    state: &AppState,
    link: &LinkCall,
    sender: Option<String>,
    name: Option<String>,
    file: Option<UploadedFile>,
    thumbs: Vec<UploadedFile>,
) -> ApiResult<Uploaded> {
    // Checked again after the files arrived: the request may have closed or filled meanwhile.
    let (r, sender, bytes) = accepting(state, link, sender).await?;
    let user = users::by_id(&state.db, r.user_id)
        .await?
        .filter(|u| u.enabled)
        .ok_or(ApiError::NotFound)?;
    let folder_owner = library::folder_owner(&state.db, r.folder_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let file = file.ok_or(ApiError::MissingParam("file"))?;
    let size = i64::try_from(file.size).unwrap_or(i64::MAX);
    if bytes.saturating_add(size) > r.max_bytes {
        return Err(ApiError::bad(
            "file",
            format!(
                "this request takes {} bytes in all, and has {bytes}",
                r.max_bytes
            ),
        ));
    }
    // As the requester, in the space of the request's folder.
    let session = shoebox_catalog::sessions::Session::acting_as(&user);
    let team = folder_owner == shoebox_catalog::files::SHARED_OWNER;
    let who = Uploader {
        user: session.user_id.0,
        reach: Reach::of(state, &session, team).await?,
        link: None,
    };
    let request = UploadRequest {
        name: name
            .or_else(|| file.file_name.clone())
            .ok_or(ApiError::MissingParam("name"))?,
        duplicate: Duplicate::Rename,
        album: r.album_id.map(|id| AlbumRef { id, by_link: false }),
        destination: Destination::Folder(r.folder_id),
        date: LaterInt::absent("date"),
        mtime: LaterInt::absent("mtime"),
    };
    let answer = uploads::put(state, &who, request, file, thumbs).await?;
    requests::record_upload(
        &state.db,
        &r.passphrase,
        Some(answer.id),
        &answer.name,
        size,
        &sender,
    )
    .await?;
    Ok(answer)
}

/// `expiration` as given: `None` not given, `Some(None)` never (0), else a time to come.
pub fn expiration(given: Option<i64>) -> ApiResult<Option<Option<i64>>> {
    match given {
        None => Ok(None),
        Some(0) => Ok(Some(None)),
        Some(t) if t > now() => Ok(Some(Some(t))),
        Some(_) => Err(ApiError::bad("expiration", "a time to come, or 0")),
    }
}
