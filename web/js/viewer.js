// The full-screen viewer: one photo or video at a time, ←/→ to move, Esc to close, "i" for the
// info panel, which shows the date, camera, location and edits the rating and description
// (Browse.Item get / set).

import { call, spaceApi, thumbnailUrl, url } from "./api.js";
import { h, formatDate, formatBytes, toast } from "./dom.js";

const INFO = ["thumbnail", "resolution", "exif", "gps", "address", "description", "rating", "tag",
  "video_meta"];

export function openViewer(grid, index) {
  const team = grid.source.team;
  let current = index;
  let showInfo = localStorage.getItem("shoebox.info") === "1";
  let token = 0;

  const stage = h("div.viewer-stage");
  const panel = h("aside.info-panel", { "aria-label": "Information", hidden: !showInfo });
  const counter = h("span.viewer-count");
  const prev = h("button.nav.prev", { type: "button", "aria-label": "Previous", onclick: () => go(-1) }, "‹");
  const next = h("button.nav.next", { type: "button", "aria-label": "Next", onclick: () => go(1) }, "›");
  const root = h("div.viewer", { role: "dialog", "aria-modal": "true", "aria-label": "Viewer", tabindex: "-1" },
    h("header.viewer-bar", {},
      h("button", { type: "button", "aria-label": "Close", onclick: close }, "✕"),
      counter,
      h("span.spacer"),
      h("button.info-toggle", { type: "button", "aria-label": "Information", onclick: toggleInfo }, "Info")),
    h("div.viewer-body", {}, prev, stage, next, panel));

  function onKey(event) {
    if (event.target.closest && event.target.closest("input, textarea")) return;
    if (event.key === "ArrowLeft") go(-1);
    else if (event.key === "ArrowRight") go(1);
    else if (event.key === "Escape") close();
    else if (event.key === "i") toggleInfo();
    else return;
    event.preventDefault();
  }

  function close() {
    document.removeEventListener("keydown", onKey);
    const video = stage.querySelector("video");
    if (video) video.pause();
    root.remove();
  }

  function toggleInfo() {
    showInfo = !showInfo;
    localStorage.setItem("shoebox.info", showInfo ? "1" : "0");
    panel.hidden = !showInfo;
  }

  function go(step) {
    const target = current + step;
    if (target < 0 || target >= grid.total) return;
    current = target;
    show();
  }

  async function show() {
    const mine = ++token;
    counter.textContent = `${current + 1} / ${grid.total}`;
    prev.disabled = current === 0;
    next.disabled = current >= grid.total - 1;
    const brief = await grid.item(current);
    if (mine !== token || !brief) return;
    root.dataset.id = String(brief.id);
    stage.replaceChildren(media(brief));
    const [item] = (await call(spaceApi(team, "Browse.Item"), "get", 1,
      { id: [brief.id], additional: INFO })).list;
    if (mine !== token || !item) return;
    panel.replaceChildren(...info(item));
  }

  function media(item) {
    if (item.type === "video") {
      return h("video", {
        controls: true, autoplay: true, preload: "metadata", poster: thumbnailUrl(item, "xl", team),
        src: url({ api: spaceApi(team, "Streaming"), method: "streaming", version: "1",
          id: String(item.id), quality: "medium" }),
      });
    }
    return h("img", { src: thumbnailUrl(item, "xl", team), alt: item.filename });
  }

  function info(item) {
    const add = item.additional || {};
    const rows = [];
    const row = (label, ...value) => rows.push(h("dt", {}, label), h("dd", {}, ...value));
    row("Date", formatDate(item.time, true));
    row("File", item.filename);
    if (add.resolution) row("Size", `${add.resolution.width} × ${add.resolution.height}`,
      item.filesize ? ` · ${formatBytes(item.filesize)}` : "");
    const exif = add.exif || {};
    if (exif.camera) row("Camera", exif.camera);
    const settings = [exif.aperture, exif.exposure_time, exif.focal_length,
      exif.iso ? `ISO ${exif.iso}` : ""].filter(Boolean).join(" · ");
    if (exif.lens || settings) row("Lens", [exif.lens, settings].filter(Boolean).join(" — "));
    const place = add.address ? [add.address.city, add.address.state, add.address.country]
      .filter(Boolean).join(", ") : "";
    if (place || add.gps) {
      row("Location", place || "",
        add.gps ? h("small.coords", {}, ` ${add.gps.latitude.toFixed(5)}, ${add.gps.longitude.toFixed(5)}`) : "");
    }
    if (add.tag && add.tag.length) row("Tags", add.tag.map((t) => t.name).join(", "));

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
        await call(spaceApi(team, "Browse.Item"), "set", 1, { id: [item.id], rating });
        drawStars(rating);
      } catch (error) {
        toast(error.code === 105 ? "You may not edit this item." : "The rating was not saved.", "error");
      }
    };
    drawStars(add.rating || 0);

    const description = h("textarea", { name: "description", rows: 3, maxlength: 4096, value: add.description || "" });
    const form = h("form.describe", {
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await call(spaceApi(team, "Browse.Item"), "set", 1,
            { id: [item.id], description: JSON.stringify(description.value) });
          toast("Description saved.");
        } catch {
          toast("The description was not saved.", "error");
        }
      },
    }, h("label", {}, "Description", description), h("button", { type: "submit" }, "Save"));

    return [h("h2", {}, "Information"), h("dl", {}, rows), h("h3", {}, "Rating"), stars, form,
      h("a.download", {
        href: url({ api: spaceApi(team, "Download"), method: "download", version: "2",
          unit_id: `[${item.id}]` }),
        download: item.filename,
      }, "Download original")];
  }

  document.addEventListener("keydown", onKey);
  document.body.append(root);
  root.focus();
  show();
  return { close };
}
