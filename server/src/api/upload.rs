//! `SYNO.Foto.Upload.Item` / `SYNO.FotoTeam.Upload.Item` (reference §3.11;
//! docs/protocol-choices.md "Upload"): `upload`, `upload_to_folder` and `backup_to_path` put a
//! multipart file into a space; `backup_check` tells a phone which of its files the space
//! already has, or had and deleted.
//!
//! The body was spooled to disk as it arrived ([`super::params`]), so memory does not grow with
//! the file, and a client that goes away leaves only a spool file that is removed at once. These
//! handlers read the parameters into an [`UploadRequest`]; where the file goes, and how it is put
//! in place, is `services::uploads`'.

use serde::Serialize;
use shoebox_catalog::backup::{Described, Found};

use super::Call;
use super::error::{ApiError, ApiResult};
use super::params::FilePart;
use super::reply::Reply;
use crate::extract;
use crate::services::uploads;
use crate::wire::upload::{Target, UploadRequest};

pub async fn upload(call: Call) -> ApiResult {
    put(call, Target::Library).await
}

pub async fn upload_to_folder(call: Call) -> ApiResult {
    put(call, Target::FolderId).await
}

/// `backup_to_path`: a phone's backup into `path` ("/MobileBackup/Pixel 7", made as needed;
/// default `/MobileBackup`), otherwise as `upload`.
pub async fn backup_to_path(call: Call) -> ApiResult {
    put(call, Target::Path).await
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
    let reach = extract::reach(call).await?;
    // The name, when not a parameter, is the `file` part's own (a thumbnail sent first has
    // none to lend).
    let file_name = first.file_name.clone().filter(|_| first.field == "file");
    let request = UploadRequest::read(&call.params, target, file_name)?;
    let who = extract::uploader(call, reach, &request).await?;
    uploads::check(&call.state, &who, &request).await?;
    Ok(None)
}

/// Stores the request's `file` (with the phone's thumbnails `thumb_xl` and `thumb_sm`) as
/// `target` says and indexes it: `{"id", "unit_id", "action", "name"}`.
async fn put(mut call: Call, target: Target) -> ApiResult {
    call.user()?;
    let reach = extract::reach(&call).await?;
    let at = call
        .params
        .files
        .iter()
        .position(|f| f.field == "file")
        .ok_or(ApiError::MissingParam("file"))?;
    let file = call.params.files.swap_remove(at);
    let thumbs = call.params.take_files(&["thumb_xl", "thumb_sm"]);
    let request = UploadRequest::read(&call.params, target, file.file_name.clone())?;
    let who = extract::uploader(&call, reach, &request).await?;
    let stored = uploads::put(&call.state, &who, request, file, thumbs).await?;
    Ok(Reply::data(stored))
}

/// Most files one `backup_check` asks about.
const MAX_CHECK: usize = 5000;

/// One file of a `backup_check` answer; `id` only for one the space has.
#[derive(Serialize)]
struct Checked {
    name: String,
    size: i64,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<i64>,
}

#[derive(Serialize)]
struct CheckList {
    list: Vec<Checked>,
}

/// `backup_check`: for each file of `files` (`[{"name", "size", "mtime"?, "checksum"?}]`, the
/// checksum a hex BLAKE3 of the content), whether the space already has it (`exists`, with the
/// item's id), had it and it was deleted there (`deleted`), or not (`new`), in the same order.
/// The "free up space" screen asks the same question of the files it would remove.
pub async fn backup_check(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let described = described(&call)?;
    let found = uploads::backup::check(&call.state, &reach, &described).await?;
    let list = described
        .into_iter()
        .zip(found)
        .map(|(file, found)| {
            let (status, id) = match found {
                Found::Exists(id) => ("exists", Some(id)),
                Found::Deleted => ("deleted", None),
                Found::New => ("new", None),
            };
            Checked {
                name: file.name,
                size: file.size,
                status,
                id,
            }
        })
        .collect();
    Ok(Reply::data(CheckList { list }))
}

/// The files `backup_check` asks about (`files`, or `file_list`), read.
fn described(call: &Call) -> ApiResult<Vec<Described>> {
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
            v => Some(uploads::seconds(
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
        described.push(Described {
            name: name.to_owned(),
            size,
            mtime,
            checksum,
        });
    }
    Ok(described)
}
