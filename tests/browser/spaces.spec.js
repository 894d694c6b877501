// The Personal / Shared Space switch of the automatic albums (Places, Tags, Videos, Recently
// Added, People, Subjects) and of the map: each page of the Shared Space lists what the
// SYNO.FotoTeam.* twin of its API lists, not the Personal Space's. The Shared Space starts with
// three photos (global-setup.js); this spec adds a photo with a location (Paris), one with
// keywords and a video to a folder of its own, so that its Places, Tags, Videos and map have
// something that the Personal Space has more of.
const { test, expect } = require("@playwright/test");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const { ok, open, shots, expectThumbnailsLoaded, signIn } = require("./common.js");

const CORPUS = process.env.SHOEBOX_CORPUS_DIR || path.join(os.homedir(), ".cache/shoebox-corpus");
const EXTRAS = [["metadata", "gps_paris.jpg"], ["metadata", "iptc_only.jpg"], ["video", "VID_20200202_101010.mp4"]];
const TILE_HOSTS = /^https?:\/\/([a-z]\.)?tile\.(openstreetmap\.org|openstreetmap\.fr|opentopomap\.org)\//;
const RECOGNITION = Boolean(process.env.SHOEBOX_WITH_MODELS) && Number(process.env.SHOEBOX_LIBRARY_FACES) > 0;

const team = (name, method, params = {}) => ({ api: `SYNO.FotoTeam.${name}`, version: "1", method, ...params });
const foto = (name, method, params = {}) => ({ api: `SYNO.Foto.${name}`, version: "1", method, ...params });

// The ids of the tiles in the page, sorted.
function tileIds(page) {
  return page.locator(".tile[data-loaded]").evaluateAll((els) => els.map((e) => Number(e.dataset.id))
    .sort((a, b) => a - b));
}
const sorted = (list) => list.map((i) => i.id).sort((a, b) => a - b);

