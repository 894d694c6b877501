//! Settings as policy: what the stored settings say the server may do (user sharing, the
//! Shared Space, a user's upload renames and shown locations, guests' photo information).
//! The `SYNO.Foto.Setting.*` handlers (api::settings) read and write them.

use serde_json::{Value, json};

use crate::protocol::Call;
use crate::protocol::error::{ApiError, ApiResult};
use crate::state::AppState;
use shoebox_catalog::settings;

pub const ADMIN_KEY: &str = "admin";
pub const TEAM_KEY: &str = "team_space";

pub fn admin_defaults() -> Value {
    json!({
        "default_thumbnail_size": "sm",
        "display_photo_info_to_guest": true,
        "enable_person": true,
        "enable_concept": true,
        "enable_user_sharing": true,
        "exclude_extension": [],
    })
}

pub fn team_defaults() -> Value {
    json!({"enabled": true, "enable_person": true, "enable_concept": true})
}

/// Stored values over the defaults.
pub async fn load(state: &AppState, key: &str, defaults: Value) -> ApiResult<Value> {
    let mut out = defaults;
    if let (Some(Value::Object(stored)), Value::Object(base)) =
        (settings::get(&state.db, key).await?, &mut out)
    {
        for (k, v) in stored {
            if base.contains_key(&k) {
                base.insert(k, v);
            }
        }
    }
    Ok(out)
}

/// Whether users may share (the admin setting `enable_user_sharing`, on by default). When it
/// is off nobody makes a new share link or Photo Request, and the links and requests there
/// answer as if they did not exist until it is on again (docs/security.md).
pub async fn user_sharing_enabled(state: &AppState) -> ApiResult<bool> {
    Ok(load(state, ADMIN_KEY, admin_defaults()).await?["enable_user_sharing"] != false)
}

/// Fails with 105 while user sharing is off ([`user_sharing_enabled`]): for every method that
/// makes or opens up a share link or a Photo Request.
pub async fn require_user_sharing(state: &AppState) -> ApiResult<()> {
    if user_sharing_enabled(state).await? {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Whether the Shared Space is switched on (`Setting.TeamSpace set_enable`).
pub async fn team_space_enabled(state: &AppState) -> ApiResult<bool> {
    Ok(load(state, TEAM_KEY, team_defaults()).await?["enabled"] != false)
}

/// Switches the Shared Space on or off outside a request (`shoebox shared-space`).
pub async fn set_team_space_enabled(db: &sqlx::SqlitePool, enabled: bool) -> sqlx::Result<()> {
    let mut current = settings::get(db, TEAM_KEY)
        .await?
        .filter(Value::is_object)
        .unwrap_or_else(team_defaults);
    current["enabled"] = json!(enabled);
    settings::set(db, TEAM_KEY, &current).await
}
pub fn require_admin(call: &Call) -> ApiResult<()> {
    if call.user()?.is_admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

pub fn user_key(user: i64) -> String {
    format!("user.{user}")
}

pub fn user_defaults() -> Value {
    json!({"enable_person": true, "enable_concept": true, "show_date_location": true, "rename_by_date": false})
}

/// The user's "rename by date taken" for uploads: stored names become `IMG_yyyyMMdd_HHmmss`.
pub async fn renames_by_date(state: &AppState, user: i64) -> ApiResult<bool> {
    let prefs = load(state, &user_key(user), user_defaults()).await?;
    Ok(prefs["rename_by_date"] == true)
}

/// The user's "Show Dates and Locations" (seed: More > Settings): when off, the API leaves
/// out where items were taken (positions, places, the map); see docs/protocol-choices.md.
/// Whether guests of share links see photo information (the admin setting
/// `display_photo_info_to_guest`, on by default).
pub async fn guests_see_info(state: &AppState) -> ApiResult<bool> {
    let admin = load(state, ADMIN_KEY, admin_defaults()).await?;
    Ok(admin["display_photo_info_to_guest"] != false)
}

pub async fn shows_locations(state: &AppState, user: i64) -> ApiResult<bool> {
    let prefs = load(state, &user_key(user), user_defaults()).await?;
    Ok(prefs["show_date_location"] != false)
}
