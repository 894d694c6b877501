// The portal, end to end, as a person uses it: the first run creates the administrator, then
// sign-in, the timeline, the viewer, albums, upload, sharing and a Photo Request. Every check
// waits on a condition (never a fixed sleep); what the portal changed is checked through the API.
const { test, expect } = require("@playwright/test");
const fs = require("node:fs");
const path = require("node:path");

const { BASE, ADMIN, PASSWORD, shots, api, ok, open, expectThumbnailsLoaded, loadLibrary } = require("./common.js");

test.describe.serial("the portal", () => {
  let context;
  let page;

  test.beforeAll(async ({ browser }) => {
    context = await browser.newContext({ baseURL: BASE() });
    page = await context.newPage();
    page.on("pageerror", (error) => console.log(`page error: ${error.message}`));
  });

  test.afterAll(async () => {
    await context.close();
  });

  test("first run creates the administrator", async () => {
    test.setTimeout(300_000);
    await page.goto("/");
    await expect(page.getByRole("heading", { name: "First run" })).toBeVisible();
    await page.getByLabel("Account").fill(ADMIN);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Password again").fill(PASSWORD);
    await page.screenshot({ path: shots("01-first-run") });
    await page.getByRole("button", { name: "Create administrator" }).click();
    await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
    const me = await ok(page, { api: "SYNO.Foto.UserInfo", version: "1", method: "me" });
    expect(me.name).toBe(ADMIN);
    expect(me.is_admin).toBe(true);
    // The first-run API is closed now.
    const again = await api(page, { api: "SYNO.Shoebox.Setup", version: "1", method: "create_admin",
      account: "mallory", passwd: "x" });
    expect(again.error.code).toBe(105);

    // The library arrives in the new Personal Space; wait for the indexer to take it all in.
    await loadLibrary(page);
  });

  test("sign-out, sign-in, and the session survives a reload", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await page.getByLabel("Account").fill(ADMIN);
    await page.getByLabel("Password").fill("wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toHaveText("Wrong account or password.");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.screenshot({ path: shots("02-sign-in") });
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
    await page.reload();
    await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  });

  test("the timeline shows thumbnails, keeps few in the page, scrolls and jumps by year", async () => {
    await open(page, "#/photos/personal");
    await expectThumbnailsLoaded(page, 5);
    const total = Number(process.env.SHOEBOX_LIBRARY_COUNT);
    // Virtualised: the page holds only the rows near the view.
    const inPage = await page.locator(".tile").count();
    expect(inPage).toBeLessThan(total);
    await expect(page.locator(".group-header").first()).toBeVisible();
    await page.screenshot({ path: shots("03-timeline") });

    const scroller = page.locator(".grid-scroller");
    const firstIndex = () => page.locator(".tile[data-loaded]").first().getAttribute("data-index");
    const before = Number(await firstIndex());
    await scroller.evaluate((el) => { el.scrollTop = el.scrollHeight / 2; });
    await expect.poll(async () => Number(await firstIndex())).toBeGreaterThan(before + 10);
    await expectThumbnailsLoaded(page, 4);

    // The scrubber jumps to a year; the bubble beside it names the month at the top.
    await page.getByRole("button", { name: "Jump to 2018" }).click();
    await expect(page.locator(".group-header", { hasText: "2018" }).first()).toBeInViewport();
    await expect(page.locator(".scrub-bubble")).toContainText("2018");
    await expectThumbnailsLoaded(page, 2);
    await page.screenshot({ path: shots("03b-timeline-2018") });
  });

  test("the viewer navigates with the keyboard and edits the rating", async () => {
    await open(page, "#/photos/personal");
    await expectThumbnailsLoaded(page, 4);
    await page.locator('.tile[data-index="0"] img').click();
    const viewer = page.getByRole("dialog", { name: "Viewer" });
    await expect(viewer).toBeVisible();
    await expect(viewer.locator(".viewer-stage img, .viewer-stage video")).toBeVisible();
    const first = await viewer.getAttribute("data-id");
    const counter = viewer.locator(".viewer-count");
    const start = await counter.textContent();
    await page.keyboard.press("ArrowRight");
    await expect(counter).not.toHaveText(start);
    await expect(viewer).not.toHaveAttribute("data-id", first);
    await page.keyboard.press("ArrowLeft");
    await expect(viewer).toHaveAttribute("data-id", first);

    const panel = viewer.getByRole("complementary", { name: "Information" });
    if (!(await panel.isVisible())) await viewer.getByRole("button", { name: "Information" }).click();
    await expect(panel.getByText("Date", { exact: true })).toBeVisible();
    await panel.getByRole("button", { name: "Rate 4 stars" }).click();
    await expect(panel.getByRole("button", { name: "Rate 4 stars" })).toHaveAttribute("aria-pressed", "true");
    await expect(panel.getByRole("button", { name: "Rate 5 stars" })).toHaveAttribute("aria-pressed", "false");
    await page.screenshot({ path: shots("04-viewer") });
    const [item] = (await ok(page, { api: "SYNO.Foto.Browse.Item", version: "1", method: "get",
      id: [Number(first)], additional: ["rating"] })).list;
    expect(item.additional.rating).toBe(4);
    await page.keyboard.press("Escape");
    await expect(viewer).toHaveCount(0);
  });

  test("select a range with shift and add it to a new album; rename and list it", async () => {
    await open(page, "#/photos/personal");
    await expectThumbnailsLoaded(page, 6);
    const tile = (i) => page.locator(`.tile[data-loaded][data-index="${i}"]`);
    await tile(0).hover();
    await tile(0).locator(".check").click();
    await tile(3).click({ modifiers: ["Shift"] });
    const bar = page.getByRole("region", { name: "Selection" });
    await expect(bar).toContainText("4 selected");
    const ids = (await page.locator(".tile.selected").evaluateAll((els) => els.map((e) => Number(e.dataset.id))));
    expect(ids.length).toBe(4);
    await bar.getByRole("button", { name: "Add to album" }).click();
    const picker = page.getByRole("dialog", { name: "Add to album" });
    await picker.getByPlaceholder("New album name").fill("Holiday");
    await picker.getByRole("button", { name: "Create and add" }).click();
    await expect(picker).toHaveCount(0);
    await expect(bar).toBeHidden();

    const albums = (await ok(page, { api: "SYNO.Foto.Browse.Album", version: "2", method: "list",
      offset: 0, limit: 100 })).list;
    const holiday = albums.find((a) => a.name === "Holiday");
    expect(holiday.item_count).toBe(4);
    const inAlbum = (await ok(page, { api: "SYNO.Foto.Browse.Item", version: "1", method: "list",
      album_id: holiday.id, offset: 0, limit: 10 })).list.map((i) => i.id).sort();
    expect(inAlbum).toEqual([...ids].sort());

    await page.getByRole("link", { name: "Albums" }).click();
    const card = page.locator(".album-card", { hasText: "Holiday" });
    await expect(card).toContainText("4 items");
    await expect.poll(() => card.locator("img").evaluate((img) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    await page.screenshot({ path: shots("05-albums") });
    await card.click();
    await expectThumbnailsLoaded(page, 4);
    await page.getByRole("button", { name: "Rename" }).click();
    const rename = page.getByRole("dialog", { name: "Rename album" });
    await rename.getByLabel("Name").fill("Holiday 2024");
    await rename.getByRole("button", { name: "OK" }).click();
    await expect(page.getByRole("heading", { name: "Holiday 2024" })).toBeVisible();
    const [renamed] = (await ok(page, { api: "SYNO.Foto.Browse.Album", version: "2", method: "get",
      id: [holiday.id] })).list;
    expect(renamed.name).toBe("Holiday 2024");
  });

  test("an empty album is made and deleted", async () => {
    await open(page, "#/albums");
    await page.getByRole("button", { name: "New album" }).click();
    const ask = page.getByRole("dialog", { name: "New album" });
    await ask.getByLabel("Name").fill("Scratch");
    await ask.getByRole("button", { name: "OK" }).click();
    await expect(page.getByRole("heading", { name: "Scratch" })).toBeVisible();
    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog", { name: "Delete album" }).getByRole("button", { name: "Delete" }).click();
    await expect(page.locator(".album-card", { hasText: "Holiday 2024" })).toBeVisible();
    await expect(page.locator(".album-card", { hasText: "Scratch" })).toHaveCount(0);
  });

  test("upload a file with a visible progress bar", async () => {
    await open(page, "#/photos/personal");
    await expectThumbnailsLoaded(page, 4);
    // Slow the upload's network a little so that its progress is seen moving.
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions",
      { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 4 * 1024 });
    const file = process.env.SHOEBOX_UPLOAD_FILE;
    await page.locator("input[type=file]").setInputFiles(file);
    const panel = page.getByRole("region", { name: "Uploads" });
    await expect(panel).toBeVisible();
    const row = panel.locator("li", { hasText: path.basename(file) });
    const bar = row.locator("progress");
    await expect(bar).toBeVisible();
    await expect.poll(() => bar.evaluate((p) => p.value)).toBeGreaterThan(0);
    await page.screenshot({ path: shots("06-upload") });
    await expect(row.locator(".state")).toHaveText("done", { timeout: 60_000 });
    await cdp.send("Network.emulateNetworkConditions",
      { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    expect(await bar.evaluate((p) => p.value)).toBe(1);
    await expect(panel).toContainText("1 of 1 done");
    const found = await ok(page, { api: "SYNO.Foto.Search.Search", version: "1", method: "count_item",
      keyword: JSON.stringify("r_sigma") });
    expect(found.count).toBe(1);
  });

  test("share an album by link and open it as a guest with its password", async ({ browser }) => {
    await open(page, "#/albums");
    await page.locator(".album-card", { hasText: "Holiday 2024" }).click();
    await page.getByRole("button", { name: "Share" }).click();
    const share = page.getByRole("dialog", { name: /Share/ });
    await share.getByLabel("Who can open it").selectOption("public-view");
    await share.getByLabel("Protect with a password").check();
    await share.getByLabel("Password", { exact: true }).fill("guest secret");
    await share.getByRole("button", { name: "Save" }).click();
    await expect(share.getByRole("status")).toHaveText("Saved. Anyone with the link can open it.");
    await page.screenshot({ path: shots("07-share") });
    const link = await share.getByLabel("Share link").inputValue();
    expect(link).toMatch(/\/mo\/sharing\/[A-Za-z0-9_-]+$/);
    await share.getByRole("button", { name: "Close" }).click();

    const guest = await browser.newContext();
    try {
      const guestPage = await guest.newPage();
      await guestPage.goto(link);
      await guestPage.getByLabel(/Password/).fill("wrong");
      await guestPage.getByRole("button", { name: "Open" }).click();
      await expect(guestPage.getByRole("status")).toHaveText("That password is not right.");
      await guestPage.getByLabel(/Password/).fill("guest secret");
      await guestPage.getByRole("button", { name: "Open" }).click();
      await expect(guestPage.getByRole("heading", { name: "Holiday 2024" })).toBeVisible();
      const imgs = guestPage.locator("#items img");
      await expect(imgs).toHaveCount(4);
      await expect.poll(() => imgs.evaluateAll((list) => list.filter((i) => i.complete && i.naturalWidth > 0).length))
        .toBe(4);
      await guestPage.screenshot({ path: shots("08-guest-share") });
    } finally {
      await guest.close();
    }
  });

  test("a guest sends a photo through a Photo Request", async ({ browser }) => {
    const root = (await ok(page, { api: "SYNO.Foto.Browse.Folder", version: "1", method: "get", id: 0 })).folder;
    const request = await ok(page, { api: "SYNO.Foto.PhotoRequest", version: "1", method: "create",
      folder_id: root.id, subject: JSON.stringify("Photos from the party") });
    const guest = await browser.newContext();
    try {
      const guestPage = await guest.newPage();
      await guestPage.goto(`${BASE()}/mo/request/${encodeURIComponent(request.passphrase)}`);
      await expect(guestPage.getByRole("heading", { name: "Photos from the party" })).toBeVisible();
      await guestPage.getByLabel("Your name").fill("Guest Gina");
      await guestPage.getByLabel("Photos and videos").setInputFiles(process.env.SHOEBOX_UPLOAD_FILE);
      await guestPage.getByRole("button", { name: "Send" }).click();
      await expect(guestPage.getByRole("status")).toHaveText("Thank you: 1 file sent.");
      await guestPage.screenshot({ path: shots("09-photo-request") });
    } finally {
      await guest.close();
    }
    const got = await ok(page, { api: "SYNO.Foto.PhotoRequest", version: "1", method: "get",
      passphrase: JSON.stringify(request.passphrase) });
    expect(got.uploads.map((u) => u.sender)).toEqual(["Guest Gina"]);
  });

  test("folders, the Shared Space, search, a phone-sized screen and the dark theme", async () => {
    await open(page, "#/folders/personal/0");
    await expect(page.getByRole("navigation", { name: "Folders" })).toContainText("Personal Space");
    await page.locator(".folder-card", { hasText: "Years" }).click();
    await expect(page.getByRole("navigation", { name: "Folders" })).toContainText("Years");
    await expectThumbnailsLoaded(page, 6);
    await page.screenshot({ path: shots("10-folder") });

    await open(page, "#/photos/shared");
    await expectThumbnailsLoaded(page, 3);
    await expect(page.locator(".tile[data-loaded]")).toHaveCount(3);

    await open(page, "#/photos/personal");
    await page.getByRole("searchbox", { name: "Search" }).fill("sigma");
    await page.getByRole("searchbox", { name: "Search" }).press("Enter");
    await expect(page.getByRole("heading", { name: /Search/ })).toBeVisible();
    await expectThumbnailsLoaded(page, 1);

    // A photo with a camera and a place, in the viewer with its information.
    await open(page, "#/search/personal/gps_paris");
    await expectThumbnailsLoaded(page, 1);
    await page.locator('.tile[data-index="0"] img').click();
    const viewer = page.getByRole("dialog", { name: "Viewer" });
    const panel = viewer.getByRole("complementary", { name: "Information" });
    await expect(panel.getByText("Location", { exact: true })).toBeVisible();
    await expect(panel).toContainText("France");
    await page.screenshot({ path: shots("04b-viewer-place") });
    await page.keyboard.press("Escape");

    await page.setViewportSize({ width: 390, height: 844 });
    await open(page, "#/photos/personal");
    await page.getByRole("button", { name: "Switch theme" }).click();
    await expectThumbnailsLoaded(page, 4);
    await page.screenshot({ path: shots("11-phone-dark") });
    await page.getByRole("button", { name: "Menu" }).click();
    await expect(page.getByRole("link", { name: "Albums" })).toBeVisible();
  });

  test("selected photos download and go to the recycle bin", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await open(page, "#/folders/personal/0");
    await expect(page.locator(".folder-card", { hasText: "Years" })).toBeVisible();
    await page.locator(".folder-card", { hasText: "Years" }).click();
    await expectThumbnailsLoaded(page, 4);
    const before = (await ok(page, { api: "SYNO.Foto.Browse.Item", version: "1", method: "count" })).count;
    const tile = (i) => page.locator(`.tile[data-loaded][data-index="${i}"]`);
    await tile(0).hover();
    await tile(0).locator(".check").click();
    await tile(1).click({ modifiers: ["Shift"] });
    const bar = page.getByRole("region", { name: "Selection" });
    await expect(bar).toContainText("2 selected");
    const ids = await page.locator(".tile.selected").evaluateAll((els) => els.map((e) => Number(e.dataset.id)));

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      bar.getByRole("button", { name: "Download" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("download.zip");
    expect(fs.statSync(await download.path()).size).toBeGreaterThan(1000);

    await bar.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog", { name: "Delete photos" }).getByRole("button", { name: "Delete" }).click();
    await expect(page.getByRole("status").filter({ hasText: "moved to the recycle bin" })).toBeVisible();
    const after = (await ok(page, { api: "SYNO.Foto.Browse.Item", version: "1", method: "count" })).count;
    expect(after).toBe(before - 2);
    const gone = await api(page, { api: "SYNO.Foto.Browse.Item", version: "1", method: "get", id: ids });
    expect(gone.success && gone.data.list.length ? "still there" : "gone").toBe("gone");
    const recycled = path.join(process.env.SHOEBOX_DATA, "homes", ADMIN, "Photos", "#recycle", "Years");
    expect(fs.readdirSync(recycled).length).toBe(2);
  });

  test("settings change the user's preferences and show indexing progress", async () => {
    await open(page, "#/settings");
    await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();
    await expect(page.locator(".index-status")).toContainText(/Personal Space: \d+ items, up to date/);
    await expect(page.locator(".index-status")).toContainText("Shared Space: 3 items");
    const rename = page.getByLabel("Rename uploads by date taken");
    await expect(rename).not.toBeChecked();
    await rename.check();
    await expect.poll(async () => (await ok(page, { api: "SYNO.Foto.Setting.User", version: "1", method: "get" }))
      .rename_by_date).toBe(true);
    await page.screenshot({ path: shots("12-settings") });
    await open(page, "#/settings");
    await expect(page.getByLabel("Rename uploads by date taken")).toBeChecked();
  });
});
