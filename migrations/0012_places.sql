-- Places and the map (issue 5; docs/protocol-choices.md "Places and the map").
--
-- `places` is the tree of countries, their first-level regions and cities that items were found
-- in, filled by the indexer's geocoding pass from the offline GeoNames table
-- (indexer/src/places.rs). `key` names a node: "FR", "FR/Ile-de-France",
-- "FR/Ile-de-France/Paris" (a city of a country without regions hangs off the country).
CREATE TABLE places (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    key        TEXT    NOT NULL UNIQUE,
    level      INTEGER NOT NULL,            -- 1 country, 2 region, 3 city
    parent_id  INTEGER REFERENCES places(id),
    country_id INTEGER NOT NULL,            -- the country node (its own id for a country)
    region_id  INTEGER,                     -- the region node (its own id for a region)
    name       TEXT    NOT NULL,
    code       TEXT    NOT NULL DEFAULT ''  -- ISO 3166-1 alpha-2 of the country
);

-- `place_id`: the most specific node of the item's position, NULL for none (no GPS, far from
-- any town) or not yet looked up. `geo_pending` 1: the position changed and waits for the
-- geocoding pass. `geo_cell`: the map cell of the position, two levels of the Web Mercator tile
-- grid in one integer: y12 << 36 | x12 << 24 | y_low << 12 | x_low, where (x12, y12) is the
-- zoom-12 tile and (x12 << 12 | x_low, y12 << 12 | y_low) the zoom-24 one. All the items of a
-- zoom-12 tile are thus one range of the index, and so is a row of such tiles.
ALTER TABLE items ADD COLUMN place_id INTEGER;
ALTER TABLE items ADD COLUMN geo_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN geo_cell INTEGER;

UPDATE items SET geo_pending = 1 WHERE latitude IS NOT NULL AND longitude IS NOT NULL;

CREATE INDEX items_geo_pending ON items(id) WHERE geo_pending = 1;
-- Both answer their queries from the index alone (the folder for callers who see only some
-- folders; the rowid for the newest item as a cover), over items shown on their own.
CREATE INDEX items_by_place ON items(place_id, owner_id, folder_id)
    WHERE place_id IS NOT NULL AND live_parent_id IS NULL;
CREATE INDEX items_by_owner_cell ON items(owner_id, geo_cell, folder_id)
    WHERE geo_cell IS NOT NULL AND live_parent_id IS NULL;

-- A new or changed position: the old place and cell go at once, the pass finds the new ones.
CREATE TRIGGER geo_item_insert AFTER INSERT ON items
    WHEN NEW.latitude IS NOT NULL AND NEW.longitude IS NOT NULL
BEGIN
    UPDATE items SET geo_pending = 1, place_id = NULL, geo_cell = NULL WHERE id = NEW.id;
END;

CREATE TRIGGER geo_item_moved AFTER UPDATE OF latitude, longitude ON items
    WHEN OLD.latitude IS NOT NEW.latitude OR OLD.longitude IS NOT NEW.longitude
BEGIN
    UPDATE items SET geo_pending = (NEW.latitude IS NOT NULL AND NEW.longitude IS NOT NULL),
                     place_id = NULL, geo_cell = NULL
     WHERE id = NEW.id;
END;

-- How many items each zoom-12 tile holds, per space, and one of them (the tile's cover on the
-- map): the map's clusters at low zoom are summed from here, never from a million items. Only
-- items shown on their own count (not the video half of a Live Photo). The triggers add and
-- take away in two steps (create the row, then count) rather than an upsert, which an outer
-- statement's conflict policy could override.
CREATE TABLE map_cells (
    owner_id INTEGER NOT NULL,
    cell     INTEGER NOT NULL,              -- y12 << 12 | x12
    n        INTEGER NOT NULL,
    item_id  INTEGER,
    PRIMARY KEY (owner_id, cell)
) WITHOUT ROWID;

CREATE TRIGGER map_cell_insert AFTER INSERT ON items
    WHEN NEW.geo_cell IS NOT NULL AND NEW.live_parent_id IS NULL
