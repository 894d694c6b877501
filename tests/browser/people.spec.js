// People and Subjects (issue 8 on top of the recognition of issue 9): the People page with the
// faces, naming a person, a person's photos and cover, "Is this …?", merging, a person's faces
// ("Not this person", "Not a face"), hiding, the Subjects page, search suggestions and the
// switches in Settings. The library holds four photos each of three people and a dog from the
// recognition corpus (library.js); the server runs with the models (global-setup.js). Without
// the models or the corpus there is nothing to recognise and the spec is skipped. What the
// portal changed is checked through the API.
const { test, expect } = require("@playwright/test");

const { shots, ok, api, open, expectThumbnailsLoaded, signIn } = require("./common.js");

const PERSON = { api: "SYNO.Foto.Browse.Person", version: "1" };
const CONCEPT = { api: "SYNO.Foto.Browse.Concept", version: "1" };
const ITEM = { api: "SYNO.Foto.Browse.Item", version: "1" };
const RECOGNITION = Boolean(process.env.SHOEBOX_WITH_MODELS) && Number(process.env.SHOEBOX_LIBRARY_FACES) > 0;
const NAME = "Ada Lovelace";

test.describe.serial("people and subjects", () => {
  test.skip(!RECOGNITION, "the server runs without the recognition models or the library without faces");

  let context;
  let page;
  let first; // the three people of the corpus, most photos first
  let second;
  let third;

  test.beforeAll(async ({ browser }) => {
    context = await browser.newContext();
    page = await context.newPage();
    page.on("pageerror", (error) => console.log(`page error: ${error.message}`));
    await signIn(page);
  });

  test.afterAll(async () => {
    await context.close();
  });

  const people = async (hidden = false) => (await ok(page, { ...PERSON, method: "list", offset: 0, limit: 500,
    additional: ["thumbnail"], ...(hidden ? { show_more: true } : {}) })).list;
  const person = async (id) => (await ok(page, { ...PERSON, method: "get", id: [id] })).list[0];
  const faces = async (id) => (await ok(page, { ...PERSON, method: "list_face", id, offset: 0, limit: 500 })).list;
  const itemsOf = async (scope) => (await ok(page, { ...ITEM, method: "list", offset: 0, limit: 1000, ...scope }))
    .list.map((i) => i.id).sort((a, b) => a - b);
  const tileIds = () => page.locator(".tile[data-loaded]").evaluateAll((els) => els
    .map((e) => Number(e.dataset.id)).sort((a, b) => a - b));

  test("the People page lists the people the server found, with their faces, most photos first", async () => {
    test.setTimeout(330_000);
    // Recognition runs after indexing, and people are formed every 3 s from the faces found.
    await expect.poll(async () => {
      const index = await ok(page, { api: "SYNO.Foto.Index", version: "1", method: "get" });
      if (index.status !== "done" || index.recognition.pending !== 0) return -1;
      return (await people()).filter((p) => p.item_count >= 2).length;
    }, { timeout: 300_000, intervals: [2000] }).toBeGreaterThanOrEqual(3);
    const listed = await people();
    [first, second, third] = listed;

    await open(page, "#/albums");
    const automatic = page.getByRole("region", { name: "Automatic albums" });
    await expect(automatic.getByRole("link", { name: /^People/ })).toContainText(`${listed.length} people`);
    await automatic.getByRole("link", { name: /^People/ }).click();
    await expect(page.getByRole("heading", { name: "People" })).toBeVisible();
    const cards = page.getByRole("list", { name: "People" }).getByRole("link");
    await expect(cards).toHaveCount(listed.length);
    const shown = await cards.evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    const counts = listed.map((p) => p.item_count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(shown).toEqual(listed.map((p) => `#/people/${p.id}`));
    await expect(cards.first()).toContainText("Add a name");
    await expect(cards.first()).toContainText(`${first.item_count} photos`);
    // Every face thumbnail loaded (Thumbnail get type=person), asked for with its cache_key.
    await expect.poll(() => page.locator(".person-card img").evaluateAll(
      (imgs) => imgs.filter((i) => i.complete && i.naturalWidth > 0).length)).toBe(listed.length);
    const src = await page.locator(".person-card img").first().getAttribute("src");
    expect(src).toContain("type=person");
    expect(src).toContain(`cache_key=${first.additional.thumbnail.cache_key}`);
    await page.screenshot({ path: shots("people") });
  });

  test("a person's page lists their photos; naming them and choosing the cover are saved", async () => {
    await open(page, "#/people");
    await page.getByRole("list", { name: "People" }).locator(`a[href="#/people/${first.id}"]`).click();
    const { id } = first;
    await expect(page).toHaveURL(new RegExp(`#/people/${id}$`));
    first = await person(id);
    await expect(page.getByRole("heading", { name: "Add a name" })).toBeVisible();
    await expect.poll(tileIds).toEqual(await itemsOf({ person_id: id }));
    await expectThumbnailsLoaded(page, first.item_count);

    await page.getByRole("button", { name: "Add a name" }).click();
    const naming = page.getByRole("dialog", { name: "Add a name" });
    await naming.getByLabel("Name", { exact: true }).fill(NAME);
    await naming.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("heading", { name: NAME })).toBeVisible();
    expect((await person(id)).name).toBe(NAME);
    await page.screenshot({ path: shots("person") });

    // The cover: a photo of theirs whose face is not the cover now, chosen in the grid.
    const other = (await faces(id)).find((f) => f.id !== first.cover);
    const tile = page.locator(`.tile[data-loaded][data-id="${other.item_id}"]`);
    await tile.hover();
    await tile.locator(".check").click();
    await page.getByRole("region", { name: "Selection" }).getByRole("button", { name: "Set as cover" }).click();
    await expect.poll(async () => (await person(id)).cover).toBe(other.id);
  });

  test("the viewer's info panel names the people in a photo, outlines their faces and links to their pages", async () => {
    // What the server says is in the photos (Browse.Item `additional` person, with the face boxes).
    const withPeople = (await ok(page, { ...ITEM, method: "list", offset: 0, limit: 1000, additional: ["person"] }))
      .list.filter((i) => (i.additional.person || []).length);
    const named = withPeople.find((i) => i.additional.person.some((p) => p.id === first.id));
    const unnamed = withPeople.find((i) => i.additional.person.some((p) => p.id === second.id));
    expect(named).toBeTruthy();
    expect(unnamed).toBeTruthy();
    const ada = named.additional.person.find((p) => p.id === first.id);
    expect(ada.name).toBe(NAME);
    expect(unnamed.additional.person.find((p) => p.id === second.id).name).toBe("");

    const { folder } = await ok(page, { api: "SYNO.Foto.Browse.Folder", version: "1", method: "get",
      name: JSON.stringify("Faces") });
    const viewer = page.getByRole("dialog", { name: "Viewer" });
    const panel = viewer.getByRole("complementary", { name: "Information" });
    const inPhoto = panel.getByRole("list", { name: "People in this photo" });
    const openItem = async (item) => {
      await open(page, `#/folders/personal/${folder.id}`);
      await page.locator(`.tile[data-loaded][data-id="${item.id}"]`).click();
      await expect(viewer).toHaveAttribute("data-id", String(item.id));
      if (!(await panel.isVisible())) await viewer.getByRole("button", { name: "Information" }).click();
    };
    const linksOf = () => inPhoto.getByRole("link").evaluateAll((as) => as.map((a) => [a.getAttribute("href"), a.textContent]));

    // Everyone in the photo, the unnamed as "Unnamed person", each linking to their page.
    await openItem(unnamed);
    await expect(inPhoto.getByRole("link")).toHaveCount(unnamed.additional.person.length);
    expect(await linksOf()).toEqual(unnamed.additional.person.map((p) => [`#/people/${p.id}`, p.name || "Unnamed person"]));
    await page.keyboard.press("Escape");
    await expect(viewer).toHaveCount(0);

    // Pointing at a name outlines the face where the server found it; leaving hides it.
    await openItem(named);
    expect(await linksOf()).toEqual(named.additional.person.map((p) => [`#/people/${p.id}`, p.name || "Unnamed person"]));
    const img = viewer.locator(".photo-frame > img");
    await expect.poll(() => img.evaluate((i) => i.complete && i.naturalWidth)).toBeGreaterThan(0);
    const box = viewer.locator(".face-box");
    await expect(box).toHaveCount(0);
    const link = inPhoto.getByRole("link", { name: NAME });
    await link.hover();
    await expect(box).toBeVisible();
    await expect(box).toContainText(NAME);
    const [b, i] = [await box.boundingBox(), await img.boundingBox()];
    expect((b.x - i.x) / i.width).toBeCloseTo(ada.face.x, 1);
    expect((b.y - i.y) / i.height).toBeCloseTo(ada.face.y, 1);
    expect(b.width / i.width).toBeCloseTo(ada.face.width, 1);
    expect(b.height / i.height).toBeCloseTo(ada.face.height, 1);
    await page.screenshot({ path: shots("viewer-people") });
    await page.mouse.move(5, 5);
    await expect(box).toHaveCount(0);

    // The name opens the person's page (the viewer closes).
    await link.click();
    await expect(viewer).toHaveCount(0);
    await expect(page).toHaveURL(new RegExp(`#/people/${first.id}$`));
    await expect(page.getByRole("heading", { name: NAME })).toBeVisible();
  });

  test("naming another person suggests the named ones; “Is this …?” Yes merges them", async () => {
    await open(page, `#/people/${second.id}`);
    await page.getByRole("button", { name: "Add a name" }).click();
    const naming = page.getByRole("dialog", { name: "Add a name" });
    await naming.getByLabel("Name", { exact: true }).fill(NAME.slice(0, 3));
    // Browse.Person suggest keyword: the named people whose name holds the text.
    const offer = naming.getByRole("button", { name: NAME });
    await expect(offer).toBeVisible();
    await offer.click();
    await expect(naming.getByLabel("Name", { exact: true })).toHaveValue(NAME);
    await expect(naming.getByRole("status")).toContainText(`merges the two into “${NAME}”`);
    await naming.getByRole("button", { name: "Cancel" }).click();
    expect((await person(second.id)).name).toBe("");

    // "Is this …?" shows what `suggest id` answers. The corpus's three people are far apart, so
    // the server suggests nobody for them: the page shows no suggestion...
    const real = (await ok(page, { ...PERSON, method: "suggest", id: second.id })).list.filter((p) => p.name);
    const region = page.getByRole("region", { name: "Suggestions" });
    if (!real.length) await expect(region).toHaveCount(0);
    // ...and the answer is made to name the first person to see the question and its "Yes",
    // whose `set` (the name another person has: a merge) goes to the server.
    await page.route("**/webapi/entry.cgi", async (route) => {
      const params = new URLSearchParams(route.request().postData() || "");
      if (params.get("api") === PERSON.api && params.get("method") === "suggest" && params.get("id")) {
        await route.fulfill({ json: { success: true, data: { list: [{ ...first, name: NAME }] } } });
      } else {
        await route.continue();
      }
    });
    await open(page, `#/people/${second.id}`);
    await expect(region).toContainText(`Is this ${NAME}?`);
    const before = await faces(second.id);
    await region.getByRole("button", { name: `Yes, this is ${NAME}` }).click();
    await expect(page).toHaveURL(new RegExp(`#/people/${first.id}$`));
    await page.unroute("**/webapi/entry.cgi");
    expect((await api(page, { ...PERSON, method: "get", id: [second.id] })).error.code).toBe(642);
    const merged = (await faces(first.id)).map((f) => f.id);
    expect(merged).toEqual(expect.arrayContaining(before.map((f) => f.id)));
    expect((await person(first.id)).item_count).toBe(first.item_count + second.item_count);
  });

  test("merging a person chosen in the Merge dialog moves their faces", async () => {
    await open(page, `#/people/${first.id}`);
    await page.getByRole("button", { name: "Merge" }).click();
    const merging = page.getByRole("dialog", { name: `Merge into “${NAME}”` });
    const before = await faces(third.id);
    await merging.locator(`input[name="source"][value="${third.id}"]`).check();
    await merging.getByRole("button", { name: "Merge" }).click();
    await expect(merging).toHaveCount(0);
    await expect.poll(async () => (await people(true)).map((p) => p.id)).not.toContain(third.id);
    expect((await faces(first.id)).map((f) => f.id)).toEqual(expect.arrayContaining(before.map((f) => f.id)));
    const now = await person(first.id);
    expect(now.name).toBe(NAME);
    await expect(page.locator(".toolbar .count")).toContainText(`${now.item_count} photos`);
    await expect.poll(tileIds).toEqual(await itemsOf({ person_id: first.id }));
  });

  test("a person's faces: “Not this person” and “Not a face” take them out", async () => {
    await open(page, `#/people/${first.id}`);
    await page.getByRole("button", { name: "Faces" }).click();
    const dialog = page.getByRole("dialog", { name: `Faces of “${NAME}”` });
    const all = await faces(first.id);
    const entries = dialog.getByRole("list", { name: "Faces" }).getByRole("listitem");
    await expect(entries).toHaveCount(all.length);
    await expect.poll(() => dialog.locator(".face-crop img").evaluateAll(
      (imgs) => imgs.filter((i) => i.complete && i.naturalWidth > 0).length)).toBe(all.length);
    await page.screenshot({ path: shots("person-faces") });

    const separated = Number(await entries.first().getAttribute("data-face-id"));
    await entries.first().getByRole("button", { name: "Not this person" }).click();
    await expect(dialog.locator(`[data-face-id="${separated}"]`)).toHaveCount(0);
    const deleted = Number(await entries.first().getAttribute("data-face-id"));
    await entries.first().getByRole("button", { name: "Not a face" }).click();
    await expect(dialog.locator(`[data-face-id="${deleted}"]`)).toHaveCount(0);
    const left = (await faces(first.id)).map((f) => f.id);
    expect(left).not.toContain(separated);
    expect(left).not.toContain(deleted);
    expect(left.length).toBe(all.length - 2);
    await dialog.getByRole("button", { name: "Done" }).click();
    await expect.poll(tileIds).toEqual(await itemsOf({ person_id: first.id }));
  });

  test("hiding a person takes them off the People page until “Show hidden people”", async () => {
    await open(page, `#/people/${first.id}`);
    await page.getByRole("button", { name: "Hide" }).click();
    await expect(page.getByRole("button", { name: "Show" })).toBeVisible();
    expect((await person(first.id)).show).toBe(false);
    await open(page, "#/people");
    const list = page.getByRole("list", { name: "People" });
    await expect(list.locator(`a[href="#/people/${first.id}"]`)).toHaveCount(0);
    await page.getByLabel("Show hidden people").check();
    await expect(list.locator(`a[href="#/people/${first.id}"]`)).toContainText("hidden");
    await list.locator(`a[href="#/people/${first.id}"]`).click();
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page.getByRole("button", { name: "Hide" })).toBeVisible();
    expect((await person(first.id)).show).toBe(true);
    await open(page, "#/people");
    await page.getByLabel("Show hidden people").uncheck();
  });

  test("the Subjects page lists the subjects; the dog's subject lists its photos", async () => {
    const subjects = (await ok(page, { ...CONCEPT, method: "list", offset: 0, limit: 500 })).list;
    expect(subjects.length).toBeGreaterThan(0);
    // The subjects the server put the dog photo in.
    const dog = (await ok(page, { ...ITEM, method: "list", offset: 0, limit: 1000 })).list
      .find((i) => i.filename === "none_dog.jpg");
    const holding = [];
    for (const s of subjects) if ((await itemsOf({ concept_id: s.id })).includes(dog.id)) holding.push(s);
    expect(holding.map((s) => s.key)).toContain("dog");
    const dogs = holding.find((s) => s.key === "dog");

    await open(page, "#/albums");
    const automatic = page.getByRole("region", { name: "Automatic albums" });
    await expect(automatic.getByRole("link", { name: /^Subjects/ })).toContainText(`${subjects.length} subject`);
    await automatic.getByRole("link", { name: /^Subjects/ }).click();
    const list = page.getByRole("list", { name: "Subjects" });
    await expect(list.getByRole("link")).toHaveCount(subjects.length);
    for (const s of subjects) {
      await expect(list.locator(`a[href="#/subjects/${s.id}"]`)).toContainText(s.name);
      await expect(list.locator(`a[href="#/subjects/${s.id}"]`)).toContainText(`${s.item_count} photo`);
    }
    await expect.poll(() => list.locator("img").evaluateAll(
      (imgs) => imgs.filter((i) => i.complete && i.naturalWidth > 0).length)).toBe(subjects.length);
    await page.screenshot({ path: shots("subjects") });
    await list.locator(`a[href="#/subjects/${dogs.id}"]`).click();
    await expect(page.getByRole("heading", { name: dogs.name })).toBeVisible();
    await expect.poll(tileIds).toEqual(await itemsOf({ concept_id: dogs.id }));
    await expect(page.locator(`.tile[data-id="${dog.id}"]`)).toBeVisible();
  });

  test("search suggests named people and subjects, each opening its page", async () => {
    const dogs = (await ok(page, { ...CONCEPT, method: "list", offset: 0, limit: 500 })).list.find((s) => s.key === "dog");
    await open(page, "#/photos/personal");
    const box = page.getByRole("searchbox", { name: "Search" });
    const options = page.getByRole("listbox", { name: "Search suggestions" });
    await box.fill(NAME.slice(0, 4).toLowerCase());
    await options.getByRole("option", { name: new RegExp(`${NAME}.*Person`) }).click();
    await expect(page).toHaveURL(new RegExp(`#/people/${first.id}$`));
    await expect(page.getByRole("heading", { name: NAME })).toBeVisible();
    await box.fill(dogs.name.slice(0, 3));
    await options.getByRole("option", { name: new RegExp(`${dogs.name}.*Subject`) }).click();
    await expect(page).toHaveURL(new RegExp(`#/subjects/${dogs.id}$`));
    await expect(page.getByRole("heading", { name: dogs.name })).toBeVisible();
  });

  test("the People and Subjects switches in Settings are saved", async () => {
    test.setTimeout(330_000);
    const user = () => ok(page, { api: "SYNO.Foto.Setting.User", version: "1", method: "get" });
    const team = () => ok(page, { api: "SYNO.Foto.Setting.TeamSpace", version: "1", method: "get" });
    await open(page, "#/settings");
    await expect(page.locator(".index-status")).toContainText("Recognition: faces on, subjects on");
    for (const [label, key] of [["People: find faces", "enable_person"], ["Subjects: sort my photos", "enable_concept"]]) {
      const box = page.getByLabel(label);
      await expect(box).toBeChecked();
      await box.uncheck();
      await expect.poll(async () => (await user())[key]).toBe(false);
      await box.check();
      await expect.poll(async () => (await user())[key]).toBe(true);
    }
    const shared = page.getByLabel("Subjects in the Shared Space");
    await expect(shared).toBeChecked();
    await shared.uncheck();
    await expect.poll(async () => (await team()).enable_concept).toBe(false);
    await shared.check();
    await expect.poll(async () => (await team()).enable_concept).toBe(true);
    await page.screenshot({ path: shots("settings-recognition") });
    // Switched on again, the photos are looked at again: let that end before the next spec.
    await expect.poll(async () => (await ok(page, { api: "SYNO.Foto.Index", version: "1", method: "get" }))
      .recognition.pending, { timeout: 300_000, intervals: [2000] }).toBe(0);
  });
});
