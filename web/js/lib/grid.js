// A justified, virtualised grid of thumbnails. Only the rows near the viewport are in the DOM;
// items are fetched a page at a time as their rows come near, and thumbnails load as their tiles
// appear. Until an item is known its tile is a placeholder of a typical shape; when a page
// arrives the layout is redone, keeping the first visible item where it was on screen.
//
// The keyboard: with the grid focused, the arrow keys move a focus ring over the tiles (↑ and ↓ to
// the nearest tile of the row above or below), Home and End to the first and last, Page Up and
// Page Down by a view; Enter opens the focused item, Space selects it.
//
// A source is { team, async init() -> { total, groups: [{ label, count, year, month }] },
// async fetch(offset, limit) -> [item] }: the groups cover the items in order.

import { h } from "./dom.js";
import { thumbnailUrl } from "./api.js";

const PAGE = 100;
const GAP = 4;
const HEADER = 48;
const GUESS_RATIO = 1.5;
const OVERSCAN = 1.0; // viewports above and below kept in the DOM
// A fling: while the view moves by more than its height in FLING_MS, frame after frame (a fast
// swipe, a scrubber drag), tiles cross it before a thumbnail could arrive: they stay empty and no
// items are fetched until the scroll slows down or stops for SETTLE_MS. A single jump loads at once.
const FLING_MS = 150;
const SETTLE_MS = 120;

export class PhotoGrid {
  constructor(source, { onOpen, onSelectionChange, scrubber = false, empty = "Nothing here yet." }) {
    this.source = source;
    this.onOpen = onOpen;
    this.onSelectionChange = onSelectionChange || (() => {});
    this.emptyText = empty;
    this.items = [];
    this.groups = [];
    this.pages = new Map();
    this.tiles = new Map();
    this.headers = new Map();
    this.selected = new Map(); // id -> item
    this.anchorIndex = null;
    this.focusIndex = null; // the tile the keyboard is on
    this.width = 0;
    this.frame = 0;

    this.canvas = h("div.grid-canvas", { role: "list" });
    this.scroller = h("div.grid-scroller", { tabindex: "0",
      "aria-label": "Photos: arrow keys move between them, Enter opens one, Space selects it" }, this.canvas);
    this.scrub = scrubber ? h("nav.scrubber", { "aria-label": "Jump to a date" }) : null;
    this.bubble = scrubber ? h("div.scrub-bubble", { hidden: true }) : null;
    this.el = h("div.grid-view", {}, this.scroller, this.scrub, this.bubble);

    this.scroller.addEventListener("scroll", () => this.schedule(false), { passive: true });
    this.canvas.addEventListener("click", (event) => this.click(event));
    this.scroller.addEventListener("keydown", (event) => this.key(event));
    this.resize = new ResizeObserver(() => {
      if (this.scroller.clientWidth !== this.width) this.schedule(true);
    });
    if (this.scrub) this.wireScrubber();
  }

  async start() {
    // The first page is asked for with the counts, not after them: one round trip less.
    const early = this.source.fetch(0, PAGE).catch(() => null);
    const { total, groups } = await this.source.init();
    this.total = total;
    this.items = new Array(total);
    let offset = 0;
    // The source's own group objects (a timeline's labels are getters, made when first shown).
    this.groups = groups.map((group) => {
      group.offset = offset;
      group.header = group.header ?? Boolean(group.label);
      offset += group.count;
      return group;
    });
    this.ys = new Float64Array(total);
    this.xs = new Float64Array(total);
    this.ws = new Float64Array(total);
    this.hs = new Float64Array(total);
    // Each item's shape, a guess until its page arrives: the layout reads only typed arrays.
    this.rs = new Float32Array(total).fill(GUESS_RATIO);
    if (total) {
      this.pages.set(0, early.then((list) => {
        if (list) this.take(0, list);
        else this.pages.delete(0);
      }));
    }
    this.resize.observe(this.scroller);
    if (!total) this.canvas.append(h("p.empty", {}, this.emptyText));
    this.schedule(true);
  }

