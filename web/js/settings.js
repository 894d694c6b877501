// Settings: the user's own (Setting.User get / set: rename uploads by date taken, show dates and
// locations; the default upload destination, kept in this browser's localStorage because the
// server has no setting for it), indexing progress of each space the user sees
// (SYNO.Foto.Index get, SYNO.FotoTeam.Index get), as the seed's More tab shows it, and for
// administrators: the Shared Space on or off and every user's access to it
// (Setting.TeamSpace set_enable / list_permission / update_permission), guests seeing photo
// information (Setting.Admin set), where folder permissions and the recycle bin are. People and
// Subjects are switched for the user's Personal Space (Setting.User enable_person /
// enable_concept), and by admins for the server (Setting.Admin) and the Shared Space
// (Setting.TeamSpace set); the indexing progress says how far recognition is.

import { call, spaceApi } from "./api.js";
import { h, toast } from "./dom.js";
import { allFolders } from "./folders.js";
import { uploadDestination, setUploadDestination } from "./upload.js";
import { forgetUserSettings } from "./info.js";

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

async function adminSection() {
  const [team, users, admin] = await Promise.all([
    call("SYNO.Foto.Setting.TeamSpace", "get", 1),
    call("SYNO.Foto.Setting.TeamSpace", "list_permission", 1),
    call("SYNO.Foto.Setting.Admin", "get", 1),
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
    h("h3", {}, "Users and their Shared Space access"),
    h("div.table-wrap", {}, h("table.data-table.admin-table", { "aria-label": "Users" },
      h("thead", {}, h("tr", {}, h("th", {}, "User"), h("th", {}, "Role"), h("th", {}, "Shared Space"))),
      h("tbody", {}, rows))),
    h("p.muted", {}, "Accounts are made and disabled on the server: ",
      h("code", {}, "shoebox user add NAME --password-stdin"), ", ", h("code", {}, "shoebox user disable NAME"), "."),
    h("h3", {}, "Folder permissions"),
    h("p", {}, "Users with custom access see the Shared Space folders granted to them. Open a folder in ",
      h("a", { href: "#/folders/shared/0" }, "Folders › Shared"), " and choose “Permissions”."),
    h("h3", {}, "Recycle bin"),
    h("p.muted", {}, "Deleted photos go to each space's #recycle folder while the server's recycle_bin setting ",
      "(shoebox.toml) is on. The portal cannot switch it or empty the bin yet: the server has no API for it."));
}

export async function renderSettings(container, me = {}) {
  const prefs = await call("SYNO.Foto.Setting.User", "get", 1);
  const boxes = USER_SETTINGS.map(([key, label]) => checkbox(key, label, prefs[key] === true,
    async (on) => {
      await call("SYNO.Foto.Setting.User", "set", 1, { [key]: on });
      forgetUserSettings();
    }));
  const progress = h("ul.index-status", {}, await indexing(false), await indexing(true));
  let admin = null;
  if (me.is_admin) {
    try {
      admin = await adminSection();
    } catch (error) {
      admin = h("p.error", { role: "alert" }, `The administration settings could not be read (error ${error.code}).`);
    }
  }
  container.replaceChildren(
    h("div.toolbar", {}, h("h2", {}, "Settings")),
    h("section.settings", {},
      h("h3", {}, "Yours"), ...boxes, await destinationChooser(),
      h("h3", {}, "Indexing"), progress,
      h("button.secondary", { type: "button", onclick: () => renderSettings(container, me) }, "Refresh")),
    admin);
}
