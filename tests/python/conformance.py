"""Conformance checks with the real PyPI client `synology-api` (0.9.4) against a running Shoebox.

Run by the Rust e2e suite (tests/e2e/conformance.rs), which starts the server and creates the
account first:  python conformance.py HOST PORT USER PASSWORD
Each check prints one line; any failure raises, and the exit status is non-zero.
"""

import sys

import requests
from synology_api import base_api
from synology_api.exceptions import LoginError, PhotosError
from synology_api.photos import Photos


def fresh():
    # The client keeps one session per process at class level (clients.md §1.2).
    base_api.BaseApi.shared_session = None


def check(name, cond, detail=""):
    if not cond:
        raise AssertionError(f"{name}: {detail}")
    print(f"ok {name}")


def signed_in_call(base, sid, token):
    r = requests.get(f"{base}/webapi/entry.cgi",
                     params={"api": "SYNO.Foto.UserInfo", "version": "1", "method": "me", "_sid": sid},
                     headers={"X-SYNO-TOKEN": token}, timeout=10)
    return r.json()


def main():
    host, port, user, password = sys.argv[1:5]
    base = f"http://{host}:{port}"

    # DSM 7 over plain HTTP: UIConfig (_SSID), Encryption getinfo, RSA+AES encrypted login.
    fresh()
    p = Photos(host, port, user, password, secure=False, dsm_version=7, debug=False)
    me = p.get_userinfo()
    check("dsm7 encrypted login and UserInfo.me", me.get("success") and me["data"]["name"] == user, me)
    sid, token = p.session.sid, p.session._syno_token
    check("login returned sid and synotoken", bool(sid) and bool(token))
    check("the session works for raw calls", signed_in_call(base, sid, token).get("success") is True)
    check("API.Info lists the Photos APIs the client looks up", "SYNO.Foto.UserInfo" in p.photos_list,
          sorted(p.photos_list))
    # The client signs out without naming its session (clients.md §1.3); the call must succeed.
    p.logout()
    check("logout succeeds", base_api.BaseApi.shared_session is None)
    r = requests.get(f"{base}/webapi/auth.cgi", params={"api": "SYNO.API.Auth", "version": "7",
                                                         "method": "logout", "_sid": sid}, timeout=10)
    after = signed_in_call(base, sid, token)
    check("logout with the sid ends the session (119 afterwards)",
          r.json() == {"success": True} and after == {"success": False, "error": {"code": 119}}, after)

    # DSM 6 style: no UIConfig step, still encrypted over HTTP.
    fresh()
    p6 = Photos(host, port, user, password, secure=False, dsm_version=6, debug=False)
    check("dsm6 login and UserInfo.me", p6.get_userinfo()["data"]["name"] == user)
    p6.logout()

    # Wrong password: the client raises LoginError with DSM's code 400.
    fresh()
    try:
        Photos(host, port, user, password + "x", secure=False, dsm_version=7, debug=False)
        raise AssertionError("a wrong password signed in")
    except LoginError as e:
        check("wrong password raises LoginError 400", e.error_code == 400, e.error_code)

    print("conformance: all checks passed")


def photos_error(call):
    """The DSM error code the client raises for `call`, or None when it succeeds."""
    try:
        call()
    except PhotosError as e:
        return e.error_code
    return None