test.describe.serial("the space switch of the automatic albums and the map", () => {
  let context;
  let page;

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(330_000);
    context = await browser.newContext();
    await context.route(TILE_HOSTS, (route) => route.abort());
    page = await context.newPage();
    page.on("pageerror", (error) => console.log(`page error: ${error.message}`));
    await signIn(page);
    // The extra files, in a Shared Space folder of their own; wait until they are indexed.
    const dir = path.join(process.env.SHOEBOX_DATA, "photo", "Team extras");
    if (!fs.existsSync(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      for (const [sub, name] of EXTRAS) fs.copyFileSync(path.join(CORPUS, sub, name), path.join(dir, name));
    }
    await expect.poll(async () => {
      const { list } = await ok(page, team("Browse.Item", "list", { offset: 0, limit: 1000 }));
      const names = list.map((i) => i.filename);
      const index = await ok(page, team("Index", "get"));
      return index.status === "done" && EXTRAS.every(([, n]) => names.includes(n));
    }, { timeout: 280_000, intervals: [1000] }).toBe(true);
  });

  test.afterAll(async () => {
    await context.close();
  });

  test("the automatic albums of the Shared Space list what the FotoTeam APIs list", async () => {
    const count = async (space, name, params = {}) => (await ok(page, space(name, "count", params))).count;
    const shared = {
      places: await count(team, "Browse.Geocoding"),
      tags: await count(team, "Browse.GeneralTag"),
      videos: await count(team, "Browse.Item", { type: ["video"] }),
      recent: await count(team, "Browse.RecentlyAdded"),
    };
    const personal = {
      places: await count(foto, "Browse.Geocoding"),
      recent: await count(foto, "Browse.RecentlyAdded"),
    };
    // The two spaces differ, so that a page showing the wrong one is seen.
    expect(shared.places).toBeGreaterThan(0);
    expect(shared.places).not.toBe(personal.places);
    expect(shared.recent).not.toBe(personal.recent);
    expect(shared.videos).toBe(1);

    await open(page, "#/albums");
    const automatic = page.getByRole("region", { name: "Automatic albums" });
    await expect(automatic.getByRole("link", { name: /^Recently Added/ })).toContainText(`${personal.recent} items`);
    await automatic.getByRole("group", { name: "Space" }).getByRole("link", { name: "Shared" }).click();
    await expect(page).toHaveURL(/#\/albums\/shared$/);
    await expect(automatic).toHaveAttribute("data-space", "shared");
    const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
    await expect(automatic.getByRole("link", { name: /^Places/ })).toContainText(plural(shared.places, "place"));
    await expect(automatic.getByRole("link", { name: /^Tags/ })).toContainText(plural(shared.tags, "tag"));
    await expect(automatic.getByRole("link", { name: /^Videos/ })).toContainText(plural(shared.videos, "video"));
    await expect(automatic.getByRole("link", { name: /^Recently Added/ })).toContainText(plural(shared.recent, "item"));
    // The covers come from the Shared Space's thumbnails.
    await expect.poll(() => automatic.locator("img[src*='SYNO.FotoTeam.Thumbnail']").evaluateAll(
      (imgs) => imgs.filter((i) => i.complete && i.naturalWidth > 0).length)).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: shots("albums-automatic-shared") });

    // Places: the Shared Space's countries, and France with its photo.
    const countries = (await ok(page, team("Browse.Geocoding", "list", { level: 1, offset: 0, limit: 100 }))).list;
    expect(countries.map((c) => c.name)).toContain("France");
    await automatic.getByRole("link", { name: /^Places/ }).click();
    await expect(page).toHaveURL(/#\/places\/shared$/);
    const places = page.getByRole("list", { name: "Places" });
    await expect(places.getByRole("link")).toHaveCount(countries.length);
    const france = countries.find((c) => c.name === "France");
    await places.getByRole("link", { name: /^France/ }).click();
    await expect(page).toHaveURL(new RegExp(`#/places/shared/${france.id}$`));
    const inFrance = (await ok(page, team("Browse.Item", "list", { geocoding_id: france.id, offset: 0, limit: 100 }))).list;
    expect(inFrance.map((i) => i.filename)).toEqual(["gps_paris.jpg"]);
    await expect.poll(() => tileIds(page)).toEqual(sorted(inFrance));
    await expectThumbnailsLoaded(page, 1);
    // The viewer reads the item from the Shared Space too.
    await page.locator(".tile[data-loaded]").first().click();
    const viewer = page.locator(".viewer");
    await expect(viewer).toBeVisible();
    if (await page.getByRole("complementary", { name: "Information" }).isHidden()) await page.keyboard.press("i");
    await expect(page.getByRole("complementary", { name: "Information" })).toContainText("gps_paris.jpg");
    await page.keyboard.press("Escape");
    await expect(viewer).toHaveCount(0);

    // Tags: those of the Shared Space, a tag's photos.
    const tags = (await ok(page, team("Browse.GeneralTag", "list", { offset: 0, limit: 500 }))).list
      .filter((t) => t.item_count > 0);
    const tag = tags.find((t) => t.name === "iptc-one");
    expect(tag).toBeTruthy();
    await open(page, "#/tags/shared");
    await expect(page.getByRole("list", { name: "Tags" }).getByRole("link")).toHaveCount(tags.length);
    await page.getByRole("list", { name: "Tags" }).getByRole("link", { name: /^iptc-one/ }).click();
    await expect(page).toHaveURL(new RegExp(`#/tags/shared/${tag.id}$`));
    const tagged = (await ok(page, team("Browse.Item", "list", { general_tag_id: tag.id, offset: 0, limit: 100 }))).list;
    await expect.poll(() => tileIds(page)).toEqual(sorted(tagged));

    // Videos and Recently Added, from the Albums page's Shared section.
    const videos = (await ok(page, team("Browse.Item", "list", { type: ["video"], offset: 0, limit: 100 }))).list;
    await open(page, "#/albums/shared");
    await page.getByRole("region", { name: "Automatic albums" }).getByRole("link", { name: /^Videos/ }).click();
    await expect(page).toHaveURL(/#\/videos\/shared$/);
    await expect.poll(() => tileIds(page)).toEqual(sorted(videos));
    const recent = (await ok(page, team("Browse.RecentlyAdded", "list", { offset: 0, limit: 100 }))).list;
    await open(page, "#/albums/shared");
    await page.getByRole("region", { name: "Automatic albums" }).getByRole("link", { name: /^Recently Added/ }).click();
    await expect(page).toHaveURL(/#\/recent\/shared$/);
    await expect.poll(() => tileIds(page)).toEqual(sorted(recent));
    // The page's own switch goes back to the Personal Space.
    await page.getByRole("group", { name: "Space" }).getByRole("link", { name: "Personal" }).click();
    await expect(page).toHaveURL(/#\/recent$/);
    await expect.poll(async () => (await tileIds(page)).length).toBeGreaterThan(recent.length);
  });

  test("People and Subjects of the Shared Space list what FotoTeam.Browse.Person and Concept list", async () => {
    test.skip(!RECOGNITION, "the server runs without the recognition models");
    const people = (await ok(page, team("Browse.Person", "list", { offset: 0, limit: 500 }))).list;
    await open(page, "#/people/shared");
    await expect(page.getByRole("heading", { name: "People" })).toBeVisible();
    await expect(page.getByRole("group", { name: "Space" }).getByRole("link", { name: "Shared" }))
      .toHaveAttribute("aria-current", "true");
    const list = page.getByRole("list", { name: "People" });
    await expect(list.getByRole("link")).toHaveCount(people.length);
    if (!people.length) await expect(list).toContainText("No people yet");

    // Subjects: the Shared Space's photos are sorted into subjects of their own.
    await expect.poll(async () => (await ok(page, team("Index", "get"))).recognition.pending,
      { timeout: 300_000, intervals: [2000] }).toBe(0);
    const subjects = (await ok(page, team("Browse.Concept", "list", { offset: 0, limit: 500 }))).list;
    const mine = (await ok(page, foto("Browse.Concept", "list", { offset: 0, limit: 500 }))).list;
    expect(subjects.map((s) => `${s.id}:${s.item_count}`)).not.toEqual(mine.map((s) => `${s.id}:${s.item_count}`));
    await open(page, "#/albums/shared");
    await page.getByRole("region", { name: "Automatic albums" }).getByRole("link", { name: /^Subjects/ }).click();
    await expect(page).toHaveURL(/#\/subjects\/shared$/);
    const shown = page.getByRole("list", { name: "Subjects" });
    await expect(shown.getByRole("link")).toHaveCount(subjects.length);
    for (const s of subjects) {
      await expect(shown.locator(`a[href="#/subjects/shared/${s.id}"]`)).toContainText(`${s.item_count} photo`);
    }
    if (subjects.length) {
      const s = subjects[0];
      await shown.locator(`a[href="#/subjects/shared/${s.id}"]`).click();
      const items = (await ok(page, team("Browse.Item", "list", { concept_id: s.id, offset: 0, limit: 500 }))).list;
      await expect.poll(() => tileIds(page)).toEqual(sorted(items));
    }
  });

  test("the map of the Shared Space shows its photos with a location", async () => {
    const world = { north: 90, south: -90, east: 180, west: -180 };
    const shared = (await ok(page, team("Browse.Map", "count_item", world))).count;
    const personal = (await ok(page, foto("Browse.Map", "count_item", world))).count;
    expect(shared).toBeGreaterThan(0);
    expect(shared).not.toBe(personal);
    const clusters = page.locator(".map-cluster");
    const sum = () => clusters.evaluateAll((els) => els.reduce((n, e) => n + Number(e.dataset.count), 0));

    await open(page, "#/map");
    await expect(page.getByText(`${personal} photos with a location`)).toBeVisible();
    await expect.poll(sum).toBe(personal);
    await page.getByRole("group", { name: "Space" }).getByRole("link", { name: "Shared" }).click();
    await expect(page).toHaveURL(/#\/map\/shared$/);
    await expect(page.getByText(`${shared} photo${shared === 1 ? "" : "s"} with a location`)).toBeVisible();
    await expect.poll(sum).toBe(shared);
    await expect.poll(() => clusters.locator("img[src*='SYNO.FotoTeam.Thumbnail']").evaluateAll(
      (imgs) => imgs.filter((i) => i.complete && i.naturalWidth > 0).length)).toBeGreaterThan(0);
    await page.screenshot({ path: shots("map-shared") });
    // "Photos in view" lists the Shared Space's photos with a location.
    await page.getByRole("button", { name: "Photos in view" }).click();
    const panel = page.getByRole("region", { name: "Photos on the map" });
    const listed = (await ok(page, team("Browse.Map", "list_item", { ...world, offset: 0, limit: 100 }))).list;
    await expect.poll(() => panel.locator(".tile[data-loaded]").evaluateAll((els) => els
      .map((e) => Number(e.dataset.id)).sort((a, b) => a - b))).toEqual(sorted(listed));
    await expect(panel.locator(".tile img").first()).toHaveAttribute("alt", "gps_paris.jpg");
  });
});
