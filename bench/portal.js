#!/usr/bin/env node
// The browser side of bench/portal (issue 8): the portal's timeline of a large library in
// headless Chromium, against its peers measured in the same run.
//
//   node bench/portal.js --url URL [--small-url URL2] --account A --password P --web DIR --out DIR
//
// It signs in to each server through the API (SYNO.API.Auth login, as the portal does) and gives
// every browser context the session (the `id` cookie and the SynoToken in localStorage, as after
// a reload), then measures, each time in a fresh context (an empty browser cache):
//
// 1. First thumbnails: from navigation to the rAF at which every tile in the first screen of the
//    timeline shows a loaded thumbnail (and to the first one). Pages: the portal at
//    #/photos/shared of URL; the floor, a static page holding exactly those tiles (same boxes,
//    same thumbnail URLs, the portal's stylesheet, no script) written into DIR/web and served by
//    the same server; the portal of URL2 (the same library, smaller). Rounds alternate the order.
// 2. Scrolling through YEARS years: a rAF loop moves the grid's scroller down at a constant speed
//    (the distance of YEARS years in grid.js's layout of URL's items, over SECONDS seconds) until
//    the scroller reaches the first day of the year YEARS before the newest (the scrubber's mark
//    of that year); every rAF delta is a frame time; long tasks come from a buffered
//    PerformanceObserver('longtask'); the main thread's script, style and layout time from the
//    DevTools protocol (Performance.getMetrics). The peer is the same scroll at the same speed
//    through YEARS years of URL2's portal: a page that does not grow with the library shows the
//    same frames.
//
// Writes DIR/portal.json (bench/portal prints it). SHOEBOX_BENCH_PROFILE=1 also records a CPU
// profile of the large portal's scroll (DIR/portal-scroll.cpuprofile, for Chrome's DevTools)
// and lists the functions with the most self time.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith("--")) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const BASE = args.url;
const SMALL = args["small-url"] || null;
const OUT = args.out;
const WEB = args.web;
const ROUNDS = Number(args.rounds || 5);
const SCROLL_ROUNDS = Number(args["scroll-rounds"] || 2);
const SCROLL_SECONDS = Number(args["scroll-seconds"] || 20);
const YEARS = Number(args.years || 10);
const WHEEL_SPEED = Number(args["wheel-speed"] || 3000);
const WHEEL_SECONDS = Number(args["wheel-seconds"] || 10);
const TEAM = (args.space || "shared") === "shared";
const PROFILE = process.env.SHOEBOX_BENCH_PROFILE === "1";
const VIEWPORT = { width: 1280, height: 800 };
if (!BASE || !OUT || !WEB || !args.account || !args.password) {
  console.error("usage: node bench/portal.js --url URL --account A --password P --web DIR --out DIR");
  process.exit(2);
}

const { chromium } = require(require.resolve("@playwright/test", {
  paths: [process.env.SHOEBOX_PLAYWRIGHT_DIR || path.join(__dirname, "../tests/browser")],
}));

const log = (...m) => console.error("  ", ...m);
const space = (name) => `${TEAM ? "SYNO.FotoTeam" : "SYNO.Foto"}.${name}`;

// ---- the API, from Node ---------------------------------------------------------------------

const sessions = new Map(); // base URL -> { sid, synotoken }
async function call(api, method, version, params = {}, base = BASE) {
  const body = new URLSearchParams({ api, method, version: String(version) });
  for (const [k, v] of Object.entries(params)) body.append(k, typeof v === "string" ? v : JSON.stringify(v));
  const session = sessions.get(base);
  const headers = session ? { "X-SYNO-TOKEN": session.synotoken, Cookie: `id=${session.sid}` } : {};
  const response = await fetch(`${base}/webapi/entry.cgi`, { method: "POST", body, headers });
  const answer = await response.json();
  if (!answer.success) throw new Error(`${api} ${method}: error ${JSON.stringify(answer.error)}`);
  return answer.data;
}

