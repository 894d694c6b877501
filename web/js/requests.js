// Photo Requests (the seed's Sharing › Photo Request): a link anyone may upload through, into a
// folder (and optionally an album) of the requester's. Create, list, see who sent what, copy the
// link, close. SYNO.Foto.PhotoRequest / SYNO.FotoTeam.PhotoRequest create / list / get / close
// (docs/protocol-choices.md "Photo Requests"); the guest page is web/request.html.

import { call, spaceApi } from "./api.js";
import { h, dialog, toast, formatBytes, confirmDialog } from "./dom.js";
import { listAlbums } from "./albums.js";
import { allFolders } from "./folders.js";

export function requestLink(passphrase) {
  return `${location.origin}/mo/request/${encodeURIComponent(passphrase)}`;
}

function when(seconds) {
  return new Date(seconds * 1000).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

function state(request) {
  if (request.closed) return "closed";
  if (request.expiration && request.expiration * 1000 < Date.now()) return "expired";
  return "open";
}

async function copy(text, status) {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = "Link copied.";
  } catch {
    status.textContent = `Copy the link: ${text}`;
  }
}

// The caller's requests of both spaces: SYNO.Foto.PhotoRequest list and get answer them all
// (the request object does not say which space its folder is in).
async function listRequests() {
  const { list } = await call("SYNO.Foto.PhotoRequest", "list", 1);
  return list.sort((a, b) => b.create_time - a.create_time);
}

async function createDialog(me) {
  return dialog("New Photo Request", (close) => {
    const status = h("p.status", { role: "status" });
    const space = h("select", { name: "space" },
      h("option", { value: "personal" }, "Personal Space"), h("option", { value: "shared" }, "Shared Space"));
    const folder = h("select", { name: "folder", required: true });
    const album = h("select", { name: "album" }, h("option", { value: "" }, "No album"));
    const fillFolders = async () => {
      folder.replaceChildren(h("option", { value: "" }, "Loading…"));
      try {
        const folders = await allFolders(space.value === "shared");
        folder.replaceChildren(...folders.map((f) => h("option", { value: String(f.id) }, f.name)));
      } catch (error) {
        folder.replaceChildren();
        status.textContent = error.code === 105 ? "You have no access to the Shared Space."
          : `Folders could not be listed (error ${error.code}).`;
      }
    };
    space.addEventListener("change", fillFolders);
    fillFolders();
    listAlbums().then((albums) => album.append(...albums.map((a) => h("option", { value: String(a.id) }, a.name))))
      .catch(() => {});
    const form = h("form", { onsubmit: async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const params = {
        subject: JSON.stringify(data.get("subject").trim()),
        description: JSON.stringify(data.get("description").trim()),
        folder_id: Number(folder.value),
        max_files: Number(data.get("max_files")) || 500,
      };
      if (!folder.value) {
        status.textContent = "Choose the destination folder.";
        return;
      }
      if (album.value) params.album_id = Number(album.value);
      if (data.get("expiration")) params.expiration = Math.floor(Date.parse(`${data.get("expiration")}T23:59:59Z`) / 1000);
      const team = space.value === "shared";
      try {
        const request = await call(spaceApi(team, "PhotoRequest"), "create", 1, params);
        close(request);
      } catch (error) {
        status.textContent = error.code === 105 ? "You may not upload into that folder."
          : error.code === 120 ? "Check the subject (up to 200 bytes), the expiry date and the number of files."
            : `Not created (error ${error.code}).`;
      }
    } },
    h("label", {}, "Subject", h("input", { name: "subject", required: true, maxlength: 200 })),
    h("label", {}, "Description", h("textarea", { name: "description", rows: 3, maxlength: 2000 })),
    h("label", {}, "Space", space),
    h("label", {}, "Destination folder", folder),
    h("label", {}, "Also add to album", album),
    h("label", {}, "Expires (leave empty for never)", h("input", { type: "date", name: "expiration" })),
    h("label", {}, "Most files", h("input", { type: "number", name: "max_files", min: 1, max: 10000, value: 500 })),
    h("p.muted", {}, `Anyone with the link can send photos to ${me.name}; they need no account.`),
    status,
    h("div.actions", {},
      h("button.secondary", { type: "button", onclick: () => close(null) }, "Cancel"),
      h("button", { type: "submit" }, "Create")));
    return form;
  });
}

