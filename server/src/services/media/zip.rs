//! Download zips: several items, or every item below a folder, as one zip streamed as it is
//! written (reference §3.3).

use std::collections::HashMap;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use shoebox_catalog::library::{self, FolderRow, ItemRow};

use super::files::file_rel;
use super::serve::{content_disposition, set};
use crate::protocol::error::{ApiError, ApiResult};
use crate::services::access::{Reach, Rights};
use crate::space_fs::SpaceRoot;
use crate::state::AppState;

/// Items `rows` as a zip named `download.zip`, if the caller may download every one of them
/// (`rights`, theirs on each).
pub async fn items(state: &AppState, rows: Vec<(ItemRow, Rights)>) -> ApiResult<Response> {
    if !rows.iter().all(|(_, rights)| rights.download) {
        return Err(ApiError::Forbidden);
    }
    let rows: Vec<ItemRow> = rows.into_iter().map(|(row, _)| row).collect();
    respond(state, entries(&rows), "download.zip").await
}

/// The files of `rows` (a Live Photo's video beside its still) as zip entries named after them.
fn entries(rows: &[ItemRow]) -> Vec<ZipEntry> {
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

/// Most files one zip may hold.
const MAX_ZIP_FILES: usize = 100_000;

/// Every item `reach` may download below `folder` as a zip named after it, with paths inside
/// the zip relative to it.
pub async fn folder(state: &AppState, reach: &Reach, folder: &FolderRow) -> ApiResult<Response> {
    let subtree = library::folder_subtree(&state.db, reach.owner, folder).await?;
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
    let rows = library::list_items(&state.db, &filter, sort, 0, MAX_ZIP_FILES as i64 + 1).await?;
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
    let mut entries = entries(&rows);
    for entry in &mut entries {
        entry.name = inside(entry.rel.clone());
    }
    let name = match folder.path.rsplit('/').next() {
        Some(last) if !last.is_empty() => format!("{last}.zip"),
        _ => "Photos.zip".to_owned(),
    };
    respond(state, entries, &name).await
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
async fn respond(
    state: &AppState,
    entries: Vec<ZipEntry>,
    download_name: &str,
) -> ApiResult<Response> {
    use anyhow::Context;
    use async_zip::base::write::ZipFileWriter;
    use async_zip::{Compression, ZipEntryBuilder};
    use tokio_util::compat::TokioAsyncReadCompatExt;

    let mut roots = HashMap::new();
    for entry in &entries {
        if let std::collections::hash_map::Entry::Vacant(v) = roots.entry(entry.owner) {
            v.insert(SpaceRoot::of(&state.db, &state.library, entry.owner).await?);
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
    Ok(response)
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
