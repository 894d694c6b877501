// The viewer's information panel: the date taken (editable), file, size, camera and lens,
// location, the people in the photo (links to their pages; their faces outlined on hover), tags (added and removed), the rating and
// the description. With the user's "show dates and locations" off, no date or place is shown.
// Browse.Item set (rating, description, time), Browse.Item add_tag / remove_tag and
// Browse.GeneralTag list / create (docs/protocol-choices.md "Browsing").

import { call, spaceApi, url } from "./api.js";
import { h, formatDate, formatBytes, toast } from "./dom.js";

export const INFO = ["thumbnail", "resolution", "exif", "gps", "address", "description", "rating", "tag",
  "person", "video_meta", "motion_photo"];

let showDateLocation = null;

// The user's "show dates and locations" setting, read once per page load (Settings changes it
// through the same module-level value).
export async function datesAndPlacesShown() {
  // One request for everyone who asks (the page and the panel at once, or the boot's early
  // ask); a failed one is not kept, so the next ask tries again.
  if (showDateLocation === null) {
    showDateLocation = call("SYNO.Foto.Setting.User", "get", 1, {}, { quiet: true })
      .then((settings) => settings.show_date_location !== false)
      .catch(() => {
        showDateLocation = null;
        return true;
      });
  }
  return showDateLocation;
}

export function forgetUserSettings() {
  showDateLocation = null;
}

const pad = (n) => String(n).padStart(2, "0");

// Item times are the camera's wall clock stored as if it were UTC.
function toInput(seconds) {
  const d = new Date(seconds * 1000);
  return `${String(d.getUTCFullYear()).padStart(4, "0")}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
    + `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

function fromInput(value) {
  const m = /^(\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d))?$/.exec(value);
  if (!m) return null;
  const [, y, mo, d, hh, mm, ss] = m.map(Number);
  const ms = Date.UTC(y, mo - 1, d, hh, mm, ss || 0);
  const date = new Date(ms);
  date.setUTCFullYear(y);
  return Math.floor(date.getTime() / 1000);
}

let tagCache = null;
async function knownTags(team) {
  if (!tagCache || tagCache.team !== team) {
    try {
      const { list } = await call(spaceApi(team, "Browse.GeneralTag"), "list", 1, { offset: 0, limit: 5000 });
      tagCache = { team, list };
    } catch {
      tagCache = { team, list: [] };
    }
  }
  return tagCache.list;
}

// A person's page in the People section of the space.
export function personHref(team, id) {
  return team ? `#/people/shared/${id}` : `#/people/${id}`;
}

