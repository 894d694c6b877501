// The portal's modules (web/js) as a graph, read from the files (no browser): the layers only
// look down and nothing is written twice.
//   web/js/*.js        one entry script per page: main.js (index.html, the portal), share-page.js
//                      (share.html), request-page.js (request.html); nothing imports them
//   web/js/pages/      the portal's pages, which main.js loads when first used
//   web/js/lib/        what the pages share; a lib module imports lib modules only
// Checked: every import names a file that exists; no import cycle (static or `import()`);
// no name exported by two modules, and no module keeps its own copy of a name lib exports
// (one `call`, one `listAll`, one `toolbar`…); the pages' <script> tags and index.html's
// modulepreload list (exactly main.js and what it imports statically: the first screen).
const { test, expect } = require("@playwright/test");
const fs = require("node:fs");
const path = require("node:path");

const WEB = path.resolve(__dirname, "../../web");
const JS = path.join(WEB, "js");

function modules(dir = JS) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return modules(file);
    return e.name.endsWith(".js") ? [path.relative(JS, file).split(path.sep).join("/")] : [];
  });
}

// The source without its comments (block comments, and line comments that start a line or
// follow code after a space: "https://…" in a string stays).
function code(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|\s)\/\/.*$/gm, "$1");
}

function read(name) {
  return code(fs.readFileSync(path.join(JS, name), "utf8"));
}

// `from` resolved against the module `name` (both relative to web/js), or null when outside.
function resolve(name, from) {
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(name), from));
  return target.startsWith("../") ? null : target;
}

// The imports of a module: { static: [...], dynamic: [...] }, each as written.
function importsOf(text) {
  const statics = [...text.matchAll(/^\s*(?:import|export)\s+(?:[^"';]*?\s+from\s+)?["']([^"']+)["']/gm)]
    .map((m) => m[1]);
  const dynamic = [...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  return { static: statics, dynamic };
}

function exportsOf(text) {
  const names = [...text.matchAll(/^export\s+(?:async\s+)?(?:function\s*\*?|class|const|let|var)\s+([A-Za-z_$][\w$]*)/gm)]
    .map((m) => m[1]);
  for (const m of text.matchAll(/^export\s*\{([^}]*)\}/gm)) {
    names.push(...m[1].split(",").map((part) => part.trim().split(/\s+as\s+/).pop()).filter(Boolean));
  }
  return names;
}

// The functions and classes a module defines at its top level (exported or not).
function definedIn(text) {
  return [
    ...text.matchAll(/^(?:export\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)/gm),
    ...text.matchAll(/^(?:export\s+)?class\s+([A-Za-z_$][\w$]*)/gm),
    ...text.matchAll(/^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s*)?(?:\([^)]*\)|[A-Za-z_$][\w$]*)\s*=>/gm),
  ].map((m) => m[1]);
}

const ALL = modules();
const TEXT = Object.fromEntries(ALL.map((name) => [name, read(name)]));
const GRAPH = Object.fromEntries(ALL.map((name) => {
  const { static: s, dynamic: d } = importsOf(TEXT[name]);
  return [name, { static: s.map((f) => resolve(name, f) || f), dynamic: d.map((f) => resolve(name, f) || f) }];
}));
const ENTRIES = ALL.filter((name) => !name.includes("/"));

test.describe("the portal's modules", () => {
  test("are laid out in entries, pages and lib", () => {
    expect(ENTRIES.sort()).toEqual(["main.js", "request-page.js", "share-page.js"]);
    expect(ALL.filter((name) => !ENTRIES.includes(name) && !/^(lib|pages)\/[^/]+\.js$/.test(name))).toEqual([]);
  });

  test("import files that exist, and only look down", () => {
    const wrong = [];
    for (const [name, { static: s, dynamic: d }] of Object.entries(GRAPH)) {
      for (const target of [...s, ...d]) {
        if (!ALL.includes(target)) wrong.push(`${name} imports ${target}, which is not a module of web/js`);
        else if (ENTRIES.includes(target)) wrong.push(`${name} imports the entry script ${target}`);
        else if (name.startsWith("lib/") && !target.startsWith("lib/")) wrong.push(`${name} (lib) imports ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test("have no import cycle", () => {
    const state = {}; // undefined: not seen; 1: on the current path; 2: done
    const cycles = [];
    const visit = (name, trail) => {
      if (state[name] === 2) return;
      if (state[name] === 1) {
        cycles.push([...trail.slice(trail.indexOf(name)), name].join(" → "));
        return;
      }
      state[name] = 1;
      const { static: s, dynamic: d } = GRAPH[name] || { static: [], dynamic: [] };
      for (const target of [...s, ...d]) visit(target, [...trail, name]);
      state[name] = 2;
    };
    for (const name of ALL) visit(name, []);
    expect(cycles).toEqual([]);
  });

  test("define each helper once", () => {
    const owner = {};
    const twice = [];
    for (const name of ALL) {
      for (const exported of exportsOf(TEXT[name])) {
        if (owner[exported]) twice.push(`${exported}: exported by ${owner[exported]} and ${name}`);
        else owner[exported] = name;
      }
    }
    // A module's own function of the name of a shared (lib) one is a copy of it.
    for (const name of ALL) {
      const exported = new Set(exportsOf(TEXT[name]));
      for (const defined of definedIn(TEXT[name])) {
        if (!exported.has(defined) && owner[defined] && owner[defined].startsWith("lib/")) {
          twice.push(`${defined}: ${name} has its own, ${owner[defined]} exports it`);
        }
      }
    }
    expect(twice).toEqual([]);
  });

  test("are what the pages load, and index.html preloads the first screen", () => {
    const missing = [];
    for (const page of ["index.html", "share.html", "request.html"]) {
      const html = fs.readFileSync(path.join(WEB, page), "utf8");
      const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
      expect(scripts.length, page).toBeGreaterThan(0);
      for (const attributes of scripts) {
        expect(attributes, `${page}: ${attributes}`).toMatch(/type="module"/);
        const src = attributes.match(/src="\/?([^"]+)"/)[1];
        if (!fs.existsSync(path.join(WEB, src))) missing.push(`${page}: ${src}`);
      }
    }
    expect(missing).toEqual([]);
    const firstScreen = new Set();
    const todo = ["main.js"];
    while (todo.length) {
      const name = todo.pop();
      if (firstScreen.has(name)) continue;
      firstScreen.add(name);
      todo.push(...GRAPH[name].static);
    }
    const index = fs.readFileSync(path.join(WEB, "index.html"), "utf8");
    const preloaded = [...index.matchAll(/<link rel="modulepreload" href="js\/([^"]+)">/g)].map((m) => m[1]);
    expect(preloaded.sort()).toEqual([...firstScreen].sort());
  });
});
