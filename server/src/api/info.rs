//! `SYNO.API.Info query`: discovery, generated from the API table.

use serde_json::{Map, Value, json};

use super::Call;
use super::error::ApiResult;
use super::reply::Reply;

/// With `query=all` or no `query`, every API; with a comma list, those of them that are served.
pub async fn query(call: Call) -> ApiResult {
    let wanted = call.params.string("query").unwrap_or_else(|| "all".into());
    let names: Vec<&str> = wanted.split(',').map(str::trim).collect();
    let all = names.iter().any(|n| *n == "all" || n.is_empty());
    let mut data = Map::new();
    for api in call.state.discovery.iter() {
        if all || names.contains(&api.name) {
            let mut entry = json!({
                "maxVersion": api.max_version,
                "minVersion": api.min_version,
                "path": api.path,
            });
            if api.json_format {
                entry["requestFormat"] = json!("JSON");
            }
            data.insert(api.name.to_owned(), entry);
        }
    }
    Ok(Reply::data(Value::Object(data)))
}