// The timeline's groups, as sources.js timelineSource makes them.
function dayLabel(year, month, day) {
  return new Date(Date.UTC(year, month - 1, day)).toLocaleDateString("en-US", {
    weekday: "short", day: "numeric", month: "long", year: "numeric", timeZone: "UTC",
  });
}
async function timelineGroups(base) {
  const data = await call(space("Browse.Timeline"), "get", 2, { timeline_group_unit: "day" }, base);
  const groups = [];
  const seen = new Set();
  let offset = 0;
  for (const section of data.section || []) {
    for (const e of section.list || []) {
      const key = `${e.year}-${e.month}-${e.day}`;
      if (seen.has(key)) continue;
      seen.add(key);
      groups.push({ year: e.year, label: dayLabel(e.year, e.month, e.day), count: e.item_count, offset });
      offset += e.item_count;
    }
  }
  return groups;
}

async function listItems(count) {
  const items = [];
  while (items.length < count) {
    const list = (await call(space("Browse.Item"), "list", 1, {
      offset: items.length, limit: Math.min(5000, count - items.length), sort_by: "takentime",
      sort_direction: "desc", additional: ["thumbnail", "resolution"],
    })).list;
    if (!list.length) break;
    items.push(...list);
  }
  return items;
}

// ---- the peer pages -------------------------------------------------------------------------

// grid.js's layout (the same constants and arithmetic) for the given groups and items.
const GAP = 4;
const HEADER = 48;
function layout(groups, items, scrollerWidth) {
  const ratio = (i) => {
    const res = items[i] && items[i].additional && items[i].additional.resolution;
    if (!res || !res.width || !res.height) return 1.5;
    return Math.min(Math.max(res.width / res.height, 0.4), 4);
  };
  const width = Math.max(scrollerWidth - 56, 200);
  const target = scrollerWidth < 600 ? 110 : 190;
  const boxes = [];
  const headers = [];
  let y = 0;
  for (const group of groups) {
    if (group.offset >= items.length) break;
    headers.push({ top: y, label: group.label, year: group.year });
    y += HEADER;
    let start = group.offset;
    const end = Math.min(group.offset + group.count, items.length);
    while (start < end) {
      let sum = 0;
      let stop = start;
      while (stop < end) {
        sum += ratio(stop);
        stop += 1;
        if (sum * target + (stop - start - 1) * GAP >= width) break;
      }
      const full = sum * target + (stop - start - 1) * GAP >= width;
      const height = full ? (width - (stop - start - 1) * GAP) / sum : target;
      let x = 8;
      for (let i = start; i < stop; i += 1) {
        const w = ratio(i) * height;
        boxes.push({ x, y, w, h: height });
        x += w + GAP;
      }
      y += height + GAP;
      start = stop;
    }
  }
  return { boxes, headers, height: y + 16 };
}

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");

// api.js thumbnailUrl, with the same parameters in the same order.
function thumbnailUrl(item, size) {
  const thumb = (item.additional && item.additional.thumbnail) || {};
  const q = new URLSearchParams({
    api: space("Thumbnail"), method: "get", version: "2", type: "unit", size,
    id: String(thumb.unit_id || item.id),
  });
  if (thumb.cache_key) q.append("cache_key", thumb.cache_key);
  q.append("SynoToken", sessions.get(BASE).synotoken);
  return `/webapi/entry.cgi?${q}`;
}

// The floor: a static page with the portal's stylesheet, a scroller where the portal's is, and
// the first screen's tiles and day headers as grid.js places them (a tile is the same div, img
// and check button as the portal's; the images are not lazy).
function staticPage(file, { items, lay, count, rect, lazy = false }) {
  const parts = [`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>peer</title>
<link rel="stylesheet" href="app.css"></head><body>
<div class="grid-view" style="position:fixed;left:${rect.left}px;top:${rect.top}px;width:${rect.width}px;height:${rect.height}px">
<div class="grid-scroller" tabindex="0"><div class="grid-canvas" role="list" style="height:${lay.height}px">`];
  for (const hd of lay.headers) {
    if (hd.top > (lay.boxes[count - 1] || { y: 0 }).y) break;
    parts.push(`<h3 class="group-header" style="top:${hd.top}px">${esc(hd.label)}</h3>`);
  }
  for (let i = 0; i < count; i += 1) {
    const b = lay.boxes[i];
    const item = items[i];
    parts.push(`<div class="tile" role="listitem" style="transform:translate(${b.x}px, ${b.y}px);width:${b.w}px;height:${b.h}px">`
      + `<img src="${esc(thumbnailUrl(item, b.h > 200 ? "xl" : "m"))}" alt="${esc(item.filename)}"${lazy ? ' loading="lazy"' : ""} decoding="async" draggable="false">`
      + `<button class="check" type="button" aria-label="Select ${esc(item.filename)}" aria-pressed="false">✓</button></div>`);
  }
  parts.push("</div></div></div></body></html>\n");
  fs.writeFileSync(path.join(WEB, file), parts.join("\n"));
}

