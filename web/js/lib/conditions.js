// Conditional albums: the condition editor (folders, time ranges, tags with an and/or policy,
// item types, ratings, cameras, lenses, places) with the live count of matching items, creating
// a conditional album and changing an existing one's conditions. The choices come from
// `Search.Filter list` and `ConditionAlbum suggest` (docs/protocol-choices.md "Albums").

import { call } from "./api.js";
import { h, dialog, toast } from "./dom.js";

const ITEM_TYPES = [[0, "Photos"], [1, "Videos"], [2, "Live Photos"], [3, "Motion Photos"], [4, "360° photos"]];
const RATINGS = [[0, "Not rated"], [1, "1 star"], [2, "2 stars"], [3, "3 stars"], [4, "4 stars"], [5, "5 stars"]];
const DAY = 86400;

// "Tokyo, Japan" for every node of the place tree.
function flattenPlaces(tree, above = []) {
  const out = [];
  for (const node of tree || []) {
    const path = [node.name, ...above];
    out.push({ id: node.id, name: path.join(", ") });
    out.push(...flattenPlaces(node.children, path));
  }
  return out;
}

function dateValue(seconds) {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

function dateSeconds(value) {
  const [y, m, d] = value.split("-").map(Number);
  return Date.UTC(y, m - 1, d) / 1000;
}

// A field of chosen values shown as chips, with an input that offers matching choices.
// `choices(text)` resolves to [{ id, name }].
function chipPicker({ label, selected, choices, onChange }) {
  const chosen = new Map(selected.map((s) => [s.id, s.name]));
  const chips = h("ul.chips", { "aria-label": `Chosen ${label.toLowerCase()}` });
  const offers = h("ul.offers", { "aria-label": `Matching ${label.toLowerCase()}` });
  const input = h("input", { type: "text", "aria-label": `Add ${label.toLowerCase()}`, placeholder: "Type to find…",
    autocomplete: "off" });
  let seq = 0;

  const drawChips = () => {
    chips.replaceChildren(...[...chosen].map(([id, name]) => h("li", {},
      h("button.chip", { type: "button", "aria-label": `Remove ${name}`, onclick: () => {
        chosen.delete(id);
        drawChips();
        onChange();
      } }, name, " ×"))));
  };
  const drawOffers = async () => {
    const n = ++seq;
    let list = [];
    try {
      list = await choices(input.value.trim());
    } catch {
      list = [];
    }
    if (n !== seq) return;
    offers.replaceChildren(...list.filter((c) => !chosen.has(c.id)).slice(0, 8).map((c) => h("li", {},
      h("button.offer", { type: "button", onclick: () => {
        chosen.set(c.id, c.name);
        input.value = "";
        offers.replaceChildren();
        drawChips();
        onChange();
        input.focus();
      } }, c.name))));
  };
  input.addEventListener("input", drawOffers);
  input.addEventListener("focus", drawOffers);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      const first = offers.querySelector("button");
      if (first) first.click();
    } else if (event.key === "Escape" && offers.childElementCount) {
      event.preventDefault();
      event.stopPropagation();
      offers.replaceChildren();
    }
  });
  drawChips();
  const el = h("fieldset.condition", {}, h("legend", {}, label), chips, input, offers);
  el.ids = () => [...chosen.keys()];
  return el;
}

function localChoices(list) {
  return async (text) => {
    const q = text.toLowerCase();
    return list.filter((c) => c.name.toLowerCase().includes(q));
  };
}

function checkboxes(label, options, selected, onChange) {
  const boxes = options.map(([value, text]) => {
    const box = h("input", { type: "checkbox", value: String(value), checked: selected.includes(value), onchange: onChange });
    return h("label.check-row", {}, box, text);
  });
  const el = h("fieldset.condition.inline", {}, h("legend", {}, label), boxes);
  el.values = () => boxes.map((l) => l.querySelector("input")).filter((b) => b.checked).map((b) => Number(b.value));
  return el;
}

function timeRanges(ranges, onChange) {
  const rows = h("div.time-ranges");
  const add = (range) => {
    const from = h("input", { type: "date", "aria-label": "From", value: range ? dateValue(range.start_time) : "", onchange: onChange });
    const to = h("input", { type: "date", "aria-label": "To", value: range ? dateValue(range.end_time) : "", onchange: onChange });
    const row = h("div.row.time-range", {}, from, "–", to,
      h("button.icon", { type: "button", "aria-label": "Remove time range", onclick: () => {
        row.remove();
        onChange();
      } }, "×"));
    row.range = () => {
      if (!from.value && !to.value) return null;
      return {
        start_time: from.value ? dateSeconds(from.value) : 0,
        end_time: to.value ? dateSeconds(to.value) + DAY - 1 : 253402300799,
      };
    };
    rows.append(row);
  };
  for (const r of ranges) add(r);
  const el = h("fieldset.condition", {}, h("legend", {}, "Time ranges"), rows,
    h("button.secondary", { type: "button", onclick: () => { add(null); onChange(); } }, "Add time range"));
  el.ranges = () => [...rows.children].map((r) => r.range()).filter(Boolean);
  return el;
}

async function folderNames(ids) {
  return Promise.all(ids.map(async (id) => {
    try {
      const { folder } = await call("SYNO.Foto.Browse.Folder", "get", 1, { id });
      return { id, name: folder.name || "/" };
    } catch {
      return { id, name: `Folder ${id}` };
    }
  }));
}

