//! `SYNO.Foto.Setting.{Guest,Admin,User,TeamSpace}` (reference §3.13) and
//! `SYNO.FotoTeam.Sharing.FolderPermission`: real settings, stored, that change what the server
//! does. Shapes follow the reference where it has them; docs/protocol-choices.md says the rest.

use serde_json::{Map, Value, json};
use shoebox_catalog::files::SHARED_OWNER;

use super::Call;
use super::error::{ApiError, ApiResult};
use super::reply::Reply;
use crate::services::access::TeamAccess;
use crate::services::settings::{
    ADMIN_KEY, TEAM_KEY, admin_defaults, load, require_admin, team_defaults, team_space_enabled,
    user_defaults, user_key,
};
use shoebox_catalog::{library, settings};

/// Applies the parameters named in `defaults` that the call carries, each checked to have the
/// default's JSON type, and stores the result.
async fn update(call: &Call, key: &str, defaults: Value, only: &[&str]) -> ApiResult<Value> {
    let mut current = load(&call.state, key, defaults.clone()).await?;
    let mut changed = false;
    for name in only {
        let Some(raw) = call.params.raw(name) else {
            continue;
        };
        let value: Value =
            serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()));
        let expected = &defaults[*name];
        let same_type = match (expected, &value) {
            (Value::Bool(_), Value::Bool(_)) | (Value::String(_), Value::String(_)) => true,
            (Value::Array(_), Value::Array(items)) => items.iter().all(Value::is_string),
            _ => false,
        };
        if !same_type {
            return Err(ApiError::bad(*name, "wrong type"));
        }
        if *name == "default_thumbnail_size" && !matches!(value.as_str(), Some("sm" | "m" | "xl")) {
            return Err(ApiError::bad(*name, "sm, m or xl"));
        }
        current[*name] = value;
        changed = true;
    }
    if !changed {
        return Err(ApiError::MissingParam("setting"));
    }
    settings::set(&call.state.db, key, &current).await?;
    Ok(current)
}

/// People or subjects switched on again: the photos of the space (`None`: every space) are
/// recognised again, keeping what users decided about faces (docs/recognition.md).
async fn recognition_switched(
    call: &Call,
    before: &Value,
    after: &Value,
    space: Option<i64>,
) -> ApiResult<()> {
    let on_again = ["enable_person", "enable_concept"]
        .iter()
        .any(|k| before[*k] == false && after[*k] != false);
    if on_again {
        let queued = call.state.indexer.requeue_recognition(space).await?;
        tracing::info!(photos = queued, "recognition switched on again");
    }
    Ok(())
}

/// `Setting.Guest get` (no sign-in): what the sign-in page and share-link guests need.
pub async fn guest_get(call: Call) -> ApiResult {
    let admin = load(&call.state, ADMIN_KEY, admin_defaults()).await?;
    Ok(Reply::data(json!({
        "alias": "photo",
        "default_thumbnail_size": admin["default_thumbnail_size"],
        "display_photo_info_to_guest": admin["display_photo_info_to_guest"],
        "enable_converted_original_jpeg": false,
        "enable_home_service": true,
        "enable_team_space": team_space_enabled(&call.state).await?,
        "has_hevc": true,
    })))
}

pub async fn admin_get(call: Call) -> ApiResult {
    call.user()?;
    Ok(Reply::data(
        load(&call.state, ADMIN_KEY, admin_defaults()).await?,
    ))
}

pub async fn admin_set(call: Call) -> ApiResult {
    require_admin(&call)?;
    let names = [
        "default_thumbnail_size",
        "display_photo_info_to_guest",
        "enable_person",
        "enable_concept",
        "enable_user_sharing",
        "exclude_extension",
    ];
    let before = load(&call.state, ADMIN_KEY, admin_defaults()).await?;
    let after = update(&call, ADMIN_KEY, admin_defaults(), &names).await?;
    recognition_switched(&call, &before, &after, None).await?;
    Ok(Reply::data(json!({})))
}

