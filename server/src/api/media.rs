//! Bytes of the library: `SYNO.Foto.Thumbnail get` (and its REST route), `SYNO.Foto.Download
//! download` and `SYNO.Foto.Streaming streaming`, with their FotoTeam twins (reference §3.2,
//! §3.3, §3.13, §6). Files are served from disk with byte ranges (206), validators and the
//! caching headers offline caches need.

use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shoebox_indexer::indexer::PreviewError;
use shoebox_indexer::thumbnail::ThumbSize;
use tower::ServiceExt;

use super::Call;
use super::error::{ApiError, ApiResult};
use super::reply::Reply;
use crate::services::access::Rights;
use crate::space_fs::{self, SpaceRoot};
use crate::wire::item::cache_key_of;
use shoebox_catalog::library::{self, FolderRow, ItemRow, ThumbState};

/// How long a thumbnail request waits for a thumbnail being made with priority.
const THUMB_WAIT: Duration = Duration::from_secs(20);

fn size_of(call: &Call) -> ApiResult<ThumbSize> {
    match call.params.string("size").as_deref() {
        None | Some("sm") => Ok(ThumbSize::Sm),
        Some("m") => Ok(ThumbSize::M),
        Some("xl" | "preview") => Ok(ThumbSize::Xl),
        Some(_) => Err(ApiError::bad("size", "sm, m, xl or preview")),
    }
}