// The panel's content for `item` (fetched with INFO). `onChange(item)` is told of edits that
// change what the grid shows (the date); `onFace(box, name)` of the face to outline (box null: none).
export async function infoPanel(item, team, { onChange = () => {}, onFace = () => {} } = {}) {
  const add = item.additional || {};
  const api = spaceApi(team, "Browse.Item");
  const shown = await datesAndPlacesShown();
  const rows = [];
  const row = (label, ...value) => rows.push(h("dt", {}, label), h("dd", {}, ...value));
  const failed = (error, what) => toast(error.code === 105 ? "You may not edit this item."
    : `${what} was not saved (error ${error.code || error.message}).`, "error");

  if (shown) {
    const dateText = h("span.date-text", {}, formatDate(item.time, true));
    const edit = h("button.link-button", { type: "button", "aria-label": "Edit date taken" }, "Edit");
    const dd = h("span.date-row", {}, dateText, " ", edit);
    edit.addEventListener("click", () => {
      const input = h("input", { type: "datetime-local", name: "time", value: toInput(item.time),
        "aria-label": "Date taken", required: true, step: 60 });
      const form = h("form.date-form", {
        onsubmit: async (event) => {
          event.preventDefault();
          const time = fromInput(input.value);
          if (time === null) {
            toast("Type a date and time.", "error");
            return;
          }
          try {
            await call(api, "set", 1, { id: [item.id], time });
            item.time = time;
            dateText.textContent = formatDate(time, true);
            form.replaceWith(dd);
            toast("Date taken saved.");
            onChange(item);
          } catch (error) {
            failed(error, "The date");
          }
        },
      }, input, h("button", { type: "submit" }, "Save"),
      h("button.secondary", { type: "button", onclick: () => form.replaceWith(dd) }, "Cancel"));
      dd.replaceWith(form);
      input.focus();
    });
    row("Date", dd);
  }
  row("File", item.filename);
  if (add.resolution) row("Size", `${add.resolution.width} × ${add.resolution.height}`,
    item.filesize ? ` · ${formatBytes(item.filesize)}` : "");
  const kind = item.is_360 ? "360° panorama" : item.type === "live" ? "Live Photo"
    : item.is_motion_photo ? "Motion Photo" : null;
  if (kind) row("Kind", kind);
  const video = add.video_meta;
  if (video && video.duration) {
    row("Video", [`${Math.round(video.duration / 1000)} s`, video.video_codec, video.framerate
      ? `${Math.round(video.framerate)} fps` : ""].filter(Boolean).join(" · "));
  }
  const exif = add.exif || {};
  if (exif.camera) row("Camera", exif.camera);
  const settings = [exif.aperture, exif.exposure_time, exif.focal_length,
    exif.iso ? `ISO ${exif.iso}` : ""].filter(Boolean).join(" · ");
  if (exif.lens || settings) row("Lens", [exif.lens, settings].filter(Boolean).join(" — "));
  if (shown) {
    const place = add.address ? [add.address.city, add.address.state, add.address.country]
      .filter(Boolean).join(", ") : "";
    if (place || add.gps) {
      row("Location", place || "",
        add.gps ? h("small.coords", {}, ` ${add.gps.latitude.toFixed(5)}, ${add.gps.longitude.toFixed(5)}`) : "");
    }
  }
  // People: the item's `additional.person`, named or not, each a link to their page; pointing at
  // one (or focusing it) outlines their face on the photo (`onFace` gets the box, or null).
  const people = (add.person || []).filter((p) => p && p.id);
  if (people.length) {
    const close = () => document.querySelector(".viewer")?.dispatchEvent(
      new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    row("People", h("ul.people-in-photo", { "aria-label": "People in this photo" }, people.map((p) => {
      const face = p.face ? { x: p.face.x, y: p.face.y, width: p.face.width, height: p.face.height } : null;
      const show = () => onFace(face, p.name || "Unnamed person");
      const hide = () => onFace(null);
      return h("li", {}, h("a", {
        href: personHref(team, p.id), className: p.name ? "" : "unnamed", dataset: { personId: String(p.id) },
        onmouseenter: show, onfocus: show, onmouseleave: hide, onblur: hide, onclick: close,
      }, p.name || "Unnamed person"));
    })));
  }

  // Tags: a chip per tag with a remove button, and a field that adds one (made when new).
  const tags = (add.tag || []).slice();
  const chips = h("ul.tags", { "aria-label": "Tags" });
  const drawTags = () => {
    chips.replaceChildren(...tags.map((tag) => h("li.tag", {}, h("span", {}, tag.name),
      h("button.remove", { type: "button", "aria-label": `Remove tag ${tag.name}`, onclick: async () => {
        try {
          await call(api, "remove_tag", 1, { id: [item.id], tag: [tag.id] });
          tags.splice(tags.indexOf(tag), 1);
          drawTags();
        } catch (error) {
          failed(error, "The tag");
        }
      } }, "×"))));
    chips.hidden = !tags.length;
  };
  drawTags();
  const suggestions = h("datalist#tag-suggestions");
  knownTags(team).then((list) => suggestions.replaceChildren(...list.map((t) => h("option", { value: t.name }))));
  const tagInput = h("input", { name: "tag", list: "tag-suggestions", maxlength: 255, "aria-label": "New tag",
    placeholder: "Add a tag", autocomplete: "off" });
  const tagForm = h("form.tag-form", {
    onsubmit: async (event) => {
      event.preventDefault();
      const name = tagInput.value.trim();
      if (!name) return;
      if (tags.some((t) => t.name.toLowerCase() === name.toLowerCase())) {
        tagInput.value = "";
        return;
      }
      try {
        const { tag } = await call(spaceApi(team, "Browse.GeneralTag"), "create", 1, { name: JSON.stringify(name) });
        await call(api, "add_tag", 1, { id: [item.id], tag: [tag.id] });
        tags.push(tag);
        tagCache = null;
        tagInput.value = "";
        drawTags();
      } catch (error) {
        failed(error, "The tag");
      }
    },
  }, tagInput, suggestions, h("button.secondary", { type: "submit" }, "Add"));

  const stars = h("div.stars", { role: "group", "aria-label": "Rating" });
  const drawStars = (rating) => {
    stars.replaceChildren(...[1, 2, 3, 4, 5].map((n) => h("button.star", {
      type: "button", "aria-label": `Rate ${n} star${n > 1 ? "s" : ""}`,
      "aria-pressed": String(n <= rating), className: `star${n <= rating ? " on" : ""}`,
      onclick: () => setRating(n === rating ? 0 : n),
    }, n <= rating ? "★" : "☆")));
    stars.dataset.rating = String(rating);
  };
  const setRating = async (rating) => {
    try {
      await call(api, "set", 1, { id: [item.id], rating });
      drawStars(rating);
    } catch (error) {
      failed(error, "The rating");
    }
  };
  drawStars(add.rating || 0);

  const description = h("textarea", { name: "description", rows: 3, maxlength: 4096, value: add.description || "" });
  const form = h("form.describe", {
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        await call(api, "set", 1, { id: [item.id], description: JSON.stringify(description.value) });
        toast("Description saved.");
      } catch (error) {
        failed(error, "The description");
      }
    },
  }, h("label", {}, "Description", description), h("button", { type: "submit" }, "Save"));

  return [h("h2", {}, "Information"), h("dl", {}, rows),
    h("h3", {}, "Tags"), chips, tagForm,
    h("h3", {}, "Rating"), stars, form,
    h("a.download", {
      href: url({ api: spaceApi(team, "Download"), method: "download", version: "2",
        unit_id: `[${item.id}]` }),
      download: item.filename,
    }, "Download original")];
}
