//! `SYNO.Foto.UserInfo me`: who the caller is (reference §3.13).

use serde::Serialize;

use super::Call;
use super::error::ApiResult;
use super::reply::Reply;
use shoebox_catalog::users::UserId;

/// The caller, as `me` answers.
#[derive(Serialize)]
struct Me<'a> {
    id: UserId,
    name: &'a str,
    uid: UserId,
    enabled: bool,
    is_admin: bool,
    is_migration_finished: bool,
    profile: Profile<'a>,
}

/// DSM's personal profile of the caller; Shoebox keeps none, so most of it is empty.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Profile<'a> {
    email: &'static str,
    emails: [&'static str; 0],
    groups: [&'static str; 0],
    id: String,
    nick_name: &'a str,
    photo: &'static str,
    preferred_color: &'static str,
    preferred_language: &'static str,
    timezone: &'static str,
    #[serde(rename = "timezoneUI")]
    timezone_ui: &'static str,
    title: &'static str,
    uid: UserId,
    user_name: &'a str,
}

pub async fn me(call: Call) -> ApiResult {
    let user = call.user()?;
    // There is no DSM uid behind a Shoebox account; the Photos id stands in for it.
    Ok(Reply::data(Me {
        id: user.user_id,
        name: &user.user_name,
        uid: user.user_id,
        enabled: true,
        is_admin: user.is_admin,
        is_migration_finished: true,
        profile: Profile {
            email: "",
            emails: [],
            groups: [],
            id: format!("shoebox-user-{}", user.user_id.0),
            nick_name: &user.user_name,
            photo: "",
            preferred_color: "",
            preferred_language: "def",
            timezone: "UTC",
            timezone_ui: "UTC",
            title: "",
            uid: user.user_id,
            user_name: &user.user_name,
        },
    }))
}
