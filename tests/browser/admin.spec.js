// The administrator's accounts and recycle bin in Settings (SYNO.Core.User, SYNO.Core.RecycleBin)
// and a Photo Request with a password, edited, closed, reopened and deleted
// (SYNO.Foto.PhotoRequest set / delete). Every effect is checked through the API and, for
// sign-in and the guest page, in a fresh browser context; every wait is on a condition.
const { test, expect } = require("@playwright/test");
const fs = require("node:fs");
const path = require("node:path");

const { BASE, ADMIN, shots, api, ok, open, expectThumbnailsLoaded, signIn, signInAs } = require("./common.js");

const NEW_USER = "carl";
const NEW_PASSWORD = "carl's first password";
const RESET_PASSWORD = "carl's second password";

// Signs in as `account` in a fresh context; resolves to the sign-in page's error text, or ""
// once signed in. The context is closed afterwards.
async function trySignIn(browser, account, password, check) {
  const context = await browser.newContext({ baseURL: BASE() });
  try {
    const page = await context.newPage();
    await page.goto(`${BASE()}/`);
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await page.getByLabel("Account").fill(account);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    const error = page.getByRole("alert");
    const signOut = page.getByRole("button", { name: "Sign out" });
    await expect(signOut.or(error.filter({ hasText: /./ }))).toBeVisible();
    if (check && await signOut.isVisible()) await check(page);
    return (await signOut.isVisible()) ? "" : (await error.textContent());
  } finally {
    await context.close();
  }
}

async function coreUser(page, name) {
  const { users } = await ok(page, { api: "SYNO.Core.User", version: "1", method: "list" });
  return users.find((u) => u.name === name);
}

async function recycleBin(page) {
  return ok(page, { api: "SYNO.Core.RecycleBin", version: "1", method: "get" });
}

const binText = (files) => (files ? new RegExp(`^${files} files?, .* in the recycle bin\\.$`) : "The recycle bin is empty.");