/// The ids an `id`-style parameter names (the first of `keys` present).
fn named_ids(call: &Call, keys: &[&'static str]) -> ApiResult<Vec<i64>> {
    for key in keys {
        if let Some(list) = call.params.int_list(key)? {
            return Ok(list);
        }
    }
    Err(ApiError::MissingParam(keys[0]))
}

/// The rows of `ids` through the link the call names, all of them in what the link covers (any
/// other id is 642, as if it did not exist), each with what the link gives on it.
async fn linked_rows(call: &Call, ids: &[i64]) -> ApiResult<Vec<(ItemRow, Rights)>> {
    let shared = crate::services::sharing::Shared::of(call)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut distinct = ids.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let rows = shared.reached(call, &distinct).await?;
    if rows.is_empty() || rows.len() != distinct.len() {
        return Err(ApiError::NotFound);
    }
    Ok(rows)
}

/// `download` through a link, for items the link lets the caller download: one item of the
/// shared album or folder as itself, several as a zip.
async fn download_shared(call: &Call) -> ApiResult {
    let ids = named_ids(call, &["unit_id", "item_id", "id"])?;
    let linked = linked_rows(call, &ids).await?;
    if !linked.iter().all(|(_, rights)| rights.download) {
        return Err(ApiError::Forbidden);
    }
    let mut rows: Vec<ItemRow> = linked.into_iter().map(|(row, _)| row).collect();
    if rows.len() > 1 {
        return zip_response(call, zip_entries(&rows), "download.zip").await;
    }
    original(call, &rows.remove(0)).await
}

/// One item's original file as a download under its own name, with ranges.
async fn original(call: &Call, row: &ItemRow) -> ApiResult {
    let file = space_file(call, row.owner_id, file_rel(row, &row.filename)).await?;
    let response = serve_open(
        file,
        0,
        &call.headers,
        download_type(row),
        Some(&row.filename),
    )
    .await?;
    Ok(Reply::raw(response))
}

/// A file of a space (`rel` from its root), opened beneath the root ([`SpaceRoot`]).
async fn space_file(call: &Call, owner: i64, rel: String) -> ApiResult<tokio::fs::File> {
    let space = SpaceRoot::of(&call.state.db, &call.state.library, owner).await?;
    let file = space_fs::blocking("opening a file", move || space.open_file(&rel)).await?;
    Ok(tokio::fs::File::from_std(file))
}

/// The files of `rows` (a Live Photo's video beside its still) as zip entries named after them.
fn zip_entries(rows: &[ItemRow]) -> Vec<ZipEntry> {
    rows.iter()
        .flat_map(|r| {
            let mut files = vec![ZipEntry {
                owner: r.owner_id,
                rel: file_rel(r, &r.filename),
                name: r.filename.clone(),
            }];
            if let Some(video) = &r.live_video_name {
                files.push(ZipEntry {
                    owner: r.owner_id,
                    rel: file_rel(r, video),
                    name: video.clone(),
                });
            }
            files
        })
        .collect()
}

/// The one item an `id`-style parameter names, if the caller sees it (through a link: if the
/// link covers it), with the caller's rights on it.
async fn one_item(call: &Call, keys: &[&'static str]) -> ApiResult<(ItemRow, Rights)> {
    let ids = named_ids(call, keys)?;
    let mut rows = if crate::services::sharing::via_link(call) {
        linked_rows(call, &ids).await?
    } else {
        let reach = call.reach().await?;
        reach
            .items_by_ids(&call.state, &ids)
            .await?
            .into_iter()
            .map(|row| {
                let rights = reach.rights(row.folder_id);
                (row, rights)
            })
            .collect()
    };
    if rows.len() != 1 {
        return Err(ApiError::bad(keys[0], "exactly one id"));
    }
    Ok(rows.remove(0))
}

/// `Thumbnail get`: the JPEG of `size` for a unit. A thumbnail not made yet is made first, with
/// priority over the queue.
pub async fn thumbnail(call: Call) -> ApiResult {
    let size = size_of(&call)?;
    let id = match call.params.int_list("id")?.as_deref() {
        Some([id]) => *id,
        Some(_) => return Err(ApiError::bad("id", "exactly one id")),
        None => return Err(ApiError::MissingParam("id")),
    };
    let mut item = match call.params.string("type").as_deref() {
        // Through a link: an item of the shared album.
        None | Some("unit") if crate::services::sharing::via_link(&call) => {
            let shared = crate::services::sharing::Shared::of(&call)
                .await?
                .ok_or(ApiError::NotFound)?;
            if shared.rows(&call, &[id]).await?.is_empty() {
                return Err(ApiError::NotFound);
            }
            library::thumb_state_any(&call.state.db, id)
                .await?
                .ok_or(ApiError::NotFound)?
        }
        None | Some("unit") => {
            // The hot path of every grid (reference §6): the session and reach trusted for a
            // moment (crate::services::recent), then one primary-key read of the item on this thread
            // (shoebox_catalog::thumb_reader).
            let reach = call.reach_recent().await?;
            call.state
                .thumb_reader
                .thumb_state(reach.owner, id, call.state.recent.generation())?
                .filter(|item| reach.rights(item.folder_id).view)
                .ok_or(ApiError::NotFound)?
        }
        // An album's cover (of either space; album_items checked that the caller sees it).
        Some("album") if !call.team() => {
            let cover = super::browse::album::cover_id(&call, id).await?;
            library::thumb_state_any(&call.state.db, cover)
                .await?
                .ok_or(ApiError::NotFound)?
        }
        Some("person") => return person_thumbnail(&call, id, size).await,
        Some("album") => return Err(ApiError::NotFound),
        Some(_) => return Err(ApiError::bad("type", "unit, person or album")),
    };
    if item.thumb_status != "ready" {
        // The phone's own thumbnail from its upload, if it sent one, until ours is made; not
        // to be kept by the client, so the real one replaces it.
        if item.thumb_status != "broken" {
            let provisional = call.state.indexer.thumbs().provisional_path(item.id, size);
            if let Ok(bytes) = std::fs::read(&provisional) {
                let mut response = (StatusCode::OK, bytes).into_response();
                set(&mut response, header::CONTENT_TYPE, "image/jpeg");
                set(&mut response, header::CACHE_CONTROL, "no-store");
                return Ok(Reply::raw(response));
            }
        }
        item = wait_for_thumbnail(&call, item).await?;
    }
    let key = cache_key_of(item.id, item.thumb_version);
    let etag = format!("\"{key}_{}\"", size.name());
    let fresh = call.params.string("cache_key").as_deref() == Some(key.as_str());
    let cache_control = if fresh {
        // The URL names this exact build: keep it as long as the client likes.
        "private, max-age=31536000, immutable"
    } else {
        "private, max-age=3600, must-revalidate"
    };
    if call
        .headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        set(&mut response, header::ETAG, &etag);
        set(&mut response, header::CACHE_CONTROL, cache_control);
        return Ok(Reply::raw(response));
    }
    // Read on this thread, as the item was: a thumbnail is tens of kilobytes, usually in the
    // page cache, and handing the read to the blocking pool costs more than the read.
    let path = call.state.indexer.thumbs().path(item.id, size);
    let bytes = std::fs::read(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            // Derived files can be rebuilt at any time: queue it and say it is not there.
            ApiError::NotFound
        } else {
            ApiError::Internal(anyhow::Error::new(e).context("reading a thumbnail"))
        }
    })?;
    let mut response = (StatusCode::OK, bytes).into_response();
    set(&mut response, header::CONTENT_TYPE, "image/jpeg");
    set(&mut response, header::ETAG, &etag);
    set(&mut response, header::CACHE_CONTROL, cache_control);
    Ok(Reply::raw(response))
}

