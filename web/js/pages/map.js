// The map: the photos with a location of the Personal or the Shared Space (a switch; `#/map/shared`,
// SYNO.FotoTeam.Browse.Map), grouped in clusters by the server
// (`Browse.Map list_cluster`, docs/protocol-choices.md "Places and the map"), drawn on Leaflet
// (web/vendor/leaflet, loaded only here). Map tiles are the portal's only requests to other
// hosts, and only on this page: OpenStreetMap's standard tiles, or its Humanitarian or
// OpenTopoMap layers from the layer switcher. When tiles cannot be loaded (offline) the
// clusters stay on a plain graticule and a notice says so. A click on a cluster zooms in, or,
// once close enough (or for one photo), lists its photos (`list_item` with its bounds).

import { call, thumbnailUrl, spaceApi } from "../lib/api.js";
import { h, toolbar, plural } from "../lib/dom.js";
import { mapSource } from "../lib/sources.js";
import { spaceHref, spaceSwitch } from "../lib/space.js";

const ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';
const LAYERS = [
  ["OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", { maxZoom: 19, attribution: ATTRIBUTION }],
  ["Humanitarian", "https://{s}.tile.openstreetmap.fr/hot/{z}/{x}/{y}.png",
    { maxZoom: 19, attribution: `${ATTRIBUTION}, tiles by Humanitarian OpenStreetMap Team` }],
  ["Topographic", "https://{s}.tile.opentopomap.org/{z}/{x}/{y}.png",
    { maxZoom: 17, attribution: `${ATTRIBUTION}, SRTM; style &copy; OpenTopoMap (CC-BY-SA)` }],
];
const LAYER_KEY = "shoebox.map-layer";
const LIST_ZOOM = 15; // from this zoom on, a click on a cluster lists its photos
export const OFFLINE_NOTICE = "Map tiles unavailable offline: photos are shown on a plain background.";

let leaflet = null;
let current = null; // the map on screen, removed when the page is left

// Loads Leaflet's script and style once.
function loadLeaflet() {
  if (leaflet) return leaflet;
  leaflet = new Promise((resolve, reject) => {
    document.head.append(h("link", { rel: "stylesheet", href: "vendor/leaflet/leaflet.css" }));
    const script = h("script", { src: "vendor/leaflet/leaflet.js" });
    script.addEventListener("load", () => resolve(window.L));
    script.addEventListener("error", () => {
      leaflet = null;
      reject(new Error("Leaflet did not load"));
    });
    document.head.append(script);
  });
  return leaflet;
}

// The map's box as the API takes it: longitudes wrapped into -180..180 (west > east crosses
// the date line), latitudes clamped.
function box(bounds) {
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  const wrap = (v) => ((((v + 180) % 360) + 360) % 360) - 180;
  let west = bounds.getWest();
  let east = bounds.getEast();
  if (east - west >= 360) {
    west = -180;
    east = 180;
  } else {
    west = wrap(west);
    east = wrap(east);
    if (east === -180) east = 180;
  }
  return {
    north: clamp(bounds.getNorth(), -90, 90), south: clamp(bounds.getSouth(), -90, 90), east, west,
  };
}

