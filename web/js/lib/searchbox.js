// The top bar's search box: suggestions while typing (tags and folders from
// `Search.Search suggest`, named people from `Browse.Person suggest keyword`, subjects, album
// names, places, and the special keywords), chosen with the
// mouse or ↑/↓/Enter, each opening its own view; and the history of the last 10 searches
// (per user, in localStorage), shown when the box is focused and empty, with "Clear history".
// The input stays a searchbox that controls a listbox of options (aria-activedescendant marks
// the one ↑/↓ chose).

import { call } from "./api.js";
import { h } from "./dom.js";

const KEYWORDS = [["video", "Videos"], ["live photo", "Live Photos"], ["motion photo", "Motion Photos"], ["360", "360° photos"]];
const HISTORY_SIZE = 10;
const MAX = 12;

export function attachSearch(form, input, { user, space }) {
  const key = `shoebox.search-history.${user}`;
  const listbox = h("ul#search-suggestions", { role: "listbox", "aria-label": "Search suggestions" });
  const heading = h("div.heading", {});
  const panel = h("div.suggestions", { hidden: true }, heading, listbox);
  form.append(panel);
  Object.assign(input, { autocomplete: "off" });
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", "search-suggestions");

  let options = []; // [{ label, kind, hash, text }]
  let active = -1;
  let seq = 0;
  let timer = 0;
  let cache = null; // albums and places, fetched once a focus

  const history = () => {
    try {
      const list = JSON.parse(localStorage.getItem(key) || "[]");
      return Array.isArray(list) ? list.filter((e) => e && typeof e.text === "string" && typeof e.hash === "string") : [];
    } catch {
      return [];
    }
  };
  const remember = (entry) => {
    const list = [{ text: entry.text, hash: entry.hash, kind: entry.kind || "" },
      ...history().filter((e) => e.hash !== entry.hash)].slice(0, HISTORY_SIZE);
    localStorage.setItem(key, JSON.stringify(list));
  };
  const searchHash = (text) => `#/search/${space()}/${encodeURIComponent(text)}`;

  function close() {
    panel.hidden = true;
    clearTimeout(timer);
    seq += 1;
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function draw(title, list, clearable = false) {
    options = list;
    active = -1;
    input.removeAttribute("aria-activedescendant");
    heading.replaceChildren(h("span", {}, title));
    if (clearable) heading.append(h("button.secondary.clear", { type: "button",
      onmousedown: (event) => event.preventDefault(),
      onclick: () => {
        localStorage.removeItem(key);
        draw("No recent searches", []);
        input.focus();
      } }, "Clear history"));
    listbox.replaceChildren(...list.map((option, i) => h("li", {
      role: "option", id: `search-option-${i}`, "aria-selected": "false",
      onmousedown: (event) => event.preventDefault(),
      onclick: () => choose(i),
    }, h("span", {}, option.label), option.kind ? h("span.kind", {}, option.kind) : null)));
    panel.hidden = false;
  }

  function highlight(i) {
    if (!options.length) return;
    active = (i + options.length) % options.length;
    [...listbox.children].forEach((li, k) => li.setAttribute("aria-selected", String(k === active)));
    input.setAttribute("aria-activedescendant", `search-option-${active}`);
    listbox.children[active].scrollIntoView({ block: "nearest" });
  }

  function choose(i) {
    const option = options[i];
    if (!option) return;
    remember(option);
    // A text search keeps its words in the box; a view (tag, place, album, folder) clears it.
    input.value = option.hash.startsWith("#/search/") ? option.text : "";
    close();
    input.blur();
    if (location.hash === option.hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
    else location.hash = option.hash;
  }

  function showHistory() {
    const list = history().map((e) => ({ ...e, label: e.text, history: true }));
    draw(list.length ? "Recent searches" : "No recent searches", list, list.length > 0);
  }

  async function lookups() {
    if (!cache) {
      cache = Promise.all([
        import("./albums.js").then((m) => m.listAlbums()).catch(() => []),
        Promise.all([1, 2, 3].map((level) => call("SYNO.Foto.Browse.Geocoding", "list", 1,
          { level, offset: 0, limit: 1000 }).then((d) => d.list).catch(() => []))).then((l) => l.flat()),
        call("SYNO.Foto.Browse.Concept", "list", 1, { offset: 0, limit: 1000 }).then((d) => d.list).catch(() => []),
      ]);
    }
    return cache;
  }

  async function suggest() {
    const text = input.value.trim();
    if (!text) {
      showHistory();
      return;
    }
    const n = ++seq;
    const q = text.toLowerCase();
    const has = (name) => String(name).toLowerCase().includes(q);
    const [[albums, places, subjects], found, people] = await Promise.all([
      lookups(),
      call("SYNO.Foto.Search.Search", "suggest", 1, { keyword: JSON.stringify(text) })
        .then((d) => d.list).catch(() => []),
      call("SYNO.Foto.Browse.Person", "suggest", 1, { keyword: JSON.stringify(text) })
        .then((d) => d.list || []).catch(() => []),
    ]);
    if (n !== seq || input.value.trim() !== text || document.activeElement !== input) return;
    const list = [{ label: `Search for “${text}”`, kind: "", text, hash: searchHash(text) }];
    for (const [word, label] of KEYWORDS) {
      if (word.startsWith(q) || label.toLowerCase().startsWith(q)) {
        list.push({ label, kind: "Keyword", text: word, hash: searchHash(word) });
      }
    }
    for (const s of found) {
      if (s.type === "general_tag") list.push({ label: s.name, kind: "Tag", text: s.name, hash: `#/tags/${s.id}` });
      else if (s.type === "folder") list.push({ label: s.name, kind: "Folder", text: s.name, hash: `#/folders/${space()}/${s.id}` });
    }
    for (const p of people.filter((x) => x.name).slice(0, 5)) {
      list.push({ label: p.name, kind: "Person", text: p.name, hash: `#/people/${p.id}` });
    }
    for (const c of subjects.filter((x) => has(x.name) || has(x.key || "")).slice(0, 5)) {
      list.push({ label: c.name, kind: "Subject", text: c.name, hash: `#/subjects/${c.id}` });
    }
    for (const a of albums.filter((x) => has(x.name)).slice(0, 5)) {
      list.push({ label: a.name, kind: "Album", text: a.name, hash: `#/albums/${a.id}` });
    }
    const levels = { 1: "Country", 2: "Region", 3: "Place" };
    for (const p of places.filter((x) => has(x.name)).slice(0, 5)) {
      const where = p.level > 1 && p.country ? ` · ${p.country}` : "";
      list.push({ label: p.name, kind: `${levels[p.level] || "Place"}${where}`, text: p.name, hash: `#/places/${p.id}` });
    }
    draw("Suggestions", list.slice(0, MAX));
  }

  input.addEventListener("focus", () => {
    cache = null;
    suggest();
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (panel.hidden) suggest();
      else highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && !panel.hidden && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape" && !panel.hidden) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(() => {
    if (document.activeElement !== input) close();
  }, 100));
  // A plain submit (Enter without a chosen suggestion) searches the text: remember it too.
  form.addEventListener("submit", () => {
    const text = input.value.trim();
    if (text) remember({ text, hash: searchHash(text) });
    close();
    input.blur();
  });
}
