//! Share links never give more than their maker holds (issue 19, holes 3, 4, 9 and 10): a
//! view-only user's album link serves no originals, folder links honour the per-folder download
//! bit, a link's password holds for signed-in users who are not invited, `enable_user_sharing`
//! is enforced, and the information leaks found by reading are closed. docs/security.md states
//! the rules.

use serde_json::{Value, json};

use crate::support::api::{Library, library};
use crate::support::corpus::corpus;
use crate::support::{Login, TestApp, error_code};

/// What a request answered: its status, its JSON (if it was JSON) and its bytes otherwise.
struct Answer {
    status: u16,
    json: Option<Value>,
    bytes: Vec<u8>,
}

impl Answer {
    /// The DSM error code, failing the test if the answer was not a JSON error (bytes served).
    fn code(&self, what: &str) -> i64 {
        let json = self.json.as_ref().unwrap_or_else(|| {
            panic!(
                "{what}: {} bytes served with status {}",
                self.bytes.len(),
                self.status
            )
        });
        error_code(json).unwrap_or_else(|| panic!("{what} succeeded: {json}"))
    }

    /// The bytes of a binary answer, failing the test otherwise.
    fn served(&self, what: &str) -> &[u8] {
        assert!(
            self.json.is_none() && (200..300).contains(&self.status),
            "{what}: not served ({}): {:?}",
            self.status,
            self.json
        );
        &self.bytes
    }

    fn data(&self, what: &str) -> Value {
        let json = self
            .json
            .as_ref()
            .unwrap_or_else(|| panic!("{what}: not JSON"));
        assert_eq!(json["success"], true, "{what}: {json}");
        json["data"].clone()
    }
}

/// A caller: a signed-in user, a guest's `sharing_sid`, or both (a signed-in user who opened a
/// guest session of a link with its password).
#[derive(Clone, Default)]
struct Who {
    user: Option<Login>,
    sharing_sid: Option<String>,
}

fn user(login: &Login) -> Who {
    Who {
        user: Some(login.clone()),
        sharing_sid: None,
    }
}

fn guest(sid: &str) -> Who {
    Who {
        user: None,
        sharing_sid: Some(sid.to_owned()),
    }
}

async fn request(lib: &Library, who: &Who, params: &[(&str, &str)]) -> Answer {
    let mut all: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    if !params.iter().any(|(k, _)| *k == "version") {
        all.push(("version".into(), "1".into()));
    }
    let mut req = TestApp::client().post(lib.app.url("/webapi/entry.cgi"));
    if let Some(login) = &who.user {
        all.push(("_sid".into(), login.sid.clone()));
    }
    if let Some(sid) = &who.sharing_sid {
        req = req.header("Cookie", format!("sharing_sid={sid}"));
    }
    let response = req.form(&all).send().await.expect("request");
    let status = response.status().as_u16();
    let is_json = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    let bytes = response.bytes().await.expect("body").to_vec();
    let json = if is_json {
        Some(serde_json::from_slice(&bytes).expect("json"))
    } else {
        None
    };
    Answer {
        status,
        json,
        bytes,
    }
}

/// `SYNO.Core.Sharing.Login`: the guest session's id, or the error code.
async fn sharing_login(
    lib: &Library,
    passphrase: &str,
    password: Option<&str>,
) -> Result<String, i64> {
    let mut form = vec![
        ("api", "SYNO.Core.Sharing.Login"),
        ("method", "login"),
        ("version", "1"),
        ("sharing_id", passphrase),
    ];
    if let Some(p) = password {
        form.push(("password", p));
    }
    let response = lib.app.post_form("/webapi/entry.cgi", &form).await;
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.split(';')
                .next()
                .and_then(|c| c.strip_prefix("sharing_sid="))
                .map(str::to_owned)
        });
    let body: Value = response.json().await.expect("json");
    match error_code(&body) {
        None => Ok(cookie.expect("a guest cookie")),
        Some(code) => Err(code),
    }
}

fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

async fn user_id(lib: &Library, who: &Login) -> i64 {
    lib.ok(who, "SYNO.Foto.UserInfo", "me", &[]).await["id"]
        .as_i64()
        .expect("id")
}