export async function mapPage(ctx, team = false) {
  const MAP = spaceApi(team, "Browse.Map");
  ctx.setSection("map");
  ctx.dropGrid();
  if (current) {
    current.remove();
    current = null;
  }
  const total = h("small.count", {});
  const notice = h("p.map-notice", { role: "status", hidden: true });
  const mapBox = h("div.map-box", { role: "region", "aria-label": "Map" });
  const items = h("section.map-items", { hidden: true, "aria-label": "Photos on the map" });
  const inView = h("button.secondary", { type: "button" }, "Photos in view");
  ctx.view.replaceChildren(h("div.map-page", {},
    toolbar(h("a.back", { href: spaceHref(team, "places"), "aria-label": "Places" }, "‹ Places"),
      h("h2", {}, "Map"), spaceSwitch(team, (s) => spaceHref(s === "shared", "map")), total, h("span.spacer"), inView),
    notice, mapBox, items));

  let L;
  try {
    L = await loadLeaflet();
  } catch {
    notice.hidden = false;
    notice.textContent = "The map could not be loaded.";
    return;
  }
  const map = L.map(mapBox, { worldCopyJump: true, minZoom: 1, zoomControl: true });
  current = map;

  // Tile layers, and the plain background when they fail.
  let loadedTiles = 0;
  let failedTiles = 0;
  const setOffline = (offline) => {
    mapBox.classList.toggle("offline", offline);
    notice.hidden = !offline;
    if (offline) notice.textContent = OFFLINE_NOTICE;
  };
  const layers = {};
  for (const [name, template, options] of LAYERS) {
    const layer = L.tileLayer(template, { ...options, crossOrigin: false });
    layer.on("tileload", () => {
      loadedTiles += 1;
      setOffline(false);
    });
    layer.on("tileerror", () => {
      failedTiles += 1;
      if (!loadedTiles && failedTiles >= 1) setOffline(true);
    });
    layers[name] = layer;
  }
  const plain = L.layerGroup();
  plain.on("add", () => {
    mapBox.classList.add("offline");
    notice.hidden = true;
  });
  layers["Plain (no tiles)"] = plain;
  const chosen = layers[localStorage.getItem(LAYER_KEY)] || layers.OpenStreetMap;
  chosen.addTo(map);
  map.on("baselayerchange", (event) => {
    localStorage.setItem(LAYER_KEY, event.name);
    loadedTiles = 0;
    failedTiles = 0;
    if (event.layer !== plain) {
      mapBox.classList.remove("offline");
      if (!navigator.onLine) setOffline(true);
    }
  });
  L.control.layers(layers, null, { collapsed: true }).addTo(map);
  if (!navigator.onLine && chosen !== plain) setOffline(true);

  // Where the photos are: fit the map to them.
  let world = { list: [], total: 0 };
  try {
    world = await call(MAP, "list_cluster", 1,
      { north: 85, south: -85, east: 180, west: -180, zoom: 2 });
  } catch {
    // An empty map still shows.
  }
  total.textContent = world.total ? `${plural(world.total, "photo")} with a location` : "No photos with a location yet";
  if (world.list.length) {
    const points = L.latLngBounds(world.list.map((c) => [c.latitude, c.longitude]));
    map.fitBounds(points.pad(0.2), { maxZoom: 12 });
  } else {
    map.setView([20, 0], 2);
  }

  // The clusters of the view, fetched again after each move (debounced).
  const markers = L.layerGroup().addTo(map);
  let timer = 0;
  let seq = 0;
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const n = ++seq;
      const zoom = Math.max(0, Math.min(22, Math.round(map.getZoom())));
      let data;
      try {
        data = await call(MAP, "list_cluster", 1,
          { ...box(map.getBounds()), zoom, additional: ["thumbnail"] });
      } catch {
        return;
      }
      if (n !== seq || current !== map) return;
      markers.clearLayers();
      for (const cluster of data.list) markers.addLayer(clusterMarker(L, map, cluster, showItems, team));
      mapBox.dataset.clusters = String(data.list.length);
      mapBox.dataset.total = String(data.total);
    }, 250);
  };
  map.on("moveend", refresh);
  refresh();

  async function showItems(bounds, title) {
    items.hidden = false;
    const close = h("button.secondary", { type: "button", onclick: () => {
      items.hidden = true;
      ctx.dropGrid();
      items.replaceChildren();
      map.invalidateSize();
    } }, "Close");
    items.replaceChildren(toolbar(h("h3", {}, title), h("span.spacer"), close));
    map.invalidateSize();
    await ctx.mountGrid(items, mapSource(team, bounds), { empty: "No photos here." });
  }
  inView.addEventListener("click", () => showItems(box(map.getBounds()), "Photos in view"));
  window.addEventListener("hashchange", () => {
    if (current === map) {
      map.remove();
      current = null;
    }
  }, { once: true });
}

function clusterMarker(L, map, cluster, showItems, team) {
  const thumb = cluster.additional && cluster.additional.thumbnail;
  const face = h("span.face", {},
    thumb ? h("img", { src: thumbnailUrl({ id: thumb.unit_id, additional: { thumbnail: thumb } }, "sm", team), alt: "" }) : null,
    h("span.n", {}, String(cluster.item_count)));
  const icon = L.divIcon({ className: "map-cluster", html: face, iconSize: [56, 56], iconAnchor: [28, 28] });
  const marker = L.marker([cluster.latitude, cluster.longitude], { icon, keyboard: true });
  marker.on("add", () => {
    const el = marker.getElement();
    el.setAttribute("aria-label", `${plural(cluster.item_count, "photo")} here`);
    el.dataset.count = String(cluster.item_count);
  });
  marker.on("click", () => {
    const b = cluster.bounds;
    if (cluster.item_count > 1 && map.getZoom() < LIST_ZOOM) {
      map.fitBounds([[b.south, b.west], [b.north, b.east]], { maxZoom: LIST_ZOOM });
    } else {
      showItems(b, plural(cluster.item_count, "photo"));
    }
  });
  return marker;
}
