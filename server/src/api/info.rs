//! `SYNO.API.Info query`: discovery, generated from the API table.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Call;
use super::error::ApiResult;
use super::reply::Reply;

/// One API as discovery lists it (reference §1.1).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listed {
    max_version: u32,
    min_version: u32,
    path: &'static str,
    /// `"JSON"` for the APIs whose values are JSON literals; left out for the others.
    #[serde(skip_serializing_if = "Option::is_none")]
    request_format: Option<&'static str>,
}

/// With `query=all` or no `query`, every API; with a comma list, those of them that are served.
pub async fn query(call: Call) -> ApiResult {
    let wanted = call.params.string("query").unwrap_or_else(|| "all".into());
    let names: Vec<&str> = wanted.split(',').map(str::trim).collect();
    let all = names.iter().any(|n| *n == "all" || n.is_empty());
    let mut data = BTreeMap::new();
    for api in call.state.discovery.iter() {
        if all || names.contains(&api.name) {
            let entry = Listed {
                max_version: api.max_version,
                min_version: api.min_version,
                path: api.path,
                request_format: api.json_format.then_some("JSON"),
            };
            data.insert(api.name, entry);
        }
    }
    Ok(Reply::data(data))
}