/// `type=person`: the person's cover face, cut from its photo's xl thumbnail (sm 160, m 320,
/// xl 640 pixels square), with an ETag of the face and the thumbnail build.
async fn person_thumbnail(call: &Call, id: i64, size: ThumbSize) -> ApiResult {
    let (face, item, rect, version) = super::browse::person::cover_face(call, id).await?;
    let side = match size {
        ThumbSize::Sm => 160,
        ThumbSize::M => 320,
        ThumbSize::Xl => 640,
    };
    let etag = format!("\"p{id}_{face}_{version}_{side}\"");
    if call
        .headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        set(&mut response, header::ETAG, &etag);
        return Ok(Reply::raw(response));
    }
    let xl = call.state.indexer.thumbs().path(item, ThumbSize::Xl);
    let bytes = tokio::task::spawn_blocking(move || {
        shoebox_indexer::recognition::face_thumbnail(&xl, rect, side)
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::Error::new(e)))?
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("the face of person {id}: {e}")))?;
    let mut response = (StatusCode::OK, bytes).into_response();
    set(&mut response, header::CONTENT_TYPE, "image/jpeg");
    set(&mut response, header::ETAG, &etag);
    set(
        &mut response,
        header::CACHE_CONTROL,
        "private, max-age=3600, must-revalidate",
    );
    Ok(Reply::raw(response))
}

fn set(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, v);
    }
}

/// Moves the item's pending jobs to the front of the queue and waits until its thumbnails are
/// made (or found broken).
async fn wait_for_thumbnail(call: &Call, item: ThumbState) -> ApiResult<ThumbState> {
    if item.thumb_status == "broken" {
        return Err(ApiError::NotFound);
    }
    shoebox_indexer::jobs::hurry(&call.state.db, item.id).await?;
    call.state.indexer.wake();
    let deadline = tokio::time::Instant::now() + THUMB_WAIT;
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        // The caller was found to see the item before the wait.
        let row = library::thumb_state_any(&call.state.db, item.id)
            .await?
            .ok_or(ApiError::NotFound)?;
        match row.thumb_status.as_str() {
            "ready" => return Ok(row),
            "broken" => return Err(ApiError::NotFound),
            _ if tokio::time::Instant::now() >= deadline => {
                return Err(ApiError::Internal(anyhow::anyhow!(
                    "the thumbnail of item {} is still being made",
                    item.id
                )));
            }
            _ => {}
        }
    }
}

/// Serves a file of the library with ranges and validators; `content_type` and the download
/// name are ours, not guessed.
async fn serve_file(
    path: PathBuf,
    headers: &HeaderMap,
    content_type: &str,
    download_name: Option<&str>,
) -> ApiResult<Response> {
    let mut request = Request::builder().method(Method::GET).uri("/");
    // A range of another unit is left out: ServeFile would answer it 416.
    if let Some(spec) = byte_ranges(headers) {
        request = request.header(header::RANGE, format!("bytes={spec}"));
    }
    for name in [
        header::IF_RANGE,
        header::IF_MODIFIED_SINCE,
        header::IF_UNMODIFIED_SINCE,
    ] {
        if let Some(v) = headers.get(&name) {
            request = request.header(name, v);
        }
    }
    let request = request
        .body(Body::empty())
        .map_err(|e| ApiError::Internal(e.into()))?;
    if !tokio::fs::try_exists(&path).await.unwrap_or(false) {
        return Err(ApiError::NotFound);
    }
    let response = tower_http::services::ServeFile::new(&path)
        .oneshot(request)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("serving a file: {e}")))?;
    let mut response = response.map(Body::new);
    if response.status().is_success() {
        set(&mut response, header::CONTENT_TYPE, content_type);
        set(
            &mut response,
            header::CACHE_CONTROL,
            "private, max-age=0, must-revalidate",
        );
        if let Some(name) = download_name {
            set(
                &mut response,
                header::CONTENT_DISPOSITION,
                &content_disposition(name),
            );
        }
    }
    Ok(response)
}

