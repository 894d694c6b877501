// The portal's entry point: first run, sign-in, the shell (top bar, navigation, uploads) and the
// pages, chosen by the address's #fragment:
//   #/photos/personal  #/photos/shared   the timeline of a space
//   #/folders/<space>/<id>                a folder
//   #/albums  #/albums/<id>               albums
//   #/places[/<id>] #/tags[/<id>] #/videos #/recent   automatic albums (automatic.js)
//   #/people[/<id>] #/subjects[/<id>]     people and subjects (people.js)
//   #/map                                 the map (map.js)
//     (each of these of the Shared Space with "shared" after the name: #/places/shared/<id>;
//     #/albums/shared is the Albums page with the Shared Space's automatic albums)
//   #/search/<space>/<keyword>            search results
//   #/sharing/with-me[/<passphrase>]      albums shared with the user, one of them
//   #/sharing/with-others                 the user's shared albums
//   #/requests[/<passphrase>]             Photo Requests, one of them
//   #/settings                            the user's settings, indexing progress, administration

import { call, setToken, token, whenSessionLost, spaceApi, url, setSharing } from "./lib/api.js";
import { h, toolbar, toast, prompt, confirmDialog } from "./lib/dom.js";
import { PhotoGrid } from "./lib/grid.js";
import { timelineSource, folderSource, albumSource, searchSource } from "./lib/sources.js";
import { attachSearch } from "./lib/searchbox.js";
import { Uploader } from "./lib/upload.js";
import { folderChain, listFolders, breadcrumbs, folderCards } from "./lib/folders.js";
import { spaceSwitch, backToAlbums } from "./lib/space.js";
import { showShortcuts } from "./lib/shortcuts.js";
import { datesAndPlacesShown, forgetUserSettings } from "./lib/info.js";

// What is not on the first screen (the viewer, the album, sharing, people, map and settings
// pages) is loaded when first used, and fetched in the background once the first screen is up:
// the timeline's first thumbnails wait for half the modules (bench/portal).
const later = (load) => {
  let loading = null;
  return () => (loading ||= load());
};
const viewerJs = later(() => import("./lib/viewer.js"));
const albumsJs = later(() => import("./pages/albums.js"));
const automaticJs = later(() => import("./pages/automatic.js"));
const peopleJs = later(() => import("./pages/people.js"));
const mapJs = later(() => import("./pages/map.js"));
const shareJs = later(() => import("./lib/share.js"));
const sharingJs = later(() => import("./pages/sharing.js"));
const requestsJs = later(() => import("./pages/requests.js"));
const permissionsJs = later(() => import("./lib/permissions.js"));
const settingsJs = later(() => import("./pages/settings.js"));
const LATER = [viewerJs, albumsJs, automaticJs, peopleJs, mapJs, shareJs, sharingJs, requestsJs,
  permissionsJs, settingsJs];
let prefetched = false;
function prefetchLater() {
  if (prefetched) return;
  prefetched = true;
  // After the first screen's thumbnails have had the connections to themselves.
  const idle = window.requestIdleCallback || ((f) => setTimeout(f, 200));
  setTimeout(() => idle(() => LATER.forEach((load) => load().catch(() => {}))), 1500);
}

const app = document.getElementById("app");
const SIGN_IN_ERRORS = {
  400: "Wrong account or password.",
  401: "This account is disabled.",
  407: "Too many failed attempts from this address. Try again later.",
};

let me = null;
let grid = null;
let uploader = null;
let view = null;
let uploadTarget = { team: false, folderId: null };

// ---- Theme ----------------------------------------------------------------------------------

