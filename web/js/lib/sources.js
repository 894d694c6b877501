// Where a grid's items come from: the timeline of a space, a folder, an album or a search.
// Each source answers { total, groups } and pages of items (docs/protocol-choices.md
// "Browsing": Browse.Timeline get for the day counts, Browse.Item list with offset/limit).

import { call, spaceApi } from "./api.js";
import { monthName } from "./dom.js";

const ADDITIONAL = ["thumbnail", "resolution"];

// One formatter for every label: toLocaleDateString with options builds a new one per call,
// about a millisecond each, which for a timeline of thousands of days held the page for seconds.
let dayFormat = null;
function dayLabel(year, month, day) {
  dayFormat = dayFormat || new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "long", year: "numeric", timeZone: "UTC",
  });
  return dayFormat.format(new Date(Date.UTC(year, month - 1, day)));
}

// The whole space, newest first, one group per day (or per month). With `dates` false (the user's
// "show dates and locations" off) the groups keep their gaps but have no header and no date, so
// neither the grid nor its scrubber names a day, a month or a year.
export function timelineSource(team, unit = "day", { dates = true } = {}) {
  return {
    team,
    async init() {
      const data = await call(spaceApi(team, "Browse.Timeline"), "get", 2,
        { timeline_group_unit: unit });
      const groups = [];
      const seen = new Set();
      for (const section of data.section || []) {
        for (const entry of section.list || []) {
          const day = unit === "day" ? entry.day : 0;
          const key = `${entry.year}-${entry.month}-${day}`;
          if (seen.has(key)) continue;
          seen.add(key);
          if (!dates) {
            groups.push({ count: entry.item_count, header: false });
            continue;
          }
          const { year, month } = entry;
          groups.push({
            year, month, count: entry.item_count, header: true,
            // Made when the grid first shows the group's header: a timeline has thousands of days.
            get label() {
              const label = unit === "day" ? dayLabel(year, month, day) : `${monthName(month)} ${year}`;
              Object.defineProperty(this, "label", { value: label });
              return label;
            },
            short: `${monthName(month).slice(0, 3)} ${year}`,
          });
        }
      }
      const total = groups.reduce((n, g) => n + g.count, 0);
      return { total, groups };
    },
    fetch(offset, limit) {
      return call(spaceApi(team, "Browse.Item"), "list", 1, {
        offset, limit, sort_by: "takentime", sort_direction: "desc", additional: ADDITIONAL,
      }).then((d) => d.list);
    },
  };
}

// Items listed by Browse.Item (or another list/count pair) with a scope, in one group.
function scopedSource(team, api, listMethod, countMethod, scope, extra = {}) {
  return {
    team,
    async init() {
      const { count } = await call(spaceApi(team, api), countMethod, 1, scope);
      return { total: count, groups: count ? [{ label: "", count }] : [] };
    },
    fetch(offset, limit) {
      return call(spaceApi(team, api), listMethod, 1, {
        ...scope, ...extra, offset, limit, additional: ADDITIONAL,
      }).then((d) => d.list);
    },
  };
}

export function folderSource(team, folderId) {
  return scopedSource(team, "Browse.Item", "list", "count", { folder_id: folderId },
    { sort_by: "takentime", sort_direction: "desc" });
}

export function albumSource(albumId) {
  return scopedSource(false, "Browse.Item", "list", "count", { album_id: albumId });
}

export function searchSource(team, keyword) {
  return scopedSource(team, "Search.Search", "list_item", "count_item", { keyword: JSON.stringify(keyword) });
}

// The automatic albums (docs/protocol-choices.md "Albums", "Places and the map").
const BY_TIME = { sort_by: "takentime", sort_direction: "desc" };

export function placeSource(team, geocodingId) {
  return scopedSource(team, "Browse.Item", "list", "count", { geocoding_id: geocodingId }, BY_TIME);
}

export function tagSource(team, tagId) {
  return scopedSource(team, "Browse.Item", "list", "count", { general_tag_id: tagId }, BY_TIME);
}

export function videoSource(team) {
  return scopedSource(team, "Browse.Item", "list", "count", { type: ["video"] }, BY_TIME);
}

export function recentSource(team) {
  return scopedSource(team, "Browse.RecentlyAdded", "list", "count", {});
}

// The items of a box of the map: { north, south, east, west } in degrees.
export function mapSource(team, box) {
  return scopedSource(team, "Browse.Map", "list_item", "count_item", box, BY_TIME);
}

// A person's or a subject's photos (docs/recognition.md). `Browse.Item count` does not narrow by
// person_id or concept_id, so the total is the person's or subject's own item_count.
function knownTotalSource(team, scope, total) {
  return {
    team,
    async init() {
      return { total, groups: total ? [{ label: "", count: total }] : [] };
    },
    fetch(offset, limit) {
      return call(spaceApi(team, "Browse.Item"), "list", 1, {
        ...scope, ...BY_TIME, offset, limit, additional: ADDITIONAL,
      }).then((d) => d.list);
    },
  };
}

export function personSource(team, personId, total) {
  return knownTotalSource(team, { person_id: personId }, total);
}

export function conceptSource(team, conceptId, total) {
  return knownTotalSource(team, { concept_id: conceptId }, total);
}
