// Starts `shoebox serve` on a fresh temporary data folder and loopback port, makes the test
// library beside it, and hands the address to the tests through the environment. The function
// it returns (Playwright's global teardown) stops the server and removes the folder.
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { makeLibrary } = require("./library.js");

const REPO = path.resolve(__dirname, "../..");

function shoeboxBinary() {
  if (process.env.SHOEBOX_BIN) return process.env.SHOEBOX_BIN;
  const target = process.env.CARGO_TARGET_DIR || path.join(REPO, "target");
  return path.resolve(REPO, target, "debug", "shoebox");
}

// The recognition models (ml/setup: ./dev setup and CI make them), when they are there.
function modelsDir() {
  const dir = process.env.SHOEBOX_MODELS || path.join(os.homedir(), ".cache/shoebox-models");
  return fs.existsSync(path.join(dir, "manifest.json")) ? dir : null;
}

// The server's own log settings, whatever the caller's RUST_LOG says; the models when they exist.
function serverEnv() {
  const env = { ...process.env, SHOEBOX_LOG: "info,tower_http=warn" };
  delete env.RUST_LOG;
  const models = modelsDir();
  if (models) env.SHOEBOX_RECOGNITION__MODELS_DIR = models;
  return env;
}

module.exports = async function globalSetup() {
  const bin = shoeboxBinary();
  if (!fs.existsSync(bin)) {
    throw new Error(`no shoebox binary at ${bin}: run cargo build first, or set SHOEBOX_BIN`);
  }
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "shoebox-portal-"));
  const library = fs.mkdtempSync(path.join(os.tmpdir(), "shoebox-portal-files-"));
  // The fixture sign-in key, so that the server does not spend a minute making one.
  fs.mkdirSync(path.join(data, "keys"));
  fs.copyFileSync(path.join(REPO, "tests/fixtures/login-rsa-4096.pem"), path.join(data, "keys/login-rsa.pem"));
  const files = makeLibrary(library);
  // Some photos in the Shared Space from the start.
  const team = path.join(data, "photo", "Team trip");
  fs.mkdirSync(team, { recursive: true });
  for (const f of files.shared) fs.copyFileSync(f, path.join(team, path.basename(f)));

  const log = fs.openSync(path.join(data, "server.log"), "a");
  const child = spawn(bin, ["serve", "--data", data, "--listen", "127.0.0.1:0"], {
    env: serverEnv(),
    stdio: ["ignore", "ignore", "pipe"],
  });
  const base = await new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`shoebox did not start:\n${seen}`)), 120_000);
    child.stderr.on("data", (chunk) => {
      fs.writeSync(log, chunk);
      if (seen.length < 100_000) seen += chunk.toString();
      const m = seen.match(/listening on (http:\/\/[0-9.:]+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`shoebox exited (${code}):\n${seen}`)));
  });
  process.env.SHOEBOX_BASE_URL = base;
  process.env.SHOEBOX_SERVER_BIN = bin; // for tests that run `shoebox user add` and the like
  process.env.SHOEBOX_DATA = data;
  process.env.SHOEBOX_LIBRARY = files.personal;
  process.env.SHOEBOX_LIBRARY_COUNT = String(files.count);
  process.env.SHOEBOX_UPLOAD_FILE = files.upload;
  process.env.SHOEBOX_LIBRARY_FACES = String(files.faces); // photos of the recognition corpus
  process.env.SHOEBOX_WITH_MODELS = modelsDir() ? "1" : ""; // not SHOEBOX_RECOGNITION: the server reads that as config
  process.env.SHOEBOX_SCREENSHOTS = path.resolve(process.env.SHOEBOX_PORTAL_SCREENSHOTS
    || path.join(REPO, "target/portal-screenshots"));
  fs.mkdirSync(process.env.SHOEBOX_SCREENSHOTS, { recursive: true });
  console.log(`shoebox serve at ${base}, data ${data}`);

  return async () => {
    child.kill("SIGTERM");
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve();
      }, 10_000);
      child.on("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (!process.env.SHOEBOX_KEEP_DATA) {
      fs.rmSync(data, { recursive: true, force: true });
      fs.rmSync(library, { recursive: true, force: true });
    } else {
      console.log(`kept ${data}`);
    }
  };
};
