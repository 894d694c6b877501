//! `SYNO.Foto.UserInfo me`: who the caller is (reference §3.13).

use serde_json::json;

use super::Call;
use super::error::ApiResult;
use super::reply::Reply;

pub async fn me(call: Call) -> ApiResult {
    let user = call.user()?;
    // There is no DSM uid behind a Shoebox account; the Photos id stands in for it.
    Ok(Reply::data(json!({
        "id": user.user_id,
        "name": user.user_name,
        "uid": user.user_id,
        "enabled": true,
        "is_admin": user.is_admin,
        "is_migration_finished": true,
        "profile": {
            "email": "",
            "emails": [],
            "groups": [],
            "id": format!("shoebox-user-{}", user.user_id.0),
            "nickName": user.user_name,
            "photo": "",
            "preferredColor": "",
            "preferredLanguage": "def",
            "timezone": "UTC",
            "timezoneUI": "UTC",
            "title": "",
            "uid": user.user_id,
            "userName": user.user_name,
        },
    })))
}
