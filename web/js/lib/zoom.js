// Zooming and panning one image in the viewer, and the stage's touch gestures: the wheel, + and
// - (and 0 to fit), a double click or double tap, dragging to pan while zoomed, pinching with two
// fingers. When not zoomed, a one-finger swipe left or right moves to the next or previous item
// and a swipe down closes the viewer.
//
// The image keeps its fitted layout size; the zoom is a CSS transform (translate, then scale
// about the image's centre). `onZoom(scale)` is told each change, so that the viewer can load
// the full-size image once it is zoomed.

const MAX = 8;
const STEP = 1.5;

export class Zoomer {
  constructor(stage, { onZoom = () => {}, onSwipe = () => {} } = {}) {
    this.stage = stage;
    this.onZoom = onZoom;
    this.onSwipe = onSwipe;
    this.img = null;
    this.scale = 1;
    this.tx = 0;
    this.ty = 0;
    this.pointers = new Map();
    this.gesture = null;
    this.lastTap = 0;
    this.pointerType = "mouse";
    stage.addEventListener("wheel", (event) => this.wheel(event), { passive: false });
    stage.addEventListener("dblclick", (event) => this.double(event));
    stage.addEventListener("pointerdown", (event) => this.down(event));
    stage.addEventListener("pointermove", (event) => this.move(event));
    stage.addEventListener("pointerup", (event) => this.up(event));
    stage.addEventListener("pointercancel", (event) => this.up(event, true));
  }

  // A new image (or none, for a video or a panorama, which handle their own gestures).
  attach(img) {
    this.img = img;
    this.scale = 1;
    this.tx = 0;
    this.ty = 0;
    this.apply();
  }

  get zoomed() {
    return this.scale > 1.001;
  }

  // The point (stage coordinates) relative to the stage's centre.
  offset(clientX, clientY) {
    const box = this.stage.getBoundingClientRect();
    return [clientX - (box.left + box.width / 2), clientY - (box.top + box.height / 2)];
  }

  // Zooms to `scale` keeping the point `at` (offset from the centre) where it is on screen.
  zoomTo(scale, at = [0, 0]) {
    if (!this.img) return;
    const next = Math.min(Math.max(scale, 1), MAX);
    const k = next / this.scale;
    this.tx = at[0] - (at[0] - this.tx) * k;
    this.ty = at[1] - (at[1] - this.ty) * k;
    this.scale = next;
    this.apply();
  }

  zoomBy(factor, at) {
    this.zoomTo(this.scale * factor, at);
  }

  reset() {
    this.zoomTo(1);
  }

  // Keeps the image over the stage: no empty margin on a side the image could cover.
  clamp() {
    if (!this.img) return;
    const box = this.stage.getBoundingClientRect();
    const w = this.img.offsetWidth * this.scale;
    const hgt = this.img.offsetHeight * this.scale;
    const mx = Math.max(0, (w - box.width) / 2);
    const my = Math.max(0, (hgt - box.height) / 2);
    this.tx = Math.min(Math.max(this.tx, -mx), mx);
    this.ty = Math.min(Math.max(this.ty, -my), my);
  }

  apply() {
    if (!this.img) return;
    if (this.scale <= 1.001) {
      this.scale = 1;
      this.tx = 0;
      this.ty = 0;
    }
    this.clamp();
    this.img.style.transform = this.scale === 1 ? ""
      : `translate(${this.tx}px, ${this.ty}px) scale(${this.scale})`;
    this.img.dataset.scale = this.scale.toFixed(3);
    this.stage.classList.toggle("zoomed", this.zoomed);
    this.onZoom(this.scale);
  }

  wheel(event) {
    if (!this.img) return;
    event.preventDefault();
    const factor = Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.002));
    this.zoomBy(factor, this.offset(event.clientX, event.clientY));
  }

  double(event) {
    // Touch screens get their double tap in up(); a synthesized dblclick would undo it.
    if (!this.img || this.pointerType !== "mouse") return;
    event.preventDefault();
    if (this.zoomed) this.reset();
    else this.zoomTo(2.5, this.offset(event.clientX, event.clientY));
  }

  down(event) {
    if (event.target.closest("button, a, input, video, canvas")) return;
    this.pointerType = event.pointerType;
    this.pointers.set(event.pointerId, [event.clientX, event.clientY]);
    this.stage.setPointerCapture(event.pointerId);
    if (this.pointers.size === 2 && this.img) {
      const [a, b] = [...this.pointers.values()];
      this.gesture = { kind: "pinch", distance: Math.hypot(a[0] - b[0], a[1] - b[1]), scale: this.scale };
    } else if (this.pointers.size === 1) {
      this.gesture = { kind: this.zoomed ? "pan" : "swipe", x: event.clientX, y: event.clientY,
        tx: this.tx, ty: this.ty, time: performance.now() };
    }
  }

  move(event) {
    if (!this.pointers.has(event.pointerId) || !this.gesture) return;
    this.pointers.set(event.pointerId, [event.clientX, event.clientY]);
    const g = this.gesture;
    if (g.kind === "pinch" && this.pointers.size === 2) {
      const [a, b] = [...this.pointers.values()];
      const distance = Math.hypot(a[0] - b[0], a[1] - b[1]);
      const mid = this.offset((a[0] + b[0]) / 2, (a[1] + b[1]) / 2);
      this.zoomTo(g.scale * (distance / Math.max(g.distance, 1)), mid);
      g.scale = this.scale;
      g.distance = distance;
    } else if (g.kind === "pan") {
      this.tx = g.tx + event.clientX - g.x;
      this.ty = g.ty + event.clientY - g.y;
      this.apply();
    } else if (g.kind === "swipe" && this.img && this.pointerType !== "mouse") {
      // The image follows the finger a little, so that a swipe feels attached.
      const dx = event.clientX - g.x;
      const dy = Math.max(event.clientY - g.y, 0);
      this.img.style.transform = Math.abs(dx) > Math.abs(dy) ? `translateX(${dx}px)` : `translateY(${dy}px)`;
    }
  }

  up(event, cancelled = false) {
    if (!this.pointers.has(event.pointerId)) return;
    this.pointers.delete(event.pointerId);
    const g = this.gesture;
    if (!g) return;
    if (g.kind === "pinch") {
      if (this.pointers.size === 0) this.gesture = null;
      else {
        const [[x, y]] = [...this.pointers.values()];
        this.gesture = { kind: "pan", x, y, tx: this.tx, ty: this.ty };
      }
      return;
    }
    this.gesture = null;
    if (g.kind !== "swipe") return;
    if (this.img && !this.zoomed) this.img.style.transform = "";
    if (cancelled || event.pointerType === "mouse") return;
    const dx = event.clientX - g.x;
    const dy = event.clientY - g.y;
    const fast = performance.now() - g.time < 800;
    if (Math.abs(dx) > 60 && Math.abs(dx) > Math.abs(dy) * 1.5 && fast) this.onSwipe(dx < 0 ? "left" : "right");
    else if (dy > 80 && dy > Math.abs(dx) * 1.5 && fast) this.onSwipe("down");
    else if (Math.abs(dx) < 10 && Math.abs(dy) < 10) {
      // A double tap zooms in at the point, or back out.
      const now = performance.now();
      if (now - this.lastTap < 300) {
        this.lastTap = 0;
        if (this.zoomed) this.reset();
        else this.zoomTo(2.5, this.offset(event.clientX, event.clientY));
      } else {
        this.lastTap = now;
      }
    }
  }
}

export const ZOOM_STEP = STEP;
