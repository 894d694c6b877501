//! Every API the server answers, in one table that reads top to bottom: name, the CGI path
//! `SYNO.API.Info` reports, the versions served, and each method with who may call it and
//! whether it changes anything. `SYNO.API.Info` is generated from this table, so it lists
//! exactly what is served. The table's types live in [`crate::protocol::table`].

use super::browse::{
    album, category, condition_album, diff, folder, item, normal_album, person, place,
    recently_added, tag, timeline,
};
use super::{
    auth, core_admin, dsm, encryption, index, info, media, requests, resumable, search, settings,
    setup, sharing, upload, user_info,
};
use crate::protocol::table::Effect::{Changes, Reads, ReadsMedia};
use crate::protocol::table::{Api, ApiTable, Space};

/// The served APIs.
pub fn build() -> ApiTable {
    let mut apis: Vec<Api> = [
        sign_in(),
        accounts(),
        share_links(),
        settings_and_state(),
        albums(),
    ]
    .into_iter()
    .flatten()
    .collect();
    // The browse APIs, once per space (reference §3: every SYNO.Foto.X has a FotoTeam twin).
    for (foto, team) in [
        ("SYNO.Foto.Browse.Item", "SYNO.FotoTeam.Browse.Item"),
        ("SYNO.Foto.Browse.Folder", "SYNO.FotoTeam.Browse.Folder"),
        ("SYNO.Foto.Browse.Timeline", "SYNO.FotoTeam.Browse.Timeline"),
        ("SYNO.Foto.Browse.Diff", "SYNO.FotoTeam.Browse.Diff"),
        (
            "SYNO.Foto.Browse.GeneralTag",
            "SYNO.FotoTeam.Browse.GeneralTag",
        ),
        (
            "SYNO.Foto.Browse.RecentlyAdded",
            "SYNO.FotoTeam.Browse.RecentlyAdded",
        ),
        (
            "SYNO.Foto.Browse.Geocoding",
            "SYNO.FotoTeam.Browse.Geocoding",
        ),
        ("SYNO.Foto.Browse.Person", "SYNO.FotoTeam.Browse.Person"),
        ("SYNO.Foto.Browse.Concept", "SYNO.FotoTeam.Browse.Concept"),
        ("SYNO.Foto.Browse.Map", "SYNO.FotoTeam.Browse.Map"),
        ("SYNO.Foto.Search.Search", "SYNO.FotoTeam.Search.Search"),
        ("SYNO.Foto.Search.Filter", "SYNO.FotoTeam.Search.Filter"),
        ("SYNO.Foto.Upload.Item", "SYNO.FotoTeam.Upload.Item"),
        ("SYNO.Foto.PhotoRequest", "SYNO.FotoTeam.PhotoRequest"),
        (
            "SYNO.Foto.Upload.Resumable",
            "SYNO.FotoTeam.Upload.Resumable",
        ),
        ("SYNO.Foto.Thumbnail", "SYNO.FotoTeam.Thumbnail"),
        ("SYNO.Foto.Download", "SYNO.FotoTeam.Download"),
        ("SYNO.Foto.Streaming", "SYNO.FotoTeam.Streaming"),
    ] {
        for name in [foto, team] {
            apis.push(browse_api(name));
        }
    }
    for api in &mut apis {
        api.json_format = api.name.starts_with("SYNO.Foto");
        api.space = if api.name.starts_with("SYNO.FotoTeam.") {
            Space::Team
        } else if api.name.starts_with("SYNO.Foto.") {
            Space::Personal
        } else {
            Space::None
        };
    }
    ApiTable::new(apis)
}

/// Discovery, sign-in and the box itself.
fn sign_in() -> Vec<Api> {
    vec![
        Api::new("SYNO.API.Info", "query.cgi", 1..=1).public(Reads, "query", info::query),
        Api::new("SYNO.API.Auth", "auth.cgi", 3..=7)
            .public(Changes, "login", auth::login)
            .public(Changes, "logout", auth::logout),
        Api::new("SYNO.API.Auth.UIConfig", "entry.cgi", 1..=1).public(
            Reads,
            "get",
            auth::ui_config,
        ),
        Api::new("SYNO.API.Encryption", "encryption.cgi", 1..=1).public(
            Reads,
            "getinfo",
            encryption::getinfo,
        ),
        Api::new("SYNO.DSM.Info", "entry.cgi", 1..=2).user(Reads, "getinfo", dsm::getinfo),
    ]
}