// Opens the editor. Resolves to { name, condition } or undefined when cancelled.
export async function editConditions({ title, name = null, condition = {} }) {
  const filter = await call("SYNO.Foto.Search.Filter", "list", 1);
  const named = (list) => (list || []).map((x) => ({ id: x.id, name: String(x.name) }));
  const tags = named(filter.general_tag);
  const cameras = named(filter.camera);
  const lenses = named(filter.lens);
  const places = flattenPlaces(filter.geocoding);
  const pick = (list, ids) => (ids || []).map((id) => list.find((x) => x.id === id) || { id, name: `#${id}` });
  const folders = await folderNames(condition.folder_filter || condition.folder || []);

  return dialog(title, (close) => {
    const countEl = h("p.match-count", { role: "status", "aria-live": "polite" }, "Counting…");
    let timer = 0;
    let seq = 0;
    const changed = () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const n = ++seq;
        try {
          const { count } = await call("SYNO.Foto.Browse.ConditionAlbum", "peek_item_count", 1, { condition: build() });
          if (n === seq) countEl.textContent = `${count} matching item${count === 1 ? "" : "s"}`;
        } catch (e) {
          if (n === seq) countEl.textContent = `The count is not available (error ${e.code}).`;
        }
      }, 250);
    };
    const nameInput = name !== null
      ? h("input", { name: "name", value: name, required: true, maxlength: 255 }) : null;
    const folderField = chipPicker({ label: "Folders", selected: folders, onChange: changed,
      choices: async (text) => {
        const { list } = await call("SYNO.Foto.Browse.ConditionAlbum", "suggest", 1,
          { keyword: JSON.stringify(text), condition: ["folder"] });
        return list.filter((x) => x.type === "folder").map((x) => ({ id: x.id, name: x.name }));
      } });
    const timeField = timeRanges(condition.time || [], changed);
    const tagField = chipPicker({ label: "Tags", selected: pick(tags, condition.general_tag), choices: localChoices(tags), onChange: changed });
    const policy = h("select", { "aria-label": "Tag policy", onchange: changed },
      h("option", { value: "or" }, "Any of these tags"), h("option", { value: "and" }, "All of these tags"));
    policy.value = condition.general_tag_policy === "and" ? "and" : "or";
    tagField.append(policy);
    const typeField = checkboxes("Item types", ITEM_TYPES, condition.item_type || [], changed);
    const ratingField = checkboxes("Rating", RATINGS, condition.rating || [], changed);
    const cameraField = chipPicker({ label: "Cameras", selected: pick(cameras, condition.camera), choices: localChoices(cameras), onChange: changed });
    const lensField = chipPicker({ label: "Lenses", selected: pick(lenses, condition.lens), choices: localChoices(lenses), onChange: changed });
    const placeField = chipPicker({ label: "Places", selected: pick(places, condition.geocoding), choices: localChoices(places), onChange: changed });

    // The condition object: fields with values only; they combine with "and".
    function build() {
      const c = {};
      const set = (key, value) => { if (value.length) c[key] = value; };
      set("folder_filter", folderField.ids());
      set("time", timeField.ranges());
      set("general_tag", tagField.ids());
      if (c.general_tag) c.general_tag_policy = policy.value;
      set("item_type", typeField.values());
      set("rating", ratingField.values());
      set("camera", cameraField.ids());
      set("lens", lensField.ids());
      set("geocoding", placeField.ids());
      return c;
    }
    changed();
    const form = h("form.condition-editor", { onsubmit: (event) => {
      event.preventDefault();
      const condition = build();
      if (!Object.keys(condition).length) {
        countEl.textContent = "Choose at least one condition.";
        return;
      }
      clearTimeout(timer);
      close({ name: nameInput ? nameInput.value.trim() : null, condition });
    } },
    nameInput ? h("label", {}, "Name", nameInput) : null,
    h("p.hint", {}, "Items that meet every condition below are in the album; within one condition, any value matches."),
    folderField, timeField, tagField, typeField, ratingField, cameraField, lensField, placeField,
    h("div.actions", {}, countEl, h("span.spacer"),
      h("button.secondary", { type: "button", onclick: () => { clearTimeout(timer); close(undefined); } }, "Cancel"),
      h("button", { type: "submit" }, nameInput && name === "" ? "Create" : "Save")));
    return form;
  });
}

// "New conditional album": the editor, then ConditionAlbum create. Resolves to the album or null.
export async function createConditionAlbum() {
  const answer = await editConditions({ title: "New conditional album", name: "" });
  if (!answer) return null;
  try {
    const { album } = await call("SYNO.Foto.Browse.ConditionAlbum", "create", 1,
      { name: JSON.stringify(answer.name), condition: answer.condition });
    return album;
  } catch (e) {
    toast(`The album was not created (error ${e.code}).`, "error");
    return null;
  }
}

// "Edit conditions" of a conditional album. Resolves to true when saved.
export async function editAlbumConditions(albumId) {
  const { album } = await call("SYNO.Foto.Browse.ConditionAlbum", "get", 1, { id: albumId });
  const answer = await editConditions({ title: `Conditions of “${album.name}”`, condition: album.condition || {} });
  if (!answer) return false;
  try {
    await call("SYNO.Foto.Browse.ConditionAlbum", "set_condition", 1, { id: albumId, condition: answer.condition });
    return true;
  } catch (e) {
    toast(`The conditions were not saved (error ${e.code}).`, "error");
    return false;
  }
}