/// Serves an opened file of a space from `offset` to its end (a Motion Photo's embedded video
/// starts inside its still), with validators (`Last-Modified`, `If-Modified-Since`,
/// `If-Range`) and one `Range` of the bytes (`bytes=a-b`, `a-`, `-n`) answered with 206, an
/// unsatisfiable one with 416.
async fn serve_open(
    mut file: tokio::fs::File,
    offset: u64,
    headers: &HeaderMap,
    content_type: &str,
    download_name: Option<&str>,
) -> ApiResult<Response> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let meta = file
        .metadata()
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let total = meta
        .len()
        .checked_sub(offset)
        .filter(|n| *n > 0 || offset == 0)
        .ok_or(ApiError::NotFound)?;
    let modified = meta.modified().ok();
    let last_modified = modified.map(httpdate::fmt_http_date);
    let header_of = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let since =
        header_of(header::IF_MODIFIED_SINCE).and_then(|v| httpdate::parse_http_date(v).ok());
    let unchanged = |at: std::time::SystemTime| {
        modified
            .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs())
            <= at
                .duration_since(std::time::UNIX_EPOCH)
                .ok()
                .map(|d| d.as_secs())
    };
    let ranges = byte_ranges(headers);
    if ranges.is_none() && modified.is_some() && since.is_some_and(unchanged) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        if let Some(v) = &last_modified {
            set(&mut response, header::LAST_MODIFIED, v);
        }
        return Ok(response);
    }
    // A range is for the version the client has (`If-Range`); otherwise the whole file.
    let range_applies = match header_of(header::IF_RANGE) {
        None => true,
        Some(v) => Some(v) == last_modified.as_deref(),
    };
    let range = ranges
        .filter(|_| range_applies)
        .map(|v| parse_range(v, total));
    let (start, len, status) = match range {
        None => (0, total, StatusCode::OK),
        Some(Some((a, b))) => (a, b - a + 1, StatusCode::PARTIAL_CONTENT),
        Some(None) => {
            let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            set(
                &mut response,
                header::CONTENT_RANGE,
                &format!("bytes */{total}"),
            );
            return Ok(response);
        }
    };
    file.seek(std::io::SeekFrom::Start(offset + start))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file.take(len)));
    let mut response = (status, body).into_response();
    set(&mut response, header::CONTENT_TYPE, content_type);
    set(&mut response, header::CONTENT_LENGTH, &len.to_string());
    set(&mut response, header::ACCEPT_RANGES, "bytes");
    set(
        &mut response,
        header::CACHE_CONTROL,
        "private, max-age=0, must-revalidate",
    );
    if let Some(v) = &last_modified {
        set(&mut response, header::LAST_MODIFIED, v);
    }
    if let Some(name) = download_name {
        set(
            &mut response,
            header::CONTENT_DISPOSITION,
            &content_disposition(name),
        );
    }
    if status == StatusCode::PARTIAL_CONTENT {
        set(
            &mut response,
            header::CONTENT_RANGE,
            &format!("bytes {start}-{}/{total}", start + len - 1),
        );
    }
    Ok(response)
}

/// The ranges asked for by `Range` (what follows `bytes=`), when its unit is `bytes` (without
/// regard to case, RFC 9110 §14.1). A range of any other unit is ignored, as if the header
/// were not there (§14.2): the whole body is answered, not 416.
fn byte_ranges(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::RANGE)?.to_str().ok()?;
    let (unit, spec) = value.trim().split_once('=')?;
    unit.trim().eq_ignore_ascii_case("bytes").then_some(spec)
}

/// One byte range of a `total`-byte body from `spec` (the ranges of a `bytes=` header):
/// `Some((first, last))`, or `None` when unsatisfiable. Several ranges are answered with the
/// first.
fn parse_range(spec: &str, total: u64) -> Option<(u64, u64)> {
    let spec = spec.split(',').next()?.trim();
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        if n == 0 {
            return None;
        }
        return Some((total.saturating_sub(n), total - 1));
    }
    let first: u64 = a.parse().ok()?;
    let last = if b.is_empty() {
        total - 1
    } else {
        b.parse::<u64>().ok()?.min(total - 1)
    };
    (first <= last && first < total).then_some((first, last))
}

