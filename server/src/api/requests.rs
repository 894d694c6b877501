//! Photo Requests (docs/protocol-choices.md "Photo Requests"; the reference lists the APIs
//! only): a link through which anyone, without an account, uploads photos into a folder (and
//! album) of the requester.
//!
//! `SYNO.Foto.PhotoRequest` / `SYNO.FotoTeam.PhotoRequest` (signed in): `create`, `list`,
//! `get`, `set`, `close`, `delete`. `SYNO.Foto.Upload.PhotoRequestItem` (no sign-in):
//! `get_info` and `upload`, with the request's `password` when it has one (a wrong or missing
//! one is 400, and counts against the address like a failed sign-in). Who may do what, and the
//! upload itself, are `services::requests`'.

use serde::Serialize;

use super::Call;
use super::error::{ApiError, ApiResult};
use super::params::FilePart;
use super::reply::Reply;
use crate::extract;
use crate::services::requests::{
    self, Changes, LinkCall, MAX_MAX_FILES, NewForm, Summary, checked_text, expiration,
};
use crate::services::sharing::public_link;

/// A request as its requester sees it (`create`, `list`, `get`, `set`); `uploads` for `get`.
#[derive(Serialize)]
struct RequestInfo {
    passphrase: String,
    link: String,
    subject: String,
    description: String,
    folder_id: i64,
    album_id: i64,
    expiration: i64,
    closed: bool,
    max_files: i64,
    max_bytes: i64,
    upload_count: i64,
    create_time: i64,
    enable_password: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    uploads: Option<Vec<UploadInfo>>,
}

/// One file a request brought, and from whom.
#[derive(Serialize)]
struct UploadInfo {
    item_id: Option<i64>,
    filename: String,
    size: i64,
    sender: String,
    time: i64,
}

#[derive(Serialize)]
struct RequestList {
    list: Vec<RequestInfo>,
}

/// The answer of `close` and `delete`: `{}`.
#[derive(Serialize)]
struct Nothing {}

/// What `Upload.PhotoRequestItem get_info` shows the public page.
#[derive(Serialize)]
struct PublicInfo {
    subject: String,
    description: String,
    owner: String,
    expiration: i64,
    enable_password: bool,
}

fn info(call: &Call, summary: Summary) -> RequestInfo {
    let r = summary.request;
    let host = call.headers.get("host").and_then(|v| v.to_str().ok());
    RequestInfo {
        link: public_link(host, "request", &r.passphrase),
        closed: !r.open(),
        passphrase: r.passphrase,
        subject: r.subject,
        description: r.description,
        folder_id: r.folder_id,
        album_id: r.album_id.unwrap_or(0),
        expiration: r.expires_at.unwrap_or(0),
        max_files: r.max_files,
        max_bytes: r.max_bytes,
        upload_count: summary.count,
        create_time: r.created_at,
        enable_password: r.password_hash.is_some(),
        uploads: summary.uploads.map(|list| {
            list.into_iter()
                .map(|u| UploadInfo {
                    item_id: u.item_id,
                    filename: u.filename,
                    size: u.size,
                    sender: u.sender,
                    time: u.uploaded_at,
                })
                .collect()
        }),
    }
}

fn text(call: &Call, key: &'static str, max: usize, required: bool) -> ApiResult<String> {
    checked_text(key, call.params.string(key), max, required)
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
    let folder_id = call
        .params
        .int("folder_id")?
        .ok_or(ApiError::MissingParam("folder_id"))?;
    let form = NewForm {
        folder_id,
        subject: text(&call, "subject", 200, true)?,
        description: text(&call, "description", 2000, false)?,
        album_id: call.params.int("album_id")?,
        expires: expiration(call.params.int("expiration")?)?.flatten(),
        max_files: max_files(&call)?,
        max_bytes: max_bytes(&call)?,
        password: call.params.string("password"),
    };
    let reach = extract::reach(&call).await?;
    let r = requests::create(&call.state, user, &reach, form).await?;
    let summary = requests::summary(&call.state, r, false).await?;
    Ok(Reply::data(info(&call, summary)))
}