pub async fn user_get(call: Call) -> ApiResult {
    let user = call.user()?.clone();
    let prefs = load(&call.state, &user_key(user.user_id.0), user_defaults()).await?;
    let access = if user.is_admin {
        "full".to_owned()
    } else {
        library::team_access(&call.state.db, user.user_id.0).await?
    };
    Ok(Reply::data(json!({
        "enable_home_service": true,
        "enable_person": prefs["enable_person"],
        "enable_concept": prefs["enable_concept"],
        "show_date_location": prefs["show_date_location"],
        "rename_by_date": prefs["rename_by_date"],
        "team_space_permission": access,
    })))
}

pub async fn user_set(call: Call) -> ApiResult {
    let user = call.user()?.user_id.0;
    let before = load(&call.state, &user_key(user), user_defaults()).await?;
    let after = update(
        &call,
        &user_key(user),
        user_defaults(),
        &[
            "enable_person",
            "enable_concept",
            "show_date_location",
            "rename_by_date",
        ],
    )
    .await?;
    recognition_switched(&call, &before, &after, Some(user)).await?;
    Ok(Reply::data(json!({})))
}

pub async fn team_get(call: Call) -> ApiResult {
    call.user()?;
    Ok(Reply::data(
        load(&call.state, TEAM_KEY, team_defaults()).await?,
    ))
}

pub async fn team_set(call: Call) -> ApiResult {
    require_admin(&call)?;
    let before = load(&call.state, TEAM_KEY, team_defaults()).await?;
    let after = update(
        &call,
        TEAM_KEY,
        team_defaults(),
        &["enable_person", "enable_concept"],
    )
    .await?;
    recognition_switched(&call, &before, &after, Some(SHARED_OWNER)).await?;
    Ok(Reply::data(json!({})))
}

pub async fn team_set_enable(call: Call) -> ApiResult {
    require_admin(&call)?;
    let enabled = call
        .params
        .bool("enable")?
        .or(call.params.bool("enabled")?)
        .ok_or(ApiError::MissingParam("enable"))?;
    let mut current = load(&call.state, TEAM_KEY, team_defaults()).await?;
    current["enabled"] = json!(enabled);
    settings::set(&call.state.db, TEAM_KEY, &current).await?;
    Ok(Reply::data(json!({})))
}

/// `list_permission`: every user's Shared Space access (administrators always `full`).
pub async fn team_list_permission(call: Call) -> ApiResult {
    require_admin(&call)?;
    let list: Vec<Value> = settings::team_access_list(&call.state.db)
        .await?
        .into_iter()
        .map(|(id, name, is_admin, access)| {
            json!({
                "user_id": id,
                "name": name,
                "is_admin": is_admin,
                "access": if is_admin { "full".to_owned() } else { access },
            })
        })
        .collect();
    Ok(Reply::data(json!({ "list": list })))
}

/// `update_permission`: `permission=[{"user_id":N,"access":"full"|"custom"|"none"}]`.
pub async fn team_update_permission(call: Call) -> ApiResult {
    require_admin(&call)?;
    let Some(Value::Array(entries)) = call.params.json("permission")? else {
        return Err(ApiError::MissingParam("permission"));
    };
    let mut changes = Vec::new();
    for entry in &entries {
        let user = entry["user_id"]
            .as_i64()
            .ok_or_else(|| ApiError::bad("permission", "user_id missing"))?;
        let access = entry["access"]
            .as_str()
            .and_then(TeamAccess::parse)
            .ok_or_else(|| ApiError::bad("permission", "access is full, custom or none"))?;
        changes.push((user, access.as_str()));
    }
    if !settings::set_team_access(&call.state.db, &changes).await? {
        return Err(ApiError::NotFound);
    }
    Ok(Reply::data(json!({})))
}

fn grant_json(g: &settings::FolderGrant) -> Value {
    let key = if g.kind == "group" {
        "group_id"
    } else {
        "user_id"
    };
    json!({key: g.user_id, "view": g.view, "download": g.download, "upload": g.upload, "manage": g.manage})
}

