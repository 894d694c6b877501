// Photo Requests (the seed's Sharing › Photo Request): a link anyone may upload through, into a
// folder (and optionally an album) of the requester's, optionally behind a password. Create,
// list, see who sent what, copy the link, edit (subject, description, expiry, most files, the
// password), close and reopen, delete. SYNO.Foto.PhotoRequest / SYNO.FotoTeam.PhotoRequest
// create / list / get / set / close / delete (docs/protocol-choices.md "Photo Requests"); the
// guest page is web/request.html.

import { call, spaceApi } from "../lib/api.js";
import { h, toolbar, dialog, toast, formatBytes, confirmDialog } from "../lib/dom.js";
import { listAlbums } from "../lib/albums.js";
import { allFolders } from "../lib/folders.js";

export function requestLink(passphrase) {
  return `${location.origin}/mo/request/${encodeURIComponent(passphrase)}`;
}

function when(seconds) {
  return new Date(seconds * 1000).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

function expired(request) {
  return Boolean(request.expiration) && request.expiration * 1000 < Date.now();
}

// The server's `closed` is true for an expired request too.
function state(request) {
  if (expired(request)) return "expired";
  if (request.closed) return "closed";
  return "open";
}

// An expiry date from the date input (the end of that day, UTC), and back.
function expiryFromDate(value) {
  return Math.floor(Date.parse(`${value}T23:59:59Z`) / 1000);
}
function dateOfExpiry(seconds) {
  return seconds ? new Date(seconds * 1000).toISOString().slice(0, 10) : "";
}

const REQUEST_ERRORS = {
  105: "You may not change this request.",
  120: "Check the subject (up to 200 bytes), the expiry date (a day to come) and the number of files.",
  642: "This request does not exist any more.",
};

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
      if (data.get("expiration")) params.expiration = expiryFromDate(data.get("expiration"));
      if (data.get("password")) params.password = JSON.stringify(data.get("password"));
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
    h("label", {}, "Password (leave empty for none)",
      h("input", { type: "password", name: "password", autocomplete: "new-password", maxlength: 256 })),
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

async function reopenRequest(request) {
  try {
    await call("SYNO.Foto.PhotoRequest", "set", 1, { passphrase: JSON.stringify(request.passphrase), closed: false });
    toast("The request is open again.");
    return true;
  } catch (error) {
    toast(REQUEST_ERRORS[error.code] || `Not reopened (error ${error.code}).`, "error");
    return false;
  }
}

async function deleteRequest(request) {
  const ok = await confirmDialog("Delete Photo Request",
    `Delete “${request.subject}”? Its link stops working and the list of who sent what goes; `
      + "the photos received stay where they are.", "Delete request");
  if (!ok) return false;
  try {
    await call("SYNO.Foto.PhotoRequest", "delete", 1, { passphrase: JSON.stringify(request.passphrase) });
    toast("The request is deleted.");
    return true;
  } catch (error) {
    toast(REQUEST_ERRORS[error.code] || `Not deleted (error ${error.code}).`, "error");
    return false;
  }
}

// Edit: subject, description, expiry, most files and the password (kept, changed, removed,
// or set). Only what changed is sent (an expiry already past is refused if sent again).
function editDialog(request) {
  return dialog("Edit Photo Request", (close) => {
    const status = h("p.error", { role: "alert" });
    const had = request.enable_password === true;
    const mode = h("select", { name: "password_mode", "aria-label": "Password" },
      had ? [h("option", { value: "keep" }, "Keep the password"), h("option", { value: "set" }, "Change the password"),
        h("option", { value: "remove" }, "Remove the password")]
        : [h("option", { value: "keep" }, "No password"), h("option", { value: "set" }, "Set a password")]);
    const password = h("input", { type: "password", name: "password", autocomplete: "new-password", maxlength: 256,
      "aria-label": "New password" });
    const passwordRow = h("label", { hidden: true }, "New password", password);
    mode.addEventListener("change", () => {
      passwordRow.hidden = mode.value !== "set";
      password.required = mode.value === "set";
    });
    const initialExpiry = dateOfExpiry(request.expiration);
    const form = h("form", { onsubmit: async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const params = {
        passphrase: JSON.stringify(request.passphrase),
        subject: JSON.stringify(data.get("subject").trim()),
        description: JSON.stringify(data.get("description").trim()),
      };
      const max = Number(data.get("max_files"));
      if (max && max !== request.max_files) params.max_files = max;
      if (data.get("expiration") !== initialExpiry) {
        params.expiration = data.get("expiration") ? expiryFromDate(data.get("expiration")) : 0;
      }
      if (mode.value === "set") params.password = JSON.stringify(password.value);
      if (mode.value === "remove") params.password = JSON.stringify("");
      try {
        close(await call("SYNO.Foto.PhotoRequest", "set", 1, params));
      } catch (error) {
        status.textContent = REQUEST_ERRORS[error.code] || `Not saved (error ${error.code}).`;
      }
    } },
    h("label", {}, "Subject", h("input", { name: "subject", required: true, maxlength: 200, value: request.subject })),
    h("label", {}, "Description", h("textarea", { name: "description", rows: 3, maxlength: 2000,
      value: request.description || "" })),
    h("label", {}, "Expires (leave empty for never)", h("input", { type: "date", name: "expiration", value: initialExpiry })),
    h("label", {}, "Most files", h("input", { type: "number", name: "max_files", min: 1, max: 10000,
      value: String(request.max_files) })),
    h("label", {}, "Password", mode),
    passwordRow,
    status,
    h("div.actions", {},
      h("button.secondary", { type: "button", onclick: () => close(null) }, "Cancel"),
      h("button", { type: "submit" }, "Save")));
    return form;
  });
}