def browse():
    """Browsing both spaces as the client does it. The e2e test made the library: an admin USER
    with /2020/Trip/paris.jpg in the Shared Space and mine.jpg in their Personal Space, and
    OTHER (password OTHER_PASSWORD) without Shared Space access."""
    host, port, user, password, other, other_password = sys.argv[2:8]
    fresh()
    p = Photos(host, port, user, password, secure=False, dsm_version=7, debug=False)

    trip = p.lookup_team_folder("/2020/Trip")
    check("lookup_team_folder walks the Shared Space by path", trip and trip["name"] == "/2020/Trip", trip)
    items = p.list_item_in_team_folders(folder_id=trip["id"], additional=["thumbnail", "resolution"])
    names = [i["filename"] for i in items["data"]["list"]]
    check("list_item_in_team_folders lists the folder", names == ["paris.jpg"], items)
    check("items carry thumbnail status and cache key",
          items["data"]["list"][0]["additional"]["thumbnail"]["xl"] == "ready", items)
    timeline = p.get_team_timeline()
    days = [d for s in timeline["data"]["section"] for d in s["list"]]
    check("get_team_timeline has sections of days", sum(d["item_count"] for d in days) == 1, timeline)

    # Places: the geocoding pass runs every few seconds; Paris's photo gets its city.
    import time
    deadline = time.time() + 30
    while True:
        places = p.list_team_geocoding()
        cities = [(c["name"], c["country"], c["item_count"]) for c in places["data"]["list"]]
        if cities or time.time() > deadline:
            break
        time.sleep(0.5)
    check("list_team_geocoding lists the city of the Paris photo",
          cities == [("Neuilly-sur-Seine", "France", 1)], places)
    check("list_geocoding: the Personal Space photo has no position",
          p.list_geocoding()["data"]["list"] == [])

    root = p.get_folder(0)
    check("get_folder(0) is the Personal Space root", root["data"]["folder"]["name"] == "/", root)
    mine = p.list_item_in_folders(folder_id=root["data"]["folder"]["id"])
    mine_list = mine["data"]["list"]
    check("list_item_in_folders lists the Personal Space", [i["filename"] for i in mine_list] == ["mine.jpg"], mine)
    check("get_timeline counts the Personal Space",
          sum(d["item_count"] for s in p.get_timeline()["data"]["section"] for d in s["list"]) == 1)
    item_id = mine_list[0]["id"]
    info = p.get_item_info(item_id, additional=["exif", "resolution"])
    check("get_item_info", info["data"]["list"][0]["id"] == item_id, info)
    check("set_item_rating and description",
          p.set_item_rating(item_id, 5)["success"] and p.set_item_description(item_id, "hello")["success"])
    info = p.get_item_info(item_id, additional=["rating", "description"])
    check("the edits read back", info["data"]["list"][0]["additional"]["rating"] == 5
          and info["data"]["list"][0]["additional"]["description"] == "hello", info)

    import os
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        thumb = p.get_thumbnail(item_id, size="m", dest_path=os.path.join(tmp, "t.jpg"))
        check("get_thumbnail saves a JPEG", thumb and open(thumb, "rb").read(2) == b"\xff\xd8")
        original = p.download_item(item_id, dest_path=os.path.join(tmp, "o.jpg"))
        check("download_item saves the original", original and os.path.getsize(original) > 1000)

    # Albums: a manual album holding items of both spaces, renamed, read back, deleted.
    paris_id = items["data"]["list"][0]["id"]
    made = p.create_normal_album("Holiday", [item_id, paris_id])
    album = made["data"]["album"]
    check("create_normal_album makes an album with its items",
          album["name"] == "Holiday" and album["item_count"] == 2 and made["data"]["error_list"] == [], made)
    check("rename_album", p.rename_album(album["id"], "Summer")["success"])
    listed = p.list_albums()
    check("list_albums lists it renamed", [a["name"] for a in listed["data"]["list"]] == ["Summer"], listed)
    got = p.get_album(album["id"], additional=["thumbnail"])
    check("get_album with its cover", got["data"]["list"][0]["item_count"] == 2
          and got["data"]["list"][0]["additional"]["thumbnail"]["unit_id"] in (item_id, paris_id), got)
    inside = p.list_items_in_album(album["id"])
    check("list_items_in_album reads the items back",
          sorted(i["id"] for i in inside["data"]["list"]) == sorted([item_id, paris_id]), inside)
    check("count_items_in_album", p.count_items_in_album(album["id"])["data"]["count"] == 2)
    normal = p.get_normal_album(album["id"])
    check("get_normal_album", normal["data"]["album"]["id"] == album["id"], normal)
    album_id = album["id"]
    p.logout()

    # A user without Shared Space access sees their own space and nothing of the shared one.
    fresh()
    q = Photos(host, port, other, other_password, secure=False, dsm_version=7, debug=False)
    check("no Shared Space access: the team listing is refused (105)",
          photos_error(lambda: q.list_item_in_team_folders(folder_id=trip["id"])) == 105)
    check("another user's item is not found (642)", photos_error(lambda: q.get_item_info(item_id)) == 642)
    check("another user's album is not found (642)", photos_error(lambda: q.get_album(album_id)) == 642)
    check("nor its items (642)", photos_error(lambda: q.list_items_in_album(album_id)) == 642)
    q.logout()

    fresh()
    p = Photos(host, port, user, password, secure=False, dsm_version=7, debug=False)
    check("delete_album", p.delete_album(album_id)["success"] and p.list_albums()["data"]["list"] == [])
    check("the album's items stay in the library",
          [i["id"] for i in p.list_item_in_folders(folder_id=root["data"]["folder"]["id"])["data"]["list"]] == [item_id])
    p.logout()
    print("conformance: all checks passed")