// ---- in the page ----------------------------------------------------------------------------

// Runs before any script of every page: the session, the long-task observer, and the rAF poll
// that notes when the first thumbnail and the whole first screen of tiles have loaded.
function instrument(token) {
  if (token) localStorage.setItem("shoebox.synotoken", token);
  const b = (window.__bench = { longtasks: [], first: null, screen: null, screenTiles: 0 });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        b.longtasks.push({ start: e.startTime, duration: e.duration,
          attribution: (e.attribution || []).map((a) => `${a.containerType}:${a.containerSrc || a.containerName || ""}`) });
      }
    }).observe({ type: "longtask", buffered: true });
  } catch (e) {
    b.noLongtasks = String(e);
  }
  const poll = () => {
    const scroller = document.querySelector(".grid-scroller");
    if (scroller) {
      const view = scroller.getBoundingClientRect();
      const tiles = [...scroller.querySelectorAll(".tile")].filter((t) => {
        const r = t.getBoundingClientRect();
        return r.bottom > view.top && r.top < view.bottom && r.height > 0;
      });
      const loaded = tiles.filter((t) => {
        const img = t.querySelector("img");
        return img && img.complete && img.naturalWidth > 0;
      }).length;
      const now = performance.now();
      if (loaded && b.first === null) b.first = now;
      if (tiles.length && loaded === tiles.length) {
        b.screen = now;
        b.screenTiles = tiles.length;
        return;
      }
    }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
}

