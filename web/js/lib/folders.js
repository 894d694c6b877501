// The folder view: breadcrumbs, the subfolders with their covers, and the folder's own items
// (Browse.Folder get / list with additional thumbnail; Browse.Item list with folder_id).

import { call, spaceApi, thumbnailUrl } from "./api.js";
import { h } from "./dom.js";
import { listAll } from "./paging.js";

export async function folderChain(team, id) {
  const chain = [];
  let current = id;
  for (let depth = 0; depth < 64; depth += 1) {
    const { folder } = await call(spaceApi(team, "Browse.Folder"), "get", 1, { id: current });
    chain.unshift(folder);
    if (!folder.parent || folder.parent === folder.id || !current) break;
    current = folder.parent;
  }
  return chain;
}

export function listFolders(team, id) {
  return listAll(spaceApi(team, "Browse.Folder"), { id, additional: ["thumbnail"] });
}

function lastName(path) {
  const parts = path.split("/").filter(Boolean);
  return parts.length ? parts[parts.length - 1] : "";
}

export function breadcrumbs(team, chain, go) {
  return h("nav.breadcrumbs", { "aria-label": "Folders" }, chain.map((folder, i) => {
    const label = i === 0 ? (team ? "Shared Space" : "Personal Space") : lastName(folder.name);
    const last = i === chain.length - 1;
    return [i ? h("span.sep", { "aria-hidden": "true" }, "›") : null,
      last ? h("span.crumb", { "aria-current": "page" }, label)
        : h("a.crumb", { href: "#", onclick: (event) => {
          event.preventDefault();
          go(folder.id);
        } }, label)];
  }));
}

export function folderCards(team, folders, go) {
  return h("div.folder-grid", {}, folders.map((folder) => {
    const thumb = folder.additional && folder.additional.thumbnail;
    const cover = thumb && thumb.unit_id
      ? h("img", { src: thumbnailUrl({ id: thumb.unit_id, additional: { thumbnail: thumb } }, "m", team),
        alt: "", loading: "lazy" })
      : h("div.no-cover", {}, "📁");
    return h("a.folder-card", { href: "#", onclick: (event) => {
      event.preventDefault();
      go(folder.id);
    } }, cover, h("strong", {}, lastName(folder.name)));
  }));
}

// Every folder of a space, breadth first, as [{ id, name (its path, "/" for the root) }], at most
// `max` of them: the choices of a destination folder.
export async function allFolders(team, max = 400) {
  const { folder: root } = await call(spaceApi(team, "Browse.Folder"), "get", 1, { id: 0 });
  const out = [{ id: root.id, name: "/" }];
  const queue = [root.id];
  while (queue.length && out.length < max) {
    const id = queue.shift();
    for (const f of await listFolders(team, id)) {
      if (out.length >= max) break;
      out.push({ id: f.id, name: f.name });
      queue.push(f.id);
    }
  }
  return out;
}
