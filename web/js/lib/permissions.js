// Folder permissions of the Shared Space (admins): who may view, download, upload and manage a
// folder and everything below it, by user or group. SYNO.FotoTeam.Sharing.FolderPermission
// list / update, FolderBatchPermission update for the folders below (docs/protocol-choices.md
// "Settings and Shared Space access"). The grants matter for users whose Shared Space access is
// "custom" (Settings › Administration).

import { call } from "./api.js";
import { h, dialog } from "./dom.js";

const RIGHTS = [["view", "View"], ["download", "Download"], ["upload", "Upload"], ["manage", "Manage"]];

async function folderIdsBelow(id, max = 1000) {
  const out = [];
  const queue = [id];
  while (queue.length && out.length < max) {
    const parent = queue.shift();
    const { list } = await call("SYNO.FotoTeam.Browse.Folder", "list", 1, { id: parent, offset: 0, limit: 1000 });
    for (const f of list) {
      if (out.length >= max) break;
      out.push(f.id);
      queue.push(f.id);
    }
  }
  return out;
}

export async function openFolderPermissions(folder, name) {
  const [{ list: grants }, { list: everyone }] = await Promise.all([
    call("SYNO.FotoTeam.Sharing.FolderPermission", "list", 1, { id: folder.id }),
    call("SYNO.Foto.Sharing.Misc", "list_user_group", 1),
  ]);
  const nameOf = (type, id) => {
    const m = everyone.find((e) => e.type === type && e.id === id);
    return m ? m.name : `${type} ${id}`;
  };
  let rows = grants.map((g) => ({
    type: g.group_id !== undefined ? "group" : "user",
    id: g.group_id !== undefined ? g.group_id : g.user_id,
    view: g.view, download: g.download, upload: g.upload, manage: g.manage,
  }));

  return dialog(`Permissions of “${name}”`, (close) => {
    const body = h("tbody");
    const status = h("p.status", { role: "status" });
    const add = h("select", { "aria-label": "Add a user or group" });
    const below = h("input", { type: "checkbox", name: "below" });
    const render = () => {
      body.replaceChildren(...rows.map((row) => {
        const label = `${nameOf(row.type, row.id)}${row.type === "group" ? " (group)" : ""}`;
        return h("tr", {}, h("td", {}, label), RIGHTS.map(([key, title]) => h("td", {},
          h("input", { type: "checkbox", checked: Boolean(row[key]), "aria-label": `${title}: ${label}`,
            onchange: (event) => { row[key] = event.target.checked; } }))),
        h("td", {}, h("button.secondary", { type: "button", "aria-label": `Remove ${label}`, onclick: () => {
          rows = rows.filter((r) => r !== row);
          render();
        } }, "✕")));
      }));
      if (!rows.length) body.append(h("tr", {}, h("td", { colspan: 6, className: "muted" }, "No grants: only admins and users with full access see this folder.")));
      const taken = new Set(rows.map((r) => `${r.type}:${r.id}`));
      add.replaceChildren(h("option", { value: "" }, "Add a user or group…"),
        ...everyone.filter((e) => !taken.has(`${e.type}:${e.id}`)).map((e) =>
          h("option", { value: `${e.type}:${e.id}` }, e.type === "group" ? `${e.name} (group)` : e.name)));
    };
    add.addEventListener("change", () => {
      if (!add.value) return;
      const [type, id] = add.value.split(":");
      rows.push({ type, id: Number(id), view: true, download: false, upload: false, manage: false });
      render();
    });
    render();
    const save = async (event) => {
      event.preventDefault();
      const permission = rows.map((r) => ({ [r.type === "group" ? "group_id" : "user_id"]: r.id,
        view: r.view, download: r.download, upload: r.upload, manage: r.manage }));
      try {
        await call("SYNO.FotoTeam.Sharing.FolderPermission", "update", 1, { id: folder.id, permission });
        let extra = "";
        if (below.checked) {
          const ids = await folderIdsBelow(folder.id);
          if (ids.length) {
            await call("SYNO.FotoTeam.Sharing.FolderBatchPermission", "update", 1, { id: ids, permission });
            extra = ` and ${ids.length} folder${ids.length === 1 ? "" : "s"} below`;
          }
        }
        status.textContent = `Saved for this folder${extra}.`;
      } catch (error) {
        status.textContent = error.code === 105 ? "Only administrators change folder permissions."
          : `Not saved (error ${error.code}).`;
      }
    };
    return h("form", { onsubmit: save },
      h("div.table-wrap", {}, h("table.data-table.perm-grid", { "aria-label": "Folder permissions" },
        h("thead", {}, h("tr", {}, h("th", {}, "Who"), RIGHTS.map(([, title]) => h("th", {}, title)), h("th"))),
        body)),
      h("p", {}, add),
      h("label.check-row", {}, below, "Give the folders below the same permissions (replacing theirs)"),
      h("p.muted", {}, "Folders inherit these grants unless they have their own. They apply to users whose Shared Space access is “custom”."),
      status,
      h("div.actions", {},
        h("button.secondary", { type: "button", onclick: () => close(null) }, "Close"),
        h("button", { type: "submit" }, "Save")));
  });
}