async fn folder_id(lib: &Library, path: &str) -> i64 {
    lib.ok(
        &lib.anna,
        "SYNO.FotoTeam.Browse.Folder",
        "get",
        &[("name", &quoted(path))],
    )
    .await["folder"]["id"]
        .as_i64()
        .expect("folder id")
}

/// Gives `cleo` custom access with exactly these rights (view, download, upload, manage) on
/// the folder at `path`, written straight into the database.
async fn grant_cleo(lib: &Library, path: &str, rights: [bool; 4]) {
    let folder = folder_id(lib, path).await;
    let [v, d, u, m] = rights.map(i32::from);
    lib.sql(&format!(
        "UPDATE users SET team_access = 'custom' WHERE name = 'cleo';
         DELETE FROM folder_permissions WHERE folder_id = {folder}
            AND user_id = (SELECT id FROM users WHERE name = 'cleo');
         INSERT INTO folder_permissions (folder_id, user_id, view, download, upload, manage)
         SELECT {folder}, id, {v}, {d}, {u}, {m} FROM users WHERE name = 'cleo'"
    ))
    .await;
}

/// A new manual album of `who`'s holding `items`, shared with a link: its passphrase.
async fn shared_album(lib: &Library, who: &Login, items: &[i64], public: &str) -> String {
    let album = lib
        .ok(
            who,
            "SYNO.Foto.Browse.NormalAlbum",
            "create",
            &[("name", "\"Holiday\""), ("item", &json!(items).to_string())],
        )
        .await["album"]["id"]
        .as_i64()
        .expect("album");
    let made = lib
        .ok(
            who,
            "SYNO.Foto.Sharing.Passphrase",
            "set_shared",
            &[("album_id", &album.to_string())],
        )
        .await;
    let p = made["passphrase"].as_str().expect("passphrase").to_owned();
    let permission =
        json!([{"action": "update", "role": public, "member": {"type": "public"}}]).to_string();
    lib.ok(
        who,
        "SYNO.Foto.Sharing.Passphrase",
        "update",
        &[("passphrase", &quoted(&p)), ("permission", &permission)],
    )
    .await;
    p
}

fn download<'a>(api: &'a str, ids: &'a str, p: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("api", api),
        ("method", "download"),
        ("version", "2"),
        ("unit_id", ids),
        ("passphrase", p),
    ]
}

fn stream<'a>(id: &'a str, quality: Option<&'a str>, p: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut params = vec![
        ("api", "SYNO.Foto.Streaming"),
        ("method", "streaming"),
        ("id", id),
        ("passphrase", p),
    ];
    if let Some(q) = quality {
        params.push(("quality", q));
    }
    params
}

fn thumbnail<'a>(api: &'a str, id: &'a str, p: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("api", api),
        ("method", "get"),
        ("version", "2"),
        ("id", id),
        ("size", "sm"),
        ("_sharing_id", p),
    ]
}

