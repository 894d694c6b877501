// Settings: the user's own (Setting.User get / set: rename uploads by date taken, show dates and
// locations; the default upload destination, kept in this browser's localStorage because the
// server has no setting for it), indexing progress of each space the user sees
// (SYNO.Foto.Index get, SYNO.FotoTeam.Index get), as the seed's More tab shows it, and for
// administrators: the Shared Space on or off and every user's access to it
// (Setting.TeamSpace set_enable / list_permission / update_permission), guests seeing photo
// information (Setting.Admin set), where folder permissions and the recycle bin are. People and
// Subjects are switched for the user's Personal Space (Setting.User enable_person /
// enable_concept), and by admins for the server (Setting.Admin) and the Shared Space
// (Setting.TeamSpace set); the indexing progress says how far recognition is. Administrators
// also manage accounts (SYNO.Core.User list / create / set: add, disable and enable, reset a
// password; accounts are never deleted) and the recycle bin (SYNO.Core.RecycleBin get / set /
// clean). The SYNO.Core APIs take plain strings, not JSON literals: their values go as text.

import { call, spaceApi } from "../lib/api.js";
import { h, toolbar, toast, dialog, confirmDialog, formatBytes } from "../lib/dom.js";
import { allFolders } from "../lib/folders.js";
import { uploadDestination, setUploadDestination } from "../lib/upload.js";
import { forgetUserSettings } from "../lib/info.js";

const USER_SETTINGS = [
  ["rename_by_date", "Rename uploads by date taken (IMG_yyyyMMdd_HHmmss)"],
  ["show_date_location", "Show dates and locations"],
  ["enable_person", "People: find faces in my photos and group them by person"],
  ["enable_concept", "Subjects: sort my photos into subjects (dogs, flowers, beaches…)"],
];

// Index get's `recognition`: { faces, subjects } are "ready", "off" or why not; `pending` photos
// wait to be looked at (docs/recognition.md "Progress").
function recognitionState(rec) {
  if (!rec) return "";
  const word = (what, state) => (state === "ready" ? `${what} on` : state === "off" ? `${what} off`
    : `${what} not running (${state})`);
  const parts = [word("faces", rec.faces), word("subjects", rec.subjects)];
  if (rec.pending) parts.push(`${rec.pending} photo${rec.pending === 1 ? "" : "s"} waiting`);
  else if (rec.faces === "ready" || rec.subjects === "ready") parts.push("all photos looked at");
  return `Recognition: ${parts.join(", ")}.`;
}

async function indexing(team) {
  try {
    const data = await call(spaceApi(team, "Index"), "get", 1, {}, { quiet: true });
    const state = data.status === "done" ? "up to date" : `indexing, ${data.pending_count} waiting`;
    return h("li", {}, h("strong", {}, team ? "Shared Space" : "Personal Space"), ": ",
      `${data.item_count} item${data.item_count === 1 ? "" : "s"}, ${state}`,
      data.broken_count ? `, ${data.broken_count} unreadable` : "",
      data.recognition ? h("div.recognition", {}, recognitionState(data.recognition)) : "");
  } catch (error) {
    if (error.code === 105) return null; // no access to that space, or it is off
    return h("li", {}, `${team ? "Shared" : "Personal"} Space: not available (error ${error.code})`);
  }
}

function checkbox(name, label, checked, save) {
  const box = h("input", { type: "checkbox", name, checked,
    onchange: async () => {
      try {
        await save(box.checked);
        toast("Saved.");
      } catch (error) {
        box.checked = !box.checked;
        toast(error.code === 105 ? "Only administrators change this." : `Not saved (error ${error.code}).`, "error");
      }
    } });
  return h("label.check-row", {}, box, label);
}