/// Accounts and the recycle bin, as DSM's Control Panel serves them.
fn accounts() -> Vec<Api> {
    vec![
        Api::new("SYNO.Core.User", "entry.cgi", 1..=1)
            .user(Reads, "list", core_admin::user_list)
            .user(Reads, "get", core_admin::user_get)
            .user(Changes, "create", core_admin::user_create)
            .user(Changes, "set", core_admin::user_set)
            .user(Changes, "delete", core_admin::user_delete),
        Api::new("SYNO.Core.RecycleBin", "entry.cgi", 1..=1)
            .user(Reads, "get", core_admin::recycle_get)
            .user(Changes, "set", core_admin::recycle_set)
            .user(Changes, "clean", core_admin::recycle_clean),
    ]
}

/// Share links (reference §1.5, §3.12; albums only) and Photo Requests.
fn share_links() -> Vec<Api> {
    vec![
        Api::new("SYNO.Core.Sharing.Login", "entry.cgi", 1..=1).public(
            Changes,
            "login",
            sharing::guest_login,
        ),
        Api::new("SYNO.Foto.Sharing.Passphrase", "entry.cgi", 1..=1)
            .user(Changes, "set_shared", sharing::set_shared)
            .user(Changes, "update", sharing::update)
            .user(Reads, "get", sharing::get),
        Api::new("SYNO.FotoTeam.Sharing.Passphrase", "entry.cgi", 1..=1)
            .user(Changes, "set_shared", sharing::set_shared)
            .user(Changes, "update", sharing::update)
            .user(Reads, "get", sharing::get),
        // Photo Requests: the public side needs no sign-in.
        Api::new("SYNO.Foto.Upload.PhotoRequestItem", "entry.cgi", 1..=1)
            .public(Reads, "get_info", requests::public_info)
            .public_files("upload", requests::admits_upload, requests::public_upload),
        Api::new("SYNO.Foto.Sharing.Misc", "entry.cgi", 1..=2)
            .user(Reads, "list_user_group", sharing::list_user_group)
            .user(
                Reads,
                "list_shared_with_me_album",
                sharing::list_shared_with_me_album,
            )
            .user(Reads, "list_shared_folder", sharing::list_shared_folder),
    ]
}

/// Who the caller is, the first run, the indexing state and the settings.
fn settings_and_state() -> Vec<Api> {
    vec![
        Api::new("SYNO.Foto.UserInfo", "entry.cgi", 1..=1).user(Reads, "me", user_info::me),
        // Shoebox's extension: the portal's first run creates the administrator.
        Api::new("SYNO.Shoebox.Setup", "entry.cgi", 1..=1)
            .public(Reads, "get", setup::get)
            .public(Changes, "create_admin", setup::create_admin),
        Api::new("SYNO.Foto.Index", "entry.cgi", 1..=1)
            .user(Reads, "get", index::get_personal)
            .user(Changes, "reindex", index::reindex_personal),
        Api::new("SYNO.FotoTeam.Index", "entry.cgi", 1..=1)
            .user(Reads, "get", index::get_shared)
            .user(Changes, "reindex", index::reindex_shared),
        Api::new("SYNO.Foto.Setting.Guest", "entry.cgi", 1..=1).public(
            Reads,
            "get",
            settings::guest_get,
        ),
        Api::new("SYNO.Foto.Setting.Admin", "entry.cgi", 1..=1)
            .user(Reads, "get", settings::admin_get)
            .user(Changes, "set", settings::admin_set),
        Api::new("SYNO.Foto.Setting.User", "entry.cgi", 1..=1)
            .user(Reads, "get", settings::user_get)
            .user(Changes, "set", settings::user_set),
        Api::new("SYNO.Foto.Setting.TeamSpace", "entry.cgi", 1..=1)
            .user(Reads, "get", settings::team_get)
            .user(Changes, "set", settings::team_set)
            .user(Changes, "set_enable", settings::team_set_enable)
            .user(Reads, "list_permission", settings::team_list_permission)
            .user(
                Changes,
                "update_permission",
                settings::team_update_permission,
            ),
        Api::new("SYNO.FotoTeam.Sharing.FolderPermission", "entry.cgi", 1..=1)
            .user(Reads, "list", settings::folder_permission_list)
            .user(Changes, "update", settings::folder_permission_update),
        Api::new(
            "SYNO.FotoTeam.Sharing.FolderBatchPermission",
            "entry.cgi",
            1..=1,
        )
        .user(Changes, "update", settings::folder_batch_permission_update),
    ]
}

