// The share dialog of an album: turn its link on, choose who may open it (invited only, anyone
// with the link to view, or to view and download), a password and an expiry date; or end it.
// SYNO.Foto.Sharing.Passphrase set_shared / update / get (docs/protocol-choices.md "Sharing").

import { call } from "./api.js";
import { h, dialog, toast } from "./dom.js";

const API = "SYNO.Foto.Sharing.Passphrase";

export function shareLink(passphrase) {
  return `${location.origin}/mo/sharing/${encodeURIComponent(passphrase)}`;
}

function dateInputValue(seconds) {
  if (!seconds) return "";
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

// Shares a selection of one's own photos: the server makes an album of them ("Shared on
// YYYY-MM-DD") and its link (set_shared policy=item); then the album's share dialog opens.
export async function shareItems(items) {
  let made;
  try {
    made = await call(API, "set_shared", 1, { policy: "item", item_id: items.map((i) => i.id) });
  } catch (error) {
    toast(error.code === 642 ? "Only photos of your own Personal Space can be shared this way."
      : `The photos cannot be shared (error ${error.code}).`, "error");
    return null;
  }
  const { list } = await call("SYNO.Foto.Browse.Album", "get", 2, { id: [made.album_id] });
  const album = list[0] || { id: made.album_id, name: "Shared photos" };
  await openShareDialog(album);
  return album;
}

export async function openShareDialog(album) {
  let info;
  try {
    info = await call(API, "set_shared", 1, { album_id: album.id, policy: "album", enabled: true });
  } catch (error) {
    toast(`The album cannot be shared (error ${error.code}).`, "error");
    return null;
  }
  return dialog(`Share “${album.name}”`, (close) => {
    const link = h("input.link", { readonly: true, value: shareLink(info.passphrase), "aria-label": "Share link" });
    const privacy = h("select", { name: "privacy" },
      h("option", { value: "private" }, "Private: only invited users"),
      h("option", { value: "public-view" }, "Public: anyone with the link can view"),
      h("option", { value: "public-download" }, "Public: anyone with the link can view and download"));
    privacy.value = info.privacy_type;
    const usePassword = h("input", { type: "checkbox", name: "use_password", checked: info.enable_password });
    const password = h("input", { type: "password", name: "password", autocomplete: "new-password",
      placeholder: info.enable_password ? "(unchanged)" : "", maxlength: 256 });
    const expires = h("input", { type: "date", name: "expiration", value: dateInputValue(info.expiration) });
    const status = h("p.status", { role: "status" });

    const save = async (event) => {
      event.preventDefault();
      const params = { passphrase: JSON.stringify(info.passphrase) };
      const role = { "public-view": "view", "public-download": "download" }[privacy.value];
      params.permission = role
        ? [{ action: "update", role, member: { type: "public" } }]
        : [{ action: "delete", role: "view", member: { type: "public" } }];
      if (!usePassword.checked) params.password = JSON.stringify("");
      else if (password.value) params.password = JSON.stringify(password.value);
      else if (!info.enable_password) {
        status.textContent = "Type a password, or untick “Protect with a password”.";
        return;
      }
      params.expiration = expires.value ? Math.floor(Date.parse(`${expires.value}T23:59:59Z`) / 1000) : 0;
      try {
        await call(API, "update", 1, params);
        info = await call(API, "get", 1, { passphrase: JSON.stringify(info.passphrase) });
        status.textContent = info.is_public ? "Saved. Anyone with the link can open it." : "Saved. The link is private.";
        password.value = "";
        password.placeholder = info.enable_password ? "(unchanged)" : "";
      } catch (error) {
        status.textContent = error.code === 120 ? "That expiry date is in the past." : `Not saved (error ${error.code}).`;
      }
    };

    return h("form.share-form", { onsubmit: save },
      h("label", {}, "Link", h("div.row", {}, link,
        h("button.secondary", { type: "button", onclick: async () => {
          link.select();
          try {
            await navigator.clipboard.writeText(link.value);
            status.textContent = "Link copied.";
          } catch {
            status.textContent = "Select the link and copy it.";
          }
        } }, "Copy"))),
      h("label", {}, "Who can open it", privacy),
      h("label.check-row", {}, usePassword, "Protect with a password"),
      h("label", {}, "Password", password),
      h("label", {}, "Expires (leave empty for never)", expires),
      status,
      h("div.actions", {},
        h("button.danger", { type: "button", onclick: async () => {
          await call(API, "set_shared", 1, { album_id: album.id, policy: "album", enabled: false });
          toast("The link is turned off.");
          close(null);
        } }, "Stop sharing"),
        h("span.spacer"),
        h("button.secondary", { type: "button", onclick: () => close(info) }, "Close"),
        h("button", { type: "submit" }, "Save")));
  });
}