// Where uploads from the timeline go: the timeline (folders by date taken) or a chosen folder
// of the Personal Space. Uploads made in a folder's page always go into that folder.
async function destinationChooser() {
  const current = uploadDestination();
  const select = h("select", { name: "upload_destination", "aria-label": "Uploads from the timeline go to" },
    h("option", { value: "" }, "The timeline (folders by date taken)"));
  try {
    for (const f of await allFolders(false)) select.append(h("option", { value: String(f.id) }, `Folder ${f.name}`));
  } catch {
    // the folders stay unlisted; the timeline remains a choice
  }
  select.value = current ? String(current.folderId) : "";
  if (select.value !== (current ? String(current.folderId) : "")) select.value = "";
  select.addEventListener("change", () => {
    const option = select.selectedOptions[0];
    setUploadDestination(select.value ? { folderId: Number(select.value), name: option.textContent.replace(/^Folder /, "") } : null);
    toast("Saved in this browser.");
  });
  return h("label", {}, "Uploads from the timeline go to", select,
    h("small.muted", {}, "Kept in this browser. Uploads made in a folder's page go into that folder."));
}

// A refused account change: the server says why (`errors.reason`, as for every refused
// parameter).
function reasonOf(error) {
  return error && error.data && error.data.errors && error.data.errors.reason;
}

function accountError(error) {
  if (reasonOf(error)) return `Refused by the server: ${reasonOf(error)}.`;
  if (error.code === 105) return "Only administrators manage accounts.";
  if (error.code === 114) return "Give a name and a password.";
  return `Refused by the server (error ${error.code}).`;
}

// A new password, typed twice. `save(password)` rejects with the server's error, shown in the
// dialog; resolves true once saved, false when cancelled.
function passwordFields() {
  return [
    h("label", {}, "Password", h("input", { name: "password", type: "password", autocomplete: "new-password", required: true })),
    h("label", {}, "Password again", h("input", { name: "again", type: "password", autocomplete: "new-password", required: true })),
    h("small.muted", {}, "At least 8 characters."),
  ];
}

function addAccountDialog() {
  return dialog("Add account", (close) => {
    const error = h("p.error", { role: "alert" });
    const form = h("form", { onsubmit: async (event) => {
      event.preventDefault();
      const name = form.elements.name.value.trim();
      const password = form.elements.password.value;
      if (password !== form.elements.again.value) {
        error.textContent = "The two passwords differ.";
        return;
      }
      error.textContent = "";
      try {
        // Plain text, as the sign-in sends the password (SYNO.Core takes no JSON literals).
        await call("SYNO.Core.User", "create", 1, { name, password }, { quiet: true });
        close(name);
      } catch (e) {
        error.textContent = accountError(e);
      }
    } },
    h("label", {}, "Name", h("input", { name: "name", autocomplete: "off", required: true, maxlength: 64 })),
    ...passwordFields(),
    h("p.muted", {}, "The account signs in with this name and password; its photos go in its own Personal Space."),
    error,
    h("div.actions", {},
      h("button.secondary", { type: "button", onclick: () => close(null) }, "Cancel"),
      h("button", { type: "submit" }, "Add account")));
    return form;
  });
}

function resetPasswordDialog(name) {
  return dialog(`Reset the password of ${name}`, (close) => {
    const error = h("p.error", { role: "alert" });
    const form = h("form", { onsubmit: async (event) => {
      event.preventDefault();
      const password = form.elements.password.value;
      if (password !== form.elements.again.value) {
        error.textContent = "The two passwords differ.";
        return;
      }
      try {
        await call("SYNO.Core.User", "set", 1, { name, password }, { quiet: true });
        close(true);
      } catch (e) {
        error.textContent = accountError(e);
      }
    } },
    ...passwordFields(),
    h("p.muted", {}, `${name} signs in with the new password from now on.`),
    error,
    h("div.actions", {},
      h("button.secondary", { type: "button", onclick: () => close(false) }, "Cancel"),
      h("button", { type: "submit" }, "Reset password")));
    return form;
  });
}

