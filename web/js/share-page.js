"use strict";
// The share view of an album link (docs/protocol-choices.md "Sharing"): a guest signs in with
// the link (and its password, if it has one); a signed-in member's own session works too.
const passphrase = decodeURIComponent(location.pathname.replace(/\/+$/, "").split("/").pop());
const base = location.pathname.startsWith("/photo/") ? "/photo/webapi/entry.cgi" : "/webapi/entry.cgi";
const status = document.getElementById("status");
// Album links are read through SYNO.Foto.*, Shared Space folder links through SYNO.FotoTeam.*.
let space = "SYNO.Foto";

async function post(fields, headers = {}) {
  const body = new URLSearchParams(fields);
  const response = await fetch(base, { method: "POST", body, headers, credentials: "same-origin" });
  return response.json();
}

function url(fields) {
  return base + "?" + new URLSearchParams(fields).toString();
}

async function login(password) {
  const fields = { api: "SYNO.Core.Sharing.Login", method: "login", version: "1", sharing_id: passphrase };
  if (password !== undefined) fields.password = password;
  return post(fields);
}

// The items, each opening the viewer; with downloads allowed, a check box each, "Download all"
// and "Download selected" (a zip of several: Download with a list of ids).
let items = [];
let canDownload = false;
let current = 0;
const viewer = document.getElementById("viewer");

function downloadUrl(ids) {
  return url({ api: space + ".Download", method: "download", version: "2",
               unit_id: JSON.stringify(ids), passphrase: JSON.stringify(passphrase) });
}

function thumb(item, size) {
  return url({ api: space + ".Thumbnail", method: "get", version: "2", id: String(item.id),
               size, _sharing_id: passphrase });
}

function openViewer(index) {
  current = (index + items.length) % items.length;
  const item = items[current];
  document.getElementById("viewer-img").src = thumb(item, "xl");
  document.getElementById("viewer-img").alt = item.filename;
  document.getElementById("viewer-name").textContent = `${item.filename} (${current + 1} of ${items.length})`;
  const link = document.getElementById("viewer-download");
  link.hidden = !canDownload;
  link.href = downloadUrl([item.id]);
  if (!viewer.open) viewer.showModal();
}
document.getElementById("prev").addEventListener("click", () => openViewer(current - 1));
document.getElementById("next").addEventListener("click", () => openViewer(current + 1));
document.getElementById("viewer-close").addEventListener("click", () => viewer.close());
viewer.addEventListener("keydown", (event) => {
  if (event.key === "ArrowLeft") openViewer(current - 1);
  if (event.key === "ArrowRight") openViewer(current + 1);
});

function selected() {
  return Array.from(document.querySelectorAll("#items input[type=checkbox]:checked")).map((b) => Number(b.value));
}

document.getElementById("download-selected").addEventListener("click", () => {
  const ids = selected();
  if (!ids.length) return;
  const a = document.createElement("a");
  a.href = downloadUrl(ids);
  a.download = "";
  document.body.append(a);
  a.click();
  a.remove();
});

async function show(downloads) {
  const list = await post({
    api: space + ".Browse.Item", method: "list", version: "1", offset: "0", limit: "500",
    passphrase: JSON.stringify(passphrase), additional: JSON.stringify(["thumbnail"]),
  });
  if (!list.success) {
    status.textContent = "This album is not available. The link may have expired or been turned off.";
    return;
  }
  items = list.data.list;
  canDownload = downloads;
  status.textContent = `${items.length} item${items.length === 1 ? "" : "s"}`;
  const grid = document.getElementById("items");
  grid.replaceChildren();
  document.getElementById("actions").hidden = !downloads || !items.length;
  document.getElementById("download-all").href = downloadUrl(items.map((i) => i.id));
  const selectedButton = document.getElementById("download-selected");
  items.forEach((item, index) => {
    const figure = document.createElement("figure");
    const open = document.createElement("button");
    open.type = "button";
    open.className = "open";
    open.setAttribute("aria-label", `Open ${item.filename}`);
    open.addEventListener("click", () => openViewer(index));
    const img = document.createElement("img");
    img.loading = "lazy";
    img.alt = item.filename;
    img.src = thumb(item, "sm");
    open.append(img);
    const caption = document.createElement("figcaption");
    if (downloads) {
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = String(item.id);
      box.setAttribute("aria-label", `Select ${item.filename}`);
      box.addEventListener("change", () => {
        const n = selected().length;
        selectedButton.disabled = !n;
        selectedButton.textContent = n ? `Download selected (${n})` : "Download selected";
      });
      const a = document.createElement("a");
      a.href = downloadUrl([item.id]);
      a.textContent = item.filename;
      caption.append(box, a);
    } else {
      caption.textContent = item.filename;
    }
    figure.append(open, caption);
    grid.append(figure);
  });
}

// A signed-in member (opening a private link with their own session) who is a Provider or a
// Manager adds their photos: Upload.Item upload with the album and the link (docs "Sharing",
// roles); they go to the member's own timeline and join the album.
const token = localStorage.getItem("shoebox.synotoken") || "";
async function offerUpload() {
  if (!token || space !== "SYNO.Foto") return;
  const album = await post({ api: "SYNO.Foto.Browse.Album", method: "get", version: "2",
    passphrase: JSON.stringify(passphrase) }, { "X-SYNO-TOKEN": token });
  if (!album.success || !album.data.list.length) return;
  const albumId = album.data.list[0].id;
  const form = document.getElementById("add");
  form.hidden = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const files = Array.from(form.files.files);
    let sent = 0;
    for (const file of files) {
      status.textContent = `Adding ${file.name} (${sent + 1} of ${files.length})…`;
      const body = new FormData();
      for (const [k, v] of Object.entries({ api: "SYNO.Foto.Upload.Item", method: "upload", version: "1",
        name: JSON.stringify(file.name), uploadDestination: "timeline", duplicate: "rename",
        album_id: String(albumId), passphrase: JSON.stringify(passphrase) })) body.append(k, v);
      body.append("file", file, file.name);
      const response = await fetch(base, { method: "POST", body, headers: { "X-SYNO-TOKEN": token } });
      const answer = await response.json();
      if (!answer.success) {
        status.textContent = answer.error.code === 105
          ? "Only Providers and Managers of this album may add photos."
          : `${file.name} was not added (error ${answer.error.code}).`;
        return;
      }
      sent += 1;
    }
    form.reset();
    await show(canDownload);
    status.textContent = `Added ${sent} file${sent === 1 ? "" : "s"}. ` + status.textContent;
  });
}

document.getElementById("password").addEventListener("submit", async (event) => {
  event.preventDefault();
  const answer = await login(event.target.password.value);
  if (!answer.success) {
    status.textContent = "That password is not right.";
    return;
  }
  event.target.hidden = true;
  if (answer.data.policy === "folder") space = "SYNO.FotoTeam";
  document.getElementById("title").textContent = answer.data.album_name || "Shared album";
  await show(answer.data.privacy_type === "public-download");
  offerUpload();
});

(async () => {
  const answer = await login();
  if (answer.success) {
    if (answer.data.policy === "folder") space = "SYNO.FotoTeam";
    document.getElementById("title").textContent = answer.data.album_name || "Shared album";
    await show(answer.data.privacy_type === "public-download");
    return offerUpload();
  }
  if (answer.error && answer.error.code === 400) {
    document.getElementById("password").hidden = false;
    return;
  }
  // Not a public link: a signed-in member may still see it.
  await show(true);
  offerUpload();
})();