/// Albums belong to a user: Foto only (reference §3.4–3.6).
fn albums() -> Vec<Api> {
    vec![
        Api::new("SYNO.Foto.Browse.Album", "entry.cgi", 1..=5)
            .user(Reads, "list", album::list)
            .user(Reads, "count", album::count)
            .shared(Reads, "get", album::get)
            .user(Changes, "set_name", album::set_name)
            .user(Changes, "delete", album::delete)
            .user(Changes, "set_cover", album::set_cover)
            .user(Changes, "set_order", album::set_order),
        Api::new("SYNO.Foto.Browse.NormalAlbum", "entry.cgi", 1..=2)
            .user(Changes, "create", normal_album::create)
            .user(Changes, "add_item", normal_album::add_item)
            .user(Changes, "delete_item", normal_album::delete_item)
            .user(Reads, "get", album::get_one)
            .user(Reads, "list", normal_album::list)
            .user(Reads, "count", normal_album::count),
        Api::new("SYNO.Foto.Browse.ConditionAlbum", "entry.cgi", 1..=2)
            .user(Changes, "create", condition_album::create)
            .user(Changes, "set_condition", condition_album::set_condition)
            .user(Reads, "get", album::get_one)
            .user(Reads, "list", condition_album::list)
            .user(Reads, "count", condition_album::count)
            .user(Reads, "peek_item_count", condition_album::peek_item_count)
            .user(Reads, "suggest", condition_album::suggest),
        Api::new("SYNO.Foto.Browse.Category", "entry.cgi", 1..=2).user(Reads, "get", category::get),
    ]
}