// The accounts (SYNO.Core.User list): name, role, enabled or disabled; Add account, Disable /
// Enable (DSM's `expired`: "now" disables, "normal" enables), Reset password. `changed` redraws
// the administration (the Shared Space access table lists new accounts too).
async function accountsSection(me, changed) {
  const { users } = await call("SYNO.Core.User", "list", 1, { offset: "0", limit: "-1" });
  const status = h("p.status", { role: "status" });
  const rows = users.map((u) => {
    const enabled = u.expired !== "now";
    const self = u.name === me.name;
    const toggle = self ? h("small.muted", {}, "(you)")
      : h("button.secondary", { type: "button", "aria-label": `${enabled ? "Disable" : "Enable"} ${u.name}`,
        onclick: async () => {
          try {
            await call("SYNO.Core.User", "set", 1, { name: u.name, expired: enabled ? "now" : "normal" }, { quiet: true });
            toast(`${u.name} is ${enabled ? "disabled: it cannot sign in" : "enabled"}.`);
            changed();
          } catch (e) {
            status.textContent = accountError(e);
          }
        } }, enabled ? "Disable" : "Enable");
    const reset = h("button.secondary", { type: "button", "aria-label": `Reset the password of ${u.name}`,
      onclick: async () => {
        if (await resetPasswordDialog(u.name)) toast(`The password of ${u.name} is changed.`);
      } }, "Reset password");
    return h("tr", { dataset: { account: u.name } }, h("td", {}, u.name),
      h("td", {}, u.is_admin ? "administrator" : "user"),
      h("td.account-state", {}, enabled ? "enabled" : "disabled"),
      h("td.actions-cell", {}, toggle, " ", reset));
  });
  return [
    h("div.section-head", {}, h("h3", {}, "Accounts"), h("span.spacer"),
      h("button", { type: "button", onclick: async () => {
        const name = await addAccountDialog();
        if (name) {
          toast(`The account ${name} is added.`);
          changed();
        }
      } }, "Add account")),
    h("div.table-wrap", {}, h("table.data-table.admin-table", { "aria-label": "Accounts" },
      h("thead", {}, h("tr", {}, h("th", {}, "Account"), h("th", {}, "Role"), h("th", {}, "Status"), h("th", {}, ""))),
      h("tbody", {}, rows))),
    status,
    h("p.muted", {}, "Accounts are disabled rather than deleted, so that nothing of theirs is lost; ",
      "enabled again, they sign in as before."),
  ];
}

// The recycle bin (SYNO.Core.RecycleBin): on or off, what it holds, emptying it.
async function recycleSection() {
  const bin = await call("SYNO.Core.RecycleBin", "get", 1);
  const holds = h("p.recycle-usage", { role: "status", "aria-label": "Recycle bin contents" });
  const empty = h("button.danger", { type: "button" }, "Empty recycle bin");
  const show = (files, size) => {
    holds.textContent = files ? `${files} file${files === 1 ? "" : "s"}, ${formatBytes(size)} in the recycle bin.`
      : "The recycle bin is empty.";
    empty.disabled = !files;
  };
  show(bin.files, bin.size);
  empty.addEventListener("click", async () => {
    const ok = await confirmDialog("Empty recycle bin",
      "Delete every file in the recycle bins of all spaces for good? This cannot be undone.", "Empty recycle bin");
    if (!ok) return;
    try {
      const { removed } = await call("SYNO.Core.RecycleBin", "clean", 1);
      toast(`${removed} file${removed === 1 ? "" : "s"} deleted for good.`);
      const now = await call("SYNO.Core.RecycleBin", "get", 1);
      show(now.files, now.size);
    } catch (error) {
      toast(`The recycle bin was not emptied (error ${error.code}).`, "error");
    }
  });
  return [
    h("h3", {}, "Recycle bin"),
    checkbox("recycle_enable", "Keep deleted photos in the recycle bin (each space's #recycle folder)", bin.enable === true,
      (on) => call("SYNO.Core.RecycleBin", "set", 1, { enable: on ? "true" : "false" })),
    h("p.muted", {}, "Off, deleted photos are gone at once."),
    holds,
    h("div.actions", {}, empty),
  ];
}