function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  localStorage.setItem("shoebox.theme", theme);
}
applyTheme(localStorage.getItem("shoebox.theme")
  || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"));

// ---- First run and sign-in ------------------------------------------------------------------

function card(title, ...content) {
  return h("main.card", {}, h("h1", {}, "Shoebox"), h("h2", {}, title), ...content);
}

function renderFirstRun() {
  const error = h("p.error", { role: "alert" });
  const form = h("form#setup", {
    onsubmit: async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      if (data.get("passwd") !== data.get("again")) {
        error.textContent = "The two passwords differ.";
        return;
      }
      try {
        await call("SYNO.Shoebox.Setup", "create_admin", 1,
          { account: data.get("account"), passwd: data.get("passwd") });
      } catch (e) {
        error.textContent = e.code === 105 ? "An administrator already exists: sign in."
          : e.code === 120 ? "Use 1 to 64 letters, digits, '.', '_' or '-' for the name, and a password."
            : `The account was not created (error ${e.code}).`;
        if (e.code === 105) setTimeout(boot, 1500);
        return;
      }
      await signIn(data.get("account"), data.get("passwd"), error);
    },
  },
  h("p", {}, "Welcome. There is no account yet: create the administrator."),
  h("label", {}, "Account", h("input", { name: "account", autocomplete: "username", required: true, maxlength: 64 })),
  h("label", {}, "Password", h("input", { name: "passwd", type: "password", autocomplete: "new-password", required: true })),
  h("label", {}, "Password again", h("input", { name: "again", type: "password", autocomplete: "new-password", required: true })),
  h("button", { type: "submit" }, "Create administrator"), error);
  app.replaceChildren(card("First run", form));
}

function renderSignIn() {
  const error = h("p.error", { role: "alert" });
  const form = h("form#signin", {
    onsubmit: async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      await signIn(data.get("account"), data.get("passwd"), error);
    },
  },
  h("label", {}, "Account", h("input", { name: "account", autocomplete: "username", required: true })),
  h("label", {}, "Password", h("input", { name: "passwd", type: "password", autocomplete: "current-password", required: true })),
  h("button", { type: "submit" }, "Sign in"), error);
  app.replaceChildren(card("Sign in", form));
}

async function signIn(account, passwd, errorEl) {
  try {
    const data = await call("SYNO.API.Auth", "login", 7, {
      account, passwd, session: "webui", enable_syno_token: "yes",
    }, { quiet: true });
    setToken(data.synotoken);
    forgetUserSettings();
    await boot();
  } catch (e) {
    errorEl.textContent = SIGN_IN_ERRORS[e.code] || `Sign-in failed (error ${e.code}).`;
  }
}

async function signOut() {
  try {
    await call("SYNO.API.Auth", "logout", 7, {}, { quiet: true });
  } finally {
    setToken("");
    forgetUserSettings();
    me = null;
    location.hash = "";
    renderSignIn();
  }
}

whenSessionLost(() => {
  setToken("");
  me = null;
  renderSignIn();
  toast("Your session has ended. Sign in again.", "error");
});

// ---- The shell ------------------------------------------------------------------------------

function renderShell() {
  uploader = new Uploader({ target: () => uploadTarget, onDone: () => route() });
  const overlay = h("div.drop-overlay", { hidden: true }, "Drop photos and videos to upload them");
  const search = h("input", { type: "search", name: "q", placeholder: "Search photos", "aria-label": "Search" });
  view = h("main#view");
  const nav = h("nav.sidebar", { "aria-label": "Sections" },
    h("a", { href: "#/photos/personal", dataset: { section: "photos" } }, "Photos"),
    h("a", { href: "#/folders/personal/0", dataset: { section: "folders" } }, "Folders"),
    h("a", { href: "#/albums", dataset: { section: "albums" } }, "Albums"),
    h("a", { href: "#/map", dataset: { section: "map" } }, "Map"),
    h("a", { href: "#/sharing/with-me", dataset: { section: "with-me" } }, "Shared with me"),
    h("a", { href: "#/sharing/with-others", dataset: { section: "with-others" } }, "Shared with others"),
    h("a", { href: "#/requests", dataset: { section: "requests" } }, "Photo Requests"),
    h("a", { href: "#/settings", dataset: { section: "settings" } }, "Settings"));
  const shell = h("div.shell", {},
    h("header.topbar", {},
      h("button.icon.menu", { type: "button", "aria-label": "Menu",
        onclick: () => document.body.classList.toggle("nav-open") }, "☰"),
      h("a.brand", { href: "#/photos/personal" }, "Shoebox"),
      h("form.search", { role: "search", onsubmit: (event) => {
        event.preventDefault();
        const q = search.value.trim();
        if (q) location.hash = `#/search/${uploadTarget.team ? "shared" : "personal"}/${encodeURIComponent(q)}`;
      } }, search),
      h("span.spacer"),
      h("button", { type: "button", onclick: () => uploader.pick() }, "Upload"),
      h("button.icon", { type: "button", "aria-label": "Switch theme", onclick: () =>
        applyTheme(document.documentElement.dataset.theme === "dark" ? "light" : "dark") }, "◐"),
      h("span.who", {}, me.name),
      h("button.secondary#signout", { type: "button", onclick: signOut }, "Sign out")),
    nav, view);
  app.replaceChildren(shell, uploader.panel, uploader.picker, overlay);
  attachSearch(shell.querySelector("form.search"), search,
    { user: me.name, space: () => (uploadTarget.team ? "shared" : "personal") });
  uploader.wireDrop(document.body, overlay);
}

