// What every spec file shares: the server's address, the administrator the first spec makes,
// calling the API from a signed-in page, and signing in.
const { expect } = require("@playwright/test");
const fs = require("node:fs");
const path = require("node:path");

const BASE = () => process.env.SHOEBOX_BASE_URL;
const ADMIN = "admin";
const PASSWORD = "correct horse battery";
const shots = (name) => path.join(process.env.SHOEBOX_SCREENSHOTS, `${name}.png`);

// Calls the API from inside the signed-in page, with its cookie and SynoToken.
async function api(page, params) {
  return page.evaluate(async (fields) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) body.append(k, typeof v === "string" ? v : JSON.stringify(v));
    const response = await fetch("/webapi/entry.cgi", {
      method: "POST", body, headers: { "X-SYNO-TOKEN": localStorage.getItem("shoebox.synotoken") || "" },
    });
    return response.json();
  }, params);
}

async function ok(page, params) {
  const answer = await api(page, params);
  expect(answer.success, JSON.stringify(answer)).toBe(true);
  return answer.data;
}

// A fresh load of the portal at `hash` (the session must survive it).
async function open(page, hash) {
  await page.goto("about:blank");
  await page.goto(`${BASE()}/${hash}`);
}

// Every tile image in view has loaded a real picture.
async function expectThumbnailsLoaded(page, atLeast) {
  await expect.poll(async () => page.locator(".tile img").evaluateAll(
    (imgs) => imgs.filter((img) => img.complete && img.naturalWidth > 0).length), { timeout: 60_000 })
    .toBeGreaterThanOrEqual(atLeast);
}

// Copies the test library into the administrator's Personal Space and waits until the indexer
// has taken all of it in.
async function loadLibrary(page) {
  const home = path.join(process.env.SHOEBOX_DATA, "homes", ADMIN, "Photos");
  fs.cpSync(process.env.SHOEBOX_LIBRARY, home, { recursive: true });
  const want = Number(process.env.SHOEBOX_LIBRARY_COUNT);
  await expect.poll(async () => {
    const index = await ok(page, { api: "SYNO.Foto.Index", version: "1", method: "get" });
    return index.status === "done" ? index.item_count : -1;
  }, { timeout: 280_000, intervals: [1000] }).toBe(want);
}

// Signs `page` in as the administrator. portal.spec.js, which runs first, made it and the
// library; a spec run alone (`npx playwright test --no-deps viewer.spec.js`) makes both here.
async function signIn(page) {
  await page.goto(`${BASE()}/`);
  const signOut = page.getByRole("button", { name: "Sign out" });
  const signInHeading = page.getByRole("heading", { name: "Sign in" });
  const firstRun = page.getByRole("heading", { name: "First run" });
  await expect(signOut.or(signInHeading).or(firstRun)).toBeVisible();
  if (await signOut.isVisible()) return;
  if (await firstRun.isVisible()) {
    await page.getByLabel("Account").fill(ADMIN);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Password again").fill(PASSWORD);
    await page.getByRole("button", { name: "Create administrator" }).click();
    await expect(signOut).toBeVisible();
    await loadLibrary(page);
    return;
  }
  await page.getByLabel("Account").fill(ADMIN);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(signOut).toBeVisible();
}

// Signs `page` in as another account (made by the test, e.g. with `shoebox user add`).
async function signInAs(page, account, password) {
  await page.goto(`${BASE()}/`);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.getByLabel("Account").fill(account);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

module.exports = { signInAs, BASE, ADMIN, PASSWORD, shots, api, ok, open, expectThumbnailsLoaded, loadLibrary, signIn };
