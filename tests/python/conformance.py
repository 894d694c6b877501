"""Conformance checks with the real PyPI client `synology-api` (0.9.4) against a running Shoebox.

Run by the Rust e2e suite (tests/e2e/conformance.rs), which starts the server and creates the
account first:  python conformance.py HOST PORT USER PASSWORD
Each check prints one line; any failure raises, and the exit status is non-zero.
"""

import sys

import requests
from synology_api import base_api
from synology_api.exceptions import LoginError
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


if __name__ == "__main__":
    main()