BEGIN
    INSERT INTO map_cells (owner_id, cell, n, item_id)
        SELECT NEW.owner_id, NEW.geo_cell >> 24, 0, NEW.id
         WHERE NOT EXISTS (SELECT 1 FROM map_cells
                            WHERE owner_id = NEW.owner_id AND cell = NEW.geo_cell >> 24);
    UPDATE map_cells SET n = n + 1, item_id = COALESCE(item_id, NEW.id)
     WHERE owner_id = NEW.owner_id AND cell = NEW.geo_cell >> 24;
END;

-- The tile's cover left: another item of the tile takes its place.
CREATE TRIGGER map_cell_delete AFTER DELETE ON items
    WHEN OLD.geo_cell IS NOT NULL AND OLD.live_parent_id IS NULL
BEGIN
    UPDATE map_cells SET n = n - 1 WHERE owner_id = OLD.owner_id AND cell = OLD.geo_cell >> 24;
    DELETE FROM map_cells WHERE owner_id = OLD.owner_id AND cell = OLD.geo_cell >> 24 AND n <= 0;
    UPDATE map_cells SET item_id =
            (SELECT id FROM items INDEXED BY items_by_owner_cell
              WHERE owner_id = OLD.owner_id AND live_parent_id IS NULL
                AND geo_cell BETWEEN (OLD.geo_cell >> 24) << 24
                                 AND ((OLD.geo_cell >> 24) << 24) | 16777215
              LIMIT 1)
     WHERE owner_id = OLD.owner_id AND cell = OLD.geo_cell >> 24 AND item_id = OLD.id;
END;

CREATE TRIGGER map_cell_update AFTER UPDATE OF geo_cell, owner_id, live_parent_id ON items
    WHEN OLD.geo_cell IS NOT NEW.geo_cell OR OLD.owner_id IS NOT NEW.owner_id
      OR (OLD.live_parent_id IS NULL) IS NOT (NEW.live_parent_id IS NULL)
BEGIN
    UPDATE map_cells SET n = n - 1
     WHERE OLD.geo_cell IS NOT NULL AND OLD.live_parent_id IS NULL
       AND owner_id = OLD.owner_id AND cell = OLD.geo_cell >> 24;
    DELETE FROM map_cells WHERE owner_id = OLD.owner_id AND cell = OLD.geo_cell >> 24 AND n <= 0;
    UPDATE map_cells SET item_id =
            (SELECT id FROM items INDEXED BY items_by_owner_cell
              WHERE owner_id = OLD.owner_id AND live_parent_id IS NULL
                AND geo_cell BETWEEN (OLD.geo_cell >> 24) << 24
                                 AND ((OLD.geo_cell >> 24) << 24) | 16777215
              LIMIT 1)
     WHERE owner_id = OLD.owner_id AND cell = OLD.geo_cell >> 24 AND item_id = OLD.id;
    INSERT INTO map_cells (owner_id, cell, n, item_id)
        SELECT NEW.owner_id, NEW.geo_cell >> 24, 0, NEW.id
         WHERE NEW.geo_cell IS NOT NULL AND NEW.live_parent_id IS NULL
           AND NOT EXISTS (SELECT 1 FROM map_cells
                            WHERE owner_id = NEW.owner_id AND cell = NEW.geo_cell >> 24);
    UPDATE map_cells SET n = n + 1, item_id = COALESCE(item_id, NEW.id)
     WHERE NEW.geo_cell IS NOT NULL AND NEW.live_parent_id IS NULL
       AND owner_id = NEW.owner_id AND cell = NEW.geo_cell >> 24;
END;

-- A place's name is searchable: the item's keyword text is rebuilt when its place changes.
CREATE TRIGGER search_item_place AFTER UPDATE OF place_id ON items
    WHEN OLD.place_id IS NOT NEW.place_id
BEGIN
    INSERT INTO search_dirty (item_id)
        SELECT NEW.id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE item_id = NEW.id);
END;
