// Albums, places, the map and search (issue 8): a conditional album made in the condition
// editor, the automatic albums, reordering an album, the map offline, and search suggestions
// with their history. What the portal changed is checked through the API.
const { test, expect } = require("@playwright/test");

const { shots, ok, open, expectThumbnailsLoaded, signIn } = require("./common.js");

const TILE_HOSTS = /^https?:\/\/([a-z]\.)?tile\.(openstreetmap\.org|openstreetmap\.fr|opentopomap\.org)\//;

// Every item of the Personal Space with the `additional` fields asked for.
async function allItems(page, additional = []) {
  const items = [];
  for (let offset = 0; ; offset += 1000) {
    const { list } = await ok(page, { api: "SYNO.Foto.Browse.Item", version: "1", method: "list",
      offset, limit: 1000, additional });
    items.push(...list);
    if (list.length < 1000) return items;
  }
}

async function albumIds(page, albumId) {
  const { list } = await ok(page, { api: "SYNO.Foto.Browse.Item", version: "1", method: "list",
    album_id: albumId, offset: 0, limit: 1000 });
  return list.map((i) => i.id);
}

// The ids of the tiles in the page, in their order on screen.
function tileIds(page) {
  return page.locator(".tile[data-loaded]").evaluateAll((els) => els
    .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index)).map((e) => Number(e.dataset.id)));
}