/// Hole 3: a user with only view rights on a Shared Space folder puts its photos in an album of
/// theirs, shares it publicly with downloads allowed, and a guest of the link asks for the
/// originals. Refused, bytes not served; thumbnails and the converted stream still work; the
/// link follows the maker's rights as they change.
#[tokio::test]
async fn a_view_only_users_album_link_serves_no_originals() {
    let lib = library().await;
    // A Motion Photo beside the clip, in the folder Cleo may only view.
    let motion = corpus().join("motion/PXL_20230405_060708123.MP.jpg");
    std::fs::copy(&motion, lib.app.data_dir().join("photo/2020/motion.jpg")).expect("copy");
    lib.wait_indexed(5, 3).await;
    grant_cleo(&lib, "/2020", [true, false, false, false]).await;
    let team = "SYNO.FotoTeam.Browse.Item";
    let paris = lib.id_of(&lib.cleo, team, "paris.jpg").await;
    let clip = lib.id_of(&lib.cleo, team, "clip.mp4").await;
    let moving = lib.id_of(&lib.cleo, team, "motion.jpg").await;
    // Her own rights: no download.
    let own = lib
        .code(
            &lib.cleo,
            "SYNO.FotoTeam.Download",
            "download",
            &[("unit_id", &format!("[{paris}]"))],
        )
        .await;
    assert_eq!(own, 105);
    let p = shared_album(&lib, &lib.cleo, &[paris, clip, moving], "download").await;
    let qp = quoted(&p);
    let sid = sharing_login(&lib, &p, None).await.expect("guest login");
    let anyone = guest(&sid);
    let paris_ids = format!("[{paris}]");
    let all_ids = format!("[{paris},{clip},{moving}]");
    let (paris_s, clip_s, moving_s) = (paris.to_string(), clip.to_string(), moving.to_string());
    for (who, name) in [(&anyone, "guest"), (&user(&lib.cleo), "the maker")] {
        for (what, params) in [
            (
                "the original",
                download("SYNO.Foto.Download", &paris_ids, &qp),
            ),
            ("a zip", download("SYNO.Foto.Download", &all_ids, &qp)),
            (
                "the video's original",
                stream(&clip_s, Some("original"), &qp),
            ),
            (
                "a Motion Photo's video",
                stream(&moving_s, Some("original"), &qp),
            ),
            (
                "a Motion Photo's video, no quality",
                stream(&moving_s, None, &qp),
            ),
        ] {
            let answer = request(&lib, who, &params).await;
            assert_eq!(
                answer.code(&format!("{name}: {what}")),
                105,
                "{name}: {what}"
            );
        }
    }
    // Viewing still works: the list, thumbnails, the converted stream.
    let list = request(
        &lib,
        &anyone,
        &[
            ("api", "SYNO.Foto.Browse.Item"),
            ("method", "list"),
            ("offset", "0"),
            ("limit", "10"),
            ("passphrase", &qp),
        ],
    )
    .await
    .data("list");
    assert_eq!(list["list"].as_array().map(Vec::len), Some(3), "{list}");
    let thumb = request(
        &lib,
        &anyone,
        &thumbnail("SYNO.Foto.Thumbnail", &paris_s, &p),
    )
    .await;
    assert!(!thumb.served("a thumbnail").is_empty());
    let preview = request(&lib, &anyone, &stream(&clip_s, Some("medium"), &qp)).await;
    assert!(!preview.served("the converted stream").is_empty());
    // The maker is given download: so is the link. Her access goes: the link shows nothing.
    grant_cleo(&lib, "/2020", [true, true, false, false]).await;
    let original = request(
        &lib,
        &anyone,
        &download("SYNO.Foto.Download", &paris_ids, &qp),
    )
    .await;
    let on_disk =
        std::fs::read(lib.app.data_dir().join("photo/2020/Trip/paris.jpg")).expect("file");
    assert_eq!(
        original.served("the original, now allowed"),
        on_disk.as_slice()
    );
    lib.sql("UPDATE users SET team_access = 'none' WHERE name = 'cleo'")
        .await;
    let thumb = request(
        &lib,
        &anyone,
        &thumbnail("SYNO.Foto.Thumbnail", &paris_s, &p),
    )
    .await;
    assert_eq!(
        thumb.code("a thumbnail of what the maker no longer sees"),
        642
    );
    let original = request(
        &lib,
        &anyone,
        &download("SYNO.Foto.Download", &paris_ids, &qp),
    )
    .await;
    assert_eq!(original.code("an original the maker no longer sees"), 642);
}

