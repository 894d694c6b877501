//! Settings as policy: what the stored settings say the server may do (user sharing, the
//! Shared Space, recognition, a user's upload renames and shown locations, guests' photo
//! information), and changing them. The `SYNO.Foto.Setting.*` handlers (api::settings) answer
//! the settings objects below as they are.
//!
//! Each settings object is stored under its key as JSON; a value the store does not have (or
//! has with another type) is the default's.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::users::require_admin;
use crate::protocol::error::{ApiError, ApiResult};
use crate::state::AppState;
use shoebox_catalog::files::SHARED_OWNER;
use shoebox_catalog::sessions::Session;
use shoebox_catalog::settings;

const ADMIN_KEY: &str = "admin";
const TEAM_KEY: &str = "team_space";

fn user_key(user: i64) -> String {
    format!("user.{user}")
}

/// The administrators' settings (`Setting.Admin`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdminSettings {
    /// `sm`, `m` or `xl`.
    pub default_thumbnail_size: String,
    pub display_photo_info_to_guest: bool,
    pub enable_person: bool,
    pub enable_concept: bool,
    pub enable_user_sharing: bool,
    pub exclude_extension: Vec<String>,
}

impl Default for AdminSettings {
    fn default() -> Self {
        Self {
            default_thumbnail_size: "sm".into(),
            display_photo_info_to_guest: true,
            enable_person: true,
            enable_concept: true,
            enable_user_sharing: true,
            exclude_extension: Vec::new(),
        }
    }
}

/// The Shared Space's settings (`Setting.TeamSpace`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TeamSettings {
    pub enabled: bool,
    pub enable_person: bool,
    pub enable_concept: bool,
}

impl Default for TeamSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            enable_person: true,
            enable_concept: true,
        }
    }
}

/// One user's settings (`Setting.User`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserSettings {
    pub enable_person: bool,
    pub enable_concept: bool,
    pub show_date_location: bool,
    pub rename_by_date: bool,
}

impl Default for UserSettings {
    fn default() -> Self {
        Self {
            enable_person: true,
            enable_concept: true,
            show_date_location: true,
            rename_by_date: false,
        }
    }
}

/// A change to [`AdminSettings`]: the fields given.
#[derive(Debug, Default, Serialize)]
pub struct AdminChange {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_thumbnail_size: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_photo_info_to_guest: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_person: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_concept: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_user_sharing: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude_extension: Option<Vec<String>>,
}

/// A change to [`TeamSettings`] (`set`; `enabled` has its own method).
#[derive(Debug, Default, Serialize)]
pub struct TeamChange {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_person: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_concept: Option<bool>,
}

/// A change to [`UserSettings`].
#[derive(Debug, Default, Serialize)]
pub struct UserChange {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_person: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_concept: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_date_location: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rename_by_date: Option<bool>,
}

/// Whether a stored value may stand for a default one: the same JSON type (a list of strings
/// for a list).
fn same_kind(default: &Value, stored: &Value) -> bool {
    match (default, stored) {
        (Value::Bool(_), Value::Bool(_)) | (Value::String(_), Value::String(_)) => true,
        (Value::Array(_), Value::Array(items)) => items.iter().all(Value::is_string),
        _ => false,
    }
}

/// `over`'s fields laid over `base`'s, where `base` has them with the same type.
fn overlay(base: &mut Map<String, Value>, over: Map<String, Value>) {
    for (k, v) in over {
        if base.get(&k).is_some_and(|d| same_kind(d, &v)) {
            base.insert(k, v);
        }
    }
}

fn object<T: Serialize>(value: &T) -> ApiResult<Map<String, Value>> {
    match serde_json::to_value(value).map_err(anyhow::Error::new)? {
        Value::Object(map) => Ok(map),
        _ => Err(anyhow::anyhow!("a settings object that is not an object").into()),
    }
}

/// The stored values over the defaults.
async fn load<T: Serialize + DeserializeOwned + Default>(
    db: &sqlx::SqlitePool,
    key: &str,
) -> ApiResult<T> {
    let mut current = object(&T::default())?;
    if let Some(Value::Object(stored)) = settings::get(db, key).await? {
        overlay(&mut current, stored);
    }
    Ok(serde_json::from_value(Value::Object(current)).map_err(anyhow::Error::new)?)
}

/// Applies `change` (the fields it gives; none: 120 `setting` required) to the settings under
/// `key`, stores them, and gives them before and after.
async fn update<T, C>(db: &sqlx::SqlitePool, key: &str, change: &C) -> ApiResult<(T, T)>
where
    T: Serialize + DeserializeOwned + Default,
    C: Serialize,
{
    let change = object(change)?;
    if change.is_empty() {
        return Err(ApiError::MissingParam("setting"));
    }
    let before: T = load(db, key).await?;
    let mut after = object(&before)?;
    overlay(&mut after, change);
    let after = Value::Object(after);
    settings::set(db, key, &after).await?;
    Ok((
        before,
        serde_json::from_value(after).map_err(anyhow::Error::new)?,
    ))
}

