// The full-screen viewer: one photo or video at a time. ←/→ (or a swipe) move, Esc (or a swipe
// down) closes, "i" the information panel (info.js). Photos zoom (zoom.js) and load their
// original once zoomed; Live Photos and Motion Photos play their video (motion.js); 360°
// panoramas open in the panorama view (panorama.js); a slideshow plays the list with a speed
// and shuffle; "?" lists the shortcuts. In an album or a folder, "Set as cover".
//
// `list` is the grid (or any { total, item(i), source: { team } }): a selection's slideshow
// passes its own list.

import { call, spaceApi, thumbnailUrl, url } from "./api.js";
import { h, toast } from "./dom.js";
import { Zoomer, ZOOM_STEP } from "./zoom.js";
import { panorama } from "./panorama.js";
import { hasMotion, motionPlayer } from "./motion.js";
import { INFO, infoPanel } from "./info.js";
import { showShortcuts } from "./shortcuts.js";

const XL_SHORT_SIDE = 1280;
// Originals a browser shows by itself; others (HEIC, RAW, TIFF) zoom on the xl thumbnail.
const SHOWN_AS_IS = /\.(jpe?g|png|gif|webp|avif|bmp)$/i;
const SPEEDS = [3, 5, 10];

// A list of items already at hand (a selection) in the shape the viewer reads.
export function itemList(items, team) {
  return { total: items.length, source: { team }, item: async (i) => items[i] || null };
}

// Sets an album's, a folder's or a person's cover; `cover` is { kind: "album" | "folder" | "person", id, team }.
export async function setCover(cover, itemId) {
  try {
    if (cover.kind === "album") {
      await call("SYNO.Foto.Browse.Album", "set_cover", 1, { id: cover.id, item_id: itemId });
    } else if (cover.kind === "person") {
      await call(spaceApi(cover.team, "Browse.Person"), "set_cover", 1, { id: cover.id, item_id: itemId });
    } else {
      await call(spaceApi(cover.team, "Browse.Folder"), "set_cover", 1, { id: cover.id, item_id: itemId });
    }
    toast(`Set as the ${cover.kind} cover.`);
    return true;
  } catch (error) {
    toast(error.code === 105 ? "You may not change this cover." : `The cover was not set (error ${error.code}).`, "error");
    return false;
  }
}