/// Hole 3, folder links: a link of a folder the maker manages, below which a folder grants them
/// view only, downloads what the maker may download and nothing else.
#[tokio::test]
async fn a_folder_link_honours_the_makers_download_bit_per_folder() {
    let lib = library().await;
    grant_cleo(&lib, "/2020", [true, true, true, true]).await;
    grant_cleo(&lib, "/2020/Trip", [true, false, false, false]).await;
    let team = "SYNO.FotoTeam.Browse.Item";
    let paris = lib.id_of(&lib.cleo, team, "paris.jpg").await;
    let clip = lib.id_of(&lib.cleo, team, "clip.mp4").await;
    let folder = folder_id(&lib, "/2020").await;
    let made = lib
        .ok(
            &lib.cleo,
            "SYNO.FotoTeam.Sharing.Passphrase",
            "set_shared",
            &[("policy", "\"folder\""), ("folder_id", &folder.to_string())],
        )
        .await;
    let p = made["passphrase"].as_str().expect("passphrase").to_owned();
    let permission =
        json!([{"action": "update", "role": "download", "member": {"type": "public"}}]);
    lib.ok(
        &lib.cleo,
        "SYNO.FotoTeam.Sharing.Passphrase",
        "update",
        &[
            ("passphrase", &quoted(&p)),
            ("permission", &permission.to_string()),
        ],
    )
    .await;
    let sid = sharing_login(&lib, &p, None).await.expect("guest login");
    let qp = quoted(&p);
    let (clip_ids, paris_ids, both) = (
        format!("[{clip}]"),
        format!("[{paris}]"),
        format!("[{clip},{paris}]"),
    );
    let ok = request(
        &lib,
        &guest(&sid),
        &download("SYNO.FotoTeam.Download", &clip_ids, &qp),
    )
    .await;
    assert!(!ok.served("the clip, downloadable").is_empty());
    for (what, ids) in [
        ("a view-only original", &paris_ids),
        ("a zip with it", &both),
    ] {
        let answer = request(
            &lib,
            &guest(&sid),
            &download("SYNO.FotoTeam.Download", ids, &qp),
        )
        .await;
        assert_eq!(answer.code(what), 105, "{what}");
    }
    let thumb = request(
        &lib,
        &guest(&sid),
        &thumbnail("SYNO.FotoTeam.Thumbnail", &paris.to_string(), &p),
    )
    .await;
    assert!(!thumb.served("its thumbnail").is_empty());
}

/// Hole 4: a signed-in user who is not invited holds the passphrase of a link with a password:
/// nothing until they give the password through the guests' sign-in; invitees need none.
#[tokio::test]
async fn a_links_password_holds_for_signed_in_users_not_invited() {
    let lib = library().await;
    let mine = lib
        .id_of(&lib.ben, "SYNO.Foto.Browse.Item", "mine.jpg")
        .await;
    let p = shared_album(&lib, &lib.ben, &[mine], "download").await;
    let qp = quoted(&p);
    lib.ok(
        &lib.ben,
        "SYNO.Foto.Sharing.Passphrase",
        "update",
        &[("passphrase", &qp), ("password", "open sesame")],
    )
    .await;
    let anna_id = user_id(&lib, &lib.anna).await;
    let invite =
        json!([{"action": "update", "role": "view", "member": {"type": "user", "id": anna_id}}]);
    lib.ok(
        &lib.ben,
        "SYNO.Foto.Sharing.Passphrase",
        "update",
        &[("passphrase", &qp), ("permission", &invite.to_string())],
    )
    .await;
    let ids = format!("[{mine}]");
    let mine_s = mine.to_string();
    let list = [
        ("api", "SYNO.Foto.Browse.Item"),
        ("method", "list"),
        ("offset", "0"),
        ("limit", "10"),
        ("passphrase", qp.as_str()),
    ];
    let album = [
        ("api", "SYNO.Foto.Browse.Album"),
        ("method", "get"),
        ("passphrase", qp.as_str()),
    ];
    let cleo = user(&lib.cleo);
    for (what, params) in [
        ("list", list.to_vec()),
        ("album get", album.to_vec()),
        ("download", download("SYNO.Foto.Download", &ids, &qp)),
        ("thumbnail", thumbnail("SYNO.Foto.Thumbnail", &mine_s, &p)),
    ] {
        let answer = request(&lib, &cleo, &params).await;
        assert_eq!(answer.code(&format!("cleo, no password: {what}")), 642);
    }
    // The invitee needs no password.
    let listed = request(&lib, &user(&lib.anna), &list)
        .await
        .data("anna's list");
    assert_eq!(listed["list"].as_array().map(Vec::len), Some(1));
    // A wrong password opens nothing; the right one opens the link for her session too.
    assert_eq!(sharing_login(&lib, &p, Some("guess")).await, Err(400));
    let sid = sharing_login(&lib, &p, Some("open sesame"))
        .await
        .expect("password accepted");
    let both = Who {
        user: Some(lib.cleo.clone()),
        sharing_sid: Some(sid),
    };
    let listed = request(&lib, &both, &list)
        .await
        .data("cleo with the password");
    assert_eq!(listed["list"].as_array().map(Vec::len), Some(1));
    let original = request(&lib, &both, &download("SYNO.Foto.Download", &ids, &qp)).await;
    assert!(!original.served("the download with the password").is_empty());
}

