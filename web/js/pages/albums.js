// Albums: the list with covers, creating, renaming, deleting, and adding the selected photos
// (Browse.Album, Browse.NormalAlbum; docs/protocol-choices.md "Albums").

import { call, url } from "../lib/api.js";
import { h, toolbar, dialog, prompt, confirmDialog, toast, formatDate } from "../lib/dom.js";
import { listAlbums } from "../lib/albums.js";
import { automaticSection } from "./automatic.js";
import { createConditionAlbum, editAlbumConditions } from "../lib/conditions.js";
import { datesAndPlacesShown } from "../lib/info.js";

export function albumCoverUrl(album) {
  const thumb = album.additional && album.additional.thumbnail;
  if (!thumb) return null;
  return url({ api: "SYNO.Foto.Thumbnail", method: "get", version: "2", type: "album",
    id: String(album.id), size: "m", cache_key: thumb.cache_key || undefined });
}

export async function createAlbum(name, itemIds = []) {
  const data = await call("SYNO.Foto.Browse.NormalAlbum", "create", 1,
    { name: JSON.stringify(name), item: itemIds });
  return data.album;
}

export async function addToAlbum(albumId, itemIds) {
  const data = await call("SYNO.Foto.Browse.NormalAlbum", "add_item", 1, { id: albumId, item: itemIds });
  return data.error_list || [];
}

export async function renameAlbum(album) {
  const name = await prompt("Rename album", "Name", album.name);
  if (!name || name === album.name) return null;
  await call("SYNO.Foto.Browse.Album", "set_name", 1, { id: album.id, name: JSON.stringify(name) });
  return name;
}

export async function deleteAlbum(album) {
  const ok = await confirmDialog("Delete album",
    `Delete the album “${album.name}”? Its photos stay in the library.`);
  if (!ok) return false;
  await call("SYNO.Foto.Browse.Album", "delete", 1, { id: [album.id] });
  return true;
}

// Asks which album (or a new one) the items go to, and adds them.
export async function chooseAlbumAndAdd(items) {
  const albums = await listAlbums();
  const ids = items.map((i) => i.id);
  const choice = await dialog("Add to album", (close) => {
    const name = h("input", { name: "name", placeholder: "New album name", maxlength: 255 });
    return h("div.album-picker", {},
      h("form.new-album", {
        onsubmit: (event) => {
          event.preventDefault();
          if (name.value.trim()) close({ name: name.value.trim() });
        },
      }, name, h("button", { type: "submit" }, "Create and add")),
      h("ul.picker-list", {}, albums.map((album) => h("li", {},
        h("button.secondary", { type: "button", onclick: () => close({ album }) },
          `${album.name} (${album.item_count})`)))),
      h("div.actions", {}, h("button.secondary", { type: "button", onclick: () => close(null) }, "Cancel")));
  });
  if (!choice) return null;
  try {
    if (choice.name) {
      const album = await createAlbum(choice.name, ids);
      toast(`Added ${ids.length} to the new album “${album.name}”.`);
      return album;
    }
    const errors = await addToAlbum(choice.album.id, ids);
    toast(`Added ${ids.length - errors.length} to “${choice.album.name}”.`);
    return choice.album;
  } catch (error) {
    toast(`The photos were not added (error ${error.code}).`, "error");
    return null;
  }
}

// The albums page: a card per album, newest first, and "New album".
export async function renderAlbumList(container, { onOpen, team = false }) {
  const albums = await listAlbums();
  // The date of the album's photos, unless the user's "show dates and locations" is off.
  const dates = await datesAndPlacesShown();
  const cards = albums.map((album) => {
    const cover = albumCoverUrl(album);
    return h("a.album-card", { href: `#/albums/${album.id}`, onclick: (event) => {
      event.preventDefault();
      onOpen(album.id);
    } },
    cover ? h("img", { src: cover, alt: "", loading: "lazy" }) : h("div.no-cover", {}, "No photos"),
    h("strong", {}, album.name),
    h("small", {}, `${album.item_count} item${album.item_count === 1 ? "" : "s"}`,
      album.item_count && dates ? ` · ${formatDate(album.end_time)}` : "",
      album.type === "condition" ? " · conditional" : "",
      album.passphrase ? " · shared" : ""));
  });
  const automatic = await automaticSection(team).catch(() => null);
  container.replaceChildren(
    toolbar(h("h2", {}, "Albums"), h("span.spacer"),
      h("button", { type: "button", onclick: async () => {
        const name = await prompt("New album", "Name");
        if (!name) return;
        try {
          const album = await createAlbum(name);
          onOpen(album.id);
        } catch (error) {
          toast(`The album was not created (error ${error.code}).`, "error");
        }
      } }, "New album"),
      h("button.secondary", { type: "button", onclick: async () => {
        const album = await createConditionAlbum();
        if (album) onOpen(album.id);
      } }, "New conditional album")),
    automatic,
    h("h3.section-title", {}, "My albums"),
    cards.length ? h("div.album-grid", { role: "list", "aria-label": "My albums" }, cards.map((c) => h("div", { role: "listitem" }, c)))
      : h("p.empty", {}, "No albums yet. Select photos and choose “Add to album”, or make a new one."));
}