test.describe.serial("accounts, the recycle bin and Photo Requests with a password", () => {
  let context;
  let page;

  test.beforeAll(async ({ browser }) => {
    context = await browser.newContext({ baseURL: BASE() });
    page = await context.newPage();
    page.on("pageerror", (error) => console.log(`page error: ${error.message}`));
    await signIn(page);
  });

  test.afterAll(async () => {
    await context.close();
  });

  test("the administrator adds, disables, enables an account and resets its password", async ({ browser }) => {
    await open(page, "#/settings");
    const admin = page.getByRole("region", { name: "Administration" });
    const accounts = admin.getByRole("table", { name: "Accounts" });
    const mine = accounts.locator(`tr[data-account="${ADMIN}"]`);
    await expect(mine).toContainText("administrator");
    await expect(mine).toContainText("enabled");
    // No "Disable" for oneself (the server refuses it too).
    await expect(mine.getByRole("button", { name: `Disable ${ADMIN}` })).toHaveCount(0);

    // The server refuses a taken name and a short password, and the dialog says why.
    await admin.getByRole("button", { name: "Add account" }).click();
    const add = page.getByRole("dialog", { name: "Add account" });
    await add.getByLabel("Name").fill(ADMIN);
    await add.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
    await add.getByLabel("Password again").fill(NEW_PASSWORD);
    await add.getByRole("button", { name: "Add account" }).click();
    await expect(add.getByRole("alert")).toHaveText(`Refused by the server: a user named "${ADMIN}" already exists.`);
    await add.getByLabel("Name").fill(NEW_USER);
    await add.getByLabel("Password", { exact: true }).fill("short");
    await add.getByLabel("Password again").fill("short");
    await add.getByRole("button", { name: "Add account" }).click();
    await expect(add.getByRole("alert")).toHaveText("Refused by the server: the password needs at least 8 characters.");
    expect(await coreUser(page, NEW_USER)).toBeUndefined();
    await add.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
    await add.getByLabel("Password again").fill(NEW_PASSWORD);
    await add.getByRole("button", { name: "Add account" }).click();
    await expect(add).toHaveCount(0);

    const row = accounts.locator(`tr[data-account="${NEW_USER}"]`);
    await expect(row).toContainText("user");
    await expect(row.locator(".account-state")).toHaveText("enabled");
    expect(await coreUser(page, NEW_USER)).toMatchObject({ name: NEW_USER, expired: "normal", is_admin: false });
    // The Shared Space access table lists the new account too.
    await expect(admin.getByLabel(`Shared Space access of ${NEW_USER}`)).toBeVisible();
    await page.screenshot({ path: shots("30-settings-accounts") });

    // The new account signs in; it is no administrator: no Administration in its settings,
    // and SYNO.Core.User list is refused.
    expect(await trySignIn(browser, NEW_USER, NEW_PASSWORD, async (userPage) => {
      await open(userPage, "#/settings");
      await expect(userPage.getByRole("heading", { name: "Settings" })).toBeVisible();
      await expect(userPage.locator(".index-status")).toContainText("Personal Space");
      await expect(userPage.getByRole("region", { name: "Administration" })).toHaveCount(0);
      const refused = await api(userPage, { api: "SYNO.Core.User", version: "1", method: "list" });
      expect(refused.error && refused.error.code).toBe(105);
    })).toBe("");

    // Disabled: the server says so, and sign-in is refused with a clear message.
    await row.getByRole("button", { name: `Disable ${NEW_USER}` }).click();
    await expect(row.locator(".account-state")).toHaveText("disabled");
    expect((await coreUser(page, NEW_USER)).expired).toBe("now");
    expect(await trySignIn(browser, NEW_USER, NEW_PASSWORD)).toBe("This account is disabled.");

    // Enabled again, it signs in.
    await row.getByRole("button", { name: `Enable ${NEW_USER}` }).click();
    await expect(row.locator(".account-state")).toHaveText("enabled");
    expect((await coreUser(page, NEW_USER)).expired).toBe("normal");
    expect(await trySignIn(browser, NEW_USER, NEW_PASSWORD)).toBe("");

    // A new password: a short one is refused, then the new one signs in and the old one not.
    await row.getByRole("button", { name: `Reset the password of ${NEW_USER}` }).click();
    const reset = page.getByRole("dialog", { name: `Reset the password of ${NEW_USER}` });
    await reset.getByLabel("Password", { exact: true }).fill("short");
    await reset.getByLabel("Password again").fill("short");
    await reset.getByRole("button", { name: "Reset password" }).click();
    await expect(reset.getByRole("alert")).toHaveText("Refused by the server: the password needs at least 8 characters.");
    await reset.getByLabel("Password", { exact: true }).fill(RESET_PASSWORD);
    await reset.getByLabel("Password again").fill(RESET_PASSWORD);
    await reset.getByRole("button", { name: "Reset password" }).click();
    await expect(reset).toHaveCount(0);
    const fresh = await browser.newContext({ baseURL: BASE() });
    try {
      await signInAs(await fresh.newPage(), NEW_USER, RESET_PASSWORD);
    } finally {
      await fresh.close();
    }
    expect(await trySignIn(browser, NEW_USER, NEW_PASSWORD)).toBe("Wrong account or password.");
  });

  test("a deleted photo shows in the recycle bin's count, and emptying it leaves none", async () => {
    // A folder of its own with one uploaded photo, deleted in the portal.
    await open(page, "#/folders/personal/0");
    await page.getByRole("button", { name: "New folder" }).click();
    const name = page.getByRole("dialog", { name: "New folder" });
    await name.getByLabel("Name").fill("Bin test");
    await name.getByRole("button", { name: "OK" }).click();
    await page.locator(".folder-card", { hasText: "Bin test" }).click();
    await expect(page.locator(".toolbar")).toContainText("Bin test");
    const [chooser] = await Promise.all([
      page.waitForEvent("filechooser"),
      page.getByRole("button", { name: "Upload", exact: true }).click(),
    ]);
    await chooser.setFiles(process.env.SHOEBOX_UPLOAD_FILE);
    const panel = page.getByRole("region", { name: "Uploads" });
    await expect(panel.locator("li", { hasText: path.basename(process.env.SHOEBOX_UPLOAD_FILE) }).locator(".state"))
      .toHaveText("done");
    await expectThumbnailsLoaded(page, 1);

    await open(page, "#/settings");
    const admin = page.getByRole("region", { name: "Administration" });
    const usage = admin.getByRole("status", { name: "Recycle bin contents" });
    const before = (await recycleBin(page)).files;
    await expect(usage).toHaveText(binText(before));

    // The switch: off and on, through SYNO.Core.RecycleBin.
    const keep = admin.getByLabel(/Keep deleted photos in the recycle bin/);
    await expect(keep).toBeChecked();
    await keep.uncheck();
    await expect.poll(async () => (await recycleBin(page)).enable).toBe(false);
    await keep.check();
    await expect.poll(async () => (await recycleBin(page)).enable).toBe(true);

    await open(page, "#/folders/personal/0");
    await page.locator(".folder-card", { hasText: "Bin test" }).click();
    await expectThumbnailsLoaded(page, 1);
    const tile = page.locator('.tile[data-loaded][data-index="0"]');
    await tile.hover();
    await tile.locator(".check").click();
    const bar = page.getByRole("region", { name: "Selection" });
    await expect(bar).toContainText("1 selected");
    await bar.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog", { name: "Delete photos" }).getByRole("button", { name: "Delete" }).click();
    await expect(page.getByRole("status").filter({ hasText: "moved to the recycle bin" })).toBeVisible();

    await open(page, "#/settings");
    await expect(usage).toHaveText(binText(before + 1));
    expect((await recycleBin(page)).files).toBe(before + 1);
    await admin.getByRole("button", { name: "Empty recycle bin" }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: shots("31-settings-recycle-bin") });

    // Cancelling the confirmation keeps everything; confirming empties every bin.
    await admin.getByRole("button", { name: "Empty recycle bin" }).click();
    const confirm = page.getByRole("dialog", { name: "Empty recycle bin" });
    await confirm.getByRole("button", { name: "Cancel" }).click();
    expect((await recycleBin(page)).files).toBe(before + 1);
    await admin.getByRole("button", { name: "Empty recycle bin" }).click();
    await confirm.getByRole("button", { name: "Empty recycle bin" }).click();
    await expect(usage).toHaveText("The recycle bin is empty.");
    await expect(admin.getByRole("button", { name: "Empty recycle bin" })).toBeDisabled();
    expect(await recycleBin(page)).toMatchObject({ files: 0, size: 0 });
    const bin = path.join(process.env.SHOEBOX_DATA, "homes", ADMIN, "Photos", "#recycle");
    const left = fs.existsSync(bin) ? fs.readdirSync(bin, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()) : [];
    expect(left.map((e) => e.name)).toEqual([]);
  });

  test("a Photo Request with a password: the guest needs it; edited, closed, reopened, deleted", async ({ browser }) => {
    const PASSWORD = "open sesame";
    await open(page, "#/requests");
    await page.getByRole("button", { name: "New request" }).click();
    const create = page.getByRole("dialog", { name: "New Photo Request" });
    await create.getByLabel("Subject").fill("Party photos");
    await expect(create.getByLabel("Destination folder").locator("option").first()).toHaveText("/");
    await create.getByLabel("Password (leave empty for none)").fill(PASSWORD);
    await create.getByRole("button", { name: "Create" }).click();
    await expect(page.getByRole("heading", { name: "Party photos" })).toBeVisible();
    await expect(page.getByText("guests need the password")).toBeVisible();
    const link = await page.getByLabel("Request link").inputValue();
    const passphrase = decodeURIComponent(link.split("/").pop());
    const get = () => api(page, { api: "SYNO.Foto.PhotoRequest", version: "1", method: "get",
      passphrase: JSON.stringify(passphrase) });
    expect((await get()).data.enable_password).toBe(true);

    // The guest, in a fresh context: asked for the password, a wrong one refused.
    const asGuest = async (steps) => {
      const guest = await browser.newContext();
      try {
        const guestPage = await guest.newPage();
        await guestPage.goto(link);
        await steps(guestPage);
      } finally {
        await guest.close();
      }
    };
    await asGuest(async (g) => {
      await expect(g.getByRole("heading", { name: "This request has a password" })).toBeVisible();
      await expect(g.getByRole("status")).toHaveText("Enter the password you were given with the link.");
      await expect(g.getByLabel("Your name")).toBeHidden();
      await g.getByLabel("Password").fill("not it");
      await g.getByRole("button", { name: "Open" }).click();
      await expect(g.getByRole("status")).toHaveText("That is not the password.");
      await expect(g.getByLabel("Your name")).toBeHidden();
      await g.getByLabel("Password").fill(PASSWORD);
      await g.getByRole("button", { name: "Open" }).click();
      await expect(g.getByRole("heading", { name: "Party photos" })).toBeVisible();
      await g.getByLabel("Your name").fill("Guest Gus");
      await g.getByLabel("Photos and videos").setInputFiles(process.env.SHOEBOX_UPLOAD_FILE);
      await g.getByRole("button", { name: "Send" }).click();
      await expect(g.getByRole("status")).toHaveText("Thank you: 1 file sent.");
    });
    await page.reload();
    await expect(page.getByRole("list", { name: "Senders" })).toContainText("Guest Gus");
    expect((await get()).data.uploads.map((u) => u.sender)).toEqual(["Guest Gus"]);

    // The list says it has a password.
    await page.getByRole("link", { name: "‹ Photo Requests" }).click();
    const row = page.getByRole("list", { name: "Photo Requests" }).locator("li", { hasText: "Party photos" });
    await expect(row).toContainText("1 file received · open · password");

    // Edit: subject, description, expiry, most files, and the password removed.
    await row.getByRole("button", { name: "Edit Party photos" }).click();
    const edit = page.getByRole("dialog", { name: "Edit Photo Request" });
    await expect(edit.getByLabel("Subject")).toHaveValue("Party photos");
    await edit.getByLabel("Subject").fill("Party photos, last call");
    await edit.getByLabel("Description").fill("Until the end of the month");
    const day = new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10);
    await edit.getByLabel("Expires (leave empty for never)").fill(day);
    await edit.getByLabel("Most files").fill("20");
    await edit.getByLabel("Password", { exact: true }).selectOption("remove");
    await edit.getByRole("button", { name: "Save" }).click();
    await expect(edit).toHaveCount(0);
    const edited = page.getByRole("list", { name: "Photo Requests" }).locator("li", { hasText: "Party photos, last call" });
    await expect(edited).toContainText("1 file received · open");
    await expect(edited).not.toContainText("password");
    expect((await get()).data).toMatchObject({ subject: "Party photos, last call", description: "Until the end of the month",
      expiration: Math.floor(Date.parse(`${day}T23:59:59Z`) / 1000), max_files: 20, enable_password: false, closed: false });
    await page.screenshot({ path: shots("32-photo-request-edited") });

    // Without the password the guest goes straight to the form.
    await asGuest(async (g) => {
      await expect(g.getByRole("heading", { name: "Party photos, last call" })).toBeVisible();
      await expect(g.getByLabel("Your name")).toBeVisible();
    });

    // A password set again in the edit dialog is asked for again.
    await edited.getByRole("button", { name: "Edit Party photos, last call" }).click();
    await edit.getByLabel("Password", { exact: true }).selectOption("set");
    await edit.getByLabel("New password").fill("second secret");
    await edit.getByRole("button", { name: "Save" }).click();
    await expect(edit).toHaveCount(0);
    await expect(edited).toContainText("· password");
    expect((await get()).data.enable_password).toBe(true);
    await asGuest(async (g) => {
      await expect(g.getByRole("heading", { name: "This request has a password" })).toBeVisible();
      await g.getByLabel("Password").fill("second secret");
      await g.getByRole("button", { name: "Open" }).click();
      await expect(g.getByRole("heading", { name: "Party photos, last call" })).toBeVisible();
    });

    // Close and reopen from its page.
    await edited.getByRole("link", { name: "Party photos, last call" }).click();
    await expect(page.getByRole("heading", { name: "Party photos, last call" })).toBeVisible();
    await page.getByRole("button", { name: "Close Party photos, last call" }).click();
    await page.getByRole("dialog", { name: "Close Photo Request" }).getByRole("button", { name: "Close request" }).click();
    await expect(page.locator(".toolbar .count")).toHaveText("closed");
    expect((await get()).data.closed).toBe(true);
    await asGuest(async (g) => {
      await expect(g.getByRole("heading", { name: "This request is closed" })).toBeVisible();
    });
    await page.getByRole("button", { name: "Reopen Party photos, last call" }).click();
    await expect(page.locator(".toolbar .count")).toHaveText("open");
    expect((await get()).data.closed).toBe(false);

    // Delete, after a confirmation: gone from the list and the API, and the link is closed.
    await page.getByRole("button", { name: "Delete Party photos, last call" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete Photo Request" });
    await confirm.getByRole("button", { name: "Cancel" }).click();
    expect((await get()).success).toBe(true);
    await page.getByRole("button", { name: "Delete Party photos, last call" }).click();
    await confirm.getByRole("button", { name: "Delete request" }).click();
    await expect(page.getByRole("heading", { name: "Photo Requests" })).toBeVisible();
    await expect(page.getByRole("list", { name: "Photo Requests" }).locator("li", { hasText: "Party photos" })).toHaveCount(0);
    const gone = await get();
    expect(gone.success).toBe(false);
    expect(gone.error.code).toBe(642);
    await asGuest(async (g) => {
      await expect(g.getByRole("heading", { name: "This request is closed" })).toBeVisible();
      await expect(g.getByRole("status")).toHaveText("The link is not valid any more. Ask the sender for a new one.");
    });
  });
});
