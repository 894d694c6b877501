// "Shared with me" and "Shared with others" (the seed's Sharing tab): albums other users invited
// the caller to (Browse.Album list category shared_with_me), and the caller's own albums with a
// live link (category shared) and Shared Space folders with a link (Sharing.Misc
// list_shared_folder), each with its link, who may open it and the share dialog.
// A shared-with-me album opens through its link (docs "Sharing": Browse.Item list/count,
// Browse.Album get, Thumbnail, Download with `passphrase`).

import { call, url } from "../lib/api.js";
import { h, toolbar, formatDate, plural } from "../lib/dom.js";
import { openShareDialog, openFolderShareDialog, shareLink } from "../lib/share.js";
import { datesAndPlacesShown } from "../lib/info.js";
import { listAll } from "../lib/paging.js";

const PRIVACY = {
  private: "Private: invited users only",
  "public-view": "Public: anyone with the link can view",
  "public-download": "Public: anyone with the link can view and download",
};

// The albums shared with the user (`shared_with_me`) or by them (`shared`).
function sharedAlbums(category) {
  return listAll("SYNO.Foto.Browse.Album", { category, additional: ["thumbnail", "sharing_info"] },
    { version: 2, pageSize: 500 });
}

function coverUrl(album) {
  const thumb = album.additional && album.additional.thumbnail;
  if (!thumb) return null;
  return url({ api: "SYNO.Foto.Thumbnail", method: "get", version: "2", type: "album", id: String(album.id),
    size: "m", cache_key: thumb.cache_key || undefined, passphrase: JSON.stringify(album.passphrase) });
}

export async function renderSharedWithMe(container) {
  const albums = await sharedAlbums("shared_with_me");
  const dates = await datesAndPlacesShown();
  const cards = albums.map((album) => {
    const cover = coverUrl(album);
    return h("a.album-card", { href: `#/sharing/with-me/${encodeURIComponent(album.passphrase)}` },
      cover ? h("img", { src: cover, alt: "", loading: "lazy" }) : h("div.no-cover", {}, "No photos"),
      h("strong", {}, album.name),
      h("small", {}, plural(album.item_count, "item"), album.item_count && dates ? ` · ${formatDate(album.end_time)}` : ""));
  });
  container.replaceChildren(
    toolbar(h("h2", {}, "Shared with me")),
    cards.length ? h("div.album-grid", {}, cards)
      : h("p.empty", {}, "Nobody has shared an album with you yet."));
}

export async function renderSharedWithOthers(container) {
  const albums = await sharedAlbums("shared");
  const rows = albums.map((album) => {
    const info = (album.additional && album.additional.sharing_info) || {};
    const invited = (info.permission || []).filter((p) => p.type !== "public");
    return h("li", { dataset: { id: String(album.id) } },
      h("div.title", {}, h("a", { href: `#/albums/${album.id}` }, h("strong", {}, album.name)), h("br"),
        h("small.muted", {}, plural(album.item_count, "item"), " · ", PRIVACY[info.privacy_type] || "shared",
          invited.length ? ` · ${invited.map((p) => p.name).join(", ")}` : "",
          info.expiration ? ` · until ${formatDate(info.expiration)}` : "")),
      h("a", { href: shareLink(album.passphrase), target: "_blank", rel: "noopener" }, "Open link"),
      h("button.secondary", { type: "button", "aria-label": `Share settings of ${album.name}`, onclick: async () => {
        await openShareDialog(album);
        renderSharedWithOthers(container);
      } }, "Settings"));
  });
  // The Shared Space folders the caller shared by link (Sharing.Misc list_shared_folder).
  const folders = (await call("SYNO.Foto.Sharing.Misc", "list_shared_folder", 1, {}).catch(() => ({ list: [] }))).list;
  const folderRows = folders.map((f) => {
    const info = f.sharing_info || {};
    const name = f.folder_path.split("/").pop() || "Shared Space";
    const invited = (info.permission || []).filter((p) => p.type !== "public");
    return h("li", { dataset: { folder: String(f.folder_id) } },
      h("div.title", {}, h("a", { href: `#/folders/shared/${f.folder_id}` }, h("strong", {}, name)), h("br"),
        h("small.muted", {}, f.folder_path, " · ", PRIVACY[info.privacy_type] || "shared",
          info.enable_password ? " · password" : "",
          invited.length ? ` · ${invited.map((p) => p.name).join(", ")}` : "",
          info.expiration ? ` · until ${formatDate(info.expiration)}` : "")),
      h("a", { href: shareLink(info.passphrase), target: "_blank", rel: "noopener" }, "Open link"),
      h("button.secondary", { type: "button", "aria-label": `Share settings of ${name}`, onclick: async () => {
        await openFolderShareDialog({ id: f.folder_id }, name);
        renderSharedWithOthers(container);
      } }, "Settings"));
  });
  container.replaceChildren(
    toolbar(h("h2", {}, "Shared with others")),
    rows.length ? h("ul.request-list", { "aria-label": "Shared albums" }, rows)
      : h("p.empty", {}, "You share no album. Open an album and choose “Share”."),
    h("h3", { style: { padding: "0 1rem" } }, "Shared Space folders"),
    folderRows.length ? h("ul.request-list", { "aria-label": "Shared folders" }, folderRows)
      : h("p.muted", { style: { padding: "0 1rem" } },
        "You share no folder. Shared Space folders are shared from their folder page (Folders › Shared › a folder › Share)."));
}

// The items of an album shared with the caller; api.js adds the link to every call (setSharing).
export function sharedAlbumSource() {
  return {
    team: false,
    async init() {
      const { count: total } = await call("SYNO.Foto.Browse.Item", "count", 1, {});
      return { total, groups: total ? [{ label: "", count: total }] : [] };
    },
    fetch(offset, limit) {
      return call("SYNO.Foto.Browse.Item", "list", 1, {
        offset, limit, additional: ["thumbnail", "resolution"],
      }).then((d) => d.list);
    },
  };
}

export async function sharedAlbum() {
  const { list } = await call("SYNO.Foto.Browse.Album", "get", 2, {});
  return list[0];
}