// Scrolls `.grid-scroller` down at `velocity` px/s, one step per rAF, until its scrollTop reaches
// the scrubber's "Jump to YEAR" mark (where that year's newest day begins) or maxMs have passed.
function scrollRun({ velocity, endYear, maxMs }) {
  const scroller = document.querySelector(".grid-scroller");
  const endTop = () => {
    if (!endYear) return Infinity;
    const mark = document.querySelector(`.scrub-mark[aria-label="Jump to ${endYear}"]`);
    return mark ? Number(mark.dataset.top) : Infinity;
  };
  return new Promise((resolve) => {
    const frames = [];
    let t0 = null;
    let last = 0;
    let moved = 0;
    const step = (t) => {
      if (t0 === null) {
        t0 = t;
        last = t;
      } else {
        frames.push(t - last);
        const dy = (velocity * (t - last)) / 1000;
        last = t;
        scroller.scrollTop += dy;
        moved += dy;
      }
      const end = endTop();
      if (scroller.scrollTop >= end - 2 || t - t0 > maxMs) {
        resolve({ t0, t1: t, frames, moved, reached: !endYear || scroller.scrollTop >= end - 2, end,
          tilesInPage: scroller.querySelectorAll(".tile").length });
        return;
      }
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
}

// ---- measuring ------------------------------------------------------------------------------

let browser = null;
async function context(base) {
  const session = sessions.get(base);
  const ctx = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  await ctx.addCookies([{ name: "id", value: session.sid, url: base }]);
  await ctx.addInitScript(instrument, session.synotoken);
  return ctx;
}

async function waitScreen(page, what) {
  await page.waitForFunction(() => window.__bench && window.__bench.screen !== null, null,
    { timeout: 120_000, polling: 100 }).catch(() => {
    throw new Error(`${what}: the first screen of thumbnails did not load in 120 s`);
  });
  return page.evaluate(() => {
    const b = window.__bench;
    const nav = performance.getEntriesByType("navigation")[0];
    const api = performance.getEntriesByType("resource").filter((r) => r.name.includes("entry.cgi"));
    const calls = api.filter((r) => r.initiatorType === "fetch");
    const thumbs = api.filter((r) => r.initiatorType !== "fetch");
    return {
      first: b.first, screen: b.screen, tiles: b.screenTiles,
      html: nav ? nav.responseEnd : null, dcl: nav ? nav.domContentLoadedEventEnd : null,
      calls: calls.map((r) => [Math.round(r.startTime), Math.round(r.responseEnd)]),
      firstThumbStart: thumbs.length ? Math.min(...thumbs.map((r) => r.startTime)) : null,
      longtasks: b.longtasks.filter((l) => l.start < b.screen),
    };
  });
}

async function firstScreen({ base, url }, what) {
  const ctx = await context(base);
  const page = await ctx.newPage();
  await page.goto(url);
  const r = await waitScreen(page, what);
  await ctx.close();
  return r;
}

async function metrics(cdp) {
  const { metrics: list } = await cdp.send("Performance.getMetrics");
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

async function scrolled({ base, url }, what, velocity, endYear) {
  const ctx = await context(base);
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send("Performance.enable");
  await page.goto(url);
  await waitScreen(page, what);
  await page.waitForTimeout(1500);
  const before = await metrics(cdp);
  if (PROFILE && what === "large") {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    await cdp.send("Profiler.start");
  }
  const run = await page.evaluate(scrollRun, { velocity, endYear,
    maxMs: endYear ? SCROLL_SECONDS * 4000 : WHEEL_SECONDS * 1000 });
  let profile = null;
  if (PROFILE && what === "large") profile = (await cdp.send("Profiler.stop")).profile;
  const after = await metrics(cdp);
  await page.waitForTimeout(1000);
  Object.assign(run, await page.evaluate(() => {
    const scroller = document.querySelector(".grid-scroller");
    const view = scroller.getBoundingClientRect();
    const tiles = [...scroller.querySelectorAll(".tile")].filter((t) => {
      const r = t.getBoundingClientRect();
      return r.bottom > view.top && r.top < view.bottom;
    });
    return { tilesAtEnd: tiles.length, loadedAtEnd: tiles.filter((t) => {
      const img = t.querySelector("img");
      return img && img.complete && img.naturalWidth > 0;
    }).length };
  }));
  const longtasks = await page.evaluate(({ t0, t1 }) => window.__bench.longtasks
    .filter((l) => l.start + l.duration > t0 && l.start < t1), { t0: run.t0, t1: run.t1 });
  await ctx.close();
  const d = (k) => (after[k] || 0) - (before[k] || 0);
  return {
    ...run, longtasks,
    main: { task: d("TaskDuration"), script: d("ScriptDuration"), layout: d("LayoutDuration"),
      style: d("RecalcStyleDuration"), layouts: d("LayoutCount"), styles: d("RecalcStyleCount") },
    profile,
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};

function frameStats(runs) {
  const frames = runs.flatMap((r) => r.frames);
  const longtasks = runs.flatMap((r) => r.longtasks);
  const seconds = runs.reduce((n, r) => n + (r.t1 - r.t0) / 1000, 0);
  const task = runs.reduce((n, r) => n + r.main.task, 0);
  return {
    frames: frames.length, seconds,
    median_ms: median(frames), p95_ms: pct(frames, 95), p99_ms: pct(frames, 99), max_ms: Math.max(...frames),
    fps: frames.length / seconds, fps_median: 1000 / median(frames),
    over_50ms: frames.filter((f) => f > 50).length,
    longtasks: longtasks.length, longtask_max_ms: longtasks.length ? Math.max(...longtasks.map((l) => l.duration)) : 0,
    longtask_total_ms: longtasks.reduce((n, l) => n + l.duration, 0),
    longtasks_over_100ms: longtasks.filter((l) => l.duration > 100).length,
    main_busy: task / seconds,
    script_s: runs.reduce((n, r) => n + r.main.script, 0),
    layout_s: runs.reduce((n, r) => n + r.main.layout, 0),
    style_s: runs.reduce((n, r) => n + r.main.style, 0),
    moved_px: runs.map((r) => Math.round(r.moved)), reached: runs.every((r) => r.reached),
    tiles_in_page: runs.map((r) => r.tilesInPage),
    loaded_at_end: runs.reduce((n, r) => n + r.loadedAtEnd, 0),
    tiles_at_end: runs.reduce((n, r) => n + r.tilesAtEnd, 0),
  };
}

// The functions with the most self time in a CPU profile (Profiler.Profile).
function topFunctions(profile, n = 12) {
  const self = new Map();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const dts = profile.timeDeltas;
  profile.samples.forEach((id, k) => {
    const node = byId.get(id);
    const f = node.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : ""}`.trim();
    self.set(key, (self.get(key) || 0) + (dts[k] || 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([name, ms]) => ({ name, ms: Math.round(ms), share: ms / total }));
}

async function main() {
  const bases = SMALL ? [BASE, SMALL] : [BASE];
  for (const base of bases) {
    sessions.set(base, await call("SYNO.API.Auth", "login", 7, {
      account: args.account, passwd: args.password, session: "webui", enable_syno_token: "yes",
    }, base));
  }
  const hash = `#/photos/${TEAM ? "shared" : "personal"}`;
  const pages = {
    large: { base: BASE, url: `${BASE}/${hash}` },
    floor: { base: BASE, url: `${BASE}/bench-first-screen.html` },
  };
  if (SMALL) pages.small = { base: SMALL, url: `${SMALL}/${hash}` };
  const names = Object.keys(pages);
  browser = await chromium.launch({
    executablePath: process.env.SHOEBOX_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  const browserVersion = browser.version();

  // The portal's geometry, from a warm-up load of each portal.
  log("warm-up loads; the library's timeline and items");
  let geometry = null;
  for (const name of names.filter((n) => n !== "floor")) {
    const ctx = await context(pages[name].base);
    const page = await ctx.newPage();
    await page.goto(pages[name].url);
    await waitScreen(page, name);
    geometry = geometry || await page.evaluate(() => {
      const s = document.querySelector(".grid-scroller");
      const r = s.getBoundingClientRect();
      return { left: r.left, top: r.top, width: r.width, height: r.height, clientWidth: s.clientWidth,
        clientHeight: s.clientHeight };
    });
    await ctx.close();
  }

  // The YEARS years scrolled through, laid out as grid.js lays them out once their items are known.
  const shape = async (base) => {
    const groups = await timelineGroups(base);
    const newest = groups[0].year;
    const endGroup = groups.findIndex((g) => g.year <= newest - YEARS);
    if (endGroup < 0) throw new Error(`the library of ${base} does not span ${YEARS} years`);
    return { groups, total: groups.reduce((n, g) => n + g.count, 0), endYear: newest - YEARS, endGroup,
      endOffset: groups[endGroup].offset };
  };
  const large = await shape(BASE);
  const small = SMALL ? await shape(SMALL) : null;
  const t = Date.now();
  const items = await listItems(large.endOffset + 200);
  log(`listed ${items.length} items in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const lay = layout(large.groups, items, geometry.clientWidth);
  const endTop = lay.headers[large.endGroup].top;
  let screenCount = 0;
  while (screenCount < lay.boxes.length && lay.boxes[screenCount].y < geometry.clientHeight) screenCount += 1;
  staticPage("bench-first-screen.html", { items, lay, count: screenCount, rect: geometry });
  // The wheel's floor: the tiles the slower scroll passes, and a view more, lazy-loaded as in the portal.
  let wheelCount = 0;
  const wheelEnd = WHEEL_SPEED * WHEEL_SECONDS + 2 * geometry.clientHeight;
  while (wheelCount < lay.boxes.length && lay.boxes[wheelCount].y < wheelEnd) wheelCount += 1;
  staticPage("bench-wheel.html", { items, lay, count: wheelCount, rect: geometry, lazy: true });
  log(`the floor pages: the first screen's ${screenCount} tiles, the slower scroll's ${wheelCount}; `
    + `${YEARS} years = ${large.endOffset} items, ${large.endGroup} days, ${Math.round(endTop)} px`);

  // 1. First thumbnails, each page in turn, each load in a fresh context; a warm-up of the floor.
  await firstScreen(pages.floor, "floor");
  const first = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r += 1) {
    const order = r % 2 ? [...names].reverse() : names;
    for (const name of order) {
      const res = await firstScreen(pages[name], name);
      first[name].push(res);
      log(`first screen ${r + 1}/${ROUNDS} ${name}: first thumbnail ${res.first.toFixed(0)} ms, `
        + `all ${res.tiles} tiles ${res.screen.toFixed(0)} ms`);
    }
  }

  // 2. Scrolling through YEARS years at the speed that takes SCROLL_SECONDS for the large library.
  const velocity = endTop / SCROLL_SECONDS;
  log(`scrolling ${YEARS} years at ${Math.round(velocity)} px/s`);
  const scrollers = names.filter((n) => n !== "floor");
  const scroll = Object.fromEntries(scrollers.map((n) => [n, []]));
  let profile = null;
  for (let r = 0; r < SCROLL_ROUNDS; r += 1) {
    const order = r % 2 ? [...scrollers].reverse() : scrollers;
    for (const name of order) {
      const endYear = name === "large" ? large.endYear : small.endYear;
      const res = await scrolled(pages[name], name, velocity, endYear);
      if (res.profile) profile = res.profile;
      delete res.profile;
      scroll[name].push(res);
      const s = frameStats([res]);
      log(`scroll ${r + 1}/${SCROLL_ROUNDS} ${name}: ${s.seconds.toFixed(1)} s, ${s.frames} frames, median `
        + `${s.median_ms.toFixed(1)} ms, p95 ${s.p95_ms.toFixed(1)} ms, long tasks ${s.longtasks} (max `
        + `${s.longtask_max_ms.toFixed(0)} ms), main thread ${(100 * s.main_busy).toFixed(0)}% busy`
        + `${res.reached ? "" : " (END NOT REACHED)"}`);
    }
  }
  // 3. A slower scroll, as with a mouse wheel or a swipe, where every tile gets its thumbnail.
  log(`scrolling at ${WHEEL_SPEED} px/s for ${WHEEL_SECONDS} s`);
  const wheelPages = { ...pages, floor: { base: BASE, url: `${BASE}/bench-wheel.html` } };
  const wheelers = names;
  const wheel = Object.fromEntries(wheelers.map((n) => [n, []]));
  for (let r = 0; r < SCROLL_ROUNDS; r += 1) {
    const order = r % 2 ? [...wheelers].reverse() : wheelers;
    for (const name of order) {
      const res = await scrolled(wheelPages[name], `${name} wheel`, WHEEL_SPEED, null);
      delete res.profile;
      wheel[name].push(res);
      const s = frameStats([res]);
      log(`wheel ${r + 1}/${SCROLL_ROUNDS} ${name}: ${s.frames} frames, median ${s.median_ms.toFixed(1)} ms, `
        + `p95 ${s.p95_ms.toFixed(1)} ms, long tasks ${s.longtasks} (max ${s.longtask_max_ms.toFixed(0)} ms), `
        + `thumbnails loaded ${res.loadedAtEnd}/${res.tilesAtEnd} in view at the end`);
    }
  }
  await browser.close();

  const fp = (name) => ({
    first_ms: median(first[name].map((r) => r.first)),
    screen_ms: median(first[name].map((r) => r.screen)),
    screen_min_ms: Math.min(...first[name].map((r) => r.screen)),
    screen_max_ms: Math.max(...first[name].map((r) => r.screen)),
    tiles: median(first[name].map((r) => r.tiles)),
    dcl_ms: median(first[name].map((r) => r.dcl)),
    longtasks: first[name].reduce((n, r) => n + r.longtasks.length, 0),
    runs: first[name],
  });
  const describe = (lib) => lib && ({ total: lib.total, groups: lib.groups.length, end_year: lib.endYear,
    end_items: lib.endOffset, end_days: lib.endGroup });
  const result = {
    browser: browserVersion, viewport: VIEWPORT, geometry, years: YEARS,
    large: describe(large), small: describe(small), end_px: endTop,
    velocity_px_s: velocity, scroll_seconds: SCROLL_SECONDS, rounds: ROUNDS, scroll_rounds: SCROLL_ROUNDS,
    floor_tiles: screenCount,
    first: Object.fromEntries(names.map((n) => [n, fp(n)])),
    scroll: Object.fromEntries(scrollers.map((n) => [n, frameStats(scroll[n])])),
    scroll_runs: scroll,
    wheel_px_s: WHEEL_SPEED, wheel_seconds: WHEEL_SECONDS,
    wheel: Object.fromEntries(wheelers.map((n) => [n, frameStats(wheel[n])])), wheel_floor_tiles: wheelCount,
    wheel_runs: wheel,
    profile_top: profile ? topFunctions(profile) : null,
  };
  if (profile) fs.writeFileSync(path.join(OUT, "portal-scroll.cpuprofile"), JSON.stringify(profile));
  fs.writeFileSync(path.join(OUT, "portal.json"), JSON.stringify(result, null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
