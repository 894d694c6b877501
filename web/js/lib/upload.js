// Uploading by the file picker or by dropping files on the window, one file at a time, each with
// its own progress bar and an overall one (SYNO.Foto.Upload.Item, docs "Upload": `upload` to the
// timeline, or `upload_to_folder` into the folder on screen or the default destination chosen
// in Settings). What to do when a name is taken (`duplicate`: keep both, skip, replace) is
// chosen in the panel before uploading, and each file says what the server did.
// When the server lists SYNO.Foto.Upload.Resumable (docs "Resumable upload"), files go in chunks
// (`create`, then `append` at the server's offset); a chunk cut by the network is sent again
// from the offset the server has (`status`), so an upload resumes where it stopped.

import { call, upload, spaceApi, ApiError } from "./api.js";
import { h, formatBytes } from "./dom.js";

const DESTINATION_KEY = "shoebox.uploadDestination";
const DUPLICATE_KEY = "shoebox.duplicate";
// The chunk size of resumable uploads; localStorage "shoebox.uploadChunkBytes" overrides it
// (the browser tests use small chunks to cut an upload in the middle).
const CHUNK = 4 * 1024 * 1024;
const RETRIES = 5;

export const DUPLICATE_POLICIES = [
  ["rename", "Keep both (store under a new name)"],
  ["ignore", "Skip the file"],
  ["overwrite", "Replace the file"],
];

// The default destination of uploads made from the timeline: null (the timeline) or
// { folderId, name } in the Personal Space. Kept in this browser (the server has no setting).
export function uploadDestination() {
  try {
    const value = JSON.parse(localStorage.getItem(DESTINATION_KEY) || "null");
    return value && Number(value.folderId) ? value : null;
  } catch {
    return null;
  }
}

export function setUploadDestination(value) {
  if (value) localStorage.setItem(DESTINATION_KEY, JSON.stringify(value));
  else localStorage.removeItem(DESTINATION_KEY);
}

let resumable = null; // a promise: does the server have Upload.Resumable?
function hasResumable() {
  if (!resumable) {
    resumable = call("SYNO.API.Info", "query", 1, { query: "SYNO.Foto.Upload.Resumable" }, { quiet: true })
      .then((data) => Boolean(data["SYNO.Foto.Upload.Resumable"])).catch(() => false);
  }
  return resumable;
}

const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

function outcome(answer) {
  switch (answer.action) {
    case "ignore": return "skipped: a file of that name is already there (duplicate)";
    case "rename": return `stored as ${answer.name} (the name was taken)`;
    case "overwrite": return `replaced the file already there (${answer.name})`;
    default: return "done";
  }
}

const EXTENSIONS = /\.(jpe?g|png|gif|webp|heic|heif|hif|tiff?|bmp|dng|cr2|cr3|nef|arw|orf|rw2|raf|mp4|mov|m4v|avi|mkv|3gp|mts|m2ts|webm|mpo)$/i;

export class Uploader {
  constructor({ target, onDone }) {
    this.target = target; // () => { team, folderId | null }
    this.onDone = onDone;
    this.queue = [];
    this.jobs = [];
    this.running = false;
    this.list = h("ul.upload-list");
    this.overall = h("progress.overall", { max: 1, value: 0, "aria-label": "All uploads" });
    this.summary = h("span");
    this.duplicate = h("select", { "aria-label": "When a name is taken",
      onchange: () => localStorage.setItem(DUPLICATE_KEY, this.duplicate.value) },
    DUPLICATE_POLICIES.map(([value, label]) => h("option", { value }, label)));
    this.duplicate.value = localStorage.getItem(DUPLICATE_KEY) || "rename";
    if (!this.duplicate.value) this.duplicate.value = "rename";
    this.panel = h("section.upload-panel", { "aria-label": "Uploads", hidden: true },
      h("header", {}, h("strong", {}, "Uploads"), this.summary, h("span.spacer"),
        h("button.secondary", { type: "button", "aria-label": "Close uploads",
          onclick: () => { this.panel.hidden = true; } }, "✕")),
      h("label.upload-options", {}, "When a name is taken:", this.duplicate),
      this.overall, this.list);
    this.picker = h("input", { type: "file", multiple: true, hidden: true, accept: "image/*,video/*",
      onchange: () => {
        this.add([...this.picker.files]);
        this.picker.value = "";
      } });
  }

  // Shows the panel (with its duplicate policy) and opens the file picker.
  pick() {
    this.panel.hidden = false;
    this.picker.click();
  }

