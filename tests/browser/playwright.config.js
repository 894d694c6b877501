// Playwright drives Debian's Chromium (never a downloaded browser) against a real
// `shoebox serve` that global-setup.js starts on a fresh data folder. The tests run in one
// worker, in order. portal.spec.js tells the main story (first run, sign-in, browsing, albums,
// upload, sharing) and makes the administrator and the library; the other spec files (project
// "features") run after it on the same server and sign in with common.js.
const { defineConfig } = require("@playwright/test");

module.exports = defineConfig({
  testDir: ".",
  projects: [
    { name: "story", testMatch: /portal\.spec\.js/ },
    { name: "features", testMatch: /.*\.spec\.js/, testIgnore: /portal\.spec\.js/, dependencies: ["story"] },
  ],
  globalSetup: require.resolve("./global-setup.js"),
  workers: 1,
  fullyParallel: false,
  // A loaded 2-core machine that is also indexing: generous limits, and waits on conditions.
  timeout: 180_000,
  expect: { timeout: 30_000 },
  retries: 0,
  reporter: [["list"]],
  outputDir: process.env.SHOEBOX_PORTAL_ARTIFACTS || "../../target/portal-test-results",
  use: {
    browserName: "chromium",
    viewport: { width: 1280, height: 800 },
    actionTimeout: 30_000,
    navigationTimeout: 60_000,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.SHOEBOX_CHROMIUM || "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-dev-shm-usage"],
    },
  },
});
