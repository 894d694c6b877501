"""Checks a built Shoebox .spk the way DSM would, then runs its life cycle in a fake DSM tree.

    python check.py x86_64 FIRST.spk SECOND.spk
    python check.py armv8 PACKAGE.spk

FIRST and SECOND are two builds of the x86_64 package (SECOND with a higher build number, for the
upgrade); their life cycle runs here. The armv8 package is checked the same way without the life
cycle, and its binary is run under qemu-user. Run by spk/test with the virtualenv that has the
PyPI `synology-api` client. Each check
prints one line; a failure raises, and the exit status is non-zero. Reference:
shared/reference/dsm-package-format.md (§ numbers below).
"""

import configparser
import hashlib
import io
import json
import os
import re
import shutil
import socket
import stat
import struct
import subprocess
import sys
import tarfile
import tempfile
import time

import requests
from synology_api import base_api
from synology_api.photos import Photos

PACKAGE = "shoebox"
PASSED = 0
# §2: the keys DSM 7 requires, and every key Synology's toolkit knows.
REQUIRED = ["package", "version", "os_min_ver", "description", "arch", "maintainer"]
WANTED = ["displayname", "thirdparty", "adminport", "adminurl", "adminprotocol", "checkport",
          "startable", "checksum"]
KNOWN = set(REQUIRED + WANTED + """maintainer_url distributor distributor_url exclude_arch model
    exclude_model dsmuidir dsmappname dsmapppage dsmapplaunchname allow_altport helpurl report_url
    support_center install_reboot install_dep_packages install_conflict_packages
    install_dep_services instuninst_restart_services startstop_restart_services
    start_dep_services silent_install silent_upgrade silent_uninstall install_type
    support_conf_folder auto_upgrade_from offline_install precheckstartstop os_max_ver beta ctl_stop
    ctl_install ctl_uninstall install_break_packages install_replace_packages extractsize
    create_time toolkit_version""".split())
TOP_LEVEL = {"INFO", "package.tgz", "scripts", "conf", "WIZARD_UIFILES", "PACKAGE_ICON.PNG",
             "PACKAGE_ICON_256.PNG", "LICENSE"}
SCRIPTS = ["preinst", "postinst", "preuninst", "postuninst", "preupgrade", "postupgrade",
           "start-stop-status"]
ELF_MACHINE = {"x86_64": 62, "armv8": 183}
MAX_GLIBC = (2, 36)
DSM_TOOLS = ["synopkg", "synoshare", "synosystemctl", "servicetool", "synoservice", "synouser"]


def check(name, cond, detail=""):
    global PASSED
    if not cond:
        raise AssertionError(f"{name}: {detail}")
    PASSED += 1
    print(f"ok {name}", flush=True)


def read_info(text):
    info = {}
    for n, line in enumerate(text.splitlines(), 1):
        m = re.fullmatch(r'([a-z_0-9]+)="([^"\n]*)"', line)
        check(f"INFO line {n} is key=\"value\"", m, line)
        info[m.group(1)] = m.group(2)
    return info