/// `Sharing.FolderPermission list`: the grants on one Shared Space folder (`id`).
pub async fn folder_permission_list(call: Call) -> ApiResult {
    require_admin(&call)?;
    let id = call.params.int("id")?.ok_or(ApiError::MissingParam("id"))?;
    let folder = folder(&call, id).await?;
    let list: Vec<Value> = settings::folder_grants(&call.state.db, folder)
        .await?
        .iter()
        .map(grant_json)
        .collect();
    Ok(Reply::data(json!({ "list": list })))
}

/// `Sharing.FolderPermission update`: replaces the grants on a folder; they apply to users with
/// custom access, on the folder and below it.
pub async fn folder_permission_update(call: Call) -> ApiResult {
    require_admin(&call)?;
    let id = call.params.int("id")?.ok_or(ApiError::MissingParam("id"))?;
    let folder = folder(&call, id).await?;
    let grants = grants(&call)?;
    if !settings::set_folder_grants(&call.state.db, &[folder], &grants).await? {
        return Err(ApiError::NotFound);
    }
    Ok(Reply::data(json!({})))
}

/// `FolderBatchPermission update` (shape unknown in the reference; docs/protocol-choices.md):
/// `id` [folder ids] and `permission` as `FolderPermission update` takes it; every folder gets
/// the same grants, all of them or (for an unknown folder, user or group: 642) none.
pub async fn folder_batch_permission_update(call: Call) -> ApiResult {
    require_admin(&call)?;
    let ids = call
        .params
        .int_list("id")?
        .ok_or(ApiError::MissingParam("id"))?;
    if ids.is_empty() || ids.len() > 1000 {
        return Err(ApiError::bad("id", "1 to 1000 folder ids"));
    }
    let mut folders = Vec::with_capacity(ids.len());
    for id in ids {
        folders.push(folder(&call, id).await?);
    }
    folders.sort_unstable();
    folders.dedup();
    let grants = grants(&call)?;
    if !settings::set_folder_grants(&call.state.db, &folders, &grants).await? {
        return Err(ApiError::NotFound);
    }
    Ok(Reply::data(json!({})))
}

/// The `permission` list of a folder permission call: `[{"user_id" | "group_id", "view",
/// "download", "upload", "manage"}]`.
fn grants(call: &Call) -> ApiResult<Vec<settings::FolderGrant>> {
    let Some(Value::Array(entries)) = call.params.json("permission")? else {
        return Err(ApiError::MissingParam("permission"));
    };
    let flag = |e: &Map<String, Value>, k: &str| e.get(k).and_then(Value::as_bool).unwrap_or(false);
    let mut grants = Vec::new();
    for entry in &entries {
        let Value::Object(e) = entry else {
            return Err(ApiError::bad("permission", "a list of objects"));
        };
        let (kind, user_id) = match (
            e.get("user_id").and_then(Value::as_i64),
            e.get("group_id").and_then(Value::as_i64),
        ) {
            (Some(id), None) => ("user", id),
            (None, Some(id)) => ("group", id),
            _ => {
                return Err(ApiError::bad(
                    "permission",
                    "each entry names a user_id or a group_id",
                ));
            }
        };
        // Each right implies viewing; managing implies the rest.
        let manage = flag(e, "manage");
        let upload = manage || flag(e, "upload");
        let download = manage || flag(e, "download");
        let view = manage || upload || download || flag(e, "view");
        grants.push(settings::FolderGrant {
            kind: kind.to_owned(),
            user_id,
            view,
            download,
            upload,
            manage,
        });
    }
    Ok(grants)
}

/// A Shared Space folder id (0 = root) to its row id.
async fn folder(call: &Call, id: i64) -> ApiResult<i64> {
    if id == 0 {
        return Ok(library::root_folder(&call.state.db, SHARED_OWNER).await?.id);
    }
    library::folder(&call.state.db, SHARED_OWNER, id)
        .await?
        .map(|f| f.id)
        .ok_or(ApiError::NotFound)
}
