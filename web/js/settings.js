// Settings: the user's own (Setting.User get / set: rename uploads by date taken, show dates and
// locations) and indexing progress of each space the user sees (SYNO.Foto.Index get,
// SYNO.FotoTeam.Index get), as the seed's More tab shows it.

import { call, spaceApi } from "./api.js";
import { h, toast } from "./dom.js";
import { forgetUserSettings } from "./info.js";

const USER_SETTINGS = [
  ["rename_by_date", "Rename uploads by date taken (IMG_yyyyMMdd_HHmmss)"],
  ["show_date_location", "Show dates and locations"],
];

async function indexing(team) {
  try {
    const data = await call(spaceApi(team, "Index"), "get", 1, {}, { quiet: true });
    const state = data.status === "done" ? "up to date" : `indexing, ${data.pending_count} waiting`;
    return h("li", {}, h("strong", {}, team ? "Shared Space" : "Personal Space"), ": ",
      `${data.item_count} item${data.item_count === 1 ? "" : "s"}, ${state}`,
      data.broken_count ? `, ${data.broken_count} unreadable` : "");
  } catch (error) {
    if (error.code === 105) return null; // no access to that space
    return h("li", {}, `${team ? "Shared" : "Personal"} Space: not available (error ${error.code})`);
  }
}

export async function renderSettings(container) {
  const prefs = await call("SYNO.Foto.Setting.User", "get", 1);
  const boxes = USER_SETTINGS.map(([key, label]) => {
    const box = h("input", { type: "checkbox", name: key, checked: prefs[key] === true,
      onchange: async () => {
        try {
          await call("SYNO.Foto.Setting.User", "set", 1, { [key]: box.checked });
          forgetUserSettings();
          toast("Saved.");
        } catch (error) {
          box.checked = !box.checked;
          toast(`Not saved (error ${error.code}).`, "error");
        }
      } });
    return h("label.check-row", {}, box, label);
  });
  const progress = h("ul.index-status", {}, await indexing(false), await indexing(true));
  container.replaceChildren(
    h("div.toolbar", {}, h("h2", {}, "Settings")),
    h("section.settings", {},
      h("h3", {}, "Yours"), ...boxes,
      h("h3", {}, "Indexing"), progress,
      h("button.secondary", { type: "button", onclick: () => renderSettings(container) }, "Refresh")));
}
