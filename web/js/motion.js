// The moving part of a Live Photo or a Motion Photo, played over its still by the viewer's
// "LIVE" button: pressing and holding plays it while held; a click (or Enter) plays it once.
//
// A Live Photo's video is its own file, streamed by `Streaming streaming` with the still's id
// (docs/protocol-choices.md, "Downloads and streaming"). A Motion Photo's video is an MP4 appended
// to the JPEG; the server does not stream it by itself, so the original is downloaded once and the
// MP4 found after the JPEG (its `ftyp` box) is played from memory.

import { spaceApi, url } from "./api.js";
import { h } from "./dom.js";

export function hasMotion(item) {
  return item.type === "live" || Boolean(item.is_motion_photo)
    || Boolean(item.additional && item.additional.motion_photo === true);
}

// The byte offset of the MP4 inside a Motion Photo: the first `ftyp` box after the JPEG's start
// whose size is plausible, or -1.
export function embeddedVideoOffset(bytes) {
  for (let i = 4; i + 8 <= bytes.length; i += 1) {
    if (bytes[i] === 0x66 && bytes[i + 1] === 0x74 && bytes[i + 2] === 0x79 && bytes[i + 3] === 0x70) {
      const size = ((bytes[i - 4] << 24) | (bytes[i - 3] << 16) | (bytes[i - 2] << 8) | bytes[i - 1]) >>> 0;
      if (size >= 16 && size <= 256 && size % 4 === 0) return i - 4;
    }
  }
  return -1;
}

async function motionPhotoVideo(item, team) {
  const response = await fetch(url({ api: spaceApi(team, "Download"), method: "download", version: "2",
    unit_id: `[${item.id}]` }), { credentials: "same-origin" });
  if (!response.ok) throw new Error(`download ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const at = embeddedVideoOffset(bytes);
  if (at < 0) throw new Error("no embedded video");
  return URL.createObjectURL(new Blob([bytes.subarray(at)], { type: "video/mp4" }));
}

// Builds the button and the video layer for `item` shown in `frame` (the element holding the
// still). Returns { button, video, destroy }.
export function motionPlayer(item, team, frame, onError) {
  const live = item.type === "live";
  const video = h("video.motion", { muted: !live, playsinline: true, preload: "none", hidden: true,
    "aria-label": live ? "Live Photo video" : "Motion Photo video" });
  let source = null;
  let blob = null;
  let pressedAt = 0;
  let holding = false;

  const load = async () => {
    if (source) return source;
    if (live) {
      source = url({ api: spaceApi(team, "Streaming"), method: "streaming", version: "1",
        id: String(item.id), quality: "medium" });
    } else {
      blob = await motionPhotoVideo(item, team);
      source = blob;
    }
    video.src = source;
    return source;
  };
  const stop = () => {
    video.pause();
    video.hidden = true;
    button.setAttribute("aria-pressed", "false");
    frame.classList.remove("playing");
  };
  const play = async () => {
    try {
      await load();
      video.currentTime = 0;
      video.hidden = false;
      frame.classList.add("playing");
      button.setAttribute("aria-pressed", "true");
      await video.play();
      video.dataset.played = "1";
    } catch (error) {
      stop();
      if (error.name !== "AbortError") onError(error);
    }
  };
  video.addEventListener("ended", stop);

  const label = live ? "Play Live Photo" : "Play Motion Photo";
  const button = h("button.live", { type: "button", "aria-label": label, title: `${label} (hold, or press L)`,
    "aria-pressed": "false" }, "◉ LIVE");
  button.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    pressedAt = performance.now();
    holding = true;
    play();
  });
  const release = () => {
    if (!holding) return;
    holding = false;
    // A long press plays only while held; a short one (a click) plays to the end.
    if (performance.now() - pressedAt > 400) stop();
  };
  button.addEventListener("pointerup", release);
  button.addEventListener("pointerleave", release);
  button.addEventListener("click", (event) => {
    // Keyboard activation (no pointer down before it) plays once.
    if (event.detail === 0) play();
  });

  return {
    button,
    video,
    toggle: () => (video.hidden ? play() : stop()),
    destroy() {
      video.pause();
      video.removeAttribute("src");
      if (blob) URL.revokeObjectURL(blob);
    },
  };
}