/// A call refused while user sharing is off: who, the API, the method, the parameters.
type Refused<'a> = (&'a Login, &'a str, &'a str, Vec<(&'a str, &'a str)>);

async fn admin_sets(lib: &Library, name: &str, value: bool) {
    lib.ok(
        &lib.anna,
        "SYNO.Foto.Setting.Admin",
        "set",
        &[(name, &value.to_string())],
    )
    .await;
}

/// Hole 9: with `enable_user_sharing` off nobody makes a link or a Photo Request (105), and
/// the links there answer as if they did not exist until it is on again.
#[tokio::test]
async fn user_sharing_off_makes_no_links_and_opens_none() {
    let lib = library().await;
    let mine = lib
        .id_of(&lib.ben, "SYNO.Foto.Browse.Item", "mine.jpg")
        .await;
    let p = shared_album(&lib, &lib.ben, &[mine], "view").await;
    let qp = quoted(&p);
    let sid = sharing_login(&lib, &p, None).await.expect("guest login");
    let list = [
        ("api", "SYNO.Foto.Browse.Item"),
        ("method", "count"),
        ("passphrase", qp.as_str()),
    ];
    request(&lib, &guest(&sid), &list).await.data("before");
    let other = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.NormalAlbum",
            "create",
            &[("name", "\"Other\"")],
        )
        .await["album"]["id"]
        .as_i64()
        .expect("album");
    let albums_before = lib
        .ok(&lib.ben, "SYNO.Foto.Browse.Album", "count", &[])
        .await["count"]
        .clone();
    admin_sets(&lib, "enable_user_sharing", false).await;
    let public =
        json!([{"action": "update", "role": "view", "member": {"type": "public"}}]).to_string();
    let root = folder_id(&lib, "/2020").await.to_string();
    let personal_root = lib
        .ok(&lib.ben, "SYNO.Foto.Browse.Folder", "get", &[("id", "0")])
        .await["folder"]["id"]
        .to_string();
    let (other_s, selection) = (other.to_string(), format!("[{mine}]"));
    let refused: [Refused; 5] = [
        (
            &lib.ben,
            "SYNO.Foto.Sharing.Passphrase",
            "set_shared",
            vec![("album_id", &other_s)],
        ),
        (
            &lib.ben,
            "SYNO.Foto.Sharing.Passphrase",
            "set_shared",
            vec![("policy", "\"item\""), ("item_id", &selection)],
        ),
        (
            &lib.ben,
            "SYNO.Foto.Sharing.Passphrase",
            "update",
            vec![("passphrase", &qp), ("permission", &public)],
        ),
        (
            &lib.anna,
            "SYNO.FotoTeam.Sharing.Passphrase",
            "set_shared",
            vec![("policy", "\"folder\""), ("folder_id", &root)],
        ),
        (
            &lib.ben,
            "SYNO.Foto.PhotoRequest",
            "create",
            vec![
                ("folder_id", &personal_root),
                ("subject", "\"Photos please\""),
            ],
        ),
    ];
    for (who, api, method, params) in refused {
        let owned: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, *v)).collect();
        let code = lib.code(who, api, method, &owned).await;
        assert_eq!(code, 105, "{api} {method} while user sharing is off");
    }
    // Nothing was made: no album for the selection, no link on the other album.
    let albums_after = lib
        .ok(&lib.ben, "SYNO.Foto.Browse.Album", "count", &[])
        .await["count"]
        .clone();
    assert_eq!(albums_before, albums_after);
    let other_album = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.Album",
            "get",
            &[("id", &format!("[{other}]"))],
        )
        .await;
    assert_eq!(other_album["list"][0]["shared"], false, "{other_album}");
    // The link there opens nothing while it is off.
    let answer = request(&lib, &guest(&sid), &list).await;
    assert_eq!(answer.code("a guest session while off"), 642);
    assert_eq!(sharing_login(&lib, &p, None).await, Err(642));
    // Ending a link is still allowed.
    lib.ok(
        &lib.ben,
        "SYNO.Foto.Sharing.Passphrase",
        "set_shared",
        &[("album_id", &other_s), ("enabled", "false")],
    )
    .await;
    admin_sets(&lib, "enable_user_sharing", true).await;
    request(&lib, &guest(&sid), &list).await.data("on again");
}