def uploads():
    """Uploads with the client's upload_personal / upload_team: the timeline, a folder, the
    duplicate policies, rename by date taken.

    python conformance.py upload HOST PORT USER PASSWORD CORPUS_DIR
    """
    import os
    host, port, user, password, corpus = sys.argv[2:7]
    paris = os.path.join(corpus, "metadata", "gps_paris.jpg")
    tokyo = os.path.join(corpus, "metadata", "gps_tokyo.jpg")
    fresh()
    p = Photos(host, port, user, password, secure=False, dsm_version=7, debug=False)

    first = p.upload_personal(paris)
    check("upload_personal to the timeline", first["success"] and first["data"]["action"] == "upload", first)
    item_id = first["data"]["id"]
    info = p.get_item_info(item_id)
    check("the uploaded photo is an item at once", info["data"]["list"][0]["filename"] == "gps_paris.jpg", info)
    month = p.lookup_folder("/PhotoLibrary/2022/03")
    check("the timeline upload is in PhotoLibrary/YYYY/MM of its date taken",
          month and month["name"] == "/PhotoLibrary/2022/03", month)
    again = p.upload_personal(paris)
    check("duplicate=ignore keeps the one there", again["data"]["action"] == "ignore"
          and again["data"]["id"] == item_id, again)
    renamed = p.upload_personal(paris, duplicate="rename")
    check("duplicate=rename stores it under a new name", renamed["data"]["action"] == "rename"
          and renamed["data"]["name"] == "gps_paris_1.jpg", renamed)
    over = p.upload_personal(paris, duplicate="overwrite")
    check("duplicate=overwrite replaces it, same item", over["data"]["action"] == "overwrite"
          and over["data"]["id"] == item_id, over)
    listed = p.list_item_in_folders(folder_id=month["id"])
    check("two files in the month folder", sorted(i["filename"] for i in listed["data"]["list"])
          == ["gps_paris.jpg", "gps_paris_1.jpg"], listed)

    put = p.upload_personal(tokyo, folder=["Trips", "Tokyo"], upload_destination="folder")
    check("upload_personal into a folder", put["success"], put)
    trip = p.lookup_folder("/Trips/Tokyo")
    check("the folder was made and holds the photo",
          [i["filename"] for i in p.list_item_in_folders(folder_id=trip["id"])["data"]["list"]] == ["gps_tokyo.jpg"])
    team = p.upload_team(tokyo, folder=["Family"], upload_destination="folder")
    check("upload_team into a Shared Space folder", team["success"], team)
    family = p.lookup_team_folder("/Family")
    check("the Shared Space folder holds it",
          [i["filename"] for i in p.list_item_in_team_folders(folder_id=family["id"])["data"]["list"]] == ["gps_tokyo.jpg"])

    setting = p.request_data("SYNO.Foto.Setting.User", "entry.cgi",
                             {"version": "1", "method": "set", "rename_by_date": "true"})
    check("rename by date taken turned on", setting["success"], setting)
    dated = p.upload_personal(tokyo)
    check("rename by date taken names it IMG_yyyyMMdd_HHmmss", dated["data"]["name"] == "IMG_20220304_050607.jpg", dated)
    p.logout()
    print("conformance: all checks passed")