function setSection(name) {
  for (const a of document.querySelectorAll(".sidebar a")) {
    a.classList.toggle("active", a.dataset.section === name);
  }
  document.body.classList.remove("nav-open");
}

// The bar shown while photos are selected: add to an album, a slideshow of them, share them (a
// new shared album), download (one file, or a zip of several), delete (into the recycle bin),
// "Set as cover" (one photo, in an album or a folder), and the page's own actions.
function selectionBar(team, extra = [], cover = null) {
  const count = h("strong");
  const ids = () => bar.items.map((i) => i.id);
  const coverButton = cover ? h("button.secondary", { type: "button", onclick: async () => {
    if (await (await viewerJs()).setCover(cover, bar.items[0].id)) grid.clearSelection();
  } }, "Set as cover") : null;
  const bar = h("div.selection-bar", { hidden: true, role: "region", "aria-label": "Selection" },
    count,
    h("button", { type: "button", onclick: async () => {
      await (await albumsJs()).chooseAlbumAndAdd(bar.items);
      grid.clearSelection();
    } }, "Add to album"),
    h("button", { type: "button", onclick: async () => {
      const { openViewer, itemList } = await viewerJs();
      openViewer(itemList(bar.items, team), 0, { slideshow: true });
    } },
      "Slideshow"),
    team ? null : h("button", { type: "button", onclick: async () => {
      if (await (await shareJs()).shareItems(bar.items)) grid.clearSelection();
    } }, "Share"),
    coverButton,
    ...extra.map(([label, action]) => h("button", { type: "button", onclick: () => action(bar.items) }, label)),
    h("button.secondary", { type: "button", onclick: () => {
      const link = h("a", { href: url({ api: spaceApi(team, "Download"), method: "download", version: "2",
        unit_id: JSON.stringify(ids()) }), download: "" });
      document.body.append(link);
      link.click();
      link.remove();
    } }, "Download"),
    h("button.danger", { type: "button", onclick: async () => {
      const n = bar.items.length;
      const ok = await confirmDialog("Delete photos",
        `Move ${n} item${n === 1 ? "" : "s"} to the recycle bin of ${team ? "the Shared Space" : "your Personal Space"}?`);
      if (!ok) return;
      try {
        await call(spaceApi(team, "Browse.Item"), "delete", 1, { id: ids() });
        toast(`${n} item${n === 1 ? "" : "s"} moved to the recycle bin.`);
        route();
      } catch (e) {
        toast(e.code === 105 ? "You may not delete these." : `Not deleted (error ${e.code}).`, "error");
      }
    } }, "Delete"),
    h("button.secondary", { type: "button", onclick: () => grid.clearSelection() }, "Clear"));
  bar.items = [];
  bar.update = (items) => {
    bar.items = items;
    bar.hidden = !items.length;
    count.textContent = `${items.length} selected`;
    if (coverButton) coverButton.hidden = items.length !== 1;
  };
  return bar;
}