test.describe.serial("albums, places, the map and search", () => {
  let context;
  let page;

  test.beforeAll(async ({ browser }) => {
    context = await browser.newContext();
    page = await context.newPage();
    page.on("pageerror", (error) => console.log(`page error: ${error.message}`));
    // Tests run offline: no map tile leaves the machine.
    await context.route(TILE_HOSTS, (route) => route.abort());
    await signIn(page);
  });

  test.afterAll(async () => {
    await context.close();
  });

  test("a conditional album made in the condition editor lists exactly the matching items", async () => {
    const items = await allItems(page, ["rating", "tag"]);
    const rated = items.filter((i) => (i.additional.rating || 0) >= 4).map((i) => i.id).sort();
    expect(rated.length).toBeGreaterThan(0);

    await open(page, "#/albums");
    await page.getByRole("button", { name: "New conditional album" }).click();
    const editor = page.getByRole("dialog", { name: "New conditional album" });
    await editor.getByLabel("Name").fill("Best rated");
    await editor.getByLabel("4 stars").check();
    await editor.getByLabel("5 stars").check();
    const count = editor.getByRole("status");
    await expect(count).toHaveText(`${rated.length} matching item${rated.length === 1 ? "" : "s"}`);
    await page.screenshot({ path: shots("albums-condition-editor") });
    await editor.getByRole("button", { name: "Create" }).click();
    await expect(page.getByRole("heading", { name: "Best rated" })).toBeVisible();

    const albums = (await ok(page, { api: "SYNO.Foto.Browse.Album", version: "2", method: "list",
      offset: 0, limit: 500 })).list;
    const album = albums.find((a) => a.name === "Best rated");
    expect(album.type).toBe("condition");
    expect(album.condition.rating.sort()).toEqual([4, 5]);
    expect((await albumIds(page, album.id)).sort()).toEqual(rated);
    await expect.poll(async () => (await tileIds(page)).sort()).toEqual(rated);

    // Edit the conditions: rated 4 or 5 and tagged "beach".
    const beach = items.filter((i) => (i.additional.rating || 0) >= 4
      && (i.additional.tag || []).some((t) => t.name === "beach")).map((i) => i.id);
    expect(beach.length).toBe(1);
    await page.getByRole("button", { name: "Edit conditions" }).click();
    const edit = page.getByRole("dialog", { name: "Conditions of “Best rated”" });
    await expect(edit.getByLabel("4 stars")).toBeChecked();
    await edit.getByLabel("Add tags").fill("bea");
    await edit.getByRole("button", { name: "beach", exact: true }).click();
    await expect(edit.getByRole("button", { name: "Remove beach" })).toBeVisible();
    await expect(edit.getByRole("status")).toHaveText("1 matching item");
    await edit.getByRole("button", { name: "Save" }).click();
    await expect(edit).toHaveCount(0);
    await expect.poll(() => tileIds(page)).toEqual(beach);
    const { album: saved } = await ok(page, { api: "SYNO.Foto.Browse.ConditionAlbum", version: "1",
      method: "get", id: album.id });
    expect(saved.condition.general_tag.length).toBe(1);
    expect(await albumIds(page, album.id)).toEqual(beach);
  });

  test("automatic albums: Places, Tags, Videos and Recently Added open with their items", async () => {
    const categories = (await ok(page, { api: "SYNO.Foto.Browse.Category", version: "1", method: "get" })).list;
    await open(page, "#/albums");
    const automatic = page.getByRole("region", { name: "Automatic albums" });
    for (const name of ["Places", "Tags", "Videos", "Recently Added"]) {
      await expect(automatic.getByRole("link", { name: new RegExp(`^${name}`) })).toBeVisible();
    }
    // People and Subjects: only what the server says it has; never made-up faces.
    for (const [id, name] of [["person", "People"], ["concept", "Subjects"]]) {
      const on = categories.find((c) => c.id === id).enabled;
      if (!on) await expect(automatic.locator(".album-card.disabled", { hasText: name })).toContainText("Not available");
    }
    await expect.poll(() => automatic.locator("img").evaluateAll(
      (imgs) => imgs.filter((i) => i.complete && i.naturalWidth > 0).length)).toBeGreaterThanOrEqual(4);
    await page.screenshot({ path: shots("albums-automatic") });

    // Places: the countries of the library's GPS photos, then a country's items.
    const countries = (await ok(page, { api: "SYNO.Foto.Browse.Geocoding", version: "1", method: "list",
      level: 1, offset: 0, limit: 100 })).list;
    expect(countries.map((c) => c.name)).toEqual(expect.arrayContaining(["Japan", "France", "Brazil"]));
    await automatic.getByRole("link", { name: /^Places/ }).click();
    const places = page.getByRole("list", { name: "Places" });
    for (const country of countries) await expect(places.getByRole("link", { name: new RegExp(`^${country.name}`) })).toBeVisible();
    await page.screenshot({ path: shots("albums-places") });
    const japan = countries.find((c) => c.name === "Japan");
    await places.getByRole("link", { name: /^Japan/ }).click();
    await expect(page.getByRole("heading", { name: "Japan" })).toBeVisible();
    const inJapan = (await ok(page, { api: "SYNO.Foto.Browse.Item", version: "1", method: "list",
      geocoding_id: japan.id, offset: 0, limit: 100 })).list;
    expect(inJapan.map((i) => i.filename)).toContain("gps_tokyo.jpg");
    await expect.poll(async () => (await tileIds(page)).sort()).toEqual(inJapan.map((i) => i.id).sort());
    await expect(page.getByRole("list", { name: "Places in Japan" }).getByRole("link", { name: /^Tokyo/ })).toBeVisible();

    // Tags: a tag's items.
    const tags = (await ok(page, { api: "SYNO.Foto.Browse.GeneralTag", version: "1", method: "list",
      offset: 0, limit: 500 })).list;
    const beach = tags.find((t) => t.name === "beach");
    await open(page, "#/albums");
    await page.getByRole("region", { name: "Automatic albums" }).getByRole("link", { name: /^Tags/ }).click();
    await page.getByRole("list", { name: "Tags" }).getByRole("link", { name: /^beach/ }).click();
    await expect(page.getByRole("heading", { name: "beach" })).toBeVisible();
    const tagged = (await ok(page, { api: "SYNO.Foto.Browse.Item", version: "1", method: "list",
      general_tag_id: beach.id, offset: 0, limit: 100 })).list.map((i) => i.id);
    await expect.poll(() => tileIds(page)).toEqual(tagged);

    // Videos.
    const videos = (await ok(page, { api: "SYNO.Foto.Browse.Item", version: "1", method: "list",
      type: ["video"], offset: 0, limit: 100 })).list.map((i) => i.id);
    expect(videos.length).toBeGreaterThan(0);
    await open(page, "#/albums");
    await page.getByRole("region", { name: "Automatic albums" }).getByRole("link", { name: /^Videos/ }).click();
    await expect(page.getByRole("heading", { name: "Videos" })).toBeVisible();
    await expect.poll(async () => (await tileIds(page)).sort()).toEqual(videos.sort());

    // Recently Added: newest first, as the API lists them.
    const recent = (await ok(page, { api: "SYNO.Foto.Browse.RecentlyAdded", version: "1", method: "list",
      offset: 0, limit: 3 })).list.map((i) => i.id);
    expect(recent.length).toBeGreaterThan(0);
    await open(page, "#/albums");
    await page.getByRole("region", { name: "Automatic albums" }).getByRole("link", { name: /^Recently Added/ }).click();
    await expect(page.getByRole("heading", { name: "Recently Added" })).toBeVisible();
    await expectThumbnailsLoaded(page, recent.length);
    await expect.poll(async () => (await tileIds(page)).slice(0, recent.length)).toEqual(recent);
  });

  test("an album's photos are reordered (sort menu, drag and drop, Move to front) and the order survives a reload", async () => {
    // Five of the dated copies (spread_NNN.jpg): their dates and their names are in different orders.
    const items = (await allItems(page)).filter((i) => i.filename.startsWith("spread_")).slice(0, 5);
    const { album } = await ok(page, { api: "SYNO.Foto.Browse.NormalAlbum", version: "1", method: "create",
      name: JSON.stringify("Reorder me"), item: items.map((i) => i.id) });
    await open(page, `#/albums/${album.id}`);
    await expectThumbnailsLoaded(page, 5);

    // The sort menu: by file name.
    const byName = [...items].sort((a, b) => a.filename.localeCompare(b.filename)).map((i) => i.id);
    await page.getByLabel("Sort album").selectOption({ label: "File name" });
    await expect.poll(() => tileIds(page)).toEqual(byName);
    const [sorted] = (await ok(page, { api: "SYNO.Foto.Browse.Album", version: "2", method: "get", id: [album.id] })).list;
    expect(sorted.sort_by).toBe("filename");
    expect(await albumIds(page, album.id)).toEqual(byName);

    // Drag the first photo onto the third: it takes the third's place.
    const dragged = [byName[1], byName[2], byName[0], byName[3], byName[4]];
    await page.locator(`.tile[data-id="${byName[0]}"]`).dragTo(page.locator(`.tile[data-id="${byName[2]}"]`));
    await expect.poll(() => albumIds(page, album.id)).toEqual(dragged);
    await expect.poll(() => tileIds(page)).toEqual(dragged);
    await expect(page.getByLabel("Sort album")).toHaveValue("manual");

    // Move to front: the last photo, chosen by its check mark.
    const last = dragged[4];
    await page.locator(`.tile[data-id="${last}"]`).hover();
    await page.locator(`.tile[data-id="${last}"] .check`).click();
    await page.getByRole("region", { name: "Selection" }).getByRole("button", { name: "Move to front" }).click();
    const fronted = [last, ...dragged.slice(0, 4)];
    await expect.poll(() => albumIds(page, album.id)).toEqual(fronted);

    // The order is the album's: a reload shows it again.
    await open(page, `#/albums/${album.id}`);
    await expectThumbnailsLoaded(page, 5);
    await expect.poll(() => tileIds(page)).toEqual(fronted);
    await expect(page.getByLabel("Sort album")).toHaveValue("manual");
    const [manual] = (await ok(page, { api: "SYNO.Foto.Browse.Album", version: "2", method: "get", id: [album.id] })).list;
    expect(manual.sort_by).toBe("manual");
  });

  test("the map shows clusters adding up to the photos with a location, on a plain background offline", async () => {
    const outside = [];
    const watch = (request) => {
      const url = new URL(request.url());
      if (!["127.0.0.1", "localhost"].includes(url.hostname) && !url.protocol.startsWith("data")) outside.push(request.url());
    };
    page.on("request", watch);
    const world = await ok(page, { api: "SYNO.Foto.Browse.Map", version: "1", method: "count_item",
      north: 90, south: -90, east: 180, west: -180 });
    expect(world.count).toBeGreaterThanOrEqual(5); // New York, Paris, Rio, Sydney, Tokyo

    await open(page, "#/map");
    await expect(page.getByRole("status").filter({ hasText: "Map tiles unavailable offline" })).toBeVisible();
    await expect(page.locator(".map-box.offline")).toBeVisible();
    await expect(page.getByText(`${world.count} photos with a location`)).toBeVisible();
    const clusters = page.locator(".map-cluster");
    await expect.poll(() => clusters.evaluateAll((els) => els.reduce((n, e) => n + Number(e.dataset.count), 0)))
      .toBe(world.count);
    await expect.poll(() => clusters.locator("img").evaluateAll(
      (imgs) => imgs.filter((i) => i.complete && i.naturalWidth > 0).length)).toBeGreaterThan(0);
    await page.screenshot({ path: shots("albums-map") });

    // A cluster of one photo lists it; the grid opens the viewer as everywhere.
    const one = clusters.filter({ has: page.locator(".n", { hasText: /^1$/ }) }).first();
    await one.click();
    const panel = page.getByRole("region", { name: "Photos on the map" });
    await expect(panel.locator(".tile[data-loaded]")).toHaveCount(1);
    const gps = await panel.locator(".tile img").getAttribute("alt");
    expect(gps).toMatch(/^gps_/);

    // The layer switcher: the topographic layer is asked for (and blocked here).
    const asked = page.waitForRequest(/opentopomap\.org/);
    await page.locator(".leaflet-control-layers").hover();
    await page.getByRole("radio", { name: "Topographic" }).check();
    await asked;
    await expect(page.getByRole("status").filter({ hasText: "Map tiles unavailable offline" })).toBeVisible();
    page.off("request", watch);
    // Tiles are the only requests to other hosts.
    expect(outside.filter((u) => !TILE_HOSTS.test(u))).toEqual([]);

    // Other pages ask for no tiles.
    outside.length = 0;
    page.on("request", watch);
    await open(page, "#/albums");
    await expect(page.getByRole("region", { name: "Automatic albums" })).toBeVisible();
    page.off("request", watch);
    expect(outside).toEqual([]);
  });

  test("search suggests tags, places, albums and keywords, opens the chosen view, and keeps a history that can be cleared", async () => {
    await ok(page, { api: "SYNO.Foto.Browse.NormalAlbum", version: "1", method: "create",
      name: JSON.stringify("Summer trip"), item: [] });
    await open(page, "#/photos/personal");
    await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("shoebox.search-history"))
      .forEach((k) => localStorage.removeItem(k)));
    const box = page.getByRole("searchbox", { name: "Search" });
    const options = page.getByRole("listbox", { name: "Search suggestions" });
    await box.click();
    await expect(page.getByText("No recent searches")).toBeVisible();

    // A tag, chosen with the keyboard.
    await box.fill("bea");
    await expect(options.getByRole("option", { name: /beach/ })).toBeVisible();
    await page.screenshot({ path: shots("albums-search-suggestions") });
    const names = await options.getByRole("option").allTextContents();
    const at = names.findIndex((n) => n.startsWith("beach"));
    for (let i = 0; i <= at; i += 1) await box.press("ArrowDown");
    await expect(options.getByRole("option", { name: /beach/ })).toHaveAttribute("aria-selected", "true");
    await box.press("Enter");
    await expect(page).toHaveURL(/#\/tags\/\d+$/);
    await expect(page.getByRole("heading", { name: "beach" })).toBeVisible();

    // A place.
    const [tokyo] = (await ok(page, { api: "SYNO.Foto.Browse.Geocoding", version: "1", method: "list",
      level: 3, offset: 0, limit: 100 })).list.filter((p) => p.name === "Tokyo");
    await box.fill("toky");
    await options.getByRole("option", { name: /Tokyo.*Place/ }).click();
    await expect(page).toHaveURL(new RegExp(`#/places/${tokyo.id}$`));
    await expect(page.getByRole("heading", { name: "Tokyo" })).toBeVisible();

    // An album.
    await box.fill("summer t");
    await options.getByRole("option", { name: /Summer trip.*Album/ }).click();
    await expect(page.getByRole("heading", { name: "Summer trip" })).toBeVisible();

    // A special keyword.
    await box.fill("vid");
    await options.getByRole("option", { name: /Videos.*Keyword/ }).click();
    await expect(page).toHaveURL(/#\/search\/personal\/video$/);
    const { count: videos } = await ok(page, { api: "SYNO.Foto.Search.Search", version: "1", method: "count_item",
      keyword: JSON.stringify("video") });
    expect(videos).toBeGreaterThan(0);
    await expect(page.locator(".tile[data-loaded]")).toHaveCount(videos);

    // Plain text.
    await box.fill("flower");
    await box.press("Enter");
    await expect(page).toHaveURL(/#\/search\/personal\/flower$/);

    // The history: newest first, kept per user, and cleared.
    await box.fill("");
    await box.blur();
    await box.focus();
    await expect(page.getByText("Recent searches")).toBeVisible();
    await expect(options.getByRole("option")).toHaveText(["flower", /^video/, /^Summer trip/, /^Tokyo/, /^beach/]);
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("shoebox.search-history.admin")));
    expect(stored.map((e) => e.text)).toEqual(["flower", "video", "Summer trip", "Tokyo", "beach"]);
    await options.getByRole("option", { name: /^Tokyo/ }).click();
    await expect(page).toHaveURL(new RegExp(`#/places/${tokyo.id}$`));
    await expect(box).toHaveValue("");
    await box.focus();
    await expect(options.getByRole("option").first()).toHaveText(/^Tokyo/);
    await page.getByRole("button", { name: "Clear history" }).click();
    await expect(page.getByText("No recent searches")).toBeVisible();
    await expect(options.getByRole("option")).toHaveCount(0);
    expect(await page.evaluate(() => localStorage.getItem("shoebox.search-history.admin"))).toBeNull();
  });
});
