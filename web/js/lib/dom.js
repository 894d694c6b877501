// Building the page without innerHTML: every text from the server goes in as text.

// h("div.card#main", { onclick, title, dataset: {...}, hidden }, child, "text", [children])
export function h(tag, props = {}, ...children) {
  const [name, ...rest] = tag.split(/(?=[.#])/);
  const el = document.createElement(name || "div");
  for (const part of rest) {
    if (part.startsWith(".")) el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "style" && typeof value === "object") {
      Object.assign(el.style, value);
    } else if (key in el && typeof value !== "string") {
      el[key] = value;
    } else if (key in el && ["value", "textContent", "className", "htmlFor"].includes(key)) {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

// A short-lived message at the bottom of the screen.
export function toast(text, kind = "info") {
  const box = document.getElementById("toasts");
  const el = h(`div.toast.${kind}`, { role: kind === "error" ? "alert" : "status" }, text);
  box.append(el);
  setTimeout(() => el.remove(), 5000);
}

// A modal dialog built from `content`; resolves when closed, with the value given to close().
export function dialog(title, build) {
  return new Promise((resolve) => {
    const el = h("dialog.modal", { "aria-label": title });
    const close = (value) => {
      el.close();
      el.remove();
      resolve(value);
    };
    el.append(h("h2", {}, title), build(close));
    el.addEventListener("cancel", (event) => {
      event.preventDefault();
      close(undefined);
    });
    document.body.append(el);
    el.showModal();
  });
}

// Asks for one line of text; resolves to it, or undefined when cancelled.
export function prompt(title, label, initial = "") {
  return dialog(title, (close) => {
    const input = h("input", { name: "value", value: initial, required: true, maxlength: 255 });
    return h("form", {
      onsubmit: (event) => {
        event.preventDefault();
        close(input.value.trim());
      },
    }, h("label", {}, label, input),
    h("div.actions", {},
      h("button.secondary", { type: "button", onclick: () => close(undefined) }, "Cancel"),
      h("button", { type: "submit" }, "OK")));
  });
}

export function confirmDialog(title, text, action = "Delete") {
  return dialog(title, (close) => h("div", {}, h("p", {}, text),
    h("div.actions", {},
      h("button.secondary", { type: "button", onclick: () => close(false) }, "Cancel"),
      h("button.danger", { type: "button", onclick: () => close(true) }, action))));
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];

export function monthName(month) {
  return MONTHS[month - 1] || "";
}

// Item times are the camera's wall clock stored as if it were UTC: show them in UTC.
export function formatDate(seconds, withTime = false) {
  const d = new Date(seconds * 1000);
  const options = { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" };
  if (withTime) Object.assign(options, { hour: "2-digit", minute: "2-digit" });
  return d.toLocaleString(undefined, options);
}

export function formatBytes(n) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i += 1;
  }
  return `${n < 10 && i ? n.toFixed(1) : Math.round(n)} ${units[i]}`;
}

// "1 photo", "3 photos"; `many` for an irregular plural ("2 people").
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

// A page's bar above its content: title, switches, buttons.
export function toolbar(...children) {
  return h("div.toolbar", {}, ...children);
}