/// One browse API of either space, by its name without the space prefix.
fn browse_api(name: &'static str) -> Api {
    let base = name
        .trim_start_matches("SYNO.FotoTeam.")
        .trim_start_matches("SYNO.Foto.");
    match base {
        "Browse.Item" => Api::new(name, "entry.cgi", 1..=7)
            .shared(Reads, "list", item::list)
            .shared(Reads, "count", item::count)
            .shared(Reads, "get", item::get)
            .user(Changes, "set", item::set)
            .user(Changes, "set_favorite", item::set_favorite)
            .user(Changes, "add_tag", item::add_tag)
            .user(Changes, "remove_tag", item::remove_tag)
            .user(Changes, "delete", item::delete)
            .user(Reads, "list_with_filter", item::list_with_filter)
            .user(Reads, "count_with_filter", item::count_with_filter),
        "Browse.Folder" => Api::new(name, "entry.cgi", 1..=2)
            .shared(Reads, "get", folder::get)
            .shared(Reads, "list", folder::list)
            .shared(Reads, "count", folder::count)
            .user(Reads, "list_parents", folder::list_parents)
            .user(Changes, "create", folder::create)
            .user(Changes, "rename", folder::rename)
            .user(Changes, "delete", folder::delete)
            .user(Changes, "set_cover", folder::set_cover),
        "Browse.Timeline" => Api::new(name, "entry.cgi", 1..=6)
            .user(Reads, "get", timeline::get)
            .user(Reads, "get_geocoding", place::timeline),
        "Browse.Geocoding" => Api::new(name, "entry.cgi", 1..=1)
            .user(Reads, "list", place::list)
            .user(Reads, "count", place::count)
            .user(Reads, "get", place::get),
        "Browse.Map" => Api::new(name, "entry.cgi", 1..=1)
            .user(Reads, "list_cluster", place::list_cluster)
            .user(Reads, "list_item", place::list_item)
            .user(Reads, "count_item", place::count_item),
        "Browse.Diff" => Api::new(name, "entry.cgi", 1..=5)
            .user(Reads, "get_version", diff::get_version)
            .user(Reads, "get", diff::get),
        "Browse.GeneralTag" => Api::new(name, "entry.cgi", 1..=1)
            .user(Reads, "list", tag::list)
            .user(Reads, "count", tag::count)
            .user(Reads, "get", tag::get)
            .user(Changes, "create", tag::create),
        "Browse.Person" => Api::new(name, "entry.cgi", 1..=2)
            .user(Reads, "list", person::list)
            .user(Reads, "count", person::count)
            .user(Reads, "get", person::get)
            .user(Changes, "set", person::set)
            .user(Changes, "merge", person::merge)
            .user(Changes, "separate", person::separate)
            .user(Reads, "list_face", person::list_face)
            .user(Changes, "show", person::show)
            .user(Changes, "set_cover", person::set_cover)
            .user(Reads, "suggest", person::suggest)
            .user(Changes, "delete_face", person::delete_face),
        "Browse.Concept" => Api::new(name, "entry.cgi", 1..=2)
            .user(Reads, "list", person::concept_list)
            .user(Reads, "count", person::concept_count)
            .user(Reads, "get", person::concept_get),
        "Browse.RecentlyAdded" => Api::new(name, "entry.cgi", 1..=5)
            .user(Reads, "list", recently_added::list)
            .user(Reads, "count", recently_added::count),
        "Search.Search" => Api::new(name, "entry.cgi", 1..=6)
            .user(Reads, "list_item", search::list_item)
            .user(Reads, "count_item", search::count_item)
            .user(Reads, "suggest", search::suggest),
        "Search.Filter" => {
            Api::new(name, "entry.cgi", 1..=3).user(Reads, "list", search::filter_list)
        }
        "Upload.Item" => Api::new(name, "entry.cgi", 1..=5)
            .user_files("upload", upload::admits_upload, upload::upload)
            .user_files(
                "upload_to_folder",
                upload::admits_upload_to_folder,
                upload::upload_to_folder,
            )
            .user(Reads, "backup_check", upload::backup_check)
            .user_files(
                "backup_to_path",
                upload::admits_backup_to_path,
                upload::backup_to_path,
            ),
        "Upload.Resumable" => Api::new(name, "entry.cgi", 1..=1)
            .user(Changes, "create", resumable::create)
            .user_files("append", resumable::admits_append, resumable::append)
            .user(Reads, "status", resumable::status)
            .user(Changes, "cancel", resumable::cancel),
        "PhotoRequest" => Api::new(name, "entry.cgi", 1..=1)
            .user(Changes, "create", requests::create)
            .user(Reads, "list", requests::list)
            .user(Reads, "get", requests::get)
            .user(Changes, "set", requests::set)
            .user(Changes, "close", requests::close)
            .user(Changes, "delete", requests::delete),
        "Thumbnail" => {
            let mut api =
                Api::new(name, "entry.cgi", 1..=2).shared(ReadsMedia, "get", media::thumbnail);
            api.recent_session = true;
            api.rest_thumbnail = Some(if name.starts_with("SYNO.FotoTeam.") {
                "t"
            } else {
                "p"
            });
            api
        }
        "Download" => {
            Api::new(name, "entry.cgi", 1..=2).shared(ReadsMedia, "download", media::download)
        }
        "Streaming" => {
            Api::new(name, "entry.cgi", 1..=1).shared(ReadsMedia, "streaming", media::streaming)
        }
        other => unreachable!("no browse API {other}"),
    }
}
