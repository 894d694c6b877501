//! What every listing reads: paging (`offset`, `limit`), order (`sort_by`, `sort_direction`)
//! and the `additional` fields asked for.

use std::collections::HashSet;

use super::Call;
use super::error::{ApiError, ApiResult};
use shoebox_catalog::library::{Sort, SortBy};

/// The largest page a listing returns (FD: "max 5000").
pub const MAX_LIMIT: i64 = 5000;

/// `offset` and `limit` of a listing. `limit` is required and must be positive, as on DSM.
pub fn page(call: &Call) -> ApiResult<(i64, i64)> {
    let offset = call.params.int("offset")?.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::bad("offset", "negative"));
    }
    let limit = call
        .params
        .int("limit")?
        .ok_or(ApiError::MissingParam("limit"))?;
    if limit <= 0 {
        return Err(ApiError::bad("limit", "must be greater than 0"));
    }
    Ok((offset, limit.min(MAX_LIMIT)))
}

/// `sort_by` and `sort_direction`; unknown values are refused, `default` means taken time,
/// newest first.
pub fn sort(call: &Call) -> ApiResult<Sort> {
    let mut sort = Sort::default();
    if let Some(by) = call.params.string("sort_by") {
        sort.by = SortBy::parse(&by).ok_or_else(|| ApiError::bad("sort_by", "unknown order"))?;
        // Names and sizes read naturally from the smallest.
        sort.desc = sort.by == SortBy::TakenTime;
    }
    match call.params.string("sort_direction").as_deref() {
        None | Some("default") => {}
        Some("asc") => sort.desc = false,
        Some("desc") => sort.desc = true,
        Some(_) => return Err(ApiError::bad("sort_direction", "asc or desc")),
    }
    Ok(sort)
}

/// The `additional` fields asked for.
#[derive(Debug, Clone)]
pub struct Additional(HashSet<String>);

impl Additional {
    pub fn of(call: &Call) -> ApiResult<Additional> {
        Ok(Additional(
            call.params
                .string_list("additional")?
                .unwrap_or_default()
                .into_iter()
                .collect(),
        ))
    }

    pub fn has(&self, key: &str) -> bool {
        self.0.contains(key)
    }

    /// These fields less `keys`.
    pub fn without(&self, keys: &[&str]) -> Additional {
        Additional(
            self.0
                .iter()
                .filter(|k| !keys.contains(&k.as_str()))
                .cloned()
                .collect(),
        )
    }
}
