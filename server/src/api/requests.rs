//! Photo Requests (docs/protocol-choices.md "Photo Requests"; the reference lists the APIs
//! only): a link through which anyone, without an account, uploads photos into a folder (and
//! album) of the requester.
//!
//! `SYNO.Foto.PhotoRequest` / `SYNO.FotoTeam.PhotoRequest` (signed in): `create`, `list`,
//! `get`, `set`, `close`, `delete`. `SYNO.Foto.Upload.PhotoRequestItem` (no sign-in):
//! `get_info` and `upload`, with the request's `password` when it has one (a wrong or missing
//! one is 400, and counts against the address like a failed sign-in).
//! An upload goes through `Upload.Item`'s own path as the requester would upload into the
//! folder: the same name checks, flush and link, duplicate renaming, quota and rights.

use serde_json::{Value, json};

use super::Call;
use super::error::{ApiError, ApiResult};
use super::params::FilePart;
use super::reply::Reply;
use super::upload::{self, Target};
use shoebox_catalog::requests::{self, NewRequest, Request};
use shoebox_catalog::{albums, library, now, users};

/// Most files one request takes unless its creator says otherwise, and the most they may say.
const DEFAULT_MAX_FILES: i64 = 500;
const MAX_MAX_FILES: i64 = 10_000;
/// The bytes one request takes in all unless its creator says otherwise.
const DEFAULT_MAX_BYTES: i64 = 10 << 30;

async fn by_passphrase(call: &Call, passphrase: &str) -> ApiResult<Option<Request>> {
    Ok(requests::by_passphrase(&call.state.db, passphrase).await?)
}

fn passphrase(call: &Call) -> ApiResult<String> {
    call.params
        .string("passphrase")
        .filter(|p| !p.is_empty() && p.len() <= 64)
        .ok_or(ApiError::MissingParam("passphrase"))
}

async fn uploads_of(call: &Call, passphrase: &str) -> ApiResult<Vec<Value>> {
    Ok(requests::uploads(&call.state.db, passphrase)
        .await?
        .into_iter()
        .map(|u| {
            json!({"item_id": u.item_id, "filename": u.filename, "size": u.size,
                   "sender": u.sender, "time": u.uploaded_at})
        })
        .collect())
}

async fn request_json(call: &Call, r: &Request, with_uploads: bool) -> ApiResult<Value> {
    let (count, _) = requests::taken(&call.state.db, &r.passphrase).await?;
    let mut v = json!({
        "passphrase": r.passphrase,
        "link": super::sharing::public_link(call, "request", &r.passphrase),
        "subject": r.subject,
        "description": r.description,
        "folder_id": r.folder_id,
        "album_id": r.album_id.unwrap_or(0),
        "expiration": r.expires_at.unwrap_or(0),
        "closed": !r.open(),
        "max_files": r.max_files,
        "max_bytes": r.max_bytes,
        "upload_count": count,
        "create_time": r.created_at,
        "enable_password": r.password_hash.is_some(),
    });
    if with_uploads {
        v["uploads"] = Value::Array(uploads_of(call, &r.passphrase).await?);
    }
    Ok(v)
}

fn text(call: &Call, key: &'static str, max: usize, required: bool) -> ApiResult<String> {
    let value = call.params.string(key).unwrap_or_default();
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

fn expiration(call: &Call) -> ApiResult<Option<Option<i64>>> {
    match call.params.int("expiration")? {
        None => Ok(None),
        Some(0) => Ok(Some(None)),
        Some(t) if t > now() => Ok(Some(Some(t))),
        Some(_) => Err(ApiError::bad("expiration", "a time to come, or 0")),
    }
}

fn max_files(call: &Call) -> ApiResult<Option<i64>> {
    match call.params.int("max_files")? {
        Some(n) if !(1..=MAX_MAX_FILES).contains(&n) => {
            Err(ApiError::bad("max_files", format!("1 to {MAX_MAX_FILES}")))
        }
        other => Ok(other),
    }
}

fn max_bytes(call: &Call) -> ApiResult<Option<i64>> {
    match call.params.int("max_bytes")? {
        Some(n) if n < 1 => Err(ApiError::bad("max_bytes", "at least one byte")),
        other => Ok(other),
    }
}

/// `create`: `folder_id` (a folder of this API's space the caller may upload to), `subject`,
/// `description`, optional `album_id` (a manual album of the caller's), `expiration` (Unix
/// seconds, 0 never), `max_files` (default 500), `max_bytes` (default 10 GiB), `password`.
pub async fn create(call: Call) -> ApiResult {
    let user = call.user()?.user_id.0;
    crate::services::settings::require_user_sharing(&call.state).await?;
    let reach = call.reach().await?;
    let folder_id = call
        .params
        .int("folder_id")?
        .ok_or(ApiError::MissingParam("folder_id"))?;
    let folder = reach.folder(&call.state, folder_id).await?;
    if !reach.rights(folder.id).upload {
        return Err(ApiError::Forbidden);
    }
    let subject = text(&call, "subject", 200, true)?;
    let description = text(&call, "description", 2000, false)?;
    let album = match call.params.int("album_id")? {
        None | Some(0) => None,
        Some(id) => {
            let album = albums::get(&call.state.db, user, id)
                .await?
                .ok_or(ApiError::NotFound)?;
            if album.is_condition() {
                return Err(ApiError::bad("album_id", "not a manual album"));
            }
            Some(album.id)
        }
    };
    let expires = expiration(&call)?.flatten();
    let max_files = max_files(&call)?.unwrap_or(DEFAULT_MAX_FILES);
    let max_bytes = max_bytes(&call)?.unwrap_or(DEFAULT_MAX_BYTES);
    let password = super::sharing::password_param(&call).await?.flatten();
    let passphrase = crate::state::random_token(16);
    let new = NewRequest {
        passphrase: &passphrase,
        user_id: user,
        folder_id: folder.id,
        album_id: album,
        subject: &subject,
        description: &description,
        expires_at: expires,
        max_files,
        max_bytes,
        password_hash: password,
    };
    requests::insert(&call.state.db, &new).await?;
    let r = by_passphrase(&call, &passphrase)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Reply::data(request_json(&call, &r, false).await?))
}