  destroy() {
    this.resize.disconnect();
    cancelAnimationFrame(this.frame);
    clearTimeout(this.settle);
  }

  schedule(relayout) {
    this.needsLayout = this.needsLayout || relayout;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (this.needsLayout) this.layout();
      this.needsLayout = false;
      this.render();
    });
  }

  static ratioOf(item) {
    const res = item && item.additional && item.additional.resolution;
    if (!res || !res.width || !res.height) return GUESS_RATIO;
    return Math.min(Math.max(res.width / res.height, 0.4), 4);
  }

  // Computes every tile's box and every group's top; keeps the first visible item in place.
  // It runs again whenever a page of items arrives (their shapes replace the guesses), so it is
  // one pass over typed arrays: about a millisecond for 100,000 items.
  layout() {
    const anchor = this.firstVisible();
    const anchorOffset = anchor === null ? 0 : this.ys[anchor] - this.scroller.scrollTop;
    this.width = this.scroller.clientWidth;
    const width = Math.max(this.width - (this.scrub ? 56 : 16), 200);
    const target = this.width < 600 ? 110 : 190;
    const rs = this.rs;
    let y = 0;
    for (const group of this.groups) {
      group.top = y;
      y += group.header ? HEADER : 8;
      let start = group.offset;
      const end = group.offset + group.count;
      while (start < end) {
        let sum = 0;
        let stop = start;
        while (stop < end) {
          sum += rs[stop];
          stop += 1;
          if (sum * target + (stop - start - 1) * GAP >= width) break;
        }
        const full = sum * target + (stop - start - 1) * GAP >= width;
        const height = full ? (width - (stop - start - 1) * GAP) / sum : target;
        let x = 8;
        for (let i = start; i < stop; i += 1) {
          const w = rs[i] * height;
          this.xs[i] = x;
          this.ys[i] = y;
          this.ws[i] = w;
          this.hs[i] = height;
          x += w + GAP;
        }
        y += height + GAP;
        start = stop;
      }
      group.height = y - group.top;
    }
    this.height = y + 16;
    this.canvas.style.height = `${this.height}px`;
    if (anchor !== null) this.scroller.scrollTop = this.ys[anchor] - anchorOffset;
    if (this.scrub) this.drawScrubber();
  }

  // The first item whose row is at least partly in view.
  firstVisible() {
    if (!this.total || !this.width) return null;
    return this.indexAt(this.scroller.scrollTop);
  }

  // Binary search: the first index whose tile reaches below `y` (tiles are in y order).
  indexAt(y) {
    let lo = 0;
    let hi = this.total;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ys[mid] + this.hs[mid] < y) lo = mid + 1;
      else hi = mid;
    }
    return Math.min(lo, this.total - 1);
  }

  // The first group that reaches below `y` (groups are in y order).
  groupAt(y) {
    let lo = 0;
    let hi = this.groups.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const g = this.groups[mid];
      if (g.top + g.height < y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // Puts the tiles and headers near the viewport in the page. The scroll position and the view's
  // size are read once, before any change to the page, so that nothing here forces a layout.
  render() {
    if (!this.total) return;
    const view = this.scroller.clientHeight;
    const scrollTop = this.scroller.scrollTop;
    const top = scrollTop - view * OVERSCAN;
    const bottom = scrollTop + view * (1 + OVERSCAN);
    const now = performance.now();
    const fast = this.lastTime !== undefined
      && Math.abs(scrollTop - this.lastTop) * FLING_MS > view * Math.max(now - this.lastTime, 1);
    const flinging = fast && this.wasFast;
    this.lastTop = scrollTop;
    this.lastTime = now;
    this.wasFast = fast;
    clearTimeout(this.settle);
    if (fast) this.settle = setTimeout(() => this.schedule(false), SETTLE_MS);
    const keep = new Set();
    for (let i = this.indexAt(Math.max(top, 0)); i < this.total && this.ys[i] <= bottom; i += 1) {
      keep.add(i);
      if (!this.items[i] && !flinging) this.load(Math.floor(i / PAGE));
      let tile = this.tiles.get(i);
      if (!tile || (this.items[i] && tile.dataset.loaded !== "1")) {
        const fresh = this.tile(i, flinging);
        if (tile) tile.replaceWith(fresh);
        else this.canvas.append(fresh);
        tile = fresh;
        this.tiles.set(i, tile);
      } else {
        this.place(tile, i);
        if (!flinging && tile.dataset.deferred) this.showThumbnail(tile);
      }
    }
    for (const [i, el] of this.tiles) {
      if (!keep.has(i)) {
        el.remove();
        this.tiles.delete(i);
      }
    }
    const first = this.groupAt(Math.max(top, 0));
    let last = first;
    for (; last < this.groups.length && this.groups[last].top <= bottom; last += 1) {
      const group = this.groups[last];
      if (!group.header) continue;
      const el = this.headers.get(last);
      if (!el) {
        const header = h("h3.group-header", { style: { top: `${group.top}px` } }, group.label);
        this.headers.set(last, header);
        this.canvas.append(header);
      } else if (el.style.top !== `${group.top}px`) {
        el.style.top = `${group.top}px`;
      }
    }
    for (const [g, el] of this.headers) {
      if (g < first || g >= last) {
        el.remove();
        this.headers.delete(g);
      }
    }
    this.updateBubble(scrollTop, view);
  }

  boxStyle(i) {
    return {
      transform: `translate(${this.xs[i]}px, ${this.ys[i]}px)`,
      width: `${this.ws[i]}px`,
      height: `${this.hs[i]}px`,
    };
  }

  place(el, i) {
    Object.assign(el.style, this.boxStyle(i));
  }

  // A tile: a placeholder until its item is known; its thumbnail waits while flinging (`defer`).
  tile(i, defer = false) {
    const item = this.items[i];
    const style = this.boxStyle(i);
    if (!item) return h("div.tile.placeholder", { style, dataset: { index: String(i) } });
    const selected = this.selected.has(item.id);
    const src = thumbnailUrl(item, this.hs[i] > 200 ? "xl" : "m", this.source.team);
    return h("div.tile", {
      style, role: "listitem", className: `tile${selected ? " selected" : ""}${i === this.focusIndex ? " focused" : ""}`,
      dataset: { index: String(i), id: String(item.id), loaded: "1", ...(defer ? { deferred: src } : {}) },
    },
    h("img", {
      src: defer ? undefined : src,
      alt: item.filename, loading: "lazy", decoding: "async", draggable: "false",
    }),
    item.type === "video" ? h("span.badge", { "aria-label": "video" }, "▶") : null,
    item.type === "live" ? h("span.badge", { "aria-label": "Live Photo" }, "LIVE") : null,
    h("button.check", {
      type: "button", "aria-label": `Select ${item.filename}`, "aria-pressed": String(selected),
    }, "✓"));
  }

  showThumbnail(tile) {
    const img = tile.querySelector("img");
    if (img) img.src = tile.dataset.deferred;
    delete tile.dataset.deferred;
  }

  // A page of items has arrived: their shapes replace the guesses.
  take(page, list) {
    const offset = page * PAGE;
    list.forEach((item, k) => {
      if (offset + k < this.total) {
        this.items[offset + k] = item;
        this.rs[offset + k] = PhotoGrid.ratioOf(item);
      }
    });
    this.schedule(true);
  }

  load(page) {
    if (this.pages.has(page)) return this.pages.get(page);
    const offset = page * PAGE;
    const promise = this.source.fetch(offset, Math.min(PAGE, this.total - offset)).then((list) => {
      this.take(page, list);
    }).catch((error) => {
      this.pages.delete(page);
      console.warn("cannot load items", error);
    });
    this.pages.set(page, promise);
    return promise;
  }

  async item(i) {
    if (i < 0 || i >= this.total) return null;
    if (!this.items[i]) await this.load(Math.floor(i / PAGE));
    return this.items[i] || null;
  }

  async click(event) {
    const tile = event.target.closest(".tile");
    if (!tile || !tile.dataset.loaded) return;
    const i = Number(tile.dataset.index);
    const onCheck = event.target.closest(".check");
    if (event.shiftKey && this.anchorIndex !== null) {
      event.preventDefault();
      const [a, b] = [Math.min(this.anchorIndex, i), Math.max(this.anchorIndex, i)];
      for (let k = a; k <= b; k += 1) {
        const item = await this.item(k);
        if (item) this.selected.set(item.id, item);
      }
    } else if (onCheck || event.ctrlKey || event.metaKey || this.selected.size) {
      const item = this.items[i];
      if (this.selected.has(item.id)) this.selected.delete(item.id);
      else this.selected.set(item.id, item);
      this.anchorIndex = i;
    } else {
      this.onOpen(i);
      return;
    }
    this.refreshSelection();
  }

  // ---- The keyboard ----

  key(event) {
    if (event.target !== this.scroller || !this.total || event.ctrlKey || event.metaKey || event.altKey) return;
    const at = this.focusIndex;
    const view = this.scroller.clientHeight;
    let to = null;
    switch (event.key) {
      case "ArrowRight": to = at === null ? this.firstVisible() : at + 1; break;
      case "ArrowLeft": to = at === null ? this.firstVisible() : at - 1; break;
      case "ArrowDown": to = at === null ? this.firstVisible() : this.rowNeighbour(at, 1); break;
      case "ArrowUp": to = at === null ? this.firstVisible() : this.rowNeighbour(at, -1); break;
      case "Home": to = 0; break;
      case "End": to = this.total - 1; break;
      case "PageDown": to = this.indexAt((at === null ? this.scroller.scrollTop : this.ys[at]) + view); break;
      case "PageUp": to = this.indexAt(Math.max((at === null ? this.scroller.scrollTop : this.ys[at]) - view, 0)); break;
      case "Enter":
        if (at === null) return;
        event.preventDefault();
        this.onOpen(at);
        return;
      case " ":
        if (at === null) return;
        event.preventDefault();
        this.item(at).then((item) => {
          if (!item) return;
          if (this.selected.has(item.id)) this.selected.delete(item.id);
          else this.selected.set(item.id, item);
          this.anchorIndex = at;
          this.refreshSelection();
        });
        return;
      default:
        return;
    }
    event.preventDefault();
    this.focusOn(Math.min(Math.max(to, 0), this.total - 1));
  }

  // The tile of the next (`dir` 1) or previous (-1) row whose middle is nearest to tile `i`'s.
  rowNeighbour(i, dir) {
    const y = this.ys[i];
    let j = i;
    while (j >= 0 && j < this.total && this.ys[j] === y) j += dir;
    if (j < 0 || j >= this.total) return i;
    const row = this.ys[j];
    const middle = this.xs[i] + this.ws[i] / 2;
    let best = j;
    for (let k = j; k >= 0 && k < this.total && this.ys[k] === row; k += dir) {
      const d = Math.abs(this.xs[k] + this.ws[k] / 2 - middle);
      if (d < Math.abs(this.xs[best] + this.ws[best] / 2 - middle)) best = k;
    }
    return best;
  }

  // Moves the focus ring to tile `i`, scrolling it into view.
  focusOn(i) {
    const old = this.tiles.get(this.focusIndex);
    if (old) old.classList.remove("focused");
    this.focusIndex = i;
    const top = this.scroller.scrollTop;
    const view = this.scroller.clientHeight;
    if (this.ys[i] < top + 8) this.scroller.scrollTop = Math.max(this.ys[i] - HEADER, 0);
    else if (this.ys[i] + this.hs[i] > top + view - 8) this.scroller.scrollTop = this.ys[i] + this.hs[i] - view + 16;
    const tile = this.tiles.get(i);
    if (tile) tile.classList.add("focused");
    this.scroller.dataset.focus = String(i);
    this.schedule(false);
  }

  clearSelection() {
    this.selected.clear();
    this.anchorIndex = null;
    this.refreshSelection();
  }

  refreshSelection() {
    for (const el of this.tiles.values()) {
      const on = el.dataset.id && this.selected.has(Number(el.dataset.id));
      el.classList.toggle("selected", Boolean(on));
      const check = el.querySelector(".check");
      if (check) check.setAttribute("aria-pressed", String(Boolean(on)));
    }
    this.el.classList.toggle("selecting", this.selected.size > 0);
    this.onSelectionChange([...this.selected.values()]);
  }

  scrollToIndex(i) {
    if (i >= 0 && i < this.total) this.scroller.scrollTop = Math.max(this.ys[i] - HEADER, 0);
  }

  // The scrubber: one mark per year (or per month when there are few years), placed where the
  // year begins; pressing or dragging anywhere jumps there.
  drawScrubber() {
    const marks = [];
    const keys = [];
    const seen = new Set();
    const room = this.scroller.clientHeight;
    let lastY = -Infinity;
    const years = new Set(this.groups.map((g) => g.year));
    for (const group of this.groups) {
      const key = years.size > 3 ? `${group.year}` : `${group.year}-${group.month}`;
      if (group.year === undefined || seen.has(key)) continue;
      seen.add(key);
      // Marks closer than a line to the one above are left out (the bubble still names them).
      const y = (group.top / Math.max(this.height, 1)) * room;
      if (y - lastY < 16) continue;
      lastY = y;
      keys.push(`${key}@${Math.round(y)}`);
      const label = years.size > 3 ? String(group.year)
        : new Date(Date.UTC(group.year, group.month - 1, 1)).toLocaleString(undefined,
          { month: "short", year: "2-digit", timeZone: "UTC" });
      marks.push(h("button.scrub-mark", {
        type: "button", "aria-label": `Jump to ${label}`, dataset: { top: String(group.top) },
        style: { top: `${(group.top / Math.max(this.height, 1)) * 100}%` },
        onclick: (event) => {
          event.stopPropagation();
          this.scroller.scrollTop = group.top;
        },
      }, label));
    }
    // A page of items moves the marks by a pixel or none: the same marks are not made again.
    const key = keys.join(" ");
    if (key === this.scrubKey) {
      for (const [k, el] of [...this.scrub.children].entries()) el.dataset.top = marks[k].dataset.top;
      return;
    }
    this.scrubKey = key;
    this.scrub.replaceChildren(...marks);
  }

  wireScrubber() {
    let dragging = false;
    const jump = (event) => {
      const box = this.scrub.getBoundingClientRect();
      const f = Math.min(Math.max((event.clientY - box.top) / box.height, 0), 1);
      this.scroller.scrollTop = f * (this.height - this.scroller.clientHeight);
    };
    this.scrub.addEventListener("pointerdown", (event) => {
      if (event.target.closest(".scrub-mark")) return;
      dragging = true;
      this.scrub.setPointerCapture(event.pointerId);
      jump(event);
    });
    this.scrub.addEventListener("pointermove", (event) => dragging && jump(event));
    this.scrub.addEventListener("pointerup", () => {
      dragging = false;
    });
  }

  // The bubble beside the scrubber names the group at the top of the view (`y`, the scroll
  // position, and `view`, the view's height, as render read them).
  updateBubble(y, view) {
    if (!this.bubble || !this.total) return;
    const group = this.groups[Math.min(this.groupAt(y), this.groups.length - 1)];
    const text = group ? group.short || group.label : "";
    if (this.bubble.textContent !== text) this.bubble.textContent = text;
    this.bubble.hidden = !text;
    const f = Math.min(y / Math.max(this.height - view, 1), 1);
    this.bubble.style.top = `calc(${f * 100}% - ${f * 24}px)`;
  }
}
