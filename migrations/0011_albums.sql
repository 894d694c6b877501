-- Albums (reference §3.4–3.6, §4.2). An album belongs to a user and may hold items of both
-- spaces that user sees; whether an item shows is decided when the album is read (the Shared
-- Space part through the user's current access), so losing access hides items without
-- changing the album. A manual album lists its items; a conditional album keeps a condition
-- (the filter fields of Browse.Item list_with_filter, as JSON) and is evaluated when read, so
-- new photos that match appear by themselves.
CREATE TABLE albums (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name           TEXT    NOT NULL,
    type           TEXT    NOT NULL CHECK (type IN ('normal', 'condition')),
    condition      TEXT,                                   -- JSON object, conditional albums only
    cover_item_id  INTEGER REFERENCES items(id) ON DELETE SET NULL,
    -- The order of the album's items: 'default' (time taken), 'takentime', 'filename',
    -- 'create_time' (added to the album) or 'manual' (the order `set_order` gave).
    sort_by        TEXT    NOT NULL DEFAULT 'default',
    sort_direction TEXT    NOT NULL DEFAULT 'default',
    create_time    INTEGER NOT NULL,
    -- Bumped on every change of the album or its items: the `version` clients compare.
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX albums_by_owner ON albums(owner_id, create_time);

CREATE TABLE album_items (
    album_id  INTEGER NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
    item_id   INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    added_at  INTEGER NOT NULL,
    position  INTEGER NOT NULL,                            -- for sort_by = 'manual'
    PRIMARY KEY (album_id, item_id)
) WITHOUT ROWID;
CREATE INDEX album_items_by_item ON album_items(item_id);

-- An item leaving the library (deleted, or moved to the recycle bin) leaves its albums: the
-- foreign key removes the row; the album's version moves so clients notice.
CREATE TRIGGER album_item_gone AFTER DELETE ON album_items
BEGIN
    UPDATE albums SET version = version + 1 WHERE id = OLD.album_id;
END;

-- Recently Added (Browse.RecentlyAdded): the items that came into a space lately, newest first.
CREATE INDEX items_added ON items(owner_id, indexed_at DESC, id DESC) WHERE live_parent_id IS NULL;
