//! `SYNO.Shoebox.Setup`, Shoebox's own extension: the portal's first run. While the server has
//! no account at all, anyone who reaches it may create the first one, an administrator (as
//! `shoebox user add NAME --admin` does); once any account exists, `create_admin` is refused and
//! `get` says so. The check and the insert are one SQL statement, so two racing calls cannot both
//! succeed.

use serde_json::json;

use super::Call;
use super::error::{ApiError, ApiResult};
use super::reply::Reply;
use crate::password::{self, PasswordError};
use shoebox_catalog::users::{self, UserError};

/// `get` → `{"needs_admin": bool}`: whether the server still has no account.
pub async fn get(call: Call) -> ApiResult {
    let count = users::count(&call.state.db).await?;
    Ok(Reply::data(json!({ "needs_admin": count == 0 })))
}

/// `create_admin` (`account`, `passwd`, both taken exactly as sent, like sign-in's) →
/// `{"id", "name"}`; 105 once any account exists, 120 for a name or password that `shoebox user
/// add` would refuse.
pub async fn create_admin(call: Call) -> ApiResult {
    let db = &call.state.db;
    let account = call
        .params
        .raw("account")
        .filter(|a| !a.is_empty())
        .ok_or(ApiError::MissingParam("account"))?;
    let passwd = call
        .params
        .raw("passwd")
        .ok_or(ApiError::MissingParam("passwd"))?;
    // Refuse before hashing, so that a server that is set up spends no CPU on these calls.
    if users::count(db).await? > 0 {
        return Err(ApiError::Forbidden);
    }
    users::check_name(account).map_err(|e| ApiError::bad("account", e.to_string()))?;
    let hash = password::hash(passwd.to_owned())
        .await
        .map_err(|e| match e {
            PasswordError::Empty | PasswordError::TooLong => ApiError::bad("passwd", e.to_string()),
            PasswordError::Hash(_) => ApiError::Internal(anyhow::Error::new(e)),
        })?;
    match users::create_first_admin(db, account, &hash).await {
        Ok(Some(user)) => {
            tracing::info!(
                name = user.name,
                id = user.id.0,
                "first administrator created"
            );
            Ok(Reply::data(json!({ "id": user.id, "name": user.name })))
        }
        Ok(None) => Err(ApiError::Forbidden),
        Err(UserError::BadName(_)) => Err(ApiError::bad("account", "not a valid user name")),
        Err(UserError::Exists(_)) => Err(ApiError::Forbidden),
        Err(UserError::NotFound(_)) => Err(ApiError::NotFound),
        Err(UserError::Db(e)) => Err(e.into()),
    }
}