  // Drag and drop anywhere on the page.
  wireDrop(zone, overlay) {
    let depth = 0;
    zone.addEventListener("dragenter", (event) => {
      if (!event.dataTransfer || ![...event.dataTransfer.types].includes("Files")) return;
      depth += 1;
      overlay.hidden = false;
    });
    zone.addEventListener("dragleave", () => {
      depth = Math.max(depth - 1, 0);
      if (!depth) overlay.hidden = true;
    });
    zone.addEventListener("dragover", (event) => event.preventDefault());
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      depth = 0;
      overlay.hidden = true;
      if (event.dataTransfer && event.dataTransfer.files.length) this.add([...event.dataTransfer.files]);
    });
  }

  add(files) {
    let { team, folderId } = this.target();
    const preferred = uploadDestination();
    if (!team && !folderId && preferred) folderId = preferred.folderId;
    const duplicate = this.duplicate.value;
    for (const file of files) {
      const bar = h("progress", { max: 1, value: 0, "aria-label": `Upload of ${file.name}` });
      const state = h("span.state", {}, "waiting");
      const row = h("li", { dataset: { name: file.name } }, h("span.name", {}, file.name),
        h("small", {}, formatBytes(file.size)), bar, state);
      this.list.prepend(row);
      const job = { file, team, folderId, duplicate, bar, state, row, done: false, failed: false };
      this.jobs.push(job);
      if (!EXTENSIONS.test(file.name)) {
        this.finish(job, false, "not a photo or video");
        continue;
      }
      this.queue.push(job);
    }
    this.panel.hidden = false;
    this.update();
    this.run();
  }

  finish(job, ok, text) {
    job.done = true;
    job.failed = !ok;
    job.state.textContent = text;
    job.row.classList.add(ok ? "ok" : "failed");
    if (ok) job.bar.value = 1;
  }

  update() {
    const { jobs } = this;
    const done = jobs.filter((j) => j.done).length;
    const failed = jobs.filter((j) => j.failed).length;
    const progress = jobs.reduce((n, j) => n + (j.done ? 1 : j.bar.value), 0);
    this.overall.max = Math.max(jobs.length, 1);
    this.overall.value = progress;
    this.summary.textContent = ` ${done} of ${jobs.length} done${failed ? `, ${failed} failed` : ""}`;
  }

  async run() {
    if (this.running) return;
    this.running = true;
    let stored = 0;
    while (this.queue.length) {
      const job = this.queue.shift();
      job.state.textContent = "uploading";
      const fields = { name: JSON.stringify(job.file.name), duplicate: job.duplicate,
        mtime: String(job.file.lastModified || Date.now()) };
      let method = "upload";
      if (job.folderId) {
        method = "upload_to_folder";
        fields.target_folder_id = String(job.folderId);
      } else {
        fields.uploadDestination = "timeline";
      }
      try {
        const progress = (f) => {
          job.bar.value = Math.min(f, 0.99);
          this.update();
        };
        const answer = job.file.size > 0 && await hasResumable()
          ? await this.resumable(job, method, fields, progress)
          : await upload(spaceApi(job.team, "Upload.Item"), method, fields, job.file, progress);
        this.finish(job, true, outcome(answer));
        job.row.dataset.action = answer.action || "upload";
        if (answer.action !== "ignore") stored += 1;
      } catch (error) {
        const why = { 105: "no permission", 120: "refused: bad name or too large" }[error.code]
          || (error.data && error.data.errors && error.data.errors.reason) || error.message;
        this.finish(job, false, `failed: ${why}`);
      }
      this.update();
    }
    this.running = false;
    if (stored) this.onDone();
  }

  // One file through Upload.Resumable: create, then chunks at the server's offset. A chunk whose
  // connection failed is sent again from the offset the server reports (`status`).
  async resumable(job, method, fields, progress) {
    const api = spaceApi(job.team, "Upload.Resumable");
    const size = job.file.size;
    const chunk = Number(localStorage.getItem("shoebox.uploadChunkBytes")) || CHUNK;
    const created = await call(api, "create", 1, { ...fields, size, target: method });
    const id = created.upload_id;
    let offset = created.offset;
    let failures = 0;
    for (;;) {
      const end = Math.min(offset + chunk, size);
      const part = offset < size ? job.file.slice(offset, end) : null;
      const from = offset;
      try {
        const answer = await upload(api, "append", { upload_id: id, offset: String(from) }, part,
          (f) => progress((from + f * (end - from)) / size),
          { name: job.file.name, query: { upload_id: id, offset: String(from) } });
        if (answer.action) return answer; // the last chunk: stored
        offset = answer.offset;
        failures = 0;
        progress(offset / size);
      } catch (error) {
        const serverOffset = error instanceof ApiError && error.data && error.data.errors
          && error.data.errors.offset;
        if (error instanceof ApiError && typeof serverOffset !== "number") throw error;
        failures += 1;
        if (failures > RETRIES) throw error;
        job.state.textContent = `connection lost at ${formatBytes(from)}: resuming…`;
        await pause(Math.min(500 * 2 ** (failures - 1), 8000));
        offset = typeof serverOffset === "number" ? serverOffset
          : (await call(api, "status", 1, { upload_id: id })).offset;
        job.resumed = (job.resumed || 0) + 1;
        job.row.dataset.resumedAt = String(offset);
        job.state.textContent = `resuming from ${formatBytes(offset)}`;
      }
    }
  }
}
