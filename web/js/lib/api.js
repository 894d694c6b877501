// The one way the portal and its public pages (share.html, request.html) talk to the server: the
// Synology Photos web API at entry.cgi.
// The session lives in the HttpOnly `id` cookie; the SynoToken (kept in localStorage, so that a
// reload or a new tab keeps the session) guards every call as the X-SYNO-TOKEN header. URLs that
// stand alone (<img>, <video>, a download link) are reads the cookie alone authenticates: the
// token never goes in a URL, where history, logs and Referer headers would keep it.
// The public pages need no session: a guest calls with a link's passphrase (and the guest cookie
// `Core.Sharing.Login` gives), and their calls go without the token (`withToken: false`).

let ENTRY = "/webapi/entry.cgi";

// A public page calls the entry beside its own address: `/photo/webapi/entry.cgi` when it was
// opened under DSM's `/photo/` alias (`/photo/mo/sharing/<p>`). The portal keeps the default.
export function entryBeside(pathname) {
  ENTRY = pathname.startsWith("/photo/") ? "/photo/webapi/entry.cgi" : "/webapi/entry.cgi";
}
const TOKEN_KEY = "shoebox.synotoken";

export class ApiError extends Error {
  constructor(code, data) {
    super(`API error ${code}`);
    this.code = code;
    this.data = data;
  }
}

export function token() {
  return localStorage.getItem(TOKEN_KEY) || "";
}

export function setToken(value) {
  if (value) localStorage.setItem(TOKEN_KEY, value);
  else localStorage.removeItem(TOKEN_KEY);
}

// Values that are not strings are sent as JSON literals (the SYNO.Foto APIs' request format):
// numbers, booleans, lists and objects.
function encodeParams(params) {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    body.append(key, typeof value === "string" ? value : JSON.stringify(value));
  }
  return body;
}

// A shared album opened by a member ("Shared with me"): its link goes with every read of the
// album's items (docs "Sharing": Browse.Item, Browse.Album get, Thumbnail, Download, Streaming and
// NormalAlbum take it as `passphrase`). main.js sets it for that page and clears it on every route.
let sharing = "";
const THROUGH_LINK = /^SYNO\.Foto\.(Browse\.Item|Browse\.Album|Browse\.NormalAlbum|Thumbnail|Download|Streaming)$/;
export function setSharing(passphrase) {
  sharing = passphrase || "";
}
function withSharing(params) {
  if (!sharing || !THROUGH_LINK.test(params.api) || params.passphrase !== undefined) return params;
  return { ...params, passphrase: JSON.stringify(sharing) };
}

let onSessionLost = () => {};
export function whenSessionLost(callback) {
  onSessionLost = callback;
}

// Calls `api`/`method` and resolves to `data`; rejects with ApiError on `success: false`.
// `quiet`: a lost session (119) is not reported to whenSessionLost's callback; `withToken: false`:
// no SynoToken header, the cookie alone (a public page's guest calls).
export async function call(api, method, version, params = {}, { quiet = false, withToken = true } = {}) {
  const body = encodeParams(withSharing({ api, method, version: String(version), ...params }));
  const headers = withToken && token() ? { "X-SYNO-TOKEN": token() } : {};
  const response = await fetch(ENTRY, { method: "POST", body, headers, credentials: "same-origin" });
  let answer;
  try {
    answer = await response.json();
  } catch {
    throw new ApiError(response.status === 413 ? 120 : 100, null);
  }
  if (!answer.success) {
    const code = answer.error ? answer.error.code : 100;
    if (code === 119 && !quiet) onSessionLost();
    throw new ApiError(code, answer.error);
  }
  return answer.data === undefined ? {} : answer.data;
}

// A URL for a GET the browser makes by itself (an image, a video, a download): no token in it.
export function url(params) {
  const query = encodeParams(withSharing(params));
  return `${ENTRY}?${query}`;
}

// The space prefix of an API: the Personal Space (SYNO.Foto) or the Shared Space (SYNO.FotoTeam).
export function spaceApi(team, name) {
  return `${team ? "SYNO.FotoTeam" : "SYNO.Foto"}.${name}`;
}

export function thumbnailUrl(item, size = "m", team = false) {
  const thumb = (item.additional && item.additional.thumbnail) || {};
  return url({
    api: spaceApi(team, "Thumbnail"), method: "get", version: "2", type: "unit", size,
    id: String(thumb.unit_id || item.id), cache_key: thumb.cache_key || undefined,
  });
}

// Uploads one file (or a chunk of one: a Blob, named by `name`) with XMLHttpRequest so that its
// progress can be shown. `onProgress` (if any) gets a fraction 0..1; `query` fields go in the
// address too (the server merges them with the body); `withToken` as for `call`. Resolves to the
// answer's data, rejects with ApiError, or Error when the connection failed.
export function upload(api, method, fields, file, onProgress, { name, query, withToken = true } = {}) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    form.append("api", api);
    form.append("method", method);
    form.append("version", "1");
    for (const [key, value] of Object.entries(fields)) {
      form.append(key, typeof value === "string" ? value : JSON.stringify(value));
    }
    if (file) form.append("file", file, name || file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", query ? `${ENTRY}?${encodeParams({ api, method, ...query })}` : ENTRY);
    if (withToken && token()) xhr.setRequestHeader("X-SYNO-TOKEN", token());
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      let answer = null;
      try {
        answer = JSON.parse(xhr.responseText);
      } catch {
        reject(new ApiError(xhr.status === 413 ? 120 : 100, null));
        return;
      }
      if (answer.success) resolve(answer.data);
      else reject(new ApiError(answer.error ? answer.error.code : 100, answer.error));
    });
    xhr.addEventListener("error", () => reject(new Error("the connection failed")));
    xhr.addEventListener("abort", () => reject(new Error("cancelled")));
    xhr.send(form);
  });
}
