// Sharing, Photo Requests, the administrator's settings and upload polish: invitees and roles,
// "Shared with me / with others", a Shared Space folder's link and permissions, Photo Request
// management, the Shared Space switch, duplicate handling and resumable uploads. Every effect is
// checked through the API; every wait is on a condition.
const { test, expect } = require("@playwright/test");
const { execFileSync } = require("node:child_process");
const path = require("node:path");

const { BASE, shots, api, ok, open, expectThumbnailsLoaded, signIn, signInAs } = require("./common.js");

const FRIEND = "bea";
const FRIEND_PASSWORD = "bea's long password";

function shoebox(...args) {
  const bin = process.env.SHOEBOX_SERVER_BIN || process.env.SHOEBOX_BIN;
  return execFileSync(bin, [...args, "--data", process.env.SHOEBOX_DATA],
    { input: `${FRIEND_PASSWORD}\n`, encoding: "utf8" });
}

// Picks `file` through the Upload button, with `policy` chosen first for a taken name.
async function uploadThroughPicker(page, file, policy) {
  const [chooser] = await Promise.all([
    page.waitForEvent("filechooser"),
    page.getByRole("button", { name: "Upload", exact: true }).click(),
  ]);
  const panel = page.getByRole("region", { name: "Uploads" });
  await panel.getByLabel("When a name is taken").selectOption(policy);
  await chooser.setFiles(file);
  return panel;
}