/// The caller's own request `passphrase`.
async fn own(call: &Call) -> ApiResult<Request> {
    let user = call.user()?.user_id.0;
    by_passphrase(call, &passphrase(call)?)
        .await?
        .filter(|r| r.user_id == user)
        .ok_or(ApiError::NotFound)
}

/// `list`: the caller's requests, newest first.
pub async fn list(call: Call) -> ApiResult {
    let user = call.user()?.user_id.0;
    let rows = requests::of_user(&call.state.db, user).await?;
    let mut list = Vec::with_capacity(rows.len());
    for r in &rows {
        list.push(request_json(&call, r, false).await?);
    }
    Ok(Reply::data(json!({ "list": list })))
}

/// `get`: one request of the caller's, with what came in and from whom.
pub async fn get(call: Call) -> ApiResult {
    let r = own(&call).await?;
    Ok(Reply::data(request_json(&call, &r, true).await?))
}

/// `set`: `passphrase` and what changes: `subject`, `description`, `expiration` (0: never),
/// `max_files`, `max_bytes`, `password` ("" removes it), `closed` (false opens a closed request
/// again).
pub async fn set(call: Call) -> ApiResult {
    let r = own(&call).await?;
    crate::services::settings::require_user_sharing(&call.state).await?;
    let subject = match call.params.string("subject") {
        Some(_) => Some(text(&call, "subject", 200, true)?),
        None => None,
    };
    let description = match call.params.string("description") {
        Some(_) => Some(text(&call, "description", 2000, false)?),
        None => None,
    };
    let expires = expiration(&call)?;
    let files = max_files(&call)?;
    let bytes = max_bytes(&call)?;
    let closed = call.params.bool("closed")?;
    let password = super::sharing::password_param(&call).await?;
    let changed = Request {
        subject: subject.unwrap_or(r.subject.clone()),
        description: description.unwrap_or(r.description.clone()),
        expires_at: expires.unwrap_or(r.expires_at),
        max_files: files.unwrap_or(r.max_files),
        max_bytes: bytes.unwrap_or(r.max_bytes),
        closed: closed.unwrap_or(r.closed),
        password_hash: password.unwrap_or(r.password_hash.clone()),
        ..r
    };
    requests::update(&call.state.db, &changed).await?;
    let r = own(&call).await?;
    Ok(Reply::data(request_json(&call, &r, false).await?))
}

/// `delete`: the request and its record of uploads go (the photos it brought stay where they
/// are); its link answers as if it never existed.
pub async fn delete(call: Call) -> ApiResult {
    let r = own(&call).await?;
    requests::delete(&call.state.db, &r.passphrase).await?;
    Ok(Reply::data(json!({})))
}

/// `close`: the link takes nothing more (and answers as if it never existed).
pub async fn close(call: Call) -> ApiResult {
    let r = own(&call).await?;
    requests::close(&call.state.db, &r.passphrase).await?;
    Ok(Reply::data(json!({})))
}