/// `attachment` with an ASCII fallback and the real name in RFC 5987 form.
fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

fn file_rel(row: &ItemRow, name: &str) -> String {
    if row.folder_path == "/" {
        format!("/{name}")
    } else {
        format!("{}/{name}", row.folder_path)
    }
}

/// The MIME type of an original: `image/*` for photos (what py-synologydsm-api needs),
/// `application/octet-stream` for anything else on Download (§3.3).
fn download_type(row: &ItemRow) -> &'static str {
    if row.item_type == "video" {
        return "application/octet-stream";
    }
    // `format` is the file's extension as the indexer recorded it.
    match row.format.to_ascii_lowercase().as_str() {
        "jpg" | "jpeg" | "jpe" | "mpo" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "tif" | "tiff" => "image/tiff",
        "bmp" => "image/bmp",
        "heic" | "heif" | "hif" => "image/heic",
        "avif" => "image/avif",
        _ => "application/octet-stream",
    }
}

/// `Download download`: `unit_id` (or `item_id`) with one id gives the original file itself
/// (for a Live Photo, its still), with byte ranges. Several ids, or `folder_id`, give a zip
/// streamed as it is built.
pub async fn download(call: Call) -> ApiResult {
    if crate::services::sharing::via_link(&call) {
        return download_shared(&call).await;
    }
    let reach = call.reach().await?;
    if let Some(folder) = call.params.int("folder_id")? {
        let folder = reach.folder(&call.state, folder).await?;
        return zip_folder(&call, &reach, &folder).await;
    }
    let ids = named_ids(&call, &["unit_id", "item_id", "id"])?;
    let mut distinct = ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() > 1 {
        let rows = reach.items_by_ids(&call.state, &ids).await?;
        if !rows.iter().all(|r| reach.rights(r.folder_id).download) {
            return Err(ApiError::Forbidden);
        }
        return zip_response(&call, zip_entries(&rows), "download.zip").await;
    }
    let (row, rights) = one_item(&call, &["unit_id", "item_id", "id"]).await?;
    if !rights.download {
        return Err(ApiError::Forbidden);
    }
    original(&call, &row).await
}

/// Most files one zip may hold.
const MAX_ZIP_FILES: usize = 100_000;

/// Every item the caller may download below `folder`, with paths inside the zip relative to it.
async fn zip_folder(
    call: &Call,
    reach: &crate::services::access::Reach,
    folder: &FolderRow,
) -> ApiResult {
    let subtree = library::folder_subtree(&call.state.db, reach.owner, folder).await?;
    let folders: Vec<i64> = subtree
        .into_iter()
        .filter(|f| reach.rights(*f).view && reach.rights(*f).download)
        .collect();
    if folders.is_empty() {
        return Err(ApiError::Forbidden);
    }
    let filter = library::ItemFilter {
        folders: Some(folders),
        ..library::ItemFilter::space(reach.owner)
    };
    let sort = library::Sort {
        by: library::SortBy::FileName,
        desc: false,
    };
    let rows =
        library::list_items(&call.state.db, &filter, sort, 0, MAX_ZIP_FILES as i64 + 1).await?;
    if rows.len() > MAX_ZIP_FILES {
        return Err(ApiError::bad(
            "folder_id",
            format!("more than {MAX_ZIP_FILES} items"),
        ));
    }
    let base = if folder.path == "/" {
        String::new()
    } else {
        folder.path.clone()
    };
    let inside = |rel: String| {
        rel.strip_prefix(&base)
            .unwrap_or(&rel)
            .trim_start_matches('/')
            .to_owned()
    };
    let mut entries = zip_entries(&rows);
    for entry in &mut entries {
        entry.name = inside(entry.rel.clone());
    }
    let name = match folder.path.rsplit('/').next() {
        Some(last) if !last.is_empty() => format!("{last}.zip"),
        _ => "Photos.zip".to_owned(),
    };
    zip_response(call, entries, &name).await
}

/// One file of a zip: the space it is in (its owner), its path there, its name in the zip.
struct ZipEntry {
    owner: i64,
    rel: String,
    name: String,
}