def accounts():
    """Accounts and the recycle bin with the client's core_user.User and core_storage.CoreStorage
    (DSM's Control Panel APIs): create over plain HTTP (the password inside the RSA+AES blob),
    list, get, disable, enable with a new password; the recycle bin's switch and emptying.

    python conformance.py accounts HOST PORT ADMIN PASSWORD USER USER_PASSWORD
    """
    from synology_api.core_storage import CoreStorage
    from synology_api.core_user import User
    host, port, admin, admin_pw, user, user_pw = sys.argv[2:8]
    fresh()
    u = User(host, port, admin, admin_pw, secure=False, dsm_version=7, debug=False)
    created = u.user_create("carol", "carol-pass-1", description="Carol", email="carol@example.org")
    check("user_create (encrypted password over HTTP)", created["success"] and created["data"]["name"] == "carol", created)
    listed = u.user_list()
    names = {x["name"]: x for x in listed["data"]["users"]}
    check("user_list has every account", {admin, user, "carol"} <= set(names) and listed["data"]["total"] == len(names),
          listed)
    check("a new account is enabled (expired: normal)", names["carol"]["expired"] == "normal", names["carol"])
    got = u.user_get("carol")
    check("user_get", got["data"]["users"][0]["name"] == "carol", got)

    fresh()
    c = Photos(host, port, "carol", "carol-pass-1", secure=False, dsm_version=7, debug=False)
    check("the new account signs in to Photos", c.get_userinfo()["data"]["name"] == "carol")
    c.logout()

    fresh()
    u = User(host, port, admin, admin_pw, secure=False, dsm_version=7, debug=False)
    off = u.user_set("carol", "carol", expire="now")
    check("user_set expired=now disables", off["success"] and u.user_get("carol")["data"]["users"][0]["expired"] == "now",
          off)
    fresh()
    try:
        Photos(host, port, "carol", "carol-pass-1", secure=False, dsm_version=7, debug=False)
        refused = False
    except Exception:
        refused = True
    check("a disabled account cannot sign in", refused)

    fresh()
    u = User(host, port, admin, admin_pw, secure=False, dsm_version=7, debug=False)
    on = u.user_set("carol", "carol", password="carol-pass-2", expire="normal")
    check("user_set enables and changes the password", on["success"], on)
    fresh()
    c = Photos(host, port, "carol", "carol-pass-2", secure=False, dsm_version=7, debug=False)
    check("the new password signs in", c.get_userinfo()["data"]["name"] == "carol")
    c.logout()

    fresh()
    u = User(host, port, admin, admin_pw, secure=False, dsm_version=7, debug=False)
    for bad, label in ((lambda: u.user_create("../x", "long-enough-1"), "a bad name"),
                       (lambda: u.user_create("carol", "long-enough-1"), "a taken name"),
                       (lambda: u.user_create("dave", "short"), "a short password"),
                       (lambda: u.user_set(admin, admin, expire="now"), "disabling oneself"),
                       (lambda: u.user_delete("carol"), "deleting (disable instead)")):
        try:
            r = bad()
            refused = not r.get("success")
        except Exception:
            refused = True
        check(f"refused: {label}", refused)
    u.logout()

    fresh()
    s = CoreStorage(host, port, admin, admin_pw, secure=False, dsm_version=7, debug=False)
    got = s.recycle_bin_get()
    check("recycle_bin_get", got["success"] and got["data"]["enable"] is True and got["data"]["files"] >= 1, got)
    check("recycle_bin_set off", s.recycle_bin_set(enabled=False)["success"])
    check("the switch is kept", s.recycle_bin_get()["data"]["enable"] is False)
    check("recycle_bin_set on", s.recycle_bin_set(enabled=True)["success"])
    cleaned = s.recycle_bin_clean()
    check("recycle_bin_clean empties every bin", cleaned["success"] and s.recycle_bin_get()["data"]["files"] == 0, cleaned)
    s.logout()

    fresh()
    n = User(host, port, user, user_pw, secure=False, dsm_version=7, debug=False)
    try:
        r = n.user_list()
        refused = not r.get("success")
    except Exception:
        refused = True
    check("a user who is not an administrator cannot list accounts", refused)
    print("conformance: all checks passed")


if __name__ == "__main__":
    if sys.argv[1:2] == ["browse"]:
        browse()
    elif sys.argv[1:2] == ["accounts"]:
        accounts()
    elif sys.argv[1:2] == ["upload"]:
        uploads()
    else:
        main()