export async function getAlbum(id) {
  const { list } = await call("SYNO.Foto.Browse.Album", "get", 2, { id: [id], additional: ["sharing_info"] });
  return list[0];
}

// ---- An album's order ----------------------------------------------------------------------

const ORDERS = [
  ["default", "Default order", { sort_by: "default" }],
  ["takentime-desc", "Date taken, newest first", { sort_by: "takentime", sort_direction: "desc" }],
  ["takentime-asc", "Date taken, oldest first", { sort_by: "takentime", sort_direction: "asc" }],
  ["filename-asc", "File name", { sort_by: "filename", sort_direction: "asc" }],
  ["create_time-desc", "Recently added to the album", { sort_by: "create_time", sort_direction: "desc" }],
  ["manual", "Manual order", { sort_by: "manual" }],
];

function orderKey(album) {
  if (album.sort_by === "manual" || album.sort_by === "default" || !album.sort_by) return album.sort_by || "default";
  const key = `${album.sort_by}-${album.sort_direction}`;
  return ORDERS.some(([k]) => k === key) ? key : "default";
}

async function setOrder(album, params) {
  try {
    await call("SYNO.Foto.Browse.Album", "set_order", 1, { id: album.id, ...params });
    return true;
  } catch (e) {
    toast(`The order was not changed (error ${e.code}).`, "error");
    return false;
  }
}

// Every item id of the album, in its order.
async function albumItemIds(albumId) {
  const ids = [];
  for (let offset = 0; ; offset += 5000) {
    const { list } = await call("SYNO.Foto.Browse.Item", "list", 1, { album_id: albumId, offset, limit: 5000 });
    ids.push(...list.map((i) => i.id));
    if (list.length < 5000) return ids;
  }
}

// The album page's own controls: the sort menu and, for a conditional album, "Edit conditions".
export function albumTools(album, reload) {
  const manual = album.type !== "condition";
  const sort = h("select", { "aria-label": "Sort album", onchange: async () => {
    const [, , params] = ORDERS.find(([k]) => k === sort.value);
    if (await setOrder(album, params)) reload();
  } }, ORDERS.filter(([k]) => manual || k !== "manual").map(([k, label]) => h("option", { value: k }, label)));
  sort.value = orderKey(album);
  const tools = [sort];
  if (album.type === "condition") {
    tools.push(h("button.secondary", { type: "button", onclick: async () => {
      if (await editAlbumConditions(album.id)) reload();
    } }, "Edit conditions"));
  }
  return tools;
}

// Selection actions of an album's page: "Move to front" (a manual album's order).
export function albumActions(album, reload) {
  if (album.type === "condition") return [];
  return [["Move to front", async (items) => {
    if (await setOrder(album, { item: items.map((i) => i.id) })) {
      toast(`Moved ${items.length} to the front; the album is in manual order.`);
      reload();
    }
  }]];
}

// Drag and drop of tiles in an album's grid: the dragged photo takes the place of the one it
// is dropped on, and the album's order becomes manual (set_order with every id in order).
export function enableReorder(grid, album, reload) {
  if (!grid || album.type === "condition") return;
  const canvas = grid.canvas;
  let dragged = null;
  const tileOf = (event) => event.target.closest && event.target.closest(".tile[data-loaded]");
  const unmark = () => canvas.querySelectorAll(".drop-target").forEach((t) => t.classList.remove("drop-target"));
  canvas.addEventListener("pointerdown", (event) => {
    const tile = tileOf(event);
    if (tile && !event.target.closest(".check")) tile.draggable = true;
  });
  canvas.addEventListener("dragstart", (event) => {
    const tile = tileOf(event);
    if (!tile) return;
    dragged = Number(tile.dataset.id);
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", String(dragged));
    tile.classList.add("dragging");
  });
  canvas.addEventListener("dragover", (event) => {
    const tile = tileOf(event);
    if (dragged === null || !tile || Number(tile.dataset.id) === dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!tile.classList.contains("drop-target")) {
      unmark();
      tile.classList.add("drop-target");
    }
  });
  canvas.addEventListener("dragend", () => {
    unmark();
    canvas.querySelectorAll(".dragging").forEach((t) => t.classList.remove("dragging"));
    dragged = null;
  });
  canvas.addEventListener("drop", async (event) => {
    const tile = tileOf(event);
    if (dragged === null || !tile) return;
    event.preventDefault();
    const moving = dragged;
    const target = Number(tile.dataset.id);
    dragged = null;
    unmark();
    if (target === moving) return;
    const ids = await albumItemIds(album.id);
    const from = ids.indexOf(moving);
    const to = ids.indexOf(target);
    if (from < 0 || to < 0) return;
    ids.splice(from, 1);
    ids.splice(to, 0, moving); // before the target when moving back, after it when moving on
    if (await setOrder(album, { item: ids })) reload();
  });
}
