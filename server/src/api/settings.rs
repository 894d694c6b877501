//! `SYNO.Foto.Setting.{Guest,Admin,User,TeamSpace}` (reference §3.13) and
//! `SYNO.FotoTeam.Sharing.FolderPermission`: real settings, stored, that change what the server
//! does ([`crate::services::settings`], [`crate::services::team_permissions`]). Shapes follow
//! the reference where it has them; docs/protocol-choices.md says the rest.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::Call;
use super::error::{ApiError, ApiResult};
use super::reply::Reply;
use crate::services::access::TeamAccess;
use crate::services::settings::{self, AdminChange, TeamChange, UserChange};
use crate::services::team_permissions::{self, GrantRequest, Grantee};
use crate::services::users::require_admin;
use crate::wire::Empty;

/// What the sign-in page and share-link guests need (`Setting.Guest get`).
#[derive(Serialize)]
struct GuestSettings {
    alias: &'static str,
    default_thumbnail_size: String,
    display_photo_info_to_guest: bool,
    enable_converted_original_jpeg: bool,
    enable_home_service: bool,
    enable_team_space: bool,
    has_hevc: bool,
}

/// `Setting.User get`: the caller's settings and Shared Space access.
#[derive(Serialize)]
struct UserSettings {
    enable_home_service: bool,
    enable_person: bool,
    enable_concept: bool,
    show_date_location: bool,
    rename_by_date: bool,
    team_space_permission: String,
}

/// An answer that is one `list`.
#[derive(Serialize)]
struct Listed<T> {
    list: Vec<T>,
}

/// One setting from the call, if given: a JSON literal, or bare text for a string, of the
/// setting's type (120 `wrong type` otherwise: `yes` is no boolean, `5` no string).
fn setting<T: DeserializeOwned>(call: &Call, name: &'static str) -> ApiResult<Option<T>> {
    let Some(raw) = call.params.raw(name) else {
        return Ok(None);
    };
    let value: Value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()));
    serde_json::from_value(value)
        .map(Some)
        .map_err(|_| ApiError::bad(name, "wrong type"))
}

/// `Setting.Guest get` (no sign-in): what the sign-in page and share-link guests need.
pub async fn guest_get(call: Call) -> ApiResult {
    let admin = settings::admin(&call.state).await?;
    Ok(Reply::data(GuestSettings {
        alias: "photo",
        default_thumbnail_size: admin.default_thumbnail_size,
        display_photo_info_to_guest: admin.display_photo_info_to_guest,
        enable_converted_original_jpeg: false,
        enable_home_service: true,
        enable_team_space: settings::team_space_enabled(&call.state).await?,
        has_hevc: true,
    }))
}

pub async fn admin_get(call: Call) -> ApiResult {
    call.user()?;
    Ok(Reply::data(settings::admin(&call.state).await?))
}

pub async fn admin_set(call: Call) -> ApiResult {
    let me = call.user()?;
    require_admin(me)?;
    let default_thumbnail_size: Option<String> = setting(&call, "default_thumbnail_size")?;
    if default_thumbnail_size
        .as_deref()
        .is_some_and(|s| !matches!(s, "sm" | "m" | "xl"))
    {
        return Err(ApiError::bad("default_thumbnail_size", "sm, m or xl"));
    }
    let change = AdminChange {
        default_thumbnail_size,
        display_photo_info_to_guest: setting(&call, "display_photo_info_to_guest")?,
        enable_person: setting(&call, "enable_person")?,
        enable_concept: setting(&call, "enable_concept")?,
        enable_user_sharing: setting(&call, "enable_user_sharing")?,
        exclude_extension: setting(&call, "exclude_extension")?,
    };
    settings::set_admin(&call.state, me, &change).await?;
    Ok(Reply::data(Empty {}))
}

pub async fn user_get(call: Call) -> ApiResult {
    let user = call.user()?;
    let prefs = settings::user(&call.state, user.user_id.0).await?;
    let access = team_permissions::access_of(&call.state, user).await?;
    Ok(Reply::data(UserSettings {
        enable_home_service: true,
        enable_person: prefs.enable_person,
        enable_concept: prefs.enable_concept,
        show_date_location: prefs.show_date_location,
        rename_by_date: prefs.rename_by_date,
        team_space_permission: access,
    }))
}

pub async fn user_set(call: Call) -> ApiResult {
    let user = call.user()?.user_id.0;
    let change = UserChange {
        enable_person: setting(&call, "enable_person")?,
        enable_concept: setting(&call, "enable_concept")?,
        show_date_location: setting(&call, "show_date_location")?,
        rename_by_date: setting(&call, "rename_by_date")?,
    };
    settings::set_user(&call.state, user, &change).await?;
    Ok(Reply::data(Empty {}))
}