async function adminSection(me, changed) {
  const [team, users, admin, accounts, recycle] = await Promise.all([
    call("SYNO.Foto.Setting.TeamSpace", "get", 1),
    call("SYNO.Foto.Setting.TeamSpace", "list_permission", 1),
    call("SYNO.Foto.Setting.Admin", "get", 1),
    accountsSection(me, changed),
    recycleSection(),
  ]);
  const rows = users.list.map((u) => {
    const access = h("select", { "aria-label": `Shared Space access of ${u.name}`, disabled: u.is_admin },
      h("option", { value: "full" }, "Full"), h("option", { value: "custom" }, "Custom (folder permissions)"),
      h("option", { value: "none" }, "None"));
    access.value = u.access;
    let before = u.access;
    access.addEventListener("change", async () => {
      try {
        await call("SYNO.Foto.Setting.TeamSpace", "update_permission", 1,
          { permission: [{ user_id: u.user_id, access: access.value }] });
        before = access.value;
        toast(`${u.name}: Shared Space access saved.`);
      } catch (error) {
        access.value = before;
        toast(`Not saved (error ${error.code}).`, "error");
      }
    });
    return h("tr", {}, h("td", {}, u.name), h("td", {}, u.is_admin ? "administrator" : "user"), h("td", {}, access));
  });
  return h("section.settings.admin", { "aria-label": "Administration" },
    h("h3", {}, "Administration"),
    checkbox("team_enabled", "Enable the Shared Space", team.enabled === true,
      (on) => call("SYNO.Foto.Setting.TeamSpace", "set_enable", 1, { enable: on })),
    checkbox("display_photo_info_to_guest", "Guests of share links see photo information (camera, place, tags)",
      admin.display_photo_info_to_guest === true,
      (on) => call("SYNO.Foto.Setting.Admin", "set", 1, { display_photo_info_to_guest: on })),
    h("h3", {}, "People and Subjects"),
    h("p.muted", {}, "Off on the server, no space is looked at; off for the Shared Space, its photos are not. ",
      "Each user switches their own Personal Space under “Yours”. Switched on again, every photo is looked at again ",
      "(names and people are kept)."),
    checkbox("admin_enable_person", "People on this server", admin.enable_person !== false,
      (on) => call("SYNO.Foto.Setting.Admin", "set", 1, { enable_person: on })),
    checkbox("admin_enable_concept", "Subjects on this server", admin.enable_concept !== false,
      (on) => call("SYNO.Foto.Setting.Admin", "set", 1, { enable_concept: on })),
    checkbox("team_enable_person", "People in the Shared Space", team.enable_person !== false,
      (on) => call("SYNO.Foto.Setting.TeamSpace", "set", 1, { enable_person: on })),
    checkbox("team_enable_concept", "Subjects in the Shared Space", team.enable_concept !== false,
      (on) => call("SYNO.Foto.Setting.TeamSpace", "set", 1, { enable_concept: on })),
    ...accounts,
    h("h3", {}, "Shared Space access"),
    h("div.table-wrap", {}, h("table.data-table.admin-table", { "aria-label": "Users" },
      h("thead", {}, h("tr", {}, h("th", {}, "User"), h("th", {}, "Role"), h("th", {}, "Shared Space"))),
      h("tbody", {}, rows))),
    h("h3", {}, "Folder permissions"),
    h("p", {}, "Users with custom access see the Shared Space folders granted to them. Open a folder in ",
      h("a", { href: "#/folders/shared/0" }, "Folders › Shared"), " and choose “Permissions”."),
    ...recycle);
}

export async function renderSettings(container, me = {}) {
  const prefs = await call("SYNO.Foto.Setting.User", "get", 1);
  const boxes = USER_SETTINGS.map(([key, label]) => checkbox(key, label, prefs[key] === true,
    async (on) => {
      await call("SYNO.Foto.Setting.User", "set", 1, { [key]: on });
      forgetUserSettings();
    }));
  const progress = h("ul.index-status", {}, await indexing(false), await indexing(true));
  // The administration, drawn again in place after an account changes.
  let admin = null;
  if (me.is_admin) {
    admin = h("div.admin-box");
    const draw = async () => {
      try {
        admin.replaceChildren(await adminSection(me, draw));
      } catch (error) {
        admin.replaceChildren(h("p.error", { role: "alert" },
          `The administration settings could not be read (error ${error.code}).`));
      }
    };
    await draw();
  }
  container.replaceChildren(
    toolbar(h("h2", {}, "Settings")),
    h("section.settings", {},
      h("h3", {}, "Yours"), ...boxes, await destinationChooser(),
      h("h3", {}, "Indexing"), progress,
      h("button.secondary", { type: "button", onclick: () => renderSettings(container, me) }, "Refresh")),
    admin);
}