async function mountGrid(container, source, options = {}) {
  if (grid) grid.destroy();
  const bar = selectionBar(source.team, options.actions, options.cover);
  grid = new PhotoGrid(source, {
    onOpen: async (index) => (await viewerJs()).openViewer(grid, index, { cover: options.cover }),
    onSelectionChange: (items) => bar.update(items),
    scrubber: Boolean(options.scrubber),
    empty: options.empty,
  });
  container.append(bar, grid.el);
  await grid.start();
  return grid;
}

function failure(error) {
  const text = error.code === 105 ? "You do not have access to this space."
    : error.code === 642 ? "This does not exist, or you cannot see it."
      : `Something went wrong (error ${error.code || error.message}).`;
  view.replaceChildren(h("p.empty", { role: "alert" }, text));
}

// ---- Pages ----------------------------------------------------------------------------------

async function photosPage(space) {
  const team = space === "shared";
  uploadTarget = { team, folderId: null };
  setSection("photos");
  const unit = localStorage.getItem("shoebox.group") || "day";
  const group = h("select", { "aria-label": "Group by", onchange: () => {
    localStorage.setItem("shoebox.group", group.value);
    route();
  } }, h("option", { value: "day" }, "By day"), h("option", { value: "month" }, "By month"));
  group.value = unit;
  view.replaceChildren(toolbar(h("h2", {}, "Photos"),
    spaceSwitch(team, (s) => `#/photos/${s}`), h("span.spacer"), group));
  const dates = await datesAndPlacesShown();
  await mountGrid(view, timelineSource(team, unit, { dates }), {
    scrubber: true,
    empty: "No photos yet. Upload some, or put them in the library folder.",
  });
}

async function folderPage(space, id) {
  const team = space === "shared";
  setSection("folders");
  const go = (folderId) => { location.hash = `#/folders/${space}/${folderId}`; };
  const chain = await folderChain(team, id);
  const here = chain[chain.length - 1];
  uploadTarget = { team, folderId: here.id };
  const folders = await listFolders(team, here.id);
  const name = here.name.split("/").filter(Boolean).pop() || "";
  const sub = team && chain.length > 1;
  view.replaceChildren(
    toolbar(breadcrumbs(team, chain, go), h("span.spacer"),
      spaceSwitch(team, (s) => `#/folders/${s}/0`),
      h("button.secondary", { type: "button", onclick: async () => {
        const name = await prompt("New folder", "Name");
        if (!name) return;
        try {
          await call(spaceApi(team, "Browse.Folder"), "create", 1,
            { target_id: here.id, name: JSON.stringify(name) });
          route();
        } catch (e) {
          toast(`The folder was not created (error ${e.code}).`, "error");
        }
      } }, "New folder"),
      sub ? h("button.secondary", { type: "button", onclick: async () => (await shareJs()).openFolderShareDialog(here, name) }, "Share") : null,
      sub && me.is_admin ? h("button.secondary", { type: "button", onclick: async () => {
        try {
          await (await permissionsJs()).openFolderPermissions(here, name);
        } catch (e) {
          toast(`Permissions could not be read (error ${e.code}).`, "error");
        }
      } }, "Permissions") : null),
    ...(folders.length ? [folderCards(team, folders, go)] : []));
  await mountGrid(view, folderSource(team, here.id), { empty: "No photos in this folder.",
    cover: chain.length > 1 ? { kind: "folder", id: here.id, team } : null });
}

// The user's albums, and the automatic albums of the space chosen in their section (`#/albums/shared`).
async function albumsPage(team = false) {
  uploadTarget = { team: false, folderId: null };
  setSection("albums");
  if (grid) grid.destroy();
  grid = null;
  const container = h("div.albums-page");
  view.replaceChildren(container);
  await (await albumsJs()).renderAlbumList(container, { team, onOpen: (id) => { location.hash = `#/albums/${id}`; } });
}

