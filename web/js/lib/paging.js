// A whole list read page by page: `list` calls of `pageSize` items until one comes back short.
// Pages of the Synology Photos APIs are at most 1000 items, some (albums, people) 500.

import { call } from "./api.js";

export async function listAll(api, params = {}, { version = 1, pageSize = 1000 } = {}) {
  const all = [];
  for (let offset = 0; ; offset += pageSize) {
    const { list } = await call(api, "list", version, { ...params, offset, limit: pageSize });
    all.push(...list);
    if (list.length < pageSize) return all;
  }
}
