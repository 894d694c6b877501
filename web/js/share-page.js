// The share view of an album link (docs/protocol-choices.md "Sharing"): a guest signs in with
// the link (and its password, if it has one); a signed-in member's own session works too.
// The page (web/share.html) is public: it calls through the portal's api.js, without the
// SynoToken except where a signed-in member adds photos.

import { call, url, upload, token, entryBeside } from "./lib/api.js";

const passphrase = decodeURIComponent(location.pathname.replace(/\/+$/, "").split("/").pop());
entryBeside(location.pathname);
const status = document.getElementById("status");
// Album links are read through SYNO.Foto.*, Shared Space folder links through SYNO.FotoTeam.*.
let space = "SYNO.Foto";

// A guest's call: the link's cookie, no SynoToken. Resolves to the answer as the server gave it
// ({ success, data } or { success: false, error }).
function guestCall(api, method, version, params) {
  return call(api, method, version, params, { quiet: true, withToken: false })
    .then((data) => ({ success: true, data }), (e) => ({ success: false, error: e.data || { code: e.code ?? e.message } }));
}

function login(password) {
  return guestCall("SYNO.Core.Sharing.Login", "login", 1, { sharing_id: passphrase, password });
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

function showPhoto(index) {
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
document.getElementById("prev").addEventListener("click", () => showPhoto(current - 1));
document.getElementById("next").addEventListener("click", () => showPhoto(current + 1));
document.getElementById("viewer-close").addEventListener("click", () => viewer.close());
viewer.addEventListener("keydown", (event) => {
  if (event.key === "ArrowLeft") showPhoto(current - 1);
  if (event.key === "ArrowRight") showPhoto(current + 1);
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
  const list = await guestCall(space + ".Browse.Item", "list", 1, {
    offset: "0", limit: "500", passphrase: JSON.stringify(passphrase), additional: ["thumbnail"],
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
    open.addEventListener("click", () => showPhoto(index));
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
async function offerUpload() {
  if (!token() || space !== "SYNO.Foto") return;
  let album;
  try {
    album = await call("SYNO.Foto.Browse.Album", "get", 2, { passphrase: JSON.stringify(passphrase) }, { quiet: true });
  } catch {
    return;
  }
  if (!album.list.length) return;
  const albumId = album.list[0].id;
  const form = document.getElementById("add");
  form.hidden = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const files = Array.from(form.files.files);
    let sent = 0;
    for (const file of files) {
      status.textContent = `Adding ${file.name} (${sent + 1} of ${files.length})…`;
      try {
        await upload("SYNO.Foto.Upload.Item", "upload", {
          name: JSON.stringify(file.name), uploadDestination: "timeline", duplicate: "rename",
          album_id: String(albumId), passphrase: JSON.stringify(passphrase),
        }, file);
      } catch (e) {
        status.textContent = e.code === 105
          ? "Only Providers and Managers of this album may add photos."
          : `${file.name} was not added (error ${e.code || e.message}).`;
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