/// A zip of `entries` streamed as it is written: files are stored (photos and videos do not
/// compress), read in chunks, never held whole; the response is chunked and its memory
/// constant. Names taken twice get " (n)". Entries may come from several spaces (a shared
/// album holds its members' photos).
async fn zip_response(call: &Call, entries: Vec<ZipEntry>, download_name: &str) -> ApiResult {
    use anyhow::Context;
    use async_zip::base::write::ZipFileWriter;
    use async_zip::{Compression, ZipEntryBuilder};
    use tokio_util::compat::TokioAsyncReadCompatExt;

    let mut roots = std::collections::HashMap::new();
    for entry in &entries {
        if let std::collections::hash_map::Entry::Vacant(v) = roots.entry(entry.owner) {
            v.insert(SpaceRoot::of(&call.state.db, &call.state.library, entry.owner).await?);
        }
    }
    let (writer, reader) = tokio::io::duplex(256 * 1024);
    tokio::spawn(async move {
        let result: anyhow::Result<()> = async {
            let mut zip = ZipFileWriter::with_tokio(writer);
            let mut taken = std::collections::HashSet::new();
            for ZipEntry { owner, rel, name } in entries {
                let space = roots
                    .get(&owner)
                    .context("a zip entry of an unknown space")?
                    .clone();
                let opened = tokio::task::spawn_blocking(move || space.open_file(&rel)).await?;
                let file = match opened {
                    Ok(f) => tokio::fs::File::from_std(f),
                    // A file that vanished since it was listed is left out.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e.into()),
                };
                let modified = file.metadata().await.ok().and_then(|m| m.modified().ok());
                let name = unique_name(&mut taken, &name);
                let mut entry =
                    ZipEntryBuilder::new(name.into(), Compression::Stored).unix_permissions(0o644);
                if let Some(date) = modified.and_then(zip_date) {
                    entry = entry.last_modification_date(date);
                }
                let mut sink = zip.write_entry_stream(entry).await?;
                futures_util::io::copy(&mut file.compat(), &mut sink).await?;
                sink.close().await?;
            }
            zip.close().await?;
            Ok(())
        }
        .await;
        if let Err(e) = result {
            // The client sees a cut-off zip; the log says why.
            tracing::warn!("zip download stopped: {e:#}");
        }
    });
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(reader));
    let mut response = (StatusCode::OK, body).into_response();
    set(&mut response, header::CONTENT_TYPE, "application/zip");
    set(
        &mut response,
        header::CONTENT_DISPOSITION,
        &content_disposition(download_name),
    );
    set(&mut response, header::CACHE_CONTROL, "private, no-store");
    Ok(Reply::raw(response))
}

fn unique_name(taken: &mut std::collections::HashSet<String>, name: &str) -> String {
    if taken.insert(name.to_owned()) {
        return name.to_owned();
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() && !s.ends_with('/') => (s.to_owned(), format!(".{e}")),
        _ => (name.to_owned(), String::new()),
    };
    (1..)
        .map(|n| format!("{stem} ({n}){ext}"))
        .find(|candidate| taken.insert(candidate.clone()))
        .unwrap_or_default()
}

/// A file time as a zip (DOS) date, UTC; `None` outside the years zip can hold.
fn zip_date(time: std::time::SystemTime) -> Option<async_zip::ZipDateTime> {
    let secs = i64::try_from(time.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs()).ok()?;
    let (y, m, d) = shoebox_indexer::metadata::time::civil_from_days(secs.div_euclid(86_400));
    if !(1980..=2107).contains(&y) {
        return None;
    }
    let in_day = secs.rem_euclid(86_400);
    Some(
        async_zip::ZipDateTimeBuilder::new()
            .year(i32::try_from(y).ok()?)
            .month(m)
            .day(d)
            .hour(u32::try_from(in_day / 3600).ok()?)
            .minute(u32::try_from(in_day % 3600 / 60).ok()?)
            .second(u32::try_from(in_day % 60).ok()?)
            .build(),
    )
}

fn video_type(name: &str) -> &'static str {
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "mkv" => "video/x-matroska",
        "avi" => "video/x-msvideo",
        "3gp" => "video/3gpp",
        "mts" | "m2ts" => "video/mp2t",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