export function openViewer(list, index, { cover = null, slideshow = false } = {}) {
  const team = list.source.team;
  const opener = document.activeElement;
  let current = index;
  let showInfo = localStorage.getItem("shoebox.info") === "1";
  let token = 0;
  let shown = null; // { item, destroy, zoomable, pano, motion, full }
  let show_ = null;

  const stage = h("div.viewer-stage");
  const panel = h("aside.info-panel", { "aria-label": "Information", hidden: !showInfo });
  const counter = h("span.viewer-count");
  const prev = h("button.nav.prev", { type: "button", "aria-label": "Previous", onclick: () => go(-1) }, "‹");
  const next = h("button.nav.next", { type: "button", "aria-label": "Next", onclick: () => go(1) }, "›");
  const liveSlot = h("span.live-slot");
  const zoomIn = h("button.zoom", { type: "button", "aria-label": "Zoom in", title: "Zoom in (+)", onclick: () => zoom(ZOOM_STEP) }, "+");
  const zoomOut = h("button.zoom", { type: "button", "aria-label": "Zoom out", title: "Zoom out (−)", onclick: () => zoom(1 / ZOOM_STEP) }, "−");

  // Slideshow controls: play/pause, speed, shuffle, end.
  const speed = h("select", { "aria-label": "Slideshow speed", onchange: () => {
    localStorage.setItem("shoebox.slideshow.speed", speed.value);
    if (show_) show_.restart();
    root.focus();
  } }, SPEEDS.map((s) => h("option", { value: String(s) }, `${s} s`)));
  speed.value = localStorage.getItem("shoebox.slideshow.speed") || "5";
  const shuffle = h("input", { type: "checkbox", name: "shuffle",
    checked: localStorage.getItem("shoebox.slideshow.shuffle") === "1",
    onchange: () => {
      localStorage.setItem("shoebox.slideshow.shuffle", shuffle.checked ? "1" : "0");
      root.focus();
    } });
  const pause = h("button", { type: "button", "aria-label": "Pause slideshow", onclick: () => show_ && show_.toggle() }, "❚❚");
  const controls = h("div.slideshow-controls", { role: "group", "aria-label": "Slideshow", hidden: true },
    pause, speed, h("label.check-row", {}, shuffle, "Shuffle"),
    h("button", { type: "button", "aria-label": "End slideshow", onclick: () => stopSlideshow() }, "■"));
  const playButton = h("button", { type: "button", "aria-label": "Slideshow", title: "Slideshow (S)", onclick: () => startSlideshow() }, "▶");

  const root = h("div.viewer", { role: "dialog", "aria-modal": "true", "aria-label": "Viewer", tabindex: "-1" },
    h("header.viewer-bar", {},
      h("button", { type: "button", "aria-label": "Close", onclick: close }, "✕"),
      counter,
      h("span.spacer"),
      liveSlot, zoomOut, zoomIn, playButton, controls,
      cover ? h("button.text", { type: "button", onclick: () => shown && setCover(cover, shown.item.id) },
        `Set as ${cover.kind} cover`) : null,
      h("button", { type: "button", "aria-label": "Keyboard shortcuts", title: "Keyboard shortcuts (?)",
        onclick: () => showShortcuts("viewer") }, "?"),
      h("button.info-toggle", { type: "button", "aria-label": "Information", onclick: toggleInfo }, "Info")),
    h("div.viewer-body", {}, prev, stage, next, panel));

  const zoomer = new Zoomer(stage, {
    onZoom: (scale) => {
      if (scale > 1 && shown) loadFull(shown);
    },
    onSwipe: (direction) => {
      if (direction === "left") go(1);
      else if (direction === "right") go(-1);
      else close();
    },
  });
  const refit = new ResizeObserver(() => {
    if (shown && shown.fit) shown.fit();
  });
  refit.observe(stage);

  function onKey(event) {
    if (document.querySelector("dialog[open]")) return;
    // Text fields and lists keep their keys; checkboxes and buttons do not (Space is the
    // slideshow's, and focus goes back to the viewer so that no button is pressed as well).
    if (event.target.closest && event.target.closest("textarea, select, input:not([type=checkbox])")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key;
    if (key === " " && show_) root.focus();
    if (key === "ArrowLeft") go(-1);
    else if (key === "ArrowRight") go(1);
    else if (key === "Escape") {
      if (show_) stopSlideshow();
      else if (zoomer.zoomed) zoomer.reset();
      else close();
    } else if (key === "i") toggleInfo();
    else if (key === "+" || key === "=") zoom(ZOOM_STEP);
    else if (key === "-" || key === "_") zoom(1 / ZOOM_STEP);
    else if (key === "0") zoomer.reset();
    else if (key === " " && show_) show_.toggle();
    else if (key === "s") {
      if (show_) stopSlideshow();
      else startSlideshow();
    } else if (key === "l" && shown && shown.motion) shown.motion.toggle();
    else if (key === "?") showShortcuts("viewer");
    else return;
    event.preventDefault();
  }

  function close() {
    stopSlideshow();
    document.removeEventListener("keydown", onKey);
    refit.disconnect();
    if (shown && shown.destroy) shown.destroy();
    const video = stage.querySelector("video");
    if (video) video.pause();
    root.remove();
    // The keyboard goes back where it was (the grid, whose focus ring is still on the tile).
    if (opener && opener.isConnected && opener !== document.body) opener.focus({ preventScroll: true });
  }

  function toggleInfo() {
    showInfo = !showInfo;
    localStorage.setItem("shoebox.info", showInfo ? "1" : "0");
    panel.hidden = !showInfo;
  }

  function zoom(factor) {
    if (shown && shown.pano) shown.pano.zoomBy(factor);
    else zoomer.zoomBy(factor);
  }

  function go(step) {
    const target = current + step;
    if (target < 0 || target >= list.total) return false;
    current = target;
    show();
    return true;
  }

  async function show() {
    const mine = ++token;
    counter.textContent = `${current + 1} / ${list.total}`;
    prev.disabled = current === 0;
    next.disabled = current >= list.total - 1;
    const brief = await list.item(current);
    if (mine !== token || !brief) return;
    if (shown && shown.destroy) shown.destroy();
    root.dataset.id = String(brief.id);
    root.dataset.index = String(current);
    shown = media(brief);
    stage.replaceChildren(shown.el);
    liveSlot.replaceChildren(shown.motion ? shown.motion.button : "");
    zoomer.attach(shown.zoomable || null);
    if (shown.fit) shown.fit();
    zoomIn.disabled = zoomOut.disabled = !(shown.zoomable || shown.pano);
    if (show_) show_.shown();
    preload(current + 1);
    const [item] = (await call(spaceApi(team, "Browse.Item"), "get", 1,
      { id: [brief.id], additional: INFO })).list;
    if (mine !== token || !item) return;
    if (item.is_motion_photo && !shown.motion && !shown.pano && shown.frame) {
      // The brief item did not say it moves; the full one does.
      shown.motion = motionPlayer(item, team, shown.frame, motionFailed);
      shown.frame.append(shown.motion.video);
      liveSlot.replaceChildren(shown.motion.button);
    }
    panel.replaceChildren(...await infoPanel(item, team, {
      onChange: (changed) => Object.assign(brief, { time: changed.time }),
      onFace: outlineFace,
    }));
  }

  // A person's face outlined on the photo (the info panel's people, hovered or focused); the box
  // is relative to the photo as shown, so it follows the zoom with the frame.
  function outlineFace(box, name) {
    const frame = shown && shown.frame;
    if (!frame) return;
    let el = frame.querySelector(".face-box");
    if (!box) {
      if (el) el.remove();
      return;
    }
    if (!el) {
      el = h("div.face-box", { "aria-hidden": "true" }, h("span"));
      frame.append(el);
    }
    Object.assign(el.style, { left: `${box.x * 100}%`, top: `${box.y * 100}%`,
      width: `${box.width * 100}%`, height: `${box.height * 100}%` });
    el.firstChild.textContent = name || "";
  }

  async function preload(i) {
    const item = await list.item(i);
    if (item && item.type !== "video") new Image().src = thumbnailUrl(item, "xl", team);
  }

  function motionFailed(error) {
    toast(`The moving part cannot be played (${error.message}).`, "error");
  }

  function media(item) {
    if (item.type === "video") {
      return {
        item,
        el: h("video", {
          controls: true, autoplay: true, preload: "metadata", poster: thumbnailUrl(item, "xl", team),
          muted: Boolean(show_), src: url({ api: spaceApi(team, "Streaming"), method: "streaming", version: "1",
            id: String(item.id), quality: "medium" }),
        }),
      };
    }
    const xl = thumbnailUrl(item, "xl", team);
    if (item.is_360) {
      try {
        const pano = panorama(xl, item.filename);
        return { item, pano, el: h("div.pano-frame", {}, pano.el, h("span.pano-badge", {}, "360°")), destroy: pano.destroy };
      } catch (error) {
        toast("This browser cannot show the 360° view; showing the flat image.", "error");
      }
    }
    const img = h("img", { src: xl, alt: item.filename, draggable: "false" });
    const frame = h("div.photo-frame", {}, img);
    const res = item.additional && item.additional.resolution;
    const view = { item, el: frame, frame, zoomable: frame, img, full: false };
    // The image's size on screen: the xl thumbnail's own size (the original's, scaled so that
    // its short side is at most 1280), shrunk to fit the stage. Fixed in pixels, so that the
    // original can replace the thumbnail without a jump.
    view.fit = () => {
      let w = res && res.width;
      let hgt = res && res.height;
      if (!w || !hgt) {
        if (!img.naturalWidth) {
          img.addEventListener("load", () => view.fit(), { once: true });
          return;
        }
        w = img.naturalWidth;
        hgt = img.naturalHeight;
      }
      const cap = Math.min(1, XL_SHORT_SIDE / Math.min(w, hgt));
      const box = stage.getBoundingClientRect();
      const k = Math.min(box.width / (w * cap), box.height / (hgt * cap), 1) * cap;
      img.style.width = `${Math.max(1, Math.floor(w * k))}px`;
      img.style.height = `${Math.max(1, Math.floor(hgt * k))}px`;
      if (zoomer.zoomed) zoomer.apply();
    };
    if (hasMotion(item)) {
      view.motion = motionPlayer(item, team, frame, motionFailed);
      frame.append(view.motion.video);
      view.destroy = () => view.motion.destroy();
    }
    return view;
  }

  // Once zoomed in, the original (when the browser shows it) replaces the xl thumbnail.
  function loadFull(view) {
    if (view.full || !view.img || !SHOWN_AS_IS.test(view.item.filename)) return;
    view.full = true;
    const original = url({ api: spaceApi(team, "Download"), method: "download", version: "2",
      unit_id: `[${view.item.id}]` });
    const big = new Image();
    big.onload = () => {
      if (shown !== view) return;
      view.img.src = original;
      view.img.dataset.full = "1";
    };
    big.onerror = () => {
      view.full = false;
    };
    big.src = original;
  }

  // The slideshow: each item stays `speed` seconds (counted from when it is shown), then the
  // next one, or a random other one with shuffle; at the end it starts over. Space pauses.
  function startSlideshow() {
    if (show_) return;
    let timer = 0;
    let paused = false;
    const arm = () => {
      clearTimeout(timer);
      if (paused) return;
      timer = setTimeout(advance, Number(speed.value) * 1000);
    };
    const advance = () => {
      if (list.total < 2) return;
      let target;
      if (shuffle.checked) {
        do target = Math.floor(Math.random() * list.total); while (target === current);
      } else {
        target = current + 1 >= list.total ? 0 : current + 1;
      }
      current = target;
      show();
    };
    show_ = {
      shown: arm,
      restart: arm,
      toggle() {
        paused = !paused;
        pause.textContent = paused ? "▶" : "❚❚";
        pause.setAttribute("aria-label", paused ? "Resume slideshow" : "Pause slideshow");
        root.dataset.slideshow = paused ? "paused" : "playing";
        arm();
      },
      stop() {
        clearTimeout(timer);
      },
    };
    root.dataset.slideshow = "playing";
    root.classList.add("slideshow");
    controls.hidden = false;
    playButton.hidden = true;
    zoomer.reset();
    root.focus();
    arm();
  }

  function stopSlideshow() {
    if (!show_) return;
    show_.stop();
    show_ = null;
    delete root.dataset.slideshow;
    root.classList.remove("slideshow");
    controls.hidden = true;
    playButton.hidden = false;
    pause.textContent = "❚❚";
    pause.setAttribute("aria-label", "Pause slideshow");
  }

  document.addEventListener("keydown", onKey);
  document.body.append(root);
  root.focus();
  show();
  if (slideshow) startSlideshow();
  return { close };
}
