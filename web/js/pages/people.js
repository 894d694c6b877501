// People and Subjects (docs/recognition.md): the people the server found in a space (Personal or
// Shared: `#/people/shared/…`, `#/subjects/shared/…`),
// each with their face (`Thumbnail get type=person`), name and photo count; a person's page with
// their photos, naming ("Name as …", which merges into a person who already has the name),
// hiding, merging, the cover, their faces ("Not this person", "Not a face") and "Is this …?"
// suggestions; the subjects with their covers and a subject's photos.
// SYNO.Foto(Team).Browse.Person, Browse.Concept, Browse.Item list person_id / concept_id.
//
// Pages get a context from main.js: { view, mountGrid, setSection, dropGrid }.

import { call, url, thumbnailUrl, spaceApi } from "../lib/api.js";
import { h, toast, dialog, plural, toolbar } from "../lib/dom.js";
import { personSource, conceptSource } from "../lib/sources.js";
import { spaceHref, spaceSwitch, backToAlbums } from "../lib/space.js";
import { listAll } from "../lib/paging.js";

const PERSON = (team) => spaceApi(team, "Browse.Person");
const CONCEPT = (team) => spaceApi(team, "Browse.Concept");

// The person's face, cut square by the server; the cache_key lets the browser keep it.
export function faceUrl(person, size = "m", team = false) {
  const thumb = (person.additional && person.additional.thumbnail) || {};
  return url({ api: spaceApi(team, "Thumbnail"), method: "get", version: "2", type: "person",
    id: String(person.id), size, cache_key: thumb.cache_key || undefined });
}

function face(person, size = "m", className = "face", team = false) {
  return h(`img.${className}`, { src: faceUrl(person, size, team), alt: "", loading: "lazy", decoding: "async" });
}

const nameOf = (person) => person.name || "Add a name";

export async function listPeople(hidden = false, team = false) {
  const people = await listAll(PERSON(team), { additional: ["thumbnail"], show_more: hidden || undefined },
    { pageSize: 500 });
  return people.sort((a, b) => b.item_count - a.item_count);
}

async function getPerson(id, team) {
  const { list } = await call(PERSON(team), "get", 1, { id: [id], additional: ["thumbnail"] });
  return list[0];
}

const failed = (error, what) => toast(error.code === 105 ? "Only administrators change people here."
  : error.code === 642 ? "This person no longer exists." : `${what} (error ${error.code || error.message}).`, "error");

// For the Albums page: the People and Subjects cards' line and cover.
export async function peopleSummary(team = false) {
  const { list } = await call(PERSON(team), "list", 1, { offset: 0, limit: 1, additional: ["thumbnail"] });
  const { count } = await call(PERSON(team), "count", 1);
  return { line: plural(count, "person", "people"), cover: list[0] ? faceUrl(list[0], "m", team) : null };
}

export async function subjectsSummary(team = false) {
  const { list } = await call(CONCEPT(team), "list", 1, { offset: 0, limit: 1, additional: ["thumbnail"] });
  const { count } = await call(CONCEPT(team), "count", 1);
  const thumb = list[0] && list[0].additional && list[0].additional.thumbnail;
  return { line: plural(count, "subject"), cover: thumb ? thumbnailUrl({ id: thumb.unit_id, additional: { thumbnail: thumb } }, "m", team) : null };
}

// ---- People ---------------------------------------------------------------------------------

function personCard(person, team) {
  return h("div", { role: "listitem" },
    h("a.person-card", { href: spaceHref(team, "people", person.id), className: `person-card${person.show ? "" : " hidden-person"}` },
      face(person, "m", "face", team),
      h("strong", { className: person.name ? "" : "unnamed" }, nameOf(person)),
      h("small", {}, plural(person.item_count, "photo"), person.show ? "" : " · hidden")));
}