async function closeRequest(request) {
  const ok = await confirmDialog("Close Photo Request",
    `Close “${request.subject}”? Its link will take no more files; what was sent stays.`, "Close request");
  if (!ok) return false;
  await call("SYNO.Foto.PhotoRequest", "close", 1, { passphrase: JSON.stringify(request.passphrase) });
  toast("The request is closed.");
  return true;
}

export async function renderRequests(container, me) {
  const requests = await listRequests();
  const status = h("p.status", { role: "status" });
  const rows = requests.map((r) => h("li", { dataset: { passphrase: r.passphrase } },
    h("div.title", {},
      h("a", { href: `#/requests/${encodeURIComponent(r.passphrase)}` },
        h("strong", {}, r.subject)), h("br"),
      h("small.muted", {}, `${r.upload_count} file${r.upload_count === 1 ? "" : "s"} received · ${state(r)}`,
        ` · made ${when(r.create_time)}`)),
    h("button.secondary", { type: "button", "aria-label": `Copy the link of ${r.subject}`,
      onclick: () => copy(requestLink(r.passphrase), status) }, "Copy link"),
    state(r) === "open" ? h("button.secondary", { type: "button", "aria-label": `Close ${r.subject}`,
      onclick: async () => {
        if (await closeRequest(r)) renderRequests(container, me);
      } }, "Close") : null));
  container.replaceChildren(
    h("div.toolbar", {}, h("h2", {}, "Photo Requests"), h("span.spacer"),
      h("button", { type: "button", onclick: async () => {
        const made = await createDialog(me);
        if (made) location.hash = `#/requests/${encodeURIComponent(made.passphrase)}`;
      } }, "New request")),
    status,
    rows.length ? h("ul.request-list", { "aria-label": "Photo Requests" }, rows)
      : h("p.empty", {}, "No Photo Requests yet. Make one to collect photos from others through a link."));
}

// One request: its link, settings, and who sent what.
export async function renderRequest(container, passphrase) {
  const r = await call("SYNO.Foto.PhotoRequest", "get", 1, { passphrase: JSON.stringify(passphrase) });
  const status = h("p.status", { role: "status" });
  const link = h("input.link", { readonly: true, value: requestLink(r.passphrase), "aria-label": "Request link" });
  const uploads = r.uploads || [];
  const senders = [...new Set(uploads.map((u) => u.sender))];
  container.replaceChildren(
    h("div.toolbar", {}, h("a.back", { href: "#/requests" }, "‹ Photo Requests"), h("h2", {}, r.subject),
      h("small.count", {}, state(r))),
    h("section.request-detail", {},
      r.description ? h("p", {}, r.description) : null,
      h("div.row", {}, link, h("button.secondary", { type: "button", onclick: () => copy(link.value, status) }, "Copy link"),
        h("a", { href: link.value, target: "_blank", rel: "noopener" }, "Open")),
      status,
      h("p.muted", {}, `${r.upload_count} of at most ${r.max_files} files received (${formatBytes(r.max_bytes)} in all)`,
        r.expiration ? ` · expires ${when(r.expiration)}` : " · never expires"),
      h("h3", {}, "Senders"),
      senders.length ? h("ul.senders", { "aria-label": "Senders" }, senders.map((s) => h("li", {}, s,
        h("small.muted", {}, ` — ${uploads.filter((u) => u.sender === s).length} file(s)`))))
        : h("p.muted", {}, "Nobody has sent anything yet."),
      uploads.length ? h("div.table-wrap", {}, h("table.data-table", { "aria-label": "Received files" },
        h("thead", {}, h("tr", {}, h("th", {}, "Sender"), h("th", {}, "File"), h("th", {}, "Size"), h("th", {}, "When"))),
        h("tbody", {}, uploads.map((u) => h("tr", {}, h("td", {}, u.sender), h("td", {}, u.filename),
          h("td", {}, formatBytes(u.size)), h("td", {}, when(u.time))))))) : null,
      state(r) === "open" ? h("div.actions", {}, h("button.danger", { type: "button", onclick: async () => {
        if (await closeRequest(r)) renderRequest(container, passphrase);
      } }, "Close request")) : null));
}