/// `list`: the caller's requests, newest first.
pub async fn list(call: Call) -> ApiResult {
    let user = call.user()?.user_id.0;
    let rows = requests::of_user(&call.state, user).await?;
    let mut list = Vec::with_capacity(rows.len());
    for r in rows {
        list.push(info(&call, requests::summary(&call.state, r, false).await?));
    }
    Ok(Reply::data(RequestList { list }))
}

/// `get`: one request of the caller's, with what came in and from whom.
pub async fn get(call: Call) -> ApiResult {
    let user = call.user()?.user_id.0;
    let r = requests::own(&call.state, user, call.params.string("passphrase")).await?;
    let summary = requests::summary(&call.state, r, true).await?;
    Ok(Reply::data(info(&call, summary)))
}

/// `set`: `passphrase` and what changes: `subject`, `description`, `expiration` (0: never),
/// `max_files`, `max_bytes`, `password` ("" removes it), `closed` (false opens a closed request
/// again).
pub async fn set(call: Call) -> ApiResult {
    let user = call.user()?.user_id.0;
    let changes = Changes {
        subject: match call.params.string("subject") {
            Some(_) => Some(text(&call, "subject", 200, true)?),
            None => None,
        },
        description: match call.params.string("description") {
            Some(_) => Some(text(&call, "description", 2000, false)?),
            None => None,
        },
        expires: expiration(call.params.int("expiration")?)?,
        max_files: max_files(&call)?,
        max_bytes: max_bytes(&call)?,
        closed: call.params.bool("closed")?,
        password: call.params.string("password"),
    };
    let passphrase = call.params.string("passphrase");
    let r = requests::set(&call.state, user, passphrase, changes).await?;
    let summary = requests::summary(&call.state, r, false).await?;
    Ok(Reply::data(info(&call, summary)))
}

/// `delete`: the request and its record of uploads go (the photos it brought stay where they
/// are); its link answers as if it never existed.
pub async fn delete(call: Call) -> ApiResult {
    let user = call.user()?.user_id.0;
    requests::delete(&call.state, user, call.params.string("passphrase")).await?;
    Ok(Reply::data(Nothing {}))
}

/// `close`: the link takes nothing more (and answers as if it never existed).
pub async fn close(call: Call) -> ApiResult {
    let user = call.user()?.user_id.0;
    requests::close(&call.state, user, call.params.string("passphrase")).await?;
    Ok(Reply::data(Nothing {}))
}

/// The link a public call names: its address, `passphrase` and `password`.
fn link_call(call: &Call) -> LinkCall {
    LinkCall {
        client: call.client_ip,
        passphrase: call.params.string("passphrase"),
        password: call.params.string("password"),
    }
}

/// `Upload.PhotoRequestItem get_info` (no sign-in): what the public page shows.
pub async fn public_info(call: Call) -> ApiResult {
    let (r, owner) = requests::public_info(&call.state, &link_call(&call)).await?;
    Ok(Reply::data(PublicInfo {
        subject: r.subject,
        description: r.description,
        owner,
        expiration: r.expires_at.unwrap_or(0),
        enable_password: r.password_hash.is_some(),
    }))
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
        let sender = call.params.string("sender");
        let (r, _, bytes) = requests::accepting(&call.state, &link_call(call), sender).await?;
        Ok(Some(u64::try_from(r.max_bytes - bytes).unwrap_or(0)))
    })
}

/// `Upload.PhotoRequestItem upload` (no sign-in): `passphrase`, `sender` (the name the sender
/// gives, required), `name` and the multipart `file`. Stored into the request's folder (and
/// album) as the requester's own upload with `duplicate` = rename; the answer is
/// `Upload.Item`'s.
pub async fn public_upload(mut call: Call) -> ApiResult {
    let file = call
        .params
        .files
        .iter()
        .position(|f| f.field == "file")
        .map(|at| call.params.files.swap_remove(at));
    let thumbs = call.params.take_files(&["thumb_xl", "thumb_sm"]);
    let link = link_call(&call);
    let sender = call.params.string("sender");
    let name = call.params.string("name");
    let answer = requests::upload(&call.state, &link, sender, name, file, thumbs).await?;
    Ok(Reply::data(answer))
}