test.describe.serial("sharing, Photo Requests, settings and uploads", () => {
  let context;
  let page;
  let friendId;

  test.beforeAll(async ({ browser }) => {
    context = await browser.newContext({ baseURL: BASE() });
    page = await context.newPage();
    page.on("pageerror", (error) => console.log(`page error: ${error.message}`));
    await signIn(page);
    shoebox("user", "add", FRIEND, "--password-stdin");
    const { list } = await ok(page, { api: "SYNO.Foto.Sharing.Misc", version: "1", method: "list_user_group" });
    friendId = list.find((m) => m.type === "user" && m.name === FRIEND).id;
  });

  test.afterAll(async () => {
    await context.close();
  });

  test("an album shared with an invited viewer shows under Shared with me and Shared with others", async ({ browser }) => {
    const items = (await ok(page, { api: "SYNO.Foto.Browse.Item", version: "1", method: "list",
      offset: 0, limit: 3 })).list.map((i) => i.id);
    const { album } = await ok(page, { api: "SYNO.Foto.Browse.NormalAlbum", version: "1", method: "create",
      name: JSON.stringify("For Bea"), item: items });

    await open(page, `#/albums/${album.id}`);
    await page.getByRole("button", { name: "Share" }).click();
    const share = page.getByRole("dialog", { name: /Share/ });
    await share.getByLabel("Invite", { exact: true }).selectOption({ label: FRIEND });
    await share.getByLabel("Role for the invitee").selectOption("view");
    await share.getByRole("button", { name: "Invite", exact: true }).click();
    await expect(share.getByRole("status")).toHaveText(`${FRIEND} is invited.`);
    const passphrase = (await ok(page, { api: "SYNO.Foto.Browse.Album", version: "2", method: "get",
      id: [album.id] })).list[0].passphrase;
    const link = () => ok(page, { api: "SYNO.Foto.Sharing.Passphrase", version: "1", method: "get",
      passphrase: JSON.stringify(passphrase) });
    expect((await link()).permission).toEqual([{ type: "user", id: friendId, name: FRIEND, role: "view" }]);

    // Change the role, and back; the list shows the invitee with it.
    const role = share.getByLabel(`Role of ${FRIEND}`);
    await role.selectOption("download");
    await expect(share.getByRole("status")).toHaveText(`${FRIEND} is now a Downloader.`);
    expect((await link()).permission[0].role).toBe("download");
    await role.selectOption("view");
    await expect(share.getByRole("status")).toHaveText(`${FRIEND} is now a Viewer.`);
    expect((await link()).permission[0].role).toBe("view");
    await page.screenshot({ path: shots("20-share-invitees") });
    await share.getByRole("button", { name: "Close" }).click();

    await page.getByRole("link", { name: "Shared with others" }).click();
    const mine = page.getByRole("list", { name: "Shared albums" });
    await expect(mine.locator("li", { hasText: "For Bea" })).toContainText(FRIEND);
    await expect(mine.locator("li", { hasText: "For Bea" })).toContainText("Private");

    const friend = await browser.newContext({ baseURL: BASE() });
    try {
      const friendPage = await friend.newPage();
      await signInAs(friendPage, FRIEND, FRIEND_PASSWORD);
      await friendPage.getByRole("link", { name: "Shared with me" }).click();
      const card = friendPage.locator(".album-card", { hasText: "For Bea" });
      await expect(card).toContainText("3 items");
      await friendPage.screenshot({ path: shots("21-shared-with-me") });
      const listed = (await ok(friendPage, { api: "SYNO.Foto.Browse.Album", version: "2", method: "list",
        offset: 0, limit: 50, category: "shared_with_me" })).list.map((a) => a.id);
      expect(listed).toContain(album.id);
      await card.click();
      await expect(friendPage.getByRole("heading", { name: "For Bea" })).toBeVisible();
      await expectThumbnailsLoaded(friendPage, 3);
      await expect(friendPage.locator(".tile[data-loaded]")).toHaveCount(3);
      const shown = await friendPage.locator(".tile[data-loaded]").evaluateAll((els) => els.map((e) => Number(e.dataset.id)));
      expect(shown.sort()).toEqual([...items].sort());
    } finally {
      await friend.close();
    }

    // Removing the invitee takes the album away from them.
    await open(page, `#/albums/${album.id}`);
    await page.getByRole("button", { name: "Share" }).click();
    await share.getByRole("button", { name: `Remove ${FRIEND}` }).click();
    await expect(share.getByRole("status")).toHaveText(`${FRIEND} is no longer invited.`);
    expect((await link()).permission).toEqual([]);
    await share.getByRole("button", { name: "Close" }).click();
  });

  test("a Shared Space folder's link opens for a guest, and the admin sets the folder's permissions", async ({ browser }) => {
    await open(page, "#/folders/shared/0");
    await page.locator(".folder-card", { hasText: "Team trip" }).click();
    await expect(page.getByRole("navigation", { name: "Folders" })).toContainText("Team trip");
    await page.getByRole("button", { name: "Share" }).click();
    const share = page.getByRole("dialog", { name: /Share the folder/ });
    await share.getByLabel("Who can open it").selectOption("public-view");
    await share.getByRole("button", { name: "Save" }).click();
    await expect(share.getByRole("status")).toHaveText("Saved. Anyone with the link can open it.");
    const link = await share.getByLabel("Share link").inputValue();
    await share.getByRole("button", { name: "Close" }).click();
    const passphrase = decodeURIComponent(link.split("/").pop());
    const info = await ok(page, { api: "SYNO.FotoTeam.Sharing.Passphrase", version: "1", method: "get",
      passphrase: JSON.stringify(passphrase) });
    expect(info.privacy_type).toBe("public-view");
    // "Shared with others" lists the folder's link with its settings.
    await page.getByRole("link", { name: "Shared with others" }).click();
    const folders = page.getByRole("list", { name: "Shared folders" });
    const row = folders.locator("li", { hasText: "Team trip" });
    await expect(row).toContainText("Public: anyone with the link can view");
    await expect(row.getByRole("link", { name: "Open link" })).toHaveAttribute("href", link);
    await row.getByRole("button", { name: "Share settings of Team trip" }).click();
    await expect(page.getByRole("dialog", { name: /Share the folder “Team trip”/ })).toBeVisible();
    await page.getByRole("dialog", { name: /Share the folder/ }).getByRole("button", { name: "Close" }).click();
    await row.getByRole("link", { name: "Team trip" }).click();
    await expect(page.getByRole("navigation", { name: "Folders" })).toContainText("Team trip");

    const guest = await browser.newContext();
    try {
      const guestPage = await guest.newPage();
      await guestPage.goto(link);
      await expect(guestPage.getByRole("heading", { name: /Team trip/ })).toBeVisible();
      const imgs = guestPage.locator("#items img");
      await expect(imgs).toHaveCount(3);
      await expect.poll(() => imgs.evaluateAll((l) => l.filter((i) => i.complete && i.naturalWidth > 0).length)).toBe(3);
    } finally {
      await guest.close();
    }

    await page.getByRole("button", { name: "Permissions" }).click();
    const perms = page.getByRole("dialog", { name: /Permissions of/ });
    await perms.getByLabel("Add a user or group").selectOption({ label: FRIEND });
    await perms.getByLabel(`Download: ${FRIEND}`).check();
    await perms.getByRole("button", { name: "Save" }).click();
    await expect(perms.getByRole("status")).toHaveText("Saved for this folder.");
    const folderId = (await ok(page, { api: "SYNO.FotoTeam.Browse.Folder", version: "1", method: "list",
      id: 0, offset: 0, limit: 100 })).list.find((f) => f.name === "/Team trip").id;
    const grants = (await ok(page, { api: "SYNO.FotoTeam.Sharing.FolderPermission", version: "1", method: "list",
      id: folderId })).list;
    expect(grants).toEqual([{ user_id: friendId, view: true, download: true, upload: false, manage: false }]);
    await perms.getByRole("button", { name: "Close" }).click();
  });

  test("the guest page opens photos in a viewer and downloads one or a zip; a Provider adds photos", async ({ browser }) => {
    const items = (await ok(page, { api: "SYNO.Foto.Browse.Item", version: "1", method: "list",
      offset: 0, limit: 3 })).list.map((i) => i.id);
    const { album } = await ok(page, { api: "SYNO.Foto.Browse.NormalAlbum", version: "1", method: "create",
      name: JSON.stringify("Open day"), item: items });
    const info = await ok(page, { api: "SYNO.Foto.Sharing.Passphrase", version: "1", method: "set_shared",
      album_id: album.id });
    await ok(page, { api: "SYNO.Foto.Sharing.Passphrase", version: "1", method: "update",
      passphrase: JSON.stringify(info.passphrase), permission: [
        { action: "update", role: "download", member: { type: "public" } },
        { action: "update", role: "upload", member: { type: "user", id: friendId } }] });

    const guest = await browser.newContext();
    try {
      const guestPage = await guest.newPage();
      await guestPage.goto(info.sharing_link.replace(/^https?:\/\/[^/]+/, BASE()));
      await expect(guestPage.getByRole("heading", { name: "Open day" })).toBeVisible();
      const boxes = guestPage.getByRole("checkbox", { name: /^Select / });
      await expect(boxes).toHaveCount(3);
      await boxes.nth(0).check();
      await boxes.nth(1).check();
      const [zip] = await Promise.all([
        guestPage.waitForEvent("download"),
        guestPage.getByRole("button", { name: "Download selected (2)" }).click(),
      ]);
      expect(zip.suggestedFilename()).toBe("download.zip");
      await guestPage.getByRole("button", { name: /^Open / }).first().click();
      const viewer = guestPage.getByRole("dialog", { name: "Photo" });
      await expect(viewer).toContainText("(1 of 3)");
      await expect.poll(() => viewer.locator("img").evaluate((img) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
      await guestPage.keyboard.press("ArrowRight");
      await expect(viewer).toContainText("(2 of 3)");
      const [one] = await Promise.all([
        guestPage.waitForEvent("download"),
        viewer.getByRole("link", { name: "Download" }).click(),
      ]);
      expect(one.suggestedFilename()).not.toBe("download.zip");
      await guestPage.screenshot({ path: shots("24-guest-viewer") });
      await guestPage.keyboard.press("Escape");
      await expect(viewer).toBeHidden();
      // A guest is not offered to add photos.
      await expect(guestPage.getByLabel("Add your photos to this album")).toBeHidden();
    } finally {
      await guest.close();
    }

    const friend = await browser.newContext({ baseURL: BASE() });
    try {
      const friendPage = await friend.newPage();
      await signInAs(friendPage, FRIEND, FRIEND_PASSWORD);
      await friendPage.goto(`${BASE()}/mo/sharing/${encodeURIComponent(info.passphrase)}`);
      await friendPage.getByLabel("Add your photos to this album").setInputFiles(process.env.SHOEBOX_UPLOAD_FILE);
      await friendPage.getByRole("button", { name: "Add", exact: true }).click();
      await expect(friendPage.getByRole("status")).toContainText("Added 1 file. 4 items");
    } finally {
      await friend.close();
    }
    const [after] = (await ok(page, { api: "SYNO.Foto.Browse.Album", version: "2", method: "get", id: [album.id] })).list;
    expect(after.item_count).toBe(4);
  });

  test("a Photo Request made in the portal receives a guest's photo and shows the sender", async ({ browser }) => {
    await open(page, "#/requests");
    await page.getByRole("button", { name: "New request" }).click();
    const create = page.getByRole("dialog", { name: "New Photo Request" });
    await create.getByLabel("Subject").fill("Wedding photos");
    await create.getByLabel("Description").fill("Send us your best shots");
    await expect(create.getByLabel("Destination folder").locator("option").first()).toHaveText("/");
    await create.getByRole("button", { name: "Create" }).click();
    await expect(page.getByRole("heading", { name: "Wedding photos" })).toBeVisible();
    const link = await page.getByLabel("Request link").inputValue();
    const passphrase = decodeURIComponent(link.split("/").pop());
    await expect(page.getByText("Nobody has sent anything yet.")).toBeVisible();

    const guest = await browser.newContext();
    try {
      const guestPage = await guest.newPage();
      await guestPage.goto(link);
      await expect(guestPage.getByRole("heading", { name: "Wedding photos" })).toBeVisible();
      await guestPage.getByLabel("Your name").fill("Guest Greta");
      await guestPage.getByLabel("Photos and videos").setInputFiles(process.env.SHOEBOX_UPLOAD_FILE);
      await guestPage.getByRole("button", { name: "Send" }).click();
      await expect(guestPage.getByRole("status")).toHaveText("Thank you: 1 file sent.");
    } finally {
      await guest.close();
    }

    await page.reload();
    await expect(page.getByRole("list", { name: "Senders" })).toContainText("Guest Greta");
    await expect(page.getByRole("table", { name: "Received files" })).toContainText("Guest Greta");
    const got = await ok(page, { api: "SYNO.Foto.PhotoRequest", version: "1", method: "get",
      passphrase: JSON.stringify(passphrase) });
    expect(got.uploads.map((u) => u.sender)).toEqual(["Guest Greta"]);
    await page.screenshot({ path: shots("22-photo-request") });

    await page.getByRole("link", { name: "‹ Photo Requests" }).click();
    const row = page.getByRole("list", { name: "Photo Requests" }).locator("li", { hasText: "Wedding photos" });
    await expect(row).toContainText("1 file received · open");
    await row.getByRole("button", { name: "Close Wedding photos" }).click();
    await page.getByRole("dialog", { name: "Close Photo Request" }).getByRole("button", { name: "Close request" }).click();
    await expect(row).toContainText("closed");
    expect((await ok(page, { api: "SYNO.Foto.PhotoRequest", version: "1", method: "get",
      passphrase: JSON.stringify(passphrase) })).closed).toBe(true);
  });

  test("the administrator turns the Shared Space off and on and sets a user's access", async () => {
    await open(page, "#/settings");
    const admin = page.getByRole("region", { name: "Administration" });
    const enabled = admin.getByLabel("Enable the Shared Space");
    await expect(enabled).toBeChecked();
    const teamSpace = async () => (await ok(page, { api: "SYNO.Foto.Setting.TeamSpace", version: "1", method: "get" })).enabled;
    await enabled.uncheck();
    await expect.poll(teamSpace).toBe(false);
    const off = await api(page, { api: "SYNO.FotoTeam.Browse.Item", version: "1", method: "count" });
    expect(off.error && off.error.code).toBe(105);
    await enabled.check();
    await expect.poll(teamSpace).toBe(true);

    const access = admin.getByLabel(`Shared Space access of ${FRIEND}`);
    await access.selectOption("custom");
    await expect.poll(async () => (await ok(page, { api: "SYNO.Foto.Setting.TeamSpace", version: "1",
      method: "list_permission" })).list.find((u) => u.name === FRIEND).access).toBe("custom");
    await admin.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shots("23-admin-settings"), fullPage: true });
  });

  test("a second upload of the same file is skipped and shown as a duplicate", async () => {
    await open(page, "#/photos/personal");
    await expectThumbnailsLoaded(page, 2);
    const file = process.env.SHOEBOX_UPLOAD_FILE;
    const count = async () => (await ok(page, { api: "SYNO.Foto.Browse.Item", version: "1", method: "count" })).count;
    let panel = await uploadThroughPicker(page, file, "ignore");
    const rows = panel.locator("li", { hasText: path.basename(file) });
    await expect(rows.first().locator(".state")).not.toHaveText(/waiting|uploading/);
    const before = await count();
    panel = await uploadThroughPicker(page, file, "ignore");
    await expect(rows).toHaveCount(2);
    await expect(rows.first().locator(".state")).toHaveText(/skipped: .*duplicate/);
    await expect(rows.first()).toHaveAttribute("data-action", "ignore");
    expect(await count()).toBe(before);
  });

  test("an upload cut by the network resumes from where it stopped", async () => {
    await open(page, "#/photos/personal");
    await expectThumbnailsLoaded(page, 2);
    await page.evaluate(() => localStorage.setItem("shoebox.uploadChunkBytes", "4096"));
    await page.reload();
    await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
    const offsets = [];
    let cut = false;
    await page.route(/method=append/, async (route) => {
      const offset = new URL(route.request().url()).searchParams.get("offset");
      offsets.push(offset);
      if (offset === "4096" && !cut) {
        cut = true;
        await route.abort("connectionreset");
      } else {
        await route.continue();
      }
    });
    const count = async () => (await ok(page, { api: "SYNO.Foto.Browse.Item", version: "1", method: "count" })).count;
    const before = await count();
    const file = process.env.SHOEBOX_UPLOAD_FILE;
    const panel = await uploadThroughPicker(page, file, "rename");
    const row = panel.locator("li", { hasText: path.basename(file) }).first();
    await expect(row.locator(".state")).toHaveText(/^(done|stored as .*)$/);
    await expect(row).toHaveAttribute("data-resumed-at", "4096");
    // The cut chunk was sent again from the server's offset, never from the start.
    expect(offsets).toEqual(["0", "4096", "4096", "8192"]);
    expect(await count()).toBe(before + 1);
    await page.unroute(/method=append/);
    await page.evaluate(() => localStorage.removeItem("shoebox.uploadChunkBytes"));
  });
});