/// Hole 10: `backup_check` answers only for items the caller may view, not for those in
/// folders they merely pass through.
#[tokio::test]
async fn backup_check_names_no_item_the_caller_cannot_view() {
    let lib = library().await;
    lib.give_cleo_view_of("\"/2020/Trip\"").await;
    let shared = lib.app.data_dir().join("photo");
    let size = |rel: &str| std::fs::metadata(shared.join(rel)).expect("file").len();
    let files = json!([
        {"name": "clip.mp4", "size": size("2020/clip.mp4")},
        {"name": "paris.jpg", "size": size("2020/Trip/paris.jpg")},
    ]);
    let data = lib
        .ok(
            &lib.cleo,
            "SYNO.FotoTeam.Upload.Item",
            "backup_check",
            &[("files", &files.to_string())],
        )
        .await;
    let list = data["list"].as_array().expect("list");
    assert_eq!(
        list[0]["status"], "new",
        "clip.mp4 is in /2020, which she only passes: {data}"
    );
    assert!(list[0].get("id").is_none(), "{data}");
    assert_eq!(list[1]["status"], "exists", "{data}");
}

/// Hole 10: with `display_photo_info_to_guest` off, a folder link's guests cannot filter by
/// person, subject, place or tag (105), and lists of those are not for guests at all.
#[tokio::test]
async fn folder_link_guests_filter_by_no_photo_information_they_may_not_see() {
    let lib = library().await;
    let folder = folder_id(&lib, "/2020").await;
    let made = lib
        .ok(
            &lib.anna,
            "SYNO.FotoTeam.Sharing.Passphrase",
            "set_shared",
            &[("policy", "\"folder\""), ("folder_id", &folder.to_string())],
        )
        .await;
    let p = made["passphrase"].as_str().expect("passphrase").to_owned();
    let qp = quoted(&p);
    let permission = json!([{"action": "update", "role": "view", "member": {"type": "public"}}]);
    lib.ok(
        &lib.anna,
        "SYNO.FotoTeam.Sharing.Passphrase",
        "update",
        &[("passphrase", &qp), ("permission", &permission.to_string())],
    )
    .await;
    let sid = sharing_login(&lib, &p, None).await.expect("guest login");
    let count = |filter: &'static str| {
        let qp = qp.clone();
        let lib = &lib;
        let sid = sid.clone();
        async move {
            let params = [
                ("api", "SYNO.FotoTeam.Browse.Item"),
                ("method", "count"),
                ("passphrase", qp.as_str()),
                (filter, "1"),
            ];
            request(lib, &guest(&sid), &params).await
        }
    };
    // Allowed, the filters answer.
    count("geocoding_id")
        .await
        .data("a place filter, info shown");
    admin_sets(&lib, "display_photo_info_to_guest", false).await;
    for filter in ["person_id", "concept_id", "geocoding_id", "general_tag_id"] {
        assert_eq!(count(filter).await.code(filter), 105, "{filter}");
    }
    for api in [
        "SYNO.FotoTeam.Browse.Person",
        "SYNO.FotoTeam.Browse.Geocoding",
        "SYNO.FotoTeam.Browse.GeneralTag",
    ] {
        let params = [
            ("api", api),
            ("method", "list"),
            ("offset", "0"),
            ("limit", "10"),
            ("passphrase", qp.as_str()),
        ];
        let answer = request(&lib, &guest(&sid), &params).await;
        assert_eq!(answer.code(api), 119, "{api} is for signed-in users");
    }
}

