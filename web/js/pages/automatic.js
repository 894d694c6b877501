// The automatic albums: People and Subjects (people.js; only when `Browse.Category get` says the
// server has them), Places (countries → regions → cities), Tags, Videos and Recently Added, each
// with its cover (docs/protocol-choices.md "Albums", "Places and the map"), of the Personal Space
// (SYNO.Foto.*) or the Shared Space (SYNO.FotoTeam.*, `#/<page>/shared/…`), with a switch.
//
// Pages get a context from main.js: { view, mountGrid, setSection, dropGrid }.

import { call, thumbnailUrl, spaceApi } from "../lib/api.js";
import { h, plural, toolbar } from "../lib/dom.js";
import { placeSource, tagSource, videoSource, recentSource } from "../lib/sources.js";
import { spaceHref, spaceSwitch, backToAlbums } from "../lib/space.js";
import { listAll } from "../lib/paging.js";
import { peopleSummary, subjectsSummary } from "./people.js";

// A cover image for an item-like object ({ id } or a thumbnail with its unit_id), or an address.
function coverImg(thumbnail, team = false, alt = "") {
  if (!thumbnail) return h("div.no-cover", {}, "No photos");
  if (typeof thumbnail === "string") return h("img", { src: thumbnail, alt, loading: "lazy" });
  return h("img", { src: thumbnailUrl({ id: thumbnail.unit_id, additional: { thumbnail } }, "m", team), alt, loading: "lazy" });
}

// A card: a link with a cover, a title and a line below. `cover` may be a promise of a
// thumbnail, filled in when it comes.
export function card({ href, title, line, thumbnail, cover, disabled = false, team = false }) {
  const slot = thumbnail !== undefined ? coverImg(thumbnail, team) : h("div.no-cover", {}, "");
  const el = disabled
    ? h("div.album-card.disabled", { "aria-disabled": "true" }, slot, h("strong", {}, title), h("small", {}, line))
    : h("a.album-card", { href }, slot, h("strong", {}, title), h("small", {}, line));
  if (cover) {
    cover.then((thumb) => slot.replaceWith(coverImg(thumb, team))).catch(() => {});
  }
  return el;
}

// The first item's thumbnail of a list call, or null.
async function firstThumbnail(api, params) {
  const { list } = await call(api, "list", 1, { ...params, offset: 0, limit: 1, additional: ["thumbnail"] });
  return list.length ? list[0].additional.thumbnail || null : null;
}

async function count(api, params = {}) {
  return (await call(api, "count", 1, params)).count;
}

// The automatic albums of a space as cards, for the top of the Albums page, under a switch
// between the spaces (`#/albums` and `#/albums/shared`).
export async function automaticSection(team = false) {
  const api = (name) => spaceApi(team, name);
  let enabled = {};
  try {
    // Whether the server has recognition at all: one answer for both spaces (no FotoTeam twin).
    const { list } = await call("SYNO.Foto.Browse.Category", "get", 1);
    enabled = Object.fromEntries(list.map((c) => [c.id, c.enabled]));
  } catch {
    enabled = { geocoding: true, general_tag: true, video: true, recently_added: true };
  }
  const cards = [];
  // People and Subjects need recognition on the server (its models, and the switches in Settings).
  const recognised = (title, on, href, summary) => {
    if (!on) return card({ title, disabled: true, line: "Not available: recognition is off or not set up on this server" });
    const el = card({ href, title, line: "…", cover: summary.then((s) => s.cover), team });
    summary.then((s) => { el.querySelector("small").textContent = s.line; })
      .catch(() => { el.querySelector("small").textContent = "Not available"; });
    return el;
  };
  cards.push(recognised("People", enabled.person, spaceHref(team, "people"), peopleSummary(team)));
  cards.push(recognised("Subjects", enabled.concept, spaceHref(team, "subjects"), subjectsSummary(team)));
  const [places, tags, videos, recent] = await Promise.all([
    enabled.geocoding ? count(api("Browse.Geocoding")).catch(() => 0) : null,
    enabled.general_tag ? count(api("Browse.GeneralTag")).catch(() => 0) : null,
    enabled.video ? count(api("Browse.Item"), { type: ["video"] }).catch(() => 0) : null,
    enabled.recently_added ? count(api("Browse.RecentlyAdded")).catch(() => 0) : null,
  ]);
  if (places !== null) {
    cards.push(card({ href: spaceHref(team, "places"), title: "Places", line: plural(places, "place"), team,
      cover: firstThumbnail(api("Browse.Geocoding"), { level: 1 }) }));
  }
  if (tags !== null) {
    cards.push(card({ href: spaceHref(team, "tags"), title: "Tags", line: plural(tags, "tag"), team,
      cover: tagCover(team) }));
  }
  if (videos !== null) {
    cards.push(card({ href: spaceHref(team, "videos"), title: "Videos", line: plural(videos, "video"), team,
      cover: firstThumbnail(api("Browse.Item"), { type: ["video"] }) }));
  }
  if (recent !== null) {
    cards.push(card({ href: spaceHref(team, "recent"), title: "Recently Added", line: plural(recent, "item"), team,
      cover: firstThumbnail(api("Browse.RecentlyAdded"), {}) }));
  }
  return h("section.automatic", { "aria-label": "Automatic albums", dataset: { space: team ? "shared" : "personal" } },
    h("div.section-head", {}, h("h3.section-title", {}, "Automatic albums"),
      spaceSwitch(team, (s) => (s === "shared" ? "#/albums/shared" : "#/albums"))),
    h("div.album-grid", {}, cards));
}