/// The administrators' settings.
pub async fn admin(state: &AppState) -> ApiResult<AdminSettings> {
    load(&state.db, ADMIN_KEY).await
}

/// The Shared Space's settings.
pub async fn team(state: &AppState) -> ApiResult<TeamSettings> {
    load(&state.db, TEAM_KEY).await
}

/// A user's settings.
pub async fn user(state: &AppState, user: i64) -> ApiResult<UserSettings> {
    load(&state.db, &user_key(user)).await
}

/// Changes the administrators' settings. For administrators.
pub async fn set_admin(state: &AppState, by: &Session, change: &AdminChange) -> ApiResult<()> {
    require_admin(by)?;
    let (before, after): (AdminSettings, AdminSettings) =
        update(&state.db, ADMIN_KEY, change).await?;
    let switched = |s: &AdminSettings| (s.enable_person, s.enable_concept);
    recognition_switched(state, switched(&before), switched(&after), None).await
}

/// Changes the Shared Space's settings. For administrators.
pub async fn set_team(state: &AppState, by: &Session, change: &TeamChange) -> ApiResult<()> {
    require_admin(by)?;
    let (before, after): (TeamSettings, TeamSettings) = update(&state.db, TEAM_KEY, change).await?;
    let switched = |s: &TeamSettings| (s.enable_person, s.enable_concept);
    recognition_switched(
        state,
        switched(&before),
        switched(&after),
        Some(SHARED_OWNER),
    )
    .await
}

/// Changes the caller's own settings.
pub async fn set_user(state: &AppState, user: i64, change: &UserChange) -> ApiResult<()> {
    let (before, after): (UserSettings, UserSettings) =
        update(&state.db, &user_key(user), change).await?;
    let switched = |s: &UserSettings| (s.enable_person, s.enable_concept);
    recognition_switched(state, switched(&before), switched(&after), Some(user)).await
}

/// People or subjects (`(enable_person, enable_concept)`) switched on again: the photos of the
/// space (`None`: every space) are recognised again, keeping what users decided about faces
/// (docs/recognition.md).
async fn recognition_switched(
    state: &AppState,
    before: (bool, bool),
    after: (bool, bool),
    space: Option<i64>,
) -> ApiResult<()> {
    if (!before.0 && after.0) || (!before.1 && after.1) {
        let queued = state.indexer.requeue_recognition(space).await?;
        tracing::info!(photos = queued, "recognition switched on again");
    }
    Ok(())
}

/// Switches the Shared Space on or off (`Setting.TeamSpace set_enable`). For administrators.
pub async fn set_team_enabled(state: &AppState, by: &Session, enabled: bool) -> ApiResult<()> {
    require_admin(by)?;
    let mut current: TeamSettings = load(&state.db, TEAM_KEY).await?;
    current.enabled = enabled;
    let value = serde_json::to_value(&current).map_err(anyhow::Error::new)?;
    settings::set(&state.db, TEAM_KEY, &value).await?;
    Ok(())
}

/// Switches the Shared Space on or off outside a request (`shoebox shared-space`).
pub async fn set_team_space_enabled(db: &sqlx::SqlitePool, enabled: bool) -> sqlx::Result<()> {
    let mut current = match settings::get(db, TEAM_KEY).await? {
        Some(Value::Object(stored)) => stored,
        _ => object(&TeamSettings::default()).unwrap_or_default(),
    };
    current.insert("enabled".into(), Value::Bool(enabled));
    settings::set(db, TEAM_KEY, &Value::Object(current)).await
}

/// Whether users may share (the admin setting `enable_user_sharing`, on by default). When it
/// is off nobody makes a new share link or Photo Request, and the links and requests there
/// answer as if they did not exist until it is on again (docs/security.md).
pub async fn user_sharing_enabled(state: &AppState) -> ApiResult<bool> {
    Ok(admin(state).await?.enable_user_sharing)
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
    Ok(team(state).await?.enabled)
}

/// The user's "rename by date taken" for uploads: stored names become `IMG_yyyyMMdd_HHmmss`.
pub async fn renames_by_date(state: &AppState, user: i64) -> ApiResult<bool> {
    Ok(self::user(state, user).await?.rename_by_date)
}

/// Whether guests of share links see photo information (the admin setting
/// `display_photo_info_to_guest`, on by default).
pub async fn guests_see_info(state: &AppState) -> ApiResult<bool> {
    Ok(admin(state).await?.display_photo_info_to_guest)
}

/// The user's "Show Dates and Locations" (seed: More > Settings): when off, the API leaves
/// out where items were taken (positions, places, the map); see docs/protocol-choices.md.
pub async fn shows_locations(state: &AppState, user: i64) -> ApiResult<bool> {
    Ok(self::user(state, user).await?.show_date_location)
}
