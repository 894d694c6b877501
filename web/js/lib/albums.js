// The user's own albums (Browse.Album list category normal), for the Albums page and for what
// offers albums elsewhere (the search box's suggestions, a Photo Request's destination).

import { listAll } from "./paging.js";

export function listAlbums() {
  return listAll("SYNO.Foto.Browse.Album", { category: "normal", additional: ["thumbnail"] },
    { version: 2, pageSize: 500 });
}