async function tagCover(team, tagId) {
  let id = tagId;
  if (id === undefined) {
    const { list } = await call(spaceApi(team, "Browse.GeneralTag"), "list", 1, { offset: 0, limit: 1 });
    if (!list.length) return null;
    id = list[0].id;
  }
  return firstThumbnail(spaceApi(team, "Browse.Item"), { general_tag_id: id });
}

// Fetches a card's cover only when the card comes into view (a library may have many tags).
function whenSeen(el, load) {
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) {
      observer.disconnect();
      load();
    }
  });
  observer.observe(el);
}

// ---- Places --------------------------------------------------------------------------------

function placeLine(place) {
  return plural(place.item_count, "item");
}

// #/places: the countries; #/places/<id>: a node's children and its items.
export async function placesPage(ctx, id, team = false) {
  ctx.setSection("albums");
  const GEO = spaceApi(team, "Browse.Geocoding");
  const mapLink = h("a.button.secondary", { href: spaceHref(team, "map") }, "Map");
  if (!id) {
    ctx.dropGrid();
    const countries = await listAll(GEO, { level: 1, additional: ["thumbnail"] });
    const page = h("div.albums-page", {},
      toolbar(backToAlbums(team), h("h2", {}, "Places"),
        spaceSwitch(team, (s) => spaceHref(s === "shared", "places")), h("span.spacer"), mapLink),
      countries.length
        ? h("div.album-grid", { role: "list", "aria-label": "Places" }, countries.map((p) => h("div", { role: "listitem" },
          card({ href: spaceHref(team, "places", p.id), title: p.name, line: placeLine(p),
            thumbnail: p.additional.thumbnail || null, team }))))
        : h("p.empty", {}, "No places yet: photos with a location appear here."));
    ctx.view.replaceChildren(page);
    return;
  }
  const chain = [];
  for (let at = id; at;) {
    const { list } = await call(GEO, "get", 1, { id: [at] });
    chain.unshift(list[0]);
    at = list[0].parent;
  }
  const here = chain[chain.length - 1];
  const children = here.level < 3
    ? await listAll(GEO, { parent_id: here.id, additional: ["thumbnail"] }) : [];
  const crumbs = h("nav.breadcrumbs", { "aria-label": "Place" },
    h("a", { href: spaceHref(team, "places") }, "Places"),
    chain.map((p, i) => [" › ", i === chain.length - 1 ? h("h2", {}, p.name)
      : h("a", { href: spaceHref(team, "places", p.id) }, p.name)]));
  ctx.view.replaceChildren(
    toolbar(crumbs, h("small.count", {}, placeLine(here)), h("span.spacer"), mapLink),
    children.length
      ? h("div.album-grid.strip", { role: "list", "aria-label": "Places in " + here.name },
        children.map((p) => h("div", { role: "listitem" },
          card({ href: spaceHref(team, "places", p.id), title: p.name, line: placeLine(p),
            thumbnail: p.additional.thumbnail || null, team }))))
      : "");
  await ctx.mountGrid(ctx.view, placeSource(team, here.id), { empty: "No photos here." });
}

// ---- Tags ----------------------------------------------------------------------------------

export async function tagsPage(ctx, id, team = false) {
  ctx.setSection("albums");
  const TAG = spaceApi(team, "Browse.GeneralTag");
  if (!id) {
    ctx.dropGrid();
    const tags = (await listAll(TAG, {})).filter((t) => t.item_count > 0);
    const cards = tags.map((tag) => {
      const slot = h("div", { role: "listitem" });
      const cover = new Promise((resolve) => whenSeen(slot, () => resolve(tagCover(team, tag.id))));
      slot.append(card({ href: spaceHref(team, "tags", tag.id), title: tag.name, line: plural(tag.item_count, "item"),
        cover, team }));
      return slot;
    });
    ctx.view.replaceChildren(h("div.albums-page", {},
      toolbar(backToAlbums(team), h("h2", {}, "Tags"), spaceSwitch(team, (s) => spaceHref(s === "shared", "tags"))),
      cards.length ? h("div.album-grid", { role: "list", "aria-label": "Tags" }, cards)
        : h("p.empty", {}, "No tags yet: tags in the photos' metadata appear here.")));
    return;
  }
  const { list } = await call(TAG, "get", 1, { id: [id] });
  const tag = list[0];
  ctx.view.replaceChildren(toolbar(h("a.back", { href: spaceHref(team, "tags"), "aria-label": "All tags" }, "‹ Tags"),
    h("h2", {}, tag.name), h("small.count", {}, plural(tag.item_count, "item"))));
  await ctx.mountGrid(ctx.view, tagSource(team, id), { empty: "No photos carry this tag." });
}

// ---- Videos and Recently Added -------------------------------------------------------------

export async function videosPage(ctx, team = false) {
  ctx.setSection("albums");
  ctx.view.replaceChildren(toolbar(backToAlbums(team), h("h2", {}, "Videos"),
    spaceSwitch(team, (s) => spaceHref(s === "shared", "videos"))));
  await ctx.mountGrid(ctx.view, videoSource(team), { empty: "No videos yet." });
}

export async function recentPage(ctx, team = false) {
  ctx.setSection("albums");
  ctx.view.replaceChildren(toolbar(backToAlbums(team), h("h2", {}, "Recently Added"),
    spaceSwitch(team, (s) => spaceHref(s === "shared", "recent")), h("small.count", {}, "the last 30 days")));
  await ctx.mountGrid(ctx.view, recentSource(team), { empty: "Nothing was added in the last 30 days." });
}