/// `Streaming streaming`: a video (or a Live Photo's video) with byte ranges so players can
/// seek, typed for players. `quality` `original` is the file itself, and needs the right to
/// download it, as a Motion Photo's embedded video does; `high`, `medium`, `low` and `mobile`
/// ask for a stream the client can play, which for a video browsers cannot play (HEVC and
/// older codecs) is its H.264 preview, made first if it is not yet (unless previews are off).
/// Without one (not needed, off, broken) the video is served as it is. No `quality` is
/// `original` for a caller who may download the item, a converted stream for one who may only
/// view it.
pub async fn streaming(call: Call) -> ApiResult {
    let (row, rights) = one_item(&call, &["id", "item_id", "unit_id"]).await?;
    let converted = match call.params.string("quality").as_deref() {
        None => !rights.download,
        Some("original") => false,
        Some("high" | "medium" | "low" | "mobile") => true,
        Some(_) => {
            return Err(ApiError::bad(
                "quality",
                "original, high, medium, low or mobile",
            ));
        }
    };
    let (video_id, name) = match row.item_type.as_str() {
        "video" => (row.id, row.filename.clone()),
        "live" => (
            row.live_video_id.ok_or(ApiError::NotFound)?,
            row.live_video_name.clone().ok_or(ApiError::NotFound)?,
        ),
        // A Motion Photo: the MP4 after the still, from its stored offset to the end; a part
        // of the original file, so for those who may download it.
        _ if row.motion_offset.is_some() => {
            if !rights.download {
                return Err(ApiError::Forbidden);
            }
            let offset = row.motion_offset.and_then(|o| u64::try_from(o).ok());
            let offset = offset.ok_or(ApiError::NotFound)?;
            let file = space_file(&call, row.owner_id, file_rel(&row, &row.filename)).await?;
            let response = serve_open(file, offset, &call.headers, "video/mp4", None).await?;
            return Ok(Reply::raw(response));
        }
        _ => return Err(ApiError::NotFound),
    };
    if !converted && !rights.download {
        return Err(ApiError::Forbidden);
    }
    if converted {
        match call.state.indexer.preview_for(video_id).await {
            Ok(path) => {
                let response = serve_file(path, &call.headers, "video/mp4", None).await?;
                return Ok(Reply::raw(response));
            }
            Err(PreviewError::Database(e)) => return Err(e.into()),
            Err(reason) => {
                tracing::debug!(item = video_id, "streaming the original: {reason}");
            }
        }
    }
    let file = space_file(&call, row.owner_id, file_rel(&row, &name)).await?;
    let response = serve_open(file, 0, &call.headers, video_type(&name), None).await?;
    Ok(Reply::raw(response))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_of_a_motion_photo_video() {
        assert_eq!(parse_range("0-99", 1000), Some((0, 99)));
        assert_eq!(parse_range("900-", 1000), Some((900, 999)));
        assert_eq!(parse_range("-100", 1000), Some((900, 999)));
        assert_eq!(parse_range("500-5000", 1000), Some((500, 999)));
        assert_eq!(parse_range("0-1,5-6", 1000), Some((0, 1)));
        for bad in ["1000-", "5-1", "-0", "x-1", ""] {
            assert_eq!(parse_range(bad, 1000), None, "{bad}");
        }
    }

    #[test]
    fn only_a_range_in_bytes_is_a_range() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::RANGE, value.parse().expect("value"));
            byte_ranges(&headers).map(str::to_owned)
        };
        assert_eq!(with("bytes=0-9").as_deref(), Some("0-9"));
        assert_eq!(with("Bytes=0-9").as_deref(), Some("0-9"));
        assert_eq!(with("items=0-10"), None);
        assert_eq!(with("0-10"), None);
        assert_eq!(byte_ranges(&HeaderMap::new()), None);
    }

    #[test]
    fn download_names_survive_any_characters() {
        assert_eq!(
            content_disposition("IMG 1.jpg"),
            "attachment; filename=\"IMG 1.jpg\"; filename*=UTF-8''IMG%201.jpg"
        );
        let d = content_disposition("Été \"x\".jpg");
        assert!(d.starts_with("attachment; filename=\"_t_ _x_.jpg\""), "{d}");
        assert!(
            d.ends_with("filename*=UTF-8''%C3%89t%C3%A9%20%22x%22.jpg"),
            "{d}"
        );
    }
}