// #/people: everyone, most photos first; "Show hidden people" lists the hidden ones as well.
export async function peoplePage(ctx, team = false) {
  ctx.setSection("albums");
  ctx.dropGrid();
  const hiddenToo = h("input", { type: "checkbox", name: "show_hidden",
    checked: sessionStorage.getItem("shoebox.people.hidden") === "1",
    onchange: () => {
      sessionStorage.setItem("shoebox.people.hidden", hiddenToo.checked ? "1" : "0");
      draw();
    } });
  const list = h("div.people-grid", { role: "list", "aria-label": "People" });
  const page = h("div.albums-page.people-page", {},
    toolbar(backToAlbums(team),
      h("h2", {}, "People"), spaceSwitch(team, (sp) => spaceHref(sp === "shared", "people")), h("span.spacer"), h("label.check-row", {}, hiddenToo, "Show hidden people")),
    list);
  ctx.view.replaceChildren(page);
  async function draw() {
    const people = await listPeople(hiddenToo.checked, team);
    list.replaceChildren(...people.map((p) => personCard(p, team)));
    if (!people.length) {
      list.append(h("p.empty", {}, "No people yet. Faces are found as photos are indexed: ",
        "a person appears once their face is in two photos."));
    }
  }
  await draw();
}

// "Name as …": typing suggests the people who already have a name (choosing one merges this
// person into them, as the server does for any name another person has). Resolves to the id of
// the person who has the name now, or undefined.
export function nameDialog(person, team = false) {
  return dialog(person.name ? `Rename “${person.name}”` : "Add a name", (close) => {
    const input = h("input", { name: "name", value: person.name || "", required: true, maxlength: 255,
      autocomplete: "off" });
    const offers = h("ul.offers", { "aria-label": "Already named" });
    const note = h("p.hint", { role: "status" });
    const error = h("p.error", { role: "alert" });
    let known = [];
    let seq = 0;
    const explain = () => {
      const typed = input.value.trim().toLowerCase();
      const same = known.find((p) => p.id !== person.id && p.name.toLowerCase() === typed);
      note.textContent = same
        ? `“${same.name}” is another person: naming this one so merges the two into “${same.name}”.`
        : "Choosing the name of someone already named merges the two people.";
    };
    const lookup = async () => {
      const n = ++seq;
      const text = input.value.trim();
      explain();
      if (!text) {
        offers.replaceChildren();
        return;
      }
      let list = [];
      try {
        list = (await call(PERSON(team), "suggest", 1, { keyword: JSON.stringify(text) })).list || [];
      } catch {
        list = [];
      }
      if (n !== seq) return;
      known = list.filter((p) => p.name);
      offers.replaceChildren(...known.filter((p) => p.id !== person.id).slice(0, 8).map((p) => h("li", {},
        h("button.offer", { type: "button", onclick: () => {
          input.value = p.name;
          explain();
          input.focus();
        } }, face(p, "sm", "face-mini", team), p.name))));
      explain();
    };
    input.addEventListener("input", lookup);
    explain();
    const form = h("form", {
      onsubmit: async (event) => {
        event.preventDefault();
        const name = input.value.trim();
        if (!name) return;
        try {
          const answer = await call(PERSON(team), "set", 1, { id: person.id, name: JSON.stringify(name) });
          close(answer.id || person.id);
        } catch (e) {
          error.textContent = e.code === 105 ? "Only administrators change people here."
            : e.code === 120 ? "Use 1 to 255 printable characters." : `Not saved (error ${e.code}).`;
        }
      },
    }, h("label", {}, "Name", input), offers, note, error,
    h("div.actions", {},
      h("button.secondary", { type: "button", onclick: () => close(undefined) }, "Cancel"),
      h("button", { type: "submit" }, "Save")));
    return form;
  });
}

// Choose people to merge into this one: their faces join it, they are gone.
function mergeDialog(person, others, team) {
  return dialog(`Merge into “${nameOf(person)}”`, (close) => {
    const boxes = others.map((p) => h("input", { type: "checkbox", name: "source", value: String(p.id) }));
    const error = h("p.error", { role: "alert" });
    return h("form", {
      onsubmit: async (event) => {
        event.preventDefault();
        const ids = boxes.filter((b) => b.checked).map((b) => Number(b.value));
        if (!ids.length) {
          error.textContent = "Choose at least one person.";
          return;
        }
        try {
          await call(PERSON(team), "merge", 1, { source_ids: ids, target_id: person.id });
          close(ids);
        } catch (e) {
          error.textContent = e.code === 105 ? "Only administrators change people here." : `Not merged (error ${e.code}).`;
        }
      },
    }, h("p.hint", {}, "The people you choose become this person: their faces join this one",
      person.name ? ` and keep the name “${person.name}”.` : ", which takes a chosen person's name."),
    others.length
      ? h("ul.merge-list", { role: "list", "aria-label": "People to merge" }, others.map((p, i) => h("li", {},
        h("label.check-row", {}, boxes[i], face(p, "sm", "face-mini", team),
          h("span", {}, `${nameOf(p)} (${plural(p.item_count, "photo")})`)))))
      : h("p.empty", {}, "There is nobody else to merge."),
    error,
    h("div.actions", {},
      h("button.secondary", { type: "button", onclick: () => close(undefined) }, "Cancel"),
      h("button", { type: "submit", disabled: !others.length }, "Merge")));
  });
}