async function albumPage(id) {
  setSection("albums");
  uploadTarget = { team: false, folderId: null };
  const { getAlbum, renameAlbum, deleteAlbum, albumTools, albumActions, enableReorder } = await albumsJs();
  const { shareLink, openShareDialog } = await shareJs();
  const album = await getAlbum(id);
  const title = h("h2", {}, album.name);
  const shared = h("a.shared-link", { href: album.passphrase ? shareLink(album.passphrase) : "#",
    target: "_blank", rel: "noopener", hidden: !album.passphrase }, "Shared link");
  view.replaceChildren(h("div.toolbar", {},
    backToAlbums(false), title,
    h("small.count", {}, `${album.item_count} item${album.item_count === 1 ? "" : "s"}`),
    shared, h("span.spacer"), ...albumTools(album, route),
    h("button", { type: "button", onclick: async () => {
      const info = await openShareDialog(album);
      if (info !== undefined) route();
    } }, "Share"),
    h("button.secondary", { type: "button", onclick: async () => {
      try {
        const name = await renameAlbum(album);
        if (name) {
          album.name = name;
          title.textContent = name;
        }
      } catch (e) {
        toast(`The album was not renamed (error ${e.code}).`, "error");
      }
    } }, "Rename"),
    h("button.danger", { type: "button", onclick: async () => {
      if (await deleteAlbum(album)) location.hash = "#/albums";
    } }, "Delete")));
  const albumGrid = await mountGrid(view, albumSource(id), {
    cover: { kind: "album", id },
    empty: album.type === "condition" ? "No items meet this album's conditions."
      : "This album is empty. Select photos in the timeline and choose “Add to album”.",
    actions: album.type === "condition" ? [] : [["Remove from album", async (items) => {
      await call("SYNO.Foto.Browse.NormalAlbum", "delete_item", 1, { id, item: items.map((i) => i.id) });
      route();
    }], ...albumActions(album, route)],
  });
  enableReorder(albumGrid, album, route);
}

async function searchPage(space, keyword) {
  const team = space === "shared";
  setSection("");
  view.replaceChildren(toolbar(h("h2", {}, "Search: ", h("q", {}, keyword)),
    spaceSwitch(team, (s) => `#/search/${s}/${encodeURIComponent(keyword)}`)));
  await mountGrid(view, searchSource(team, keyword), { empty: "Nothing matches." });
}

// A page that is not a grid: its container, with the grid of the page before gone.
function plainPage(section, className) {
  setSection(section);
  uploadTarget = { team: false, folderId: null };
  if (grid) grid.destroy();
  grid = null;
  const container = h(`div.${className}`);
  view.replaceChildren(container);
  return container;
}

// An album shared with the user, read through its link.
async function sharedAlbumPage(passphrase) {
  setSection("with-me");
  uploadTarget = { team: false, folderId: null };
  setSharing(passphrase);
  const { sharedAlbum, sharedAlbumSource } = await sharingJs();
  const album = await sharedAlbum();
  view.replaceChildren(h("div.toolbar", {},
    h("a.back", { href: "#/sharing/with-me" }, "‹ Shared with me"), h("h2", {}, album.name),
    h("small.count", {}, `${album.item_count} item${album.item_count === 1 ? "" : "s"}`)));
  await mountGrid(view, sharedAlbumSource(), { empty: "This album is empty." });
}

async function settingsPage() {
  setSection("settings");
  if (grid) grid.destroy();
  grid = null;
  const container = h("div.settings-page");
  view.replaceChildren(container);
  await (await settingsJs()).renderSettings(container, me);
}

// What the pages of other modules need from the shell.
function pageContext() {
  uploadTarget = { team: false, folderId: null };
  return {
    view, mountGrid, setSection,
    dropGrid: () => {
      if (grid) grid.destroy();
      grid = null;
    },
  };
}

