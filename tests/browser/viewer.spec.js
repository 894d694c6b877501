// The viewer and the selection's actions: zoom (loading the original), swipes, the info panel's
// editing (date taken, tags) and "show dates and locations", Live Photo and Motion Photo
// playback, the 360° view, the slideshow, set as album and folder cover, sharing a selection,
// and the shortcuts overlay. What the portal changed is checked through the API.
const { test, expect } = require("@playwright/test");

const { shots, ok, open, expectThumbnailsLoaded, signIn } = require("./common.js");

const ITEM = { api: "SYNO.Foto.Browse.Item", version: "1" };

test.describe.serial("the viewer", () => {
  let context;
  let page;

  test.beforeAll(async ({ browser }) => {
    context = await browser.newContext();
    page = await context.newPage();
    page.on("pageerror", (error) => console.log(`page error: ${error.message}`));
    await signIn(page);
  });

  test.afterAll(async () => {
    await context.close();
  });

  // The id of the folder at `path` below the Personal Space's root.
  async function folderId(path) {
    const { folder } = await ok(page, { api: "SYNO.Foto.Browse.Folder", version: "1", method: "get",
      ...(path ? { name: JSON.stringify(path) } : { id: 0 }) });
    return folder.id;
  }

  // Opens the viewer on the tile showing `filename` in the folder `path`.
  async function openInFolder(path, filename) {
    await open(page, `#/folders/personal/${await folderId(path)}`);
    const img = page.locator(`.tile img[alt="${filename}"]`);
    await expect(img).toBeVisible();
    await img.click();
    const viewer = page.getByRole("dialog", { name: "Viewer" });
    await expect(viewer).toBeVisible();
    return viewer;
  }

  test("zoom scales the photo, loads the original, pans, and Esc zooms back out", async () => {
    await open(page, "#/search/personal/gps_paris");
    await expectThumbnailsLoaded(page, 1);
    await page.locator('.tile[data-index="0"] img').click();
    const viewer = page.getByRole("dialog", { name: "Viewer" });
    const frame = viewer.locator(".photo-frame");
    const img = frame.locator("img");
    await expect.poll(() => img.evaluate((i) => i.complete && i.naturalWidth)).toBeGreaterThan(0);
    const thumbnail = await img.getAttribute("src");
    expect(thumbnail).toContain("Thumbnail");

    await page.keyboard.press("+");
    await expect.poll(async () => Number(await frame.getAttribute("data-scale"))).toBeGreaterThan(1.4);
    // Zoomed in, the original replaces the xl thumbnail.
    await expect(img).toHaveAttribute("data-full", "1");
    expect(await img.getAttribute("src")).toContain("method=download");
    expect(await img.evaluate((i) => i.complete && i.naturalWidth)).toBeGreaterThan(0);

    // The wheel zooms further at the pointer; dragging pans.
    const box = await viewer.locator(".viewer-stage").boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const before = Number(await frame.getAttribute("data-scale"));
    await page.mouse.wheel(0, -400);
    await expect.poll(async () => Number(await frame.getAttribute("data-scale"))).toBeGreaterThan(before);
    const transform = await frame.evaluate((el) => el.style.transform);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 120, box.y + box.height / 2 - 60, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => frame.evaluate((el) => el.style.transform)).not.toBe(transform);
    await page.screenshot({ path: shots("20-viewer-zoomed") });

    await page.keyboard.press("Escape");
    await expect(frame).toHaveAttribute("data-scale", "1.000");
    // Double-click zooms in at the point, and again back out.
    await frame.dblclick();
    await expect.poll(async () => Number(await frame.getAttribute("data-scale"))).toBeGreaterThan(2);
    await frame.dblclick();
    await expect(frame).toHaveAttribute("data-scale", "1.000");

    // "?" lists the shortcuts; Esc closes the list, then the viewer.
    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await expect(help).toContainText("Zoom in");
    await page.keyboard.press("Escape");
    await expect(help).toHaveCount(0);
    await expect(viewer).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(viewer).toHaveCount(0);
    // On the pages, "?" lists their keys too.
    await page.keyboard.press("?");
    await expect(help).toContainText("Clear the selection");
    await help.getByRole("button", { name: "Close" }).click();
    await expect(help).toHaveCount(0);
  });

  test("swipes on a touch screen move between photos and a swipe down closes", async () => {
    await open(page, `#/folders/personal/${await folderId("Years")}`);
    await expectThumbnailsLoaded(page, 3);
    await page.locator('.tile[data-index="1"] img').click();
    const viewer = page.getByRole("dialog", { name: "Viewer" });
    await expect(viewer).toHaveAttribute("data-index", "1");
    const cdp = await context.newCDPSession(page);
    const box = await viewer.locator(".viewer-stage").boundingBox();
    const swipe = async (dx, dy) => {
      const x = box.x + box.width / 2;
      const y = box.y + box.height / 3;
      await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [{ x, y }] });
      for (let k = 1; k <= 4; k += 1) {
        await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [{ x: x + (dx * k) / 4, y: y + (dy * k) / 4 }] });
      }
      await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    };
    await swipe(-200, 0);
    await expect(viewer).toHaveAttribute("data-index", "2");
    await swipe(200, 0);
    await expect(viewer).toHaveAttribute("data-index", "1");
    await swipe(0, 220);
    await expect(viewer).toHaveCount(0);
    await cdp.detach();
  });

  test("the info panel edits the date taken and the tags, and honours show dates and locations", async () => {
    const viewer = await openInFolder("", "camera_phone.jpg");
    const id = Number(await viewer.getAttribute("data-id"));
    const panel = viewer.getByRole("complementary", { name: "Information" });
    if (!(await panel.isVisible())) await viewer.getByRole("button", { name: "Information" }).click();

    await panel.getByRole("button", { name: "Edit date taken" }).click();
    await panel.getByLabel("Date taken").fill("2011-05-06T07:08");
    await panel.getByRole("button", { name: "Save" }).first().click();
    await expect(panel.getByRole("button", { name: "Edit date taken" })).toBeVisible();
    await expect(panel).toContainText("2011");
    const get = async () => (await ok(page, { ...ITEM, method: "get", id: [id], additional: ["tag"] })).list[0];
    expect((await get()).time).toBe(Date.UTC(2011, 4, 6, 7, 8) / 1000);

    const newTag = panel.getByLabel("New tag");
    await newTag.fill("Beach day");
    await newTag.press("Enter");
    await expect(panel.getByRole("button", { name: "Remove tag Beach day" })).toBeVisible();
    await newTag.fill("Sunset");
    await panel.getByRole("button", { name: "Add", exact: true }).click();
    await expect(panel.getByRole("button", { name: "Remove tag Sunset" })).toBeVisible();
    await expect.poll(async () => (await get()).additional.tag.map((t) => t.name).sort()).toEqual(["Beach day", "Sunset"]);
    await page.screenshot({ path: shots("21-viewer-info-editing") });
    await panel.getByRole("button", { name: "Remove tag Beach day" }).click();
    await expect(panel.getByRole("button", { name: "Remove tag Beach day" })).toHaveCount(0);
    await expect.poll(async () => (await get()).additional.tag.map((t) => t.name)).toEqual(["Sunset"]);
    await page.keyboard.press("Escape");

    // With "show dates and locations" on, the timeline names its days and years, and the albums
    // their dates...
    const year = /\b(19|20)\d\d\b/;
    const albumLines = page.getByRole("list", { name: "My albums" }).locator(".album-card small");
    const albums = (await ok(page, { api: "SYNO.Foto.Browse.Album", version: "2", method: "list",
      offset: 0, limit: 100, category: "normal" })).list;
    if (!albums.some((a) => a.item_count)) {
      await ok(page, { api: "SYNO.Foto.Browse.NormalAlbum", version: "1", method: "create",
        name: JSON.stringify("Dated"), item: [id] });
    }
    await open(page, "#/photos/personal");
    await expectThumbnailsLoaded(page, 4);
    await expect(page.locator(".group-header").first()).toHaveText(year);
    await expect(page.locator(".scrub-mark").first()).toBeVisible();
    await open(page, "#/albums");
    await expect(albumLines.filter({ hasText: year }).first()).toBeVisible();

    // ...off, no date and no place in the panel, no day headers, no dates by the scrubber (which
    // still scrolls) and no album dates.
    await ok(page, { api: "SYNO.Foto.Setting.User", version: "1", method: "set", show_date_location: false });
    try {
      await open(page, "#/photos/personal");
      await expectThumbnailsLoaded(page, 4);
      await expect(page.locator(".group-header")).toHaveCount(0);
      await expect(page.locator(".scrub-mark")).toHaveCount(0);
      const scroller = page.locator(".grid-scroller");
      const box = await page.locator(".scrubber").boundingBox();
      await page.mouse.click(box.x + box.width / 2, box.y + box.height * 0.8);
      await expect.poll(() => scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
      await expect(page.locator(".scrub-bubble")).toBeHidden();
      await expect(page.locator(".grid-view")).not.toContainText(year);
      await open(page, "#/albums");
      await expect(albumLines.first()).toBeVisible();
      await expect(albumLines.filter({ hasText: year })).toHaveCount(0);

      await open(page, "#/search/personal/gps_paris");
      await expectThumbnailsLoaded(page, 1);
      await page.locator('.tile[data-index="0"] img').click();
      const hidden = page.getByRole("dialog", { name: "Viewer" }).getByRole("complementary", { name: "Information" });
      await expect(hidden.getByText("File", { exact: true })).toBeVisible();
      await expect(hidden.getByText("Date", { exact: true })).toHaveCount(0);
      await expect(hidden.getByText("Location", { exact: true })).toHaveCount(0);
      await expect(hidden).not.toContainText("France");
      await page.keyboard.press("Escape");
    } finally {
      await ok(page, { api: "SYNO.Foto.Setting.User", version: "1", method: "set", show_date_location: true });
    }
  });

  test("a Live Photo and a Motion Photo play their video", async () => {
    for (const [filename, label] of [["IMG_0002.JPG", "Play Live Photo"],
      ["PXL_20230405_060708123.MP.jpg", "Play Motion Photo"]]) {
      const viewer = await openInFolder("Special", filename);
      const button = viewer.getByRole("button", { name: label });
      await expect(button).toBeVisible();
      await button.click();
      const video = viewer.locator("video.motion");
      await expect(video).toHaveAttribute("data-played", "1");
      // Both stream from the server with ranges (a Motion Photo's MP4 is cut out by the server).
      expect(await video.getAttribute("src")).toContain("SYNO.Foto.Streaming");
      await expect.poll(() => video.evaluate((v) => v.currentTime)).toBeGreaterThan(0);
      expect(await video.evaluate((v) => v.videoWidth)).toBeGreaterThan(0);
      // It ends by itself and the still shows again.
      await expect(video).toBeHidden({ timeout: 30_000 });
      await page.keyboard.press("Escape");
      await expect(viewer).toHaveCount(0);
    }
  });

  test("a 360° panorama opens in the panorama view, which turns and zooms", async () => {
    const viewer = await openInFolder("Special", "pano_360.jpg");
    const pano = viewer.getByRole("img", { name: /360° view of pano_360\.jpg/ });
    await expect(pano).toHaveAttribute("data-loaded", "1");
    const yaw = Number(await pano.getAttribute("data-yaw"));
    const box = await pano.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 300, box.y + box.height / 2, { steps: 6 });
    await page.mouse.up();
    await expect.poll(async () => Number(await pano.getAttribute("data-yaw"))).not.toBe(yaw);
    const fov = Number(await pano.getAttribute("data-fov"));
    await page.mouse.wheel(0, -300);
    await expect.poll(async () => Number(await pano.getAttribute("data-fov"))).toBeLessThan(fov);
    // The canvas shows the picture (not a blank screen).
    const colours = await pano.evaluate((canvas) => {
      const small = document.createElement("canvas");
      small.width = 16;
      small.height = 16;
      const ctx = small.getContext("2d");
      ctx.drawImage(canvas, 0, 0, 16, 16);
      const data = ctx.getImageData(0, 0, 16, 16).data;
      return new Set(Array.from({ length: 256 }, (_, i) => `${data[i * 4]},${data[i * 4 + 1]},${data[i * 4 + 2]}`)).size;
    });
    expect(colours).toBeGreaterThan(4);
    await page.screenshot({ path: shots("22-viewer-360") });
    await page.keyboard.press("Escape");
    await expect(viewer).toHaveCount(0);
  });

  test("the slideshow advances by itself at its speed, shuffles, pauses and ends", async () => {
    await open(page, `#/folders/personal/${await folderId("Years")}`);
    await expectThumbnailsLoaded(page, 3);
    await page.locator('.tile[data-index="0"] img').click();
    const viewer = page.getByRole("dialog", { name: "Viewer" });
    await expect(viewer).toHaveAttribute("data-index", "0");
    await viewer.getByRole("button", { name: "Slideshow" }).click();
    const controls = viewer.getByRole("group", { name: "Slideshow" });
    await controls.getByLabel("Slideshow speed").selectOption("3");
    await expect(viewer).toHaveAttribute("data-slideshow", "playing");
    const started = Date.now();
    await expect(viewer).toHaveAttribute("data-index", "1", { timeout: 15_000 });
    expect(Date.now() - started).toBeGreaterThan(2500);
    await page.screenshot({ path: shots("23-slideshow") });

    // Shuffle: the next ones are drawn at random (two steps of +1 in a row are unlikely).
    await controls.getByLabel("Shuffle").check();
    const seen = [Number(await viewer.getAttribute("data-index"))];
    for (let k = 0; k < 2; k += 1) {
      const last = seen[seen.length - 1];
      await expect.poll(async () => Number(await viewer.getAttribute("data-index")), { timeout: 15_000 }).not.toBe(last);
      seen.push(Number(await viewer.getAttribute("data-index")));
    }
    expect(seen[1] !== seen[0] + 1 || seen[2] !== seen[1] + 1, `indexes ${seen}`).toBe(true);

    await page.keyboard.press(" ");
    await expect(viewer).toHaveAttribute("data-slideshow", "paused");
    await page.keyboard.press(" ");
    await expect(viewer).toHaveAttribute("data-slideshow", "playing");
    await page.keyboard.press("Escape");
    await expect(viewer).not.toHaveAttribute("data-slideshow", /./);
    await expect(viewer).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(viewer).toHaveCount(0);

    // A selection's slideshow shows only the selected photos.
    const tile = (i) => page.locator(`.tile[data-loaded][data-index="${i}"]`);
    await tile(0).hover();
    await tile(0).locator(".check").click();
    await tile(1).click({ modifiers: ["Shift"] });
    const bar = page.getByRole("region", { name: "Selection" });
    await bar.getByRole("button", { name: "Slideshow" }).click();
    await expect(viewer.locator(".viewer-count")).toHaveText("1 / 2");
    await expect(viewer).toHaveAttribute("data-slideshow", "playing");
    await expect(viewer.locator(".viewer-count")).toHaveText("2 / 2", { timeout: 15_000 });
    await page.keyboard.press("s");
    await page.keyboard.press("Escape");
    await expect(viewer).toHaveCount(0);
  });

  test("set as album cover and as folder cover", async () => {
    const years = await folderId("Years");
    const { list } = await ok(page, { ...ITEM, method: "list", folder_id: years, offset: 0, limit: 3 });
    const ids = list.map((i) => i.id);
    const made = await ok(page, { api: "SYNO.Foto.Browse.NormalAlbum", version: "1", method: "create",
      name: JSON.stringify("Covers"), item: ids });
    const albumId = made.album.id;
    await open(page, `#/albums/${albumId}`);
    await expectThumbnailsLoaded(page, 3);
    // The album's default cover is its newest photo; choose the last tile through the selection.
    const tile = page.locator('.tile[data-loaded][data-index="2"]');
    const chosen = Number(await tile.getAttribute("data-id"));
    await tile.hover();
    await tile.locator(".check").click();
    await page.getByRole("region", { name: "Selection" }).getByRole("button", { name: "Set as cover" }).click();
    const cover = async () => (await ok(page, { api: "SYNO.Foto.Browse.Album", version: "2", method: "get",
      id: [albumId], additional: ["thumbnail"] })).list[0].additional.thumbnail.unit_id;
    await expect.poll(cover).toBe(chosen);

    // From the viewer, in the album: the second photo.
    await open(page, `#/albums/${albumId}`);
    await expectThumbnailsLoaded(page, 3);
    await page.locator('.tile[data-index="1"] img').click();
    const viewer = page.getByRole("dialog", { name: "Viewer" });
    const second = Number(await viewer.getAttribute("data-id"));
    await viewer.getByRole("button", { name: "Set as album cover" }).click();
    await expect.poll(cover).toBe(second);
    await page.keyboard.press("Escape");

    // In the folder view, from the viewer.
    await open(page, `#/folders/personal/${years}`);
    await expectThumbnailsLoaded(page, 3);
    await page.locator('.tile[data-index="2"] img').click();
    const folderCover = Number(await viewer.getAttribute("data-id"));
    await viewer.getByRole("button", { name: "Set as folder cover" }).click();
    const root = await folderId("");
    await expect.poll(async () => (await ok(page, { api: "SYNO.Foto.Browse.Folder", version: "1", method: "list",
      id: root, offset: 0, limit: 100, additional: ["thumbnail"] })).list
      .find((f) => f.id === years).additional.thumbnail.unit_id).toBe(folderCover);
    await page.keyboard.press("Escape");
  });

  test("sharing a selection makes a shared album of it", async () => {
    await open(page, `#/folders/personal/${await folderId("Years")}`);
    await expectThumbnailsLoaded(page, 4);
    const tile = (i) => page.locator(`.tile[data-loaded][data-index="${i}"]`);
    await tile(2).hover();
    await tile(2).locator(".check").click();
    await tile(3).click({ modifiers: ["Shift"] });
    const ids = (await page.locator(".tile.selected").evaluateAll((els) => els.map((e) => Number(e.dataset.id)))).sort();
    expect(ids.length).toBe(2);
    await page.getByRole("region", { name: "Selection" }).getByRole("button", { name: "Share" }).click();
    const share = page.getByRole("dialog", { name: /Share “Shared on/ });
    await expect(share.getByLabel("Share link")).toHaveValue(/\/mo\/sharing\/[A-Za-z0-9_-]+$/);
    const link = await share.getByLabel("Share link").inputValue();
    await share.getByRole("button", { name: "Close" }).click();

    const shared = (await ok(page, { api: "SYNO.Foto.Browse.Album", version: "2", method: "list",
      category: "shared", offset: 0, limit: 100 })).list;
    const album = shared.find((a) => link.endsWith(`/${a.passphrase}`));
    expect(album, JSON.stringify(shared)).toBeTruthy();
    expect(album.item_count).toBe(2);
    const inside = (await ok(page, { ...ITEM, method: "list", album_id: album.id, offset: 0, limit: 10 }))
      .list.map((i) => i.id).sort();
    expect(inside).toEqual(ids);
  });

  test("the grid's tiles are reached with the arrow keys, selected with Space and opened with Enter", async () => {
    const years = await folderId("Years");
    const { count } = await ok(page, { ...ITEM, method: "count", folder_id: years });
    expect(count).toBeGreaterThan(20);
    await open(page, `#/folders/personal/${years}`);
    await expectThumbnailsLoaded(page, 8);
    // A folder without subfolders shows no stray text above its photos.
    await expect(page.locator("#view")).not.toContainText("null");
    await page.locator(".grid-scroller").focus();
    const focused = page.locator(".tile.focused");
    const at = async () => Number(await focused.getAttribute("data-index"));
    await expect(focused).toHaveCount(0);
    await page.keyboard.press("ArrowRight");
    await expect(focused).toHaveAttribute("data-index", "0");
    // The ring is drawn while the grid has the focus.
    expect(await focused.evaluate((el) => getComputedStyle(el, "::after").borderTopWidth)).toBe("3px");
    await page.keyboard.press("ArrowRight");
    await expect(focused).toHaveAttribute("data-index", "1");
    await page.keyboard.press("ArrowLeft");
    await expect(focused).toHaveAttribute("data-index", "0");

    // ↓ goes to the row below, to the tile nearest under this one (the first, from the first).
    const first = await page.locator('.tile[data-index="0"]').boundingBox();
    await page.keyboard.press("ArrowDown");
    const below = await at();
    expect(below).toBeGreaterThan(1);
    const box = await focused.boundingBox();
    expect(box.y).toBeGreaterThanOrEqual(first.y + first.height);
    expect(Math.abs(box.x - first.x)).toBeLessThan(2);
    expect((await page.locator(`.tile[data-index="${below - 1}"]`).boundingBox()).y).toBeCloseTo(first.y, 0);
    await page.keyboard.press("ArrowUp");
    await expect(focused).toHaveAttribute("data-index", "0");

    // End and Home, each scrolled into view.
    await page.keyboard.press("End");
    await expect(focused).toHaveAttribute("data-index", String(count - 1));
    await expect(focused).toBeInViewport();
    await page.keyboard.press("Home");
    await expect(focused).toHaveAttribute("data-index", "0");
    await expect(focused).toBeInViewport();

    // Space selects the focused photo, and again unselects it.
    await page.keyboard.press("ArrowRight");
    const id = await focused.getAttribute("data-id");
    const bar = page.getByRole("region", { name: "Selection" });
    await page.keyboard.press(" ");
    await expect(bar).toContainText("1 selected");
    await expect(page.locator(`.tile[data-id="${id}"]`)).toHaveClass(/selected/);
    await page.keyboard.press(" ");
    await expect(bar).toBeHidden();

    // Enter opens the viewer on it; after Esc the grid has the keyboard again.
    await page.keyboard.press("Enter");
    const viewer = page.getByRole("dialog", { name: "Viewer" });
    await expect(viewer).toHaveAttribute("data-id", id);
    await expect(viewer).toHaveAttribute("data-index", "1");
    await page.keyboard.press("Escape");
    await expect(viewer).toHaveCount(0);
    await page.keyboard.press("ArrowRight");
    await expect(focused).toHaveAttribute("data-index", "2");
    await page.screenshot({ path: shots("grid-keyboard") });
    // "?" lists these keys.
    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await expect(help).toContainText("Move between the photos of a grid");
    await page.keyboard.press("Escape");
    await expect(help).toHaveCount(0);
  });
});