/// Hole 10: a member of a shared album sees neither the member list (in `Shared with me`, as
/// `Album get` hides it) nor the owner's people (named and counted over the whole library).
#[tokio::test]
async fn album_members_see_neither_other_members_nor_the_owners_people() {
    let lib = library().await;
    let mine = lib
        .id_of(&lib.ben, "SYNO.Foto.Browse.Item", "mine.jpg")
        .await;
    let p = shared_album(&lib, &lib.ben, &[mine], "view").await;
    let qp = quoted(&p);
    let (anna_id, cleo_id) = (
        user_id(&lib, &lib.anna).await,
        user_id(&lib, &lib.cleo).await,
    );
    let invite = json!([
        {"action": "update", "role": "view", "member": {"type": "user", "id": anna_id}},
        {"action": "update", "role": "view", "member": {"type": "user", "id": cleo_id}},
    ]);
    lib.ok(
        &lib.ben,
        "SYNO.Foto.Sharing.Passphrase",
        "update",
        &[("passphrase", &qp), ("permission", &invite.to_string())],
    )
    .await;
    // Ben's people: one named in his photo, and in his whole library.
    let ben_id = user_id(&lib, &lib.ben).await;
    lib.sql(&format!(
        "INSERT INTO persons (id, owner_id, name, face_count, created_at)
              VALUES (9001, {ben_id}, 'Ben''s secret friend', 1, 0);
         INSERT INTO faces (item_id, owner_id, x, y, w, h, embedding, person_id)
              VALUES ({mine}, {ben_id}, 0.1, 0.1, 0.2, 0.2, x'00', 9001)"
    ))
    .await;
    let owners = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.Item",
            "get",
            &[("id", &format!("[{mine}]")), ("additional", "[\"person\"]")],
        )
        .await;
    assert_eq!(
        owners["list"][0]["additional"]["person"][0]["name"], "Ben's secret friend",
        "the owner sees his people: {owners}"
    );
    let get = lib
        .ok(
            &lib.cleo,
            "SYNO.Foto.Browse.Album",
            "get",
            &[("passphrase", &qp), ("additional", "[\"sharing_info\"]")],
        )
        .await;
    assert!(
        get["list"][0]["additional"].get("sharing_info").is_none(),
        "{get}"
    );
    let listed = lib
        .ok(
            &lib.cleo,
            "SYNO.Foto.Sharing.Misc",
            "list_shared_with_me_album",
            &[
                ("offset", "0"),
                ("limit", "10"),
                ("additional", "[\"sharing_info\"]"),
            ],
        )
        .await;
    let album = &listed["list"][0];
    assert_eq!(album["passphrase"], p.as_str(), "{listed}");
    assert!(
        album["additional"].get("sharing_info").is_none(),
        "no member list for members: {listed}"
    );
    for method in ["list", "get"] {
        let ids = format!("[{mine}]");
        let mut params = vec![("passphrase", qp.as_str()), ("additional", "[\"person\"]")];
        if method == "list" {
            params.extend([("offset", "0"), ("limit", "10")]);
        } else {
            params.push(("id", &ids));
        }
        let items = lib
            .ok(&lib.cleo, "SYNO.Foto.Browse.Item", method, &params)
            .await;
        let text = items.to_string();
        assert!(!text.contains("secret friend"), "{method}: {text}");
        assert!(
            items["list"][0]["additional"].get("person").is_none(),
            "{method}: {items}"
        );
    }
}

/// Hole 10: `SYNO.FotoTeam.Index get` gives the Shared Space's counts only to those who reach
/// it.
#[tokio::test]
async fn team_index_counts_are_only_for_those_who_reach_the_shared_space() {
    let lib = library().await;
    let code = lib.code(&lib.ben, "SYNO.FotoTeam.Index", "get", &[]).await;
    assert_eq!(code, 105, "ben has no Shared Space access");
    lib.ok(&lib.anna, "SYNO.FotoTeam.Index", "get", &[]).await;
    lib.give_cleo_view_of("\"/2020/Trip\"").await;
    lib.ok(&lib.cleo, "SYNO.FotoTeam.Index", "get", &[]).await;
}