// A face cut from its photo's thumbnail with CSS: the box is relative to the displayed photo.
function faceCrop(f, item, team) {
  const box = f.box || { x: 0, y: 0, width: 1, height: 1 };
  const img = h("img", { src: thumbnailUrl(item, "m", team), alt: "", loading: "lazy", style: {
    width: `${100 / box.width}%`, height: `${100 / box.height}%`,
    left: `${(-box.x / box.width) * 100}%`, top: `${(-box.y / box.height) * 100}%`,
  } });
  return h("div.face-crop", {}, img);
}

// The faces of a person, newest photo first, each with "Not this person" and "Not a face".
// Resolves to true when something changed.
function facesDialog(person, team) {
  return dialog(`Faces of “${nameOf(person)}”`, (close) => {
    let changed = false;
    const list = h("ul.face-list", { role: "list", "aria-label": "Faces" });
    const more = h("button.secondary", { type: "button", hidden: true }, "More faces");
    let offset = 0;
    const load = async () => {
      const { list: faces } = await call(PERSON(team), "list_face", 1, { id: person.id, offset, limit: 60 });
      offset += faces.length;
      more.hidden = faces.length < 60;
      const ids = [...new Set(faces.map((f) => f.item_id))];
      const items = ids.length ? (await call(spaceApi(team, "Browse.Item"), "get", 1,
        { id: ids, additional: ["thumbnail"] })).list : [];
      const byId = new Map(items.map((i) => [i.id, i]));
      for (const f of faces) {
        const item = byId.get(f.item_id) || { id: f.item_id, filename: `photo ${f.item_id}` };
        const act = (method, done) => async () => {
          try {
            await call(PERSON(team), method, 1, { id: person.id, face_id: [f.id] });
            li.remove();
            changed = true;
            toast(done);
          } catch (e) {
            failed(e, "Not changed");
          }
        };
        const li = h("li.face-entry", { "aria-label": `Face in ${item.filename}`, dataset: { faceId: String(f.id) } },
          faceCrop(f, item, team), h("small", {}, item.filename),
          h("button.secondary", { type: "button", onclick: act("separate", "Taken out of this person.") }, "Not this person"),
          h("button.secondary", { type: "button", onclick: act("delete_face", "Marked as not a face.") }, "Not a face"));
        list.append(li);
      }
    };
    more.addEventListener("click", load);
    load().catch((e) => failed(e, "The faces could not be read"));
    return h("div", {}, h("p.hint", {}, "“Not this person” takes a face out (it never comes back to this person); ",
      "“Not a face” removes it."), list, more,
    h("div.actions", {}, h("button", { type: "button", onclick: () => close(changed) }, "Done")));
  });
}

// "Is this …?": the named people nearest to an unnamed one; "Yes" gives this person the name,
// which merges it into that person.
async function suggestions(person, reload, team) {
  if (person.name) return null;
  let list = [];
  try {
    list = ((await call(PERSON(team), "suggest", 1, { id: person.id })).list || []).filter((p) => p.name);
  } catch {
    return null;
  }
  if (!list.length) return null;
  return h("section.is-this", { "aria-label": "Suggestions" }, list.map((p) => h("div.is-this-row", {},
    face(p, "sm", "face-mini", team), h("span", {}, `Is this ${p.name}?`),
    h("button", { type: "button", "aria-label": `Yes, this is ${p.name}`, onclick: async () => {
      try {
        const answer = await call(PERSON(team), "set", 1, { id: person.id, name: JSON.stringify(p.name) });
        toast(`Named ${p.name}.`);
        reload(answer.id || p.id);
      } catch (e) {
        failed(e, "Not named");
      }
    } }, "Yes"))));
}