/// The open request a public call names; a closed, expired or unknown one is 642, all alike.
/// A request with a password wants it in `password`: wrong or missing is 400, and counts
/// against the address as a failed sign-in does (so guessing is throttled).
async fn open_request(call: &Call) -> ApiResult<Request> {
    if call.state.throttle.is_blocked(call.client_ip) {
        return Err(ApiError::IpBlocked);
    }
    // While user sharing is off, requests answer as if they did not exist.
    if !crate::services::settings::user_sharing_enabled(&call.state).await? {
        return Err(ApiError::NotFound);
    }
    let r = by_passphrase(call, &passphrase(call)?)
        .await?
        .filter(Request::open)
        .ok_or(ApiError::NotFound)?;
    if let Some(hash) = &r.password_hash {
        let link = crate::throttle::Target::Link(&r.passphrase);
        if call.state.throttle.is_blocked_for(call.client_ip, link) {
            return Err(ApiError::IpBlocked);
        }
        let given = call.params.string("password").unwrap_or_default();
        if !crate::password::verify(given, Some(hash.clone())).await {
            call.state.throttle.record_failure_for(call.client_ip, link);
            return Err(ApiError::WrongCredentials);
        }
        call.state.throttle.record_success(link);
    }
    Ok(r)
}

/// `Upload.PhotoRequestItem get_info` (no sign-in): what the public page shows.
pub async fn public_info(call: Call) -> ApiResult {
    let r = open_request(&call).await?;
    let owner = users::by_id(&call.state.db, r.user_id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    Ok(Reply::data(json!({
        "subject": r.subject,
        "description": r.description,
        "owner": owner,
        "expiration": r.expires_at.unwrap_or(0),
        "enable_password": r.password_hash.is_some(),
    })))
}

/// The file gate of `Upload.PhotoRequestItem upload` (api::table), the one upload read without
/// a session: the link must be open, its password given, a sender named and a file still
/// taken; the file is held to the bytes the link still takes, so a body past them is cut
/// while it arrives, not after it filled the spool.
pub fn admits_upload<'a>(
    call: &'a Call,
    _first: &'a FilePart,
) -> futures_util::future::BoxFuture<'a, ApiResult<Option<u64>>> {
    Box::pin(async move {
        let (r, _, bytes) = accepting(call).await?;
        Ok(Some(u64::try_from(r.max_bytes - bytes).unwrap_or(0)))
    })
}

/// What both the gate and the upload check: the open request (its password given), the
/// sender's name, and that the request still takes a file; with the bytes it has taken.
async fn accepting(call: &Call) -> ApiResult<(Request, String, i64)> {
    let r = open_request(call).await?;
    let sender = text(call, "sender", 100, true)?;
    let (count, bytes) = requests::taken(&call.state.db, &r.passphrase).await?;
    if count >= r.max_files {
        return Err(ApiError::bad(
            "passphrase",
            format!("this request has taken its {} files", r.max_files),
        ));
    }
    Ok((r, sender, bytes))
}

/// `Upload.PhotoRequestItem upload` (no sign-in): `passphrase`, `sender` (the name the sender
/// gives, required), `name` and the multipart `file`. Stored into the request's folder (and
/// album) as the requester's own upload with `duplicate` = rename; the answer is
/// `Upload.Item`'s.
pub async fn public_upload(mut call: Call) -> ApiResult {
    // Checked again after the files arrived: the request may have closed or filled meanwhile.
    let (r, sender, bytes) = accepting(&call).await?;
    let user = users::by_id(&call.state.db, r.user_id)
        .await?
        .filter(|u| u.enabled)
        .ok_or(ApiError::NotFound)?;
    let folder_owner = library::folder_owner(&call.state.db, r.folder_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let size = call
        .params
        .files
        .iter()
        .find(|f| f.field == "file")
        .map(|f| f.size)
        .ok_or(ApiError::MissingParam("file"))?;
    if bytes.saturating_add(i64::try_from(size).unwrap_or(i64::MAX)) > r.max_bytes {
        return Err(ApiError::bad(
            "file",
            format!(
                "this request takes {} bytes in all, and has {bytes}",
                r.max_bytes
            ),
        ));
    }
    // As the requester, into the request's folder: what the sender may set is the name only.
    call.session = Some(shoebox_catalog::sessions::Session::acting_as(&user));
    call.api = if folder_owner == shoebox_catalog::files::SHARED_OWNER {
        "SYNO.FotoTeam.Upload.Item"
    } else {
        "SYNO.Foto.Upload.Item"
    };
    for key in [
        "passphrase",
        "password",
        "album_id",
        "folder_id",
        "folder",
        "path",
        "mtime",
        "date",
        "uploadDestination",
    ] {
        call.params.remove(key);
    }
    call.params
        .insert("target_folder_id".into(), r.folder_id.to_string());
    call.params.insert("duplicate".into(), "\"rename\"".into());
    if let Some(album) = r.album_id {
        call.params.insert("album_id".into(), album.to_string());
    }
    let db = call.state.db.clone();
    let answer = upload::put_value(call, Target::FolderId).await?;
    requests::record_upload(
        &db,
        &r.passphrase,
        answer["id"].as_i64(),
        answer["name"].as_str().unwrap_or_default(),
        i64::try_from(size).unwrap_or(i64::MAX),
        &sender,
    )
    .await?;
    Ok(Reply::data(answer))
}