// The buttons of one request: Edit, Close or Reopen, Delete. `done(deleted)` redraws.
function requestActions(r, done) {
  const s = state(r);
  return [
    h("button.secondary", { type: "button", "aria-label": `Edit ${r.subject}`, onclick: async () => {
      if (await editDialog(r)) {
        toast("Saved.");
        done(false);
      }
    } }, "Edit"),
    s === "open" ? h("button.secondary", { type: "button", "aria-label": `Close ${r.subject}`, onclick: async () => {
      if (await closeRequest(r)) done(false);
    } }, "Close") : null,
    s === "closed" ? h("button.secondary", { type: "button", "aria-label": `Reopen ${r.subject}`, onclick: async () => {
      if (await reopenRequest(r)) done(false);
    } }, "Reopen") : null,
    h("button.danger", { type: "button", "aria-label": `Delete ${r.subject}`, onclick: async () => {
      if (await deleteRequest(r)) done(true);
    } }, "Delete"),
  ];
}

export async function renderRequests(container, me) {
  const requests = await listRequests();
  const status = h("p.status", { role: "status" });
  const rows = requests.map((r) => h("li", { dataset: { passphrase: r.passphrase } },
    h("div.title", {},
      h("a", { href: `#/requests/${encodeURIComponent(r.passphrase)}` },
        h("strong", {}, r.subject)), h("br"),
      h("small.muted", {}, `${r.upload_count} file${r.upload_count === 1 ? "" : "s"} received · ${state(r)}`,
        r.enable_password ? " · password" : "", ` · made ${when(r.create_time)}`)),
    h("button.secondary", { type: "button", "aria-label": `Copy the link of ${r.subject}`,
      onclick: () => copy(requestLink(r.passphrase), status) }, "Copy link"),
    requestActions(r, () => renderRequests(container, me))));
  container.replaceChildren(
    toolbar(h("h2", {}, "Photo Requests"), h("span.spacer"),
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
    toolbar(h("a.back", { href: "#/requests" }, "‹ Photo Requests"), h("h2", {}, r.subject),
      h("small.count", {}, state(r))),
    h("section.request-detail", {},
      r.description ? h("p", {}, r.description) : null,
      h("div.row", {}, link, h("button.secondary", { type: "button", onclick: () => copy(link.value, status) }, "Copy link"),
        h("a", { href: link.value, target: "_blank", rel: "noopener" }, "Open")),
      status,
      h("p.muted", {}, `${r.upload_count} of at most ${r.max_files} files received (${formatBytes(r.max_bytes)} in all)`,
        r.expiration ? ` · ${expired(r) ? "expired" : "expires"} ${when(r.expiration)}` : " · never expires",
        r.enable_password ? " · guests need the password" : " · no password"),
      h("h3", {}, "Senders"),
      senders.length ? h("ul.senders", { "aria-label": "Senders" }, senders.map((s) => h("li", {}, s,
        h("small.muted", {}, ` — ${uploads.filter((u) => u.sender === s).length} file(s)`))))
        : h("p.muted", {}, "Nobody has sent anything yet."),
      uploads.length ? h("div.table-wrap", {}, h("table.data-table", { "aria-label": "Received files" },
        h("thead", {}, h("tr", {}, h("th", {}, "Sender"), h("th", {}, "File"), h("th", {}, "Size"), h("th", {}, "When"))),
        h("tbody", {}, uploads.map((u) => h("tr", {}, h("td", {}, u.sender), h("td", {}, u.filename),
          h("td", {}, formatBytes(u.size)), h("td", {}, when(u.time))))))) : null,
      h("div.actions", {}, requestActions(r, (deleted) => {
        if (deleted) location.hash = "#/requests";
        else renderRequest(container, passphrase);
      }))));
}
