// The portal speaks the same Synology Photos web API as every other client (/webapi/entry.cgi).
// The session lives in the HttpOnly `id` cookie; the SynoToken, kept for this tab, guards calls.
"use strict";

const MESSAGES = {
  400: "Wrong account or password.",
  401: "This account is disabled.",
  407: "Too many failed attempts from this address. Try again later.",
};

async function api(params, method = "GET") {
  const body = new URLSearchParams(params);
  const token = sessionStorage.getItem("synotoken");
  const headers = token ? { "X-SYNO-TOKEN": token } : {};
  const response = method === "GET"
    ? await fetch(`/webapi/entry.cgi?${body}`, { headers, credentials: "same-origin" })
    : await fetch("/webapi/entry.cgi", { method, body, headers, credentials: "same-origin" });
  return response.json();
}

function show(id) {
  for (const el of ["signin", "home"]) document.getElementById(el).hidden = el !== id;
}

async function refresh() {
  const me = await api({ api: "SYNO.Foto.UserInfo", version: "1", method: "me" });
  if (me.success) {
    document.getElementById("who").textContent = me.data.name;
    show("home");
  } else {
    show("signin");
  }
}

document.getElementById("signin").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const result = await api({
    api: "SYNO.API.Auth", version: "7", method: "login", session: "webui",
    enable_syno_token: "yes", account: form.get("account"), passwd: form.get("passwd"),
  }, "POST");
  const error = document.getElementById("error");
  if (result.success) {
    sessionStorage.setItem("synotoken", result.data.synotoken);
    error.textContent = "";
    event.target.reset();
    await refresh();
  } else {
    error.textContent = MESSAGES[result.error.code] || `Sign-in failed (error ${result.error.code}).`;
  }
});

document.getElementById("signout").addEventListener("click", async () => {
  await api({ api: "SYNO.API.Auth", version: "7", method: "logout" });
  sessionStorage.removeItem("synotoken");
  show("signin");
});

refresh();
