// Albums: the list with covers, creating, renaming, deleting, and adding the selected photos
// (Browse.Album, Browse.NormalAlbum; docs/protocol-choices.md "Albums").

import { call, url } from "./api.js";
import { h, dialog, prompt, confirmDialog, toast, formatDate } from "./dom.js";

export async function listAlbums() {
  const all = [];
  for (let offset = 0; ; offset += 500) {
    const { list } = await call("SYNO.Foto.Browse.Album", "list", 2,
      { offset, limit: 500, category: "normal", additional: ["thumbnail"] });
    all.push(...list);
    if (list.length < 500) return all;
  }
}

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
export async function renderAlbumList(container, { onOpen }) {
  const albums = await listAlbums();
  const cards = albums.map((album) => {
    const cover = albumCoverUrl(album);
    return h("a.album-card", { href: `#/albums/${album.id}`, onclick: (event) => {
      event.preventDefault();
      onOpen(album.id);
    } },
    cover ? h("img", { src: cover, alt: "", loading: "lazy" }) : h("div.no-cover", {}, "No photos"),
    h("strong", {}, album.name),
    h("small", {}, `${album.item_count} item${album.item_count === 1 ? "" : "s"}`,
      album.item_count ? ` · ${formatDate(album.end_time)}` : "",
      album.passphrase ? " · shared" : ""));
  });
  container.replaceChildren(
    h("div.toolbar", {}, h("h2", {}, "Albums"), h("span.spacer"),
      h("button", { type: "button", onclick: async () => {
        const name = await prompt("New album", "Name");
        if (!name) return;
        try {
          const album = await createAlbum(name);
          onOpen(album.id);
        } catch (error) {
          toast(`The album was not created (error ${error.code}).`, "error");
        }
      } }, "New album")),
    cards.length ? h("div.album-grid", {}, cards)
      : h("p.empty", {}, "No albums yet. Select photos and choose “Add to album”, or make a new one."));
}

export async function getAlbum(id) {
  const { list } = await call("SYNO.Foto.Browse.Album", "get", 2, { id: [id], additional: ["sharing_info"] });
  return list[0];
}