// #/people/<id>: their photos and what can be done with them.
export async function personPage(ctx, id, team = false) {
  ctx.setSection("albums");
  const person = await getPerson(id, team);
  const go = (to) => {
    const hash = spaceHref(team, "people", to);
    if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
    else location.hash = hash;
  };
  const title = h("h2", { className: person.name ? "" : "unnamed" }, nameOf(person));
  ctx.view.replaceChildren(
    toolbar(h("a.back", { href: spaceHref(team, "people"), "aria-label": "All people" }, "‹ People"),
      face(person, "sm", "face-mini", team), title,
      h("small.count", {}, plural(person.item_count, "photo"), person.show ? "" : " · hidden"),
      h("span.spacer"),
      h("button", { type: "button", onclick: async () => {
        const to = await nameDialog(person, team);
        if (to !== undefined) go(to);
      } }, person.name ? "Rename" : "Add a name"),
      h("button.secondary", { type: "button", onclick: async () => {
        const others = (await listPeople(true, team)).filter((p) => p.id !== person.id);
        if (await mergeDialog(person, others, team)) go(person.id);
      } }, "Merge"),
      h("button.secondary", { type: "button", onclick: async () => {
        if (await facesDialog(person, team)) go(person.id);
      } }, "Faces"),
      h("button.secondary", { type: "button", onclick: async () => {
        try {
          await call(PERSON(team), "show", 1, { id: [person.id], show: !person.show });
          toast(person.show ? "Hidden from People." : "Shown in People again.");
          go(person.id);
        } catch (e) {
          failed(e, "Not changed");
        }
      } }, person.show ? "Hide" : "Show")));
  const ask = await suggestions(person, go, team);
  if (ask) ctx.view.append(ask);
  // Browse.Item count does not narrow by person_id: the total is the person's own item_count.
  await ctx.mountGrid(ctx.view, personSource(team, id, person.item_count), {
    empty: "No photos of this person.",
    cover: { kind: "person", id, team },
  });
}

// ---- Subjects -------------------------------------------------------------------------------

export async function subjectsPage(ctx, team = false) {
  ctx.setSection("albums");
  ctx.dropGrid();
  const subjects = await listAll(CONCEPT(team), { additional: ["thumbnail"] }, { pageSize: 500 });
  subjects.sort((a, b) => b.item_count - a.item_count);
  const cards = subjects.map((s) => {
    const thumb = s.additional && s.additional.thumbnail;
    return h("div", { role: "listitem" }, h("a.album-card", { href: spaceHref(team, "subjects", s.id) },
      thumb ? h("img", { src: thumbnailUrl({ id: thumb.unit_id, additional: { thumbnail: thumb } }, "m", team), alt: "", loading: "lazy" })
        : h("div.no-cover", {}, "No photos"),
      h("strong", {}, s.name), h("small", {}, plural(s.item_count, "photo"))));
  });
  ctx.view.replaceChildren(h("div.albums-page", {},
    toolbar(backToAlbums(team),
      h("h2", {}, "Subjects"), spaceSwitch(team, (sp) => spaceHref(sp === "shared", "subjects"))),
    cards.length ? h("div.album-grid", { role: "list", "aria-label": "Subjects" }, cards)
      : h("p.empty", {}, "No subjects yet: dogs, flowers, beaches… appear here as photos are indexed.")));
}

export async function subjectPage(ctx, id, team = false) {
  ctx.setSection("albums");
  const { list } = await call(CONCEPT(team), "get", 1, { id: [id] });
  const subject = list[0];
  ctx.view.replaceChildren(toolbar(h("a.back", { href: spaceHref(team, "subjects"), "aria-label": "All subjects" }, "‹ Subjects"),
    h("h2", {}, subject.name), h("small.count", {}, plural(subject.item_count, "photo"))));
  await ctx.mountGrid(ctx.view, conceptSource(team, id, subject.item_count), { empty: "No photos in this subject." });
}
