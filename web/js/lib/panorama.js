// The 360° view of an equirectangular panorama: a WebGL canvas whose fragment shader casts a ray
// for every pixel (from the view's yaw, pitch and field of view) and looks the ray's longitude
// and latitude up in the image. Drag (or swipe) to look around, the wheel or a pinch (or + and
// -) to zoom, the arrow keys to turn when the canvas has the focus.

const VERTEX = `
attribute vec2 corner;
varying vec2 screen;
void main() {
  screen = corner;
  gl_Position = vec4(corner, 0.0, 1.0);
}`;

const FRAGMENT = `
precision highp float;
uniform sampler2D image;
uniform float yaw;
uniform float pitch;
uniform float focal;
uniform float aspect;
varying vec2 screen;
const float PI = 3.141592653589793;
void main() {
  vec3 ray = normalize(vec3(screen.x * aspect, screen.y, -focal));
  float cp = cos(pitch), sp = sin(pitch);
  ray = vec3(ray.x, ray.y * cp - ray.z * sp, ray.y * sp + ray.z * cp);
  float cy = cos(yaw), sy = sin(yaw);
  ray = vec3(ray.x * cy - ray.z * sy, ray.y, ray.x * sy + ray.z * cy);
  float lon = atan(ray.x, -ray.z);
  float lat = asin(clamp(ray.y, -1.0, 1.0));
  gl_FragColor = texture2D(image, vec2(fract(lon / (2.0 * PI) + 0.5), 0.5 - lat / PI));
}`;

function shader(gl, type, source) {
  const s = gl.createShader(type);
  gl.shaderSource(s, source);
  gl.compileShader(s);
  if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s) || "shader");
  return s;
}

// Shows the image at `src` in `container`; returns { el, zoomBy, turn, destroy } or throws when
// WebGL is not available (the caller then shows the flat image).
export function panorama(src, label) {
  const canvas = document.createElement("canvas");
  canvas.className = "panorama";
  canvas.tabIndex = 0;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `360° view of ${label}: drag to look around`);
  const gl = canvas.getContext("webgl", { preserveDrawingBuffer: true });
  if (!gl) throw new Error("WebGL is not available");
  const program = gl.createProgram();
  gl.attachShader(program, shader(gl, gl.VERTEX_SHADER, VERTEX));
  gl.attachShader(program, shader(gl, gl.FRAGMENT_SHADER, FRAGMENT));
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error("WebGL program");
  gl.useProgram(program);
  gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer());
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
  const corner = gl.getAttribLocation(program, "corner");
  gl.enableVertexAttribArray(corner);
  gl.vertexAttribPointer(corner, 2, gl.FLOAT, false, 0, 0);
  const at = (name) => gl.getUniformLocation(program, name);
  const u = { yaw: at("yaw"), pitch: at("pitch"), focal: at("focal"), aspect: at("aspect") };

  const view = { yaw: 0, pitch: 0, fov: 90, loaded: false };
  let frame = 0;
  const draw = () => {
    frame = 0;
    const ratio = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(canvas.clientWidth * ratio));
    const hgt = Math.max(1, Math.round(canvas.clientHeight * ratio));
    if (canvas.width !== w || canvas.height !== hgt) {
      canvas.width = w;
      canvas.height = hgt;
    }
    gl.viewport(0, 0, w, hgt);
    if (!view.loaded) return;
    gl.uniform1f(u.yaw, view.yaw);
    gl.uniform1f(u.pitch, view.pitch);
    gl.uniform1f(u.focal, 1 / Math.tan((view.fov * Math.PI) / 360));
    gl.uniform1f(u.aspect, w / hgt);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    canvas.dataset.yaw = view.yaw.toFixed(3);
    canvas.dataset.fov = view.fov.toFixed(1);
  };
  const redraw = () => {
    if (!frame) frame = requestAnimationFrame(draw);
  };

  const image = new Image();
  image.onload = () => {
    gl.bindTexture(gl.TEXTURE_2D, gl.createTexture());
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGB, gl.RGB, gl.UNSIGNED_BYTE, image);
    view.loaded = true;
    canvas.dataset.loaded = "1";
    redraw();
  };
  image.src = src;

  const turn = (dyaw, dpitch) => {
    view.yaw = (view.yaw + dyaw) % (2 * Math.PI);
    view.pitch = Math.min(Math.max(view.pitch + dpitch, -Math.PI / 2 + 0.01), Math.PI / 2 - 0.01);
    redraw();
  };
  const zoomBy = (factor) => {
    view.fov = Math.min(Math.max(view.fov / factor, 30), 120);
    redraw();
  };

  const pointers = new Map();
  let pinch = 0;
  canvas.addEventListener("pointerdown", (event) => {
    pointers.set(event.pointerId, [event.clientX, event.clientY]);
    canvas.setPointerCapture(event.pointerId);
    canvas.classList.add("dragging");
  });
  canvas.addEventListener("pointermove", (event) => {
    const last = pointers.get(event.pointerId);
    if (!last) return;
    pointers.set(event.pointerId, [event.clientX, event.clientY]);
    if (pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      const d = Math.hypot(a[0] - b[0], a[1] - b[1]);
      if (pinch) zoomBy(d / pinch);
      pinch = d;
      return;
    }
    // One screen height of drag turns the view by its field of view.
    const perPixel = ((view.fov * Math.PI) / 180) / Math.max(canvas.clientHeight, 1);
    turn(-(event.clientX - last[0]) * perPixel, (event.clientY - last[1]) * perPixel);
  });
  const up = (event) => {
    pointers.delete(event.pointerId);
    pinch = 0;
    if (!pointers.size) canvas.classList.remove("dragging");
  };
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
  canvas.addEventListener("wheel", (event) => {
    event.preventDefault();
    zoomBy(Math.exp(-event.deltaY * 0.002));
  }, { passive: false });
  canvas.addEventListener("keydown", (event) => {
    const step = 0.1;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (!moves[event.key]) return;
    event.preventDefault();
    event.stopPropagation();
    turn(...moves[event.key]);
  });
  const resize = new ResizeObserver(redraw);
  resize.observe(canvas);

  return {
    el: canvas,
    zoomBy,
    turn,
    view,
    destroy() {
      resize.disconnect();
      cancelAnimationFrame(frame);
      const lose = gl.getExtension("WEBGL_lose_context");
      if (lose) lose.loseContext();
    },
  };
}
