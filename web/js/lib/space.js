// The two spaces in the automatic albums' pages (automatic.js, people.js, map.js): the Personal
// Space's address and the Shared Space's (`#/places/3` and `#/places/shared/3`), the switch
// between them, and the way back to the Albums page of the same space.

import { h } from "./dom.js";

// An automatic page's address in a space: `#/places/3` or `#/places/shared/3`.
export function spaceHref(team, page, ...rest) {
  return `#/${[page, team ? "shared" : null, ...rest].filter((p) => p !== null && p !== undefined).join("/")}`;
}

// The Personal / Shared switch of an automatic page (`href(space)` gives its address there).
export function spaceSwitch(team, href) {
  return h("div.segmented", { role: "group", "aria-label": "Space" },
    h("a", { href: href("personal"), className: team ? "" : "on", "aria-current": team ? null : "true" }, "Personal"),
    h("a", { href: href("shared"), className: team ? "on" : "", "aria-current": team ? "true" : null }, "Shared"));
}

// The "‹ Albums" link back to the Albums page of the same space.
export function backToAlbums(team) {
  return h("a.back", { href: team ? "#/albums/shared" : "#/albums", "aria-label": "All albums" }, "‹ Albums");
}
