//! `backup_check` as policy: which of the files a phone describes the space already has, had
//! and deleted, or not, as far as the caller may see.

use shoebox_catalog::backup::{self, Described, Found};

use crate::protocol::error::ApiResult;
use crate::services::access::Reach;
use crate::state::AppState;

/// For each of `files`, in order: in the space (an item the caller may view), deleted there,
/// or new. Only items the caller may view answer: folders they merely pass through to reach
/// those do not, nor (for a caller who sees part of the space) what was deleted anywhere.
pub async fn check(state: &AppState, reach: &Reach, files: &[Described]) -> ApiResult<Vec<Found>> {
    let visible = |folder: i64| reach.rights(folder).view;
    let partial = reach.viewable_folders().is_some();
    let mut found = Vec::with_capacity(files.len());
    for file in files {
        found.push(
            match backup::check(&state.db, reach.owner, &visible, file).await? {
                Found::Deleted if partial => Found::New,
                other => other,
            },
        );
    }
    Ok(found)
}
