// Share dialogs: an album's link (SYNO.Foto.Sharing.Passphrase) or a Shared Space folder's
// (SYNO.FotoTeam.Sharing.Passphrase, policy folder): turn the link on, choose who may open it
// (invited only, anyone with the link to view, or to view and download), a password, an expiry
// date, the invited users and groups with their roles; or end it. docs/protocol-choices.md
// "Sharing": set_shared / update / get, Sharing.Misc list_user_group.

import { call } from "./api.js";
import { h, dialog, toast } from "./dom.js";

export const ROLES = [
  ["view", "Viewer"],
  ["download", "Downloader"],
  ["upload", "Provider"],
  ["manage", "Manager"],
];

export function shareLink(passphrase) {
  return `${location.origin}/mo/sharing/${encodeURIComponent(passphrase)}`;
}

function dateInputValue(seconds) {
  if (!seconds) return "";
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

function roleSelect(label, roles, value) {
  const select = h("select", { "aria-label": label },
    roles.map(([role, name]) => h("option", { value: role }, name)));
  if (value) select.value = value;
  return select;
}

// The invitees of a link: each with a role to change, or to remove; a user or group to add.
function inviteesSection(api, getInfo, setInfo, status, roles) {
  const list = h("ul.invitees", { "aria-label": "Invited" });
  const candidates = h("select", { "aria-label": "Invite" });
  const newRole = roleSelect("Role for the invitee", roles, "view");
  let everyone = [];

  const apply = async (entries, done) => {
    const info = getInfo();
    try {
      await call(api, "update", 1, { passphrase: JSON.stringify(info.passphrase), permission: entries });
      setInfo(await call(api, "get", 1, { passphrase: JSON.stringify(info.passphrase) }));
      status.textContent = done;
      render();
    } catch (error) {
      status.textContent = error.code === 642 ? "That user or group no longer exists."
        : `Not changed (error ${error.code}).`;
    }
  };

  const render = () => {
    const invited = (getInfo().permission || []).filter((p) => p.type === "user" || p.type === "group");
    list.replaceChildren(...invited.map((p) => {
      const who = `${p.name}${p.type === "group" ? " (group)" : ""}`;
      const role = roleSelect(`Role of ${p.name}`, roles, p.role);
      role.addEventListener("change", () => apply(
        [{ action: "update", role: role.value, member: { type: p.type, id: p.id } }], `${p.name} is now a ${role.selectedOptions[0].textContent}.`));
      return h("li", { dataset: { type: p.type, id: String(p.id) } }, h("span.invitee", {}, who), role,
        h("button.secondary", { type: "button", "aria-label": `Remove ${p.name}`, onclick: () => apply(
          [{ action: "delete", role: p.role, member: { type: p.type, id: p.id } }], `${p.name} is no longer invited.`) }, "Remove"));
    }));
    if (!invited.length) list.append(h("li.muted", {}, "Nobody is invited yet."));
    const taken = new Set(invited.map((p) => `${p.type}:${p.id}`));
    candidates.replaceChildren(h("option", { value: "" }, "Choose a user or group…"),
      ...everyone.filter((m) => !taken.has(`${m.type}:${m.id}`)).map((m) => h("option",
        { value: `${m.type}:${m.id}` }, m.type === "group" ? `${m.name} (group)` : m.name)));
  };

  call("SYNO.Foto.Sharing.Misc", "list_user_group", 1).then((data) => {
    everyone = data.list || [];
    render();
  }).catch((error) => {
    status.textContent = `Users and groups could not be listed (error ${error.code}).`;
  });
  render();

  return h("fieldset.invitees-box", {}, h("legend", {}, "Invited users and groups"), list,
    h("div.row", {}, candidates, newRole, h("button", { type: "button", onclick: () => {
      if (!candidates.value) {
        status.textContent = "Choose whom to invite.";
        return;
      }
      const [type, id] = candidates.value.split(":");
      const name = candidates.selectedOptions[0].textContent;
      apply([{ action: "update", role: newRole.value, member: { type, id: Number(id) } }], `${name} is invited.`);
    } }, "Invite")));
}

const API = "SYNO.Foto.Sharing.Passphrase";

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
  return openLinkDialog({
    title: `Share “${album.name}”`, api: API,
    target: { album_id: album.id, policy: "album" }, roles: ROLES,
  });
}

// A Shared Space folder's link: members and guests may view (and download); nothing can be
// added through a folder link, so only those two roles are offered.
export async function openFolderShareDialog(folder, name) {
  return openLinkDialog({
    title: `Share the folder “${name}”`, api: "SYNO.FotoTeam.Sharing.Passphrase",
    target: { folder_id: folder.id, policy: "folder" }, roles: ROLES.slice(0, 2),
  });
}

async function openLinkDialog({ title, api, target, roles }) {
  let info;
  try {
    info = await call(api, "set_shared", 1, { ...target, enabled: true });
  } catch (error) {
    toast(error.code === 105 ? "You may not share this." : `This cannot be shared (error ${error.code}).`, "error");
    return null;
  }
  return dialog(title, (close) => {
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
        await call(api, "update", 1, params);
        info = await call(api, "get", 1, { passphrase: JSON.stringify(info.passphrase) });
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
      inviteesSection(api, () => info, (next) => { info = next; }, status, roles),
      status,
      h("div.actions", {},
        h("button.danger", { type: "button", onclick: async () => {
          await call(api, "set_shared", 1, { ...target, enabled: false });
          toast("The link is turned off.");
          close(null);
        } }, "Stop sharing"),
        h("span.spacer"),
        h("button.secondary", { type: "button", onclick: () => close(info) }, "Close"),
        h("button", { type: "submit" }, "Save")));
  });
}
