// The keyboard shortcuts, listed in the help overlay that "?" opens (in the viewer and on the
// pages). The keys themselves are handled where they act: viewer.js, panorama.js and main.js.

import { h, dialog } from "./dom.js";

const VIEWER = [
  ["← →", "Previous / next photo (swipe on a touch screen)"],
  ["Esc", "End the slideshow, zoom back out, or close the viewer (swipe down)"],
  ["+ −", "Zoom in / out (wheel, pinch, double-click)"],
  ["0", "Fit the photo to the screen"],
  ["i", "Show or hide the information panel"],
  ["s", "Start or end the slideshow"],
  ["Space", "Pause or resume the slideshow"],
  ["l", "Play a Live Photo or Motion Photo (or hold the LIVE button)"],
  ["← → ↑ ↓", "Look around a 360° panorama (when it has the focus; or drag)"],
  ["?", "This list"],
];

const PAGES = [
  ["/", "Search"],
  ["Ctrl-click, ⌘-click", "Select a photo"],
  ["Shift-click", "Select a range"],
  ["Esc", "Clear the selection"],
  ["← → ↑ ↓", "Move between the photos of a grid (when it has the focus: click beside the photos, or Tab)"],
  ["Home End", "First / last photo of the grid (Page Up / Page Down: a screen up / down)"],
  ["Enter", "Open the photo in the viewer"],
  ["Space", "Select or unselect the photo"],
  ["?", "This list"],
];

export function showShortcuts(where = "pages") {
  const rows = where === "viewer" ? VIEWER : [...PAGES, ["", ""], ...VIEWER.map(([k, t]) => [k, `Viewer: ${t}`])];
  return dialog("Keyboard shortcuts", (close) => h("div.shortcuts", {},
    h("dl", {}, rows.filter(([k]) => k).map(([keys, text]) => [h("dt", {}, h("kbd", {}, keys)), h("dd", {}, text)])),
    h("div.actions", {}, h("button", { type: "button", onclick: () => close() }, "Close"))));
}
