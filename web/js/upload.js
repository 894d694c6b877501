// Uploading by the file picker or by dropping files on the window, one file at a time, each with
// its own progress bar and an overall one (SYNO.Foto.Upload.Item, docs "Upload": `upload` to the
// timeline, or `upload_to_folder` into the folder on screen; a taken name is renamed).

import { upload, spaceApi } from "./api.js";
import { h, formatBytes } from "./dom.js";

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
    this.panel = h("section.upload-panel", { "aria-label": "Uploads", hidden: true },
      h("header", {}, h("strong", {}, "Uploads"), this.summary, h("span.spacer"),
        h("button.secondary", { type: "button", "aria-label": "Close uploads",
          onclick: () => { this.panel.hidden = true; } }, "✕")),
      this.overall, this.list);
    this.picker = h("input", { type: "file", multiple: true, hidden: true, accept: "image/*,video/*",
      onchange: () => {
        this.add([...this.picker.files]);
        this.picker.value = "";
      } });
  }

  pick() {
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
    const { team, folderId } = this.target();
    for (const file of files) {
      const bar = h("progress", { max: 1, value: 0, "aria-label": `Upload of ${file.name}` });
      const state = h("span.state", {}, "waiting");
      const row = h("li", { dataset: { name: file.name } }, h("span.name", {}, file.name),
        h("small", {}, formatBytes(file.size)), bar, state);
      this.list.prepend(row);
      const job = { file, team, folderId, bar, state, row, done: false, failed: false };
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
      const fields = { name: JSON.stringify(job.file.name), duplicate: "rename",
        mtime: String(job.file.lastModified || Date.now()) };
      let method = "upload";
      if (job.folderId) {
        method = "upload_to_folder";
        fields.target_folder_id = String(job.folderId);
      } else {
        fields.uploadDestination = "timeline";
      }
      try {
        const answer = await upload(spaceApi(job.team, "Upload.Item"), method, fields, job.file, (f) => {
          job.bar.value = Math.min(f, 0.99);
          this.update();
        });
        this.finish(job, true, answer.action === "rename" ? `stored as ${answer.name}` : "done");
        stored += 1;
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
}
