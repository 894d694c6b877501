// The public page of a Photo Request (docs/protocol-choices.md "Photo Requests"): no account,
// the link's passphrase is the last part of the address. The page (web/request.html) calls
// through the portal's api.js, without the SynoToken.

import { upload, entryBeside } from "./lib/api.js";

const passphrase = decodeURIComponent(location.pathname.replace(/\/+$/, "").split("/").pop());
entryBeside(location.pathname);
const status = document.getElementById("status");
// The request's password, when it has one: asked for once, sent with every call.
let password = "";
const WRONG_PASSWORD = 400;
const BLOCKED = 407; // too many wrong passwords from this address, for a while

// A call of SYNO.Foto.Upload.PhotoRequestItem as a form (with the file, when there is one).
// Resolves to the answer as the server gave it ({ success, data } or { success: false, error }).
function requestCall(method, fields, file) {
  const form = { passphrase: JSON.stringify(passphrase) };
  if (password) form.password = JSON.stringify(password);
  Object.assign(form, fields);
  // The link in the address too: the server then holds the upload to what the link still
  // takes while reading it.
  return upload("SYNO.Foto.Upload.PhotoRequestItem", method, form, file, null,
    { query: { passphrase: form.passphrase }, withToken: false })
    .then((data) => ({ success: true, data }), (e) => ({ success: false, error: e.data || { code: e.code ?? e.message } }));
}

async function start() {
  const info = await requestCall("get_info", {});
  if (!info.success && info.error.code === WRONG_PASSWORD) {
    document.getElementById("subject").textContent = "This request has a password";
    status.textContent = password ? "That is not the password." : "Enter the password you were given with the link.";
    document.getElementById("unlock").hidden = false;
    return;
  }
  if (!info.success && info.error.code === BLOCKED) {
    status.textContent = "Too many wrong passwords from this address: try again in a few minutes.";
    return;
  }
  document.getElementById("unlock").hidden = true;
  if (!info.success) {
    document.getElementById("subject").textContent = "This request is closed";
    status.textContent = "The link is not valid any more. Ask the sender for a new one.";
    return;
  }
  document.getElementById("subject").textContent = info.data.subject;
  document.getElementById("description").textContent = info.data.description;
  document.getElementById("from").textContent = "Requested by " + info.data.owner;
  document.getElementById("send").hidden = false;
}

document.getElementById("unlock").addEventListener("submit", (event) => {
  event.preventDefault();
  password = event.target.password.value;
  status.textContent = "";
  start();
});

document.getElementById("send").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const sender = form.sender.value.trim();
  const files = Array.from(form.files.files);
  let sent = 0;
  for (const file of files) {
    status.textContent = `Sending ${file.name} (${sent + 1} of ${files.length})…`;
    const answer = await requestCall("upload", { sender, name: JSON.stringify(file.name) }, file);
    if (!answer.success) {
      const reason = (answer.error && answer.error.errors && answer.error.errors.reason) || "";
      status.textContent = `${file.name} was not accepted (error ${answer.error.code}). ${reason}`;
      return;
    }
    sent += 1;
  }
  status.textContent = `Thank you: ${sent} file${sent === 1 ? "" : "s"} sent.`;
  form.reset();
});

start();
