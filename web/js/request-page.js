"use strict";
// The public page of a Photo Request (docs/protocol-choices.md "Photo Requests"): no account,
// the link's passphrase is the last part of the address.
const passphrase = decodeURIComponent(location.pathname.replace(/\/+$/, "").split("/").pop());
const api = location.pathname.startsWith("/photo/") ? "/photo/webapi/entry.cgi" : "/webapi/entry.cgi";
const status = document.getElementById("status");
// The request's password, when it has one: asked for once, sent with every call.
let password = "";
const WRONG_PASSWORD = 400;
const BLOCKED = 407; // too many wrong passwords from this address, for a while

async function call(method, fields, file) {
  const body = new FormData();
  body.append("api", "SYNO.Foto.Upload.PhotoRequestItem");
  body.append("method", method);
  body.append("version", "1");
  body.append("passphrase", JSON.stringify(passphrase));
  if (password) body.append("password", JSON.stringify(password));
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  if (file) body.append("file", file, file.name);
  // The link in the address too: the server then holds the upload to what the link still
  // takes while reading it.
  const address = `${api}?api=SYNO.Foto.Upload.PhotoRequestItem&method=${encodeURIComponent(method)}`
    + `&passphrase=${encodeURIComponent(JSON.stringify(passphrase))}`;
  const response = await fetch(address, { method: "POST", body });
  return response.json();
}

async function start() {
  const info = await call("get_info", {});
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
    const answer = await call("upload", { sender, name: JSON.stringify(file.name) }, file);
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