pub async fn team_get(call: Call) -> ApiResult {
    call.user()?;
    Ok(Reply::data(settings::team(&call.state).await?))
}

pub async fn team_set(call: Call) -> ApiResult {
    let me = call.user()?;
    require_admin(me)?;
    let change = TeamChange {
        enable_person: setting(&call, "enable_person")?,
        enable_concept: setting(&call, "enable_concept")?,
    };
    settings::set_team(&call.state, me, &change).await?;
    Ok(Reply::data(Empty {}))
}

pub async fn team_set_enable(call: Call) -> ApiResult {
    let me = call.user()?;
    require_admin(me)?;
    let enabled = call
        .params
        .bool("enable")?
        .or(call.params.bool("enabled")?)
        .ok_or(ApiError::MissingParam("enable"))?;
    settings::set_team_enabled(&call.state, me, enabled).await?;
    Ok(Reply::data(Empty {}))
}

/// `list_permission`: every user's Shared Space access (administrators always `full`).
pub async fn team_list_permission(call: Call) -> ApiResult {
    let list = team_permissions::list(&call.state, call.user()?).await?;
    Ok(Reply::data(Listed { list }))
}

/// `update_permission`: `permission=[{"user_id":N,"access":"full"|"custom"|"none"}]`.
pub async fn team_update_permission(call: Call) -> ApiResult {
    let me = call.user()?;
    require_admin(me)?;
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
        changes.push((user, access));
    }
    team_permissions::set(&call.state, me, &changes).await?;
    Ok(Reply::data(Empty {}))
}

/// `Sharing.FolderPermission list`: the grants on one Shared Space folder (`id`).
pub async fn folder_permission_list(call: Call) -> ApiResult {
    let me = call.user()?;
    require_admin(me)?;
    let id = call.params.int("id")?.ok_or(ApiError::MissingParam("id"))?;
    let folder = team_permissions::folder(&call.state, id).await?;
    let list = team_permissions::grants(&call.state, me, folder).await?;
    Ok(Reply::data(Listed { list }))
}

/// `Sharing.FolderPermission update`: replaces the grants on a folder; they apply to users with
/// custom access, on the folder and below it.
pub async fn folder_permission_update(call: Call) -> ApiResult {
    let me = call.user()?;
    require_admin(me)?;
    let id = call.params.int("id")?.ok_or(ApiError::MissingParam("id"))?;
    let folder = team_permissions::folder(&call.state, id).await?;
    let grants = grants(&call)?;
    team_permissions::set_grants(&call.state, me, &[folder], &grants).await?;
    Ok(Reply::data(Empty {}))
}

/// `FolderBatchPermission update` (shape unknown in the reference; docs/protocol-choices.md):
/// `id` [folder ids] and `permission` as `FolderPermission update` takes it; every folder gets
/// the same grants, all of them or (for an unknown folder, user or group: 642) none.
pub async fn folder_batch_permission_update(call: Call) -> ApiResult {
    let me = call.user()?;
    require_admin(me)?;
    let ids = call
        .params
        .int_list("id")?
        .ok_or(ApiError::MissingParam("id"))?;
    if ids.is_empty() || ids.len() > 1000 {
        return Err(ApiError::bad("id", "1 to 1000 folder ids"));
    }
    let mut folders = Vec::with_capacity(ids.len());
    for id in ids {
        folders.push(team_permissions::folder(&call.state, id).await?);
    }
    folders.sort_unstable();
    folders.dedup();
    let grants = grants(&call)?;
    team_permissions::set_grants(&call.state, me, &folders, &grants).await?;
    Ok(Reply::data(Empty {}))
}

/// The `permission` list of a folder permission call: `[{"user_id" | "group_id", "view",
/// "download", "upload", "manage"}]`.
fn grants(call: &Call) -> ApiResult<Vec<GrantRequest>> {
    let Some(Value::Array(entries)) = call.params.json("permission")? else {
        return Err(ApiError::MissingParam("permission"));
    };
    let flag = |e: &Map<String, Value>, k: &str| e.get(k).and_then(Value::as_bool).unwrap_or(false);
    let mut grants = Vec::new();
    for entry in &entries {
        let Value::Object(e) = entry else {
            return Err(ApiError::bad("permission", "a list of objects"));
        };
        let to = match (
            e.get("user_id").and_then(Value::as_i64),
            e.get("group_id").and_then(Value::as_i64),
        ) {
            (Some(id), None) => Grantee::User(id),
            (None, Some(id)) => Grantee::Group(id),
            _ => {
                return Err(ApiError::bad(
                    "permission",
                    "each entry names a user_id or a group_id",
                ));
            }
        };
        grants.push(GrantRequest {
            to,
            view: flag(e, "view"),
            download: flag(e, "download"),
            upload: flag(e, "upload"),
            manage: flag(e, "manage"),
        });
    }
    Ok(grants)
}