def png_size(data):
    check("icon is a PNG", data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR")
    return struct.unpack(">II", data[16:24])


def elf_machine(data):
    check("ELF magic", data[:4] == b"\x7fELF" and data[4] == 2, data[:8])
    return struct.unpack("<H", data[18:20])[0]


def newest_glibc(path):
    out = subprocess.run(["readelf", "-VW", path], capture_output=True, text=True, check=True).stdout
    found = [tuple(int(x) for x in v.split(".")) for v in re.findall(r"GLIBC_([0-9.]+[0-9])", out)]
    return max(found, default=(0,))


def inspect(spk, arch):
    """Static checks of one .spk; returns its INFO."""
    raw = open(spk, "rb").read()
    check("the spk is an uncompressed tar", raw[:2] != b"\x1f\x8b" and raw[257:262] == b"ustar")
    outer = tarfile.open(spk, mode="r:")
    names = outer.getnames()
    check("no absolute or .. paths in the spk",
          all(not n.startswith("/") and ".." not in n.split("/") for n in names), names)
    tops = {n.split("/")[0] for n in names}
    check("top level holds only DSM's entries, no ./ prefix", tops <= TOP_LEVEL, tops - TOP_LEVEL)
    must = {"INFO", "package.tgz", "scripts", "conf", "PACKAGE_ICON.PNG", "PACKAGE_ICON_256.PNG"}
    check("top level has INFO, package.tgz, scripts, conf and both icons", must <= tops, must - tops)
    check("every entry is owned by root", all(m.uid == 0 and m.gid == 0 for m in outer.getmembers()))
    get = lambda name: outer.extractfile(name).read()

    info = read_info(get("INFO").decode())
    for key in REQUIRED + WANTED:
        check(f"INFO has {key}", info.get(key), sorted(info))
    check("INFO has only keys DSM knows", set(info) <= KNOWN, set(info) - KNOWN)
    check("package name is valid", re.fullmatch(r"[a-z0-9_.-]+", info["package"])
          and info["package"] == PACKAGE, info["package"])
    check("version is digits with . - _ and a build number",
          re.fullmatch(r"\d+(\.\d+)*-\d+", info["version"]), info["version"])
    check("the file is named shoebox-<version>-<arch>.spk",
          os.path.basename(spk) == f"{PACKAGE}-{info['version']}-{arch}.spk", spk)
    m = re.fullmatch(r"(\d+)\.(\d+)-(\d+)", info["os_min_ver"])
    check("os_min_ver is DSM 7.2-<build>", m and (int(m[1]), int(m[2])) == (7, 2)
          and int(m[3]) >= 40000, info["os_min_ver"])
    check("arch is the package's", info["arch"] == arch, info["arch"])
    check("checksum is the md5 of package.tgz",
          info["checksum"] == hashlib.md5(get("package.tgz")).hexdigest())
    check("thirdparty, startable and checkport are yes",
          all(info[k] == "yes" for k in ["thirdparty", "startable", "checkport"]))
    check("adminport is the server's default 5080, http, /",
          (info["adminport"], info["adminprotocol"], info["adminurl"]) == ("5080", "http", "/"))
    check("extractsize is KiB", re.fullmatch(r"\d+", info.get("extractsize", "")))

    small, big = png_size(get("PACKAGE_ICON.PNG")), png_size(get("PACKAGE_ICON_256.PNG"))
    check("icons are 64 and 256 px", (small, big) == ((64, 64), (256, 256)), (small, big))

    privilege = json.loads(get("conf/privilege"))
    check("conf/privilege runs as the package user", privilege["defaults"]["run-as"] == "package"
          and "root" not in json.dumps(privilege), privilege)
    resource = json.loads(get("conf/resource"))
    check("conf/resource has only the port and data-share workers",
          set(resource) == {"port-config", "data-share"}, resource)
    shares = resource["data-share"]["shares"]
    check("the photo shared folder is read-write for the package user",
          [s["name"] for s in shares] == ["photo"]
          and shares[0]["permission"] == {"rw": [PACKAGE]}, shares)
    for wizard, keys in [("install_uifile", {"wizard_port", "wizard_shared_space",
                                             "wizard_admin_name", "wizard_admin_password"}),
                         ("uninstall_uifile", {"wizard_delete_data"})]:
        steps = json.loads(get(f"WIZARD_UIFILES/{wizard}"))
        found = {sub["key"] for step in steps for item in step["items"] for sub in item["subitems"]}
        check(f"{wizard} is JSON with {sorted(keys)}", found == keys, found)

    scripts = {m.name.split("/", 1)[1]: m for m in outer.getmembers()
               if m.name.startswith("scripts/") and m.isfile()}
    check("every lifecycle script is there", set(SCRIPTS) <= set(scripts), sorted(scripts))
    with tempfile.TemporaryDirectory() as tmp:
        for name, member in scripts.items():
            mode = stat.S_IMODE(member.mode)
            check(f"scripts/{name} mode", mode == (0o644 if name == "common" else 0o755), oct(mode))
            path = os.path.join(tmp, name)
            open(path, "wb").write(outer.extractfile(member).read())
            for shell in (["busybox", "sh"], ["dash"]):
                r = subprocess.run(shell + ["-n", path], capture_output=True, text=True)
                check(f"scripts/{name} passes {' '.join(shell)} -n", r.returncode == 0, r.stderr)

    payload = get("package.tgz")
    check("package.tgz is gzip", payload[:2] == b"\x1f\x8b")
    inner = tarfile.open(fileobj=io.BytesIO(payload), mode="r:gz")
    inner_names = inner.getnames()
    check("no absolute or .. paths in package.tgz",
          all(not n.startswith("/") and ".." not in n.split("/") for n in inner_names))
    binary = inner.getmember("bin/shoebox")
    check("bin/shoebox is executable", stat.S_IMODE(binary.mode) == 0o755, oct(binary.mode))
    sc_name = resource["port-config"]["protocol-file"]
    check("the port-config file is in package.tgz", sc_name in inner_names, sc_name)
    sc = configparser.ConfigParser()
    sc.read_string(inner.extractfile(sc_name).read().decode())
    check("the .sc names the admin port", sc[PACKAGE]["dst.ports"] == '"5080/tcp"',
          dict(sc[PACKAGE]))
    app_config = json.loads(inner.extractfile("app/config").read())
    check("the desktop shortcut is the dsmappname, on the admin port",
          app_config[".url"][info["dsmappname"]]["port"] == info["adminport"], app_config)
    with tempfile.TemporaryDirectory() as tmp:
        inner.extractall(tmp, filter="tar")
        elves = ["bin/shoebox"] + [f"lib/{n}" for n in os.listdir(os.path.join(tmp, "lib"))]
        for rel in elves:
            data = open(os.path.join(tmp, rel), "rb").read(64)
            check(f"{rel} is ELF for {arch}", elf_machine(data) == ELF_MACHINE[arch])
            newest = newest_glibc(os.path.join(tmp, rel))
            check(f"{rel} needs glibc <= 2.36 (DSM 7.2)", newest <= MAX_GLIBC, newest)
        dynamic = subprocess.run(["readelf", "-dW", os.path.join(tmp, "bin/shoebox")],
                                 capture_output=True, text=True, check=True).stdout
        check("bin/shoebox finds its libraries in ../lib", "[$ORIGIN/../lib]" in dynamic, dynamic)
        if arch == "x86_64":
            r = subprocess.run(["ldd", os.path.join(tmp, "bin/shoebox")], capture_output=True,
                               text=True, env={"PATH": os.environ["PATH"]})
            outside = [line for line in r.stdout.splitlines() if "=>" in line
                       and "/lib/" in line and not re.search(
                           r"lib(c|m|pthread|dl|rt)\.so|ld-linux", line)
                       and tmp not in line]
            check("every library but glibc comes from the package", not outside, r.stdout)
    return info


class Dsm:
    """A temp tree laid out like /var/packages/shoebox (§6), and the scripts run the way DSM runs
    them: busybox sh, SYNOPKG_* variables, as an unprivileged package user."""

    def __init__(self, root):
        self.root = root
        self.pkg = os.path.join(root, "var/packages", PACKAGE)
        self.var = os.path.join(self.pkg, "var")
        self.target = os.path.join(self.pkg, "target")
        self.photo = os.path.join(root, "volume1/photo")
        self.stub_log = os.path.join(root, "dsm-tools.log")
        for d in [self.var, os.path.join(self.pkg, "tmp"), os.path.join(self.pkg, "home"),
                  os.path.join(self.pkg, "shares"), self.photo, os.path.join(root, "bin")]:
            os.makedirs(d, exist_ok=True)
        # The data-share worker links the share (§8).
        os.symlink(self.photo, os.path.join(self.pkg, "shares/photo"))
        for tool in DSM_TOOLS:
            path = os.path.join(root, "bin", tool)
            open(path, "w").write(f'#!/bin/sh\necho "{tool} $*" >>{self.stub_log}\nexit 0\n')
            os.chmod(path, 0o755)
        open(self.stub_log, "w").close()
        os.chmod(self.stub_log, 0o666)
        self.as_user = []
        if os.geteuid() == 0:
            # DSM runs scripts as the package user, never root (§7).
            self.as_user = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        self.info = {}

    def own(self):
        if self.as_user:
            for path in [self.pkg, self.photo]:
                subprocess.run(["chown", "-R", "-h", "65534:65534", path], check=True)

    def place(self, spk):
        """What DSM does before the install scripts: unpack the spk, files into target."""
        shutil.rmtree(self.target, ignore_errors=True)
        os.makedirs(self.target)
        with tarfile.open(spk, mode="r:") as outer:
            with tarfile.open(fileobj=outer.extractfile("package.tgz"), mode="r:gz") as inner:
                inner.extractall(self.target, filter="tar")
            for d in ["scripts", "conf"]:
                shutil.rmtree(os.path.join(self.pkg, d), ignore_errors=True)
            members = [m for m in outer.getmembers() if m.name.split("/")[0] in ("scripts", "conf", "INFO")]
            outer.extractall(self.pkg, members=members, filter="tar")
            self.info = read_info(outer.extractfile("INFO").read().decode())
        self.own()

    def run(self, script, status, scripts=None, **wizard):
        """Runs one script (with its arguments) from the installed scripts or `scripts`; returns
        (exit code, the message DSM would show, what it printed)."""
        message = os.path.join(self.root, "message")
        open(message, "w").close()
        os.chmod(message, 0o666)
        env = {
            "PATH": os.path.join(self.root, "bin") + ":/usr/bin:/bin",
            "HOME": os.path.join(self.pkg, "home"),
            "SYNOPKG_PKGNAME": PACKAGE,
            "SYNOPKG_PKGVER": self.info["version"],
            "SYNOPKG_PKGDEST": self.target,
            "SYNOPKG_PKGDEST_VOL": os.path.join(self.root, "volume1"),
            "SYNOPKG_PKGVAR": self.var,
            "SYNOPKG_PKGTMP": os.path.join(self.pkg, "tmp"),
            "SYNOPKG_PKGHOME": os.path.join(self.pkg, "home"),
            "SYNOPKG_PKGPORT": self.info["adminport"],
            "SYNOPKG_TEMP_LOGFILE": message,
            "SYNOPKG_DSM_VERSION_MAJOR": "7",
            "SYNOPKG_DSM_VERSION_MINOR": "2",
            "SYNOPKG_DSM_VERSION_BUILD": "64570",
            "SYNOPKG_DSM_ARCH": "geminilake",
            "SYNOPKG_PKG_STATUS": status,
        }
        env.update({k: str(v) for k, v in wizard.items()})
        name, *args = script.split()
        path = os.path.join(scripts or os.path.join(self.pkg, "scripts"), name)
        r = subprocess.run(self.as_user + ["busybox", "sh", path] + args, env=env,
                           capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
        return r.returncode, open(message).read(), r.stdout + r.stderr

    def unpack_scripts(self, spk):
        """The scripts of a package not installed yet (DSM runs the new preupgrade from the spk)."""
        where = os.path.join(self.root, "incoming")
        shutil.rmtree(where, ignore_errors=True)
        with tarfile.open(spk, mode="r:") as outer:
            members = [m for m in outer.getmembers() if m.name.startswith("scripts")]
            outer.extractall(where, members=members, filter="tar")
        return os.path.join(where, "scripts")

    def ctl(self, action, status="START"):
        return self.run(f"start-stop-status {action}", status)

    def log(self):
        path = os.path.join(self.var, "shoebox.log")
        return open(path).read() if os.path.exists(path) else ""

    def server_pids(self):
        exe = os.path.realpath(os.path.join(self.target, "bin/shoebox"))
        pids = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if os.readlink(f"/proc/{pid}/exe").startswith(exe):
                    pids.append(int(pid))
            except OSError:
                pass
        return pids


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sign_in(port, user, password):
    base_api.BaseApi.shared_session = None
    p = Photos("127.0.0.1", str(port), user, password, secure=False, dsm_version=7, debug=False)
    me = p.get_userinfo()
    p.logout()
    return me


def guest_settings(port):
    return requests.get(f"http://127.0.0.1:{port}/webapi/entry.cgi",
                        params={"api": "SYNO.Foto.Setting.Guest", "method": "get", "version": "1"},
                        timeout=10).json()


def start_and_wait(dsm, status):
    code, message, err = dsm.ctl("start", status)
    check(f"start exits 0 ({status})", code == 0, f"{message}\n{err}\n{dsm.log()[-3000:]}")
    code, _, err = dsm.ctl("status")
    check("status is 0 (running)", code == 0, err)
    pids = dsm.server_pids()
    check("one server process runs", len(pids) == 1, pids)
    if dsm.as_user:
        uid = [line for line in open(f"/proc/{pids[0]}/status") if line.startswith("Uid:")][0]
        check("the server runs as the package user, not root", uid.split()[1] == "65534", uid)


def stop_and_check(dsm):
    began = time.monotonic()
    code, message, err = dsm.ctl("stop", "STOP")
    took = time.monotonic() - began
    check("stop exits 0", code == 0, f"{message}\n{err}")
    check("stop takes less than 10 s", took < 10, took)
    check("no server process is left", not dsm.server_pids(), dsm.server_pids())
    code, _, _ = dsm.ctl("status")
    check("status is 3 (not running) after stop", code == 3, code)
    check("the server logged a clean stop", dsm.log().rstrip().endswith("stopped"),
          dsm.log()[-1000:])


def lifecycle(first, second):
    root = tempfile.mkdtemp(prefix="shoebox-spk-")
    os.chmod(root, 0o755)
    dsm = Dsm(root)
    port = free_port()
    password = "Wizard-pw-1"
    try:
        if not dsm.as_user:
            print("note: not root, so the scripts run as this user (already unprivileged)")
        dsm.place(first)
        code, message, _ = dsm.run("preinst", "INSTALL", wizard_port="80")
        check("preinst refuses a port below 1024", code == 1 and "1024" in message, message)
        wizard = dict(wizard_port=port, wizard_shared_space="false", wizard_admin_name="admin",
                      wizard_admin_password=password)
        for script in ["preinst", "postinst"]:
            code, message, err = dsm.run(script, "INSTALL", **wizard)
            check(f"{script} (install) exits 0", code == 0, f"{message}\n{err}")
        config = open(os.path.join(dsm.var, "shoebox.toml")).read()
        check("postinst wrote the chosen port and the photo share to shoebox.toml",
              f'listen = "0.0.0.0:{port}"' in config
              and f'photo_root = "{os.path.join(dsm.pkg, "shares/photo")}"' in config, config)
        sc = open(os.path.join(dsm.target, "app/shoebox.sc")).read()
        check("postinst put the chosen port in the firewall service", f'"{port}/tcp"' in sc, sc)
        secret = os.path.join(dsm.var, "first-start/admin-password")
        check("the wizard's password waits in a file only the package user reads",
              stat.S_IMODE(os.stat(secret).st_mode) == 0o600)

        start_and_wait(dsm, "START")
        check("the wizard's one-time choices are applied and removed",
              not os.path.exists(os.path.join(dsm.var, "first-start")))
        me = sign_in(port, "admin", password)
        check("the synology-api client signs in as the wizard's administrator",
              me.get("success") and me["data"]["name"] == "admin", me)
        guest = guest_settings(port)
        check("the Shared Space is off, as chosen in the wizard",
              guest["data"]["enable_team_space"] is False, guest)
        portal = requests.get(f"http://127.0.0.1:{port}/", timeout=10)
        check("the web portal answers", portal.status_code == 200, portal.status_code)
        code, _, _ = dsm.ctl("start")
        check("start when running is fine", code == 0 and len(dsm.server_pids()) == 1)
        code, _, out = dsm.ctl("log")
        check("log names the log file", code == 0 and out.strip() == os.path.join(dsm.var, "shoebox.log"), out)
        stop_and_check(dsm)
        marker = os.path.join(dsm.var, "cache", "kept-by-upgrade")
        os.makedirs(os.path.dirname(marker), exist_ok=True)
        open(marker, "w").write("x")
        dsm.own()

        # Upgrade (§4 execution order): old stop, new preupgrade, old preuninst and postuninst,
        # new files, new preinst, postinst, postupgrade, start. The old postuninst gets the
        # delete box ticked, as a wizard left-over could: it must not delete during an upgrade.
        code, _, _ = dsm.ctl("stop", "UPGRADE")
        check("stop when stopped is fine", code == 0)
        code, message, out = dsm.run("preupgrade", "UPGRADE", scripts=dsm.unpack_scripts(second))
        check("new preupgrade exits 0", code == 0, f"{message}\n{out}")
        for script in ["preuninst", "postuninst"]:
            code, message, err = dsm.run(script, "UPGRADE", wizard_delete_data="true")
            check(f"old {script} (upgrade) exits 0", code == 0, f"{message}\n{err}")
        dsm.place(second)
        for script in ["preinst", "postinst", "postupgrade"]:
            code, message, err = dsm.run(script, "UPGRADE")
            check(f"new {script} (upgrade) exits 0", code == 0, f"{message}\n{err}")
        check("the upgrade kept the data", os.path.exists(marker)
              and os.path.exists(os.path.join(dsm.var, "shoebox.db")))
        sc = open(os.path.join(dsm.target, "app/shoebox.sc")).read()
        check("the new firewall service has the configured port", f'"{port}/tcp"' in sc, sc)
        start_and_wait(dsm, "UPGRADE")
        check("the new version runs", f"starting {dsm.info['version']}" in dsm.log(),
              dsm.log()[-500:])
        me = sign_in(port, "admin", password)
        check("the account survived the upgrade", me.get("success"), me)
        stop_and_check(dsm)

        # Uninstall, keeping the data; install again over it; uninstall deleting it.
        for script in ["preuninst", "postuninst"]:
            code, message, err = dsm.run(script, "UNINSTALL", wizard_delete_data="false")
            check(f"{script} (uninstall, keep data) exits 0", code == 0, f"{message}\n{err}")
        check("uninstall without the box ticked keeps the data",
              os.path.exists(os.path.join(dsm.var, "shoebox.db")) and os.path.exists(marker))
        shutil.rmtree(dsm.target)
        dsm.place(second)
        other = dict(wizard, wizard_admin_name="second", wizard_admin_password="Other-pw-22")
        for script in ["preinst", "postinst"]:
            code, message, err = dsm.run(script, "INSTALL", **other)
            check(f"{script} (reinstall) exits 0", code == 0, f"{message}\n{err}")
        code, message, err = dsm.ctl("start", "START")
        check("start over kept data exits 0 and skips the wizard's account",
              code == 0 and "Accounts exist already" in message, f"{message}\n{err}")
        check("the old account still signs in", sign_in(port, "admin", password).get("success"))
        stop_and_check(dsm)
        for script in ["preuninst", "postuninst"]:
            code, message, err = dsm.run(script, "UNINSTALL", wizard_delete_data="true")
            check(f"{script} (uninstall, delete data) exits 0", code == 0, f"{message}\n{err}")
        check("uninstall with the box ticked empties the data folder", os.listdir(dsm.var) == [],
              os.listdir(dsm.var))
        check("the photo shared folder is kept", os.path.isdir(dsm.photo))
        calls = open(dsm.stub_log).read()
        check("no script called a DSM tool it may not use", calls == "", calls)
    finally:
        for pid in dsm.server_pids():
            os.kill(pid, 9)
        shutil.rmtree(root, ignore_errors=True)


def under_qemu(spk):
    """Runs the armv8 binary, with its bundled libraries, under qemu-user."""
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(spk, mode="r:") as outer:
            with tarfile.open(fileobj=outer.extractfile("package.tgz"), mode="r:gz") as inner:
                inner.extractall(tmp, filter="tar")
        binary = os.path.join(tmp, "bin/shoebox")
        # An arm64 glibc stands in for DSM's: Debian's multiarch one (libc6:arm64, which the
        # arm64 libraries of the cross build bring) when installed, else the cross toolchain's.
        # Never both: the cross toolchain's loader with the multiarch libc (their builds differ)
        # spins for ever in the first pthread_create.
        prefix = "/" if os.path.exists("/lib/ld-linux-aarch64.so.1") else "/usr/aarch64-linux-gnu"
        qemu = ["qemu-aarch64", "-L", prefix, binary]
        r = subprocess.run(qemu + ["--version"], capture_output=True, text=True, timeout=120)
        check("the armv8 binary runs under qemu-aarch64", r.returncode == 0
              and r.stdout.startswith("shoebox "), r.stdout + r.stderr)
        data = os.path.join(tmp, "data")
        r = subprocess.run(qemu + ["--data", data, "user", "list"], capture_output=True,
                           text=True, timeout=120)
        check("the armv8 binary creates and migrates its database under qemu",
              r.returncode == 0 and os.path.exists(os.path.join(data, "shoebox.db")),
              r.stdout + r.stderr)


def main():
    arch, *packages = sys.argv[1:]
    for spk in packages:
        inspect(spk, arch)
    if arch == "x86_64":
        lifecycle(*packages)
    else:
        under_qemu(packages[0])
    print(f"spk {arch}: {PASSED} passed, 0 failed")


if __name__ == "__main__":
    main()