async function route() {
  if (!me) return;
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  setSharing("");
  // The automatic albums, People, Subjects and the map take the space after their name:
  // `#/places/shared/3` is the Shared Space's, `#/places/3` (or `#/places/personal/3`) the Personal's.
  const team = parts[1] === "shared";
  const rest = parts[1] === "shared" || parts[1] === "personal" ? parts.slice(2) : parts.slice(1);
  try {
    if (parts[0] === "sharing" && parts[1] === "with-me" && parts[2]) await sharedAlbumPage(parts[2]);
    else if (parts[0] === "sharing" && parts[1] === "with-me") await (await sharingJs()).renderSharedWithMe(plainPage("with-me", "sharing-page"));
    else if (parts[0] === "sharing") await (await sharingJs()).renderSharedWithOthers(plainPage("with-others", "sharing-page"));
    else if (parts[0] === "requests" && parts[1]) await (await requestsJs()).renderRequest(plainPage("requests", "requests-page"), parts[1]);
    else if (parts[0] === "requests") await (await requestsJs()).renderRequests(plainPage("requests", "requests-page"), me);
    else if (parts[0] === "folders") await folderPage(parts[1] === "shared" ? "shared" : "personal", Number(parts[2]) || 0);
    else if (parts[0] === "albums" && Number(parts[1])) await albumPage(Number(parts[1]));
    else if (parts[0] === "albums") await albumsPage(team);
    else if (parts[0] === "places") await (await automaticJs()).placesPage(pageContext(), Number(rest[0]) || 0, team);
    else if (parts[0] === "tags") await (await automaticJs()).tagsPage(pageContext(), Number(rest[0]) || 0, team);
    else if (parts[0] === "videos") await (await automaticJs()).videosPage(pageContext(), team);
    else if (parts[0] === "recent") await (await automaticJs()).recentPage(pageContext(), team);
    else if (parts[0] === "people" && rest[0]) await (await peopleJs()).personPage(pageContext(), Number(rest[0]), team);
    else if (parts[0] === "people") await (await peopleJs()).peoplePage(pageContext(), team);
    else if (parts[0] === "subjects" && rest[0]) await (await peopleJs()).subjectPage(pageContext(), Number(rest[0]), team);
    else if (parts[0] === "subjects") await (await peopleJs()).subjectsPage(pageContext(), team);
    else if (parts[0] === "map") await (await mapJs()).mapPage(pageContext(), team);
    else if (parts[0] === "search" && parts[2]) await searchPage(parts[1], parts.slice(2).join("/"));
    else if (parts[0] === "settings") await settingsPage();
    else await photosPage(parts[1] === "shared" ? "shared" : "personal");
  } catch (error) {
    if (error.code !== 119) failure(error);
  }
}

window.addEventListener("hashchange", route);

// The pages' shortcuts (the viewer has its own while open): "?" lists them, "/" searches, Esc
// clears the selection.
document.addEventListener("keydown", (event) => {
  if (!me || document.querySelector(".viewer, dialog[open]")) return;
  if (event.target.closest && event.target.closest("input, textarea, select")) return;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "?") showShortcuts("pages");
  else if (event.key === "/") document.querySelector(".search input")?.focus();
  else if (event.key === "Escape" && grid) grid.clearSelection();
  else return;
  event.preventDefault();
});

async function boot() {
  // A kept session goes straight to the page (a server with a session has its administrator).
  if (token()) {
    // The user's settings are asked for beside who they are, not after: the timeline needs
    // both before its first thumbnails.
    datesAndPlacesShown();
    try {
      me = await call("SYNO.Foto.UserInfo", "me", 1, {}, { quiet: true });
      renderShell();
      await route();
      prefetchLater();
      return;
    } catch {
      setToken("");
    }
  }
  try {
    const setup = await call("SYNO.Shoebox.Setup", "get", 1, {}, { quiet: true });
    if (setup.needs_admin) {
      renderFirstRun();
      return;
    }
  } catch {
    // An older server without the setup API: go on to sign-in.
  }
  renderSignIn();
}

boot();
