// The moving part of a Live Photo or a Motion Photo, played over its still by the viewer's
// "LIVE" button: pressing and holding plays it while held; a click (or Enter) plays it once.
//
// A Live Photo's video is its own file, and a Motion Photo's is the MP4 appended to its JPEG;
// `Streaming streaming` with the still's id serves either with byte ranges (docs/protocol-choices.md,
// "Downloads and streaming"), so the player seeks and nothing is downloaded whole.

import { spaceApi, url } from "./api.js";
import { h } from "./dom.js";

export function hasMotion(item) {
  return item.type === "live" || Boolean(item.is_motion_photo)
    || Boolean(item.additional && item.additional.motion_photo === true);
}

// Builds the button and the video layer for `item` shown in `frame` (the element holding the
// still). Returns { button, video, destroy }.
export function motionPlayer(item, team, frame, onError) {
  const live = item.type === "live";
  const video = h("video.motion", { muted: !live, playsinline: true, preload: "none", hidden: true,
    "aria-label": live ? "Live Photo video" : "Motion Photo video" });
  let source = null;
  let pressedAt = 0;
  let holding = false;

  const load = async () => {
    if (source) return source;
    // A Live Photo's video in a quality browsers play (its H.264 preview when it needs one); a
    // Motion Photo's as it is (its MP4 is H.264 or HEVC as the phone made it).
    source = url({ api: spaceApi(team, "Streaming"), method: "streaming", version: "1",
      id: String(item.id), ...(live ? { quality: "medium" } : {}) });
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
    },
  };
}
