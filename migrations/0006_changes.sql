-- The change feed behind Browse.Diff (docs/protocol-choices.md "Changes feed"): one row per item
-- or folder, carrying the version of its latest change. A change replaces the row, so the row
-- takes a new, higher version (AUTOINCREMENT never reuses one) and the table stays as large as
-- the library plus one tombstone per removed entry. `folder_id` is where the entry was at that
-- change, so a feed can be cut to the folders a caller may see. The triggers delete and insert
-- rather than INSERT OR REPLACE: inside a foreign-key action (a Live Photo's video losing its
-- still) SQLite applies the outer statement's conflict policy, and the REPLACE would fail.
CREATE TABLE changes (
    version   INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT    NOT NULL,             -- item | folder
    entry_id  INTEGER NOT NULL,
    owner_id  INTEGER NOT NULL,
    folder_id INTEGER,                      -- the item's folder; a folder's own id
    prev_folder_id INTEGER,                 -- an item's folder before this change
    removed   INTEGER NOT NULL DEFAULT 0,   -- gone, or (an item) no longer shown on its own
    time      INTEGER NOT NULL,             -- unix seconds
    UNIQUE (kind, entry_id)
);
CREATE INDEX changes_by_owner ON changes(owner_id, version);

-- What is already there starts the feed.
INSERT INTO changes (kind, entry_id, owner_id, folder_id, removed, time)
    SELECT 'folder', id, owner_id, id, 0, unixepoch() FROM folders ORDER BY id;
INSERT INTO changes (kind, entry_id, owner_id, folder_id, removed, time)
    SELECT 'item', id, owner_id, folder_id, 0, unixepoch() FROM items
     WHERE live_parent_id IS NULL ORDER BY id;

CREATE TRIGGER changes_item_insert AFTER INSERT ON items
    WHEN NEW.live_parent_id IS NULL
BEGIN
    DELETE FROM changes WHERE kind = 'item' AND entry_id = NEW.id;
    INSERT INTO changes (kind, entry_id, owner_id, folder_id, removed, time)
        VALUES ('item', NEW.id, NEW.owner_id, NEW.folder_id, 0, unixepoch());
END;

-- Any change to a row is a change of the item (metadata read, thumbnails made, edits, moves);
-- an item that became the hidden half of a Live Photo is gone from the views.
CREATE TRIGGER changes_item_update AFTER UPDATE ON items
    WHEN NEW.live_parent_id IS NULL OR OLD.live_parent_id IS NULL
BEGIN
    DELETE FROM changes WHERE kind = 'item' AND entry_id = NEW.id;
    INSERT INTO changes (kind, entry_id, owner_id, folder_id, prev_folder_id, removed, time)
        VALUES ('item', NEW.id, NEW.owner_id, NEW.folder_id, OLD.folder_id,
                NEW.live_parent_id IS NOT NULL, unixepoch());
END;

-- The hidden video of a Live Photo changing changes the Live Photo.
CREATE TRIGGER changes_live_part_update AFTER UPDATE ON items
    WHEN NEW.live_parent_id IS NOT NULL AND OLD.live_parent_id IS NOT NULL
BEGIN
    DELETE FROM changes WHERE kind = 'item'
       AND entry_id = (SELECT id FROM items WHERE id = NEW.live_parent_id AND live_parent_id IS NULL);
    INSERT INTO changes (kind, entry_id, owner_id, folder_id, removed, time)
        SELECT 'item', id, owner_id, folder_id, 0, unixepoch() FROM items
         WHERE id = NEW.live_parent_id AND live_parent_id IS NULL;
END;

CREATE TRIGGER changes_item_delete AFTER DELETE ON items
    WHEN OLD.live_parent_id IS NULL
BEGIN
    DELETE FROM changes WHERE kind = 'item' AND entry_id = OLD.id;
    INSERT INTO changes (kind, entry_id, owner_id, folder_id, removed, time)
        VALUES ('item', OLD.id, OLD.owner_id, OLD.folder_id, 1, unixepoch());
END;

CREATE TRIGGER changes_tag_insert AFTER INSERT ON item_tags
BEGIN
    DELETE FROM changes WHERE kind = 'item'
       AND entry_id = (SELECT id FROM items WHERE id = NEW.item_id AND live_parent_id IS NULL);
    INSERT INTO changes (kind, entry_id, owner_id, folder_id, removed, time)
        SELECT 'item', id, owner_id, folder_id, 0, unixepoch() FROM items
         WHERE id = NEW.item_id AND live_parent_id IS NULL;
END;

CREATE TRIGGER changes_tag_delete AFTER DELETE ON item_tags
BEGIN
    DELETE FROM changes WHERE kind = 'item'
       AND entry_id = (SELECT id FROM items WHERE id = OLD.item_id AND live_parent_id IS NULL);
    INSERT INTO changes (kind, entry_id, owner_id, folder_id, removed, time)
        SELECT 'item', id, owner_id, folder_id, 0, unixepoch() FROM items
         WHERE id = OLD.item_id AND live_parent_id IS NULL;
END;

CREATE TRIGGER changes_favorite_insert AFTER INSERT ON favorites
BEGIN
    DELETE FROM changes WHERE kind = 'item'
       AND entry_id = (SELECT id FROM items WHERE id = NEW.item_id AND live_parent_id IS NULL);
    INSERT INTO changes (kind, entry_id, owner_id, folder_id, removed, time)
        SELECT 'item', id, owner_id, folder_id, 0, unixepoch() FROM items
         WHERE id = NEW.item_id AND live_parent_id IS NULL;
END;

CREATE TRIGGER changes_favorite_delete AFTER DELETE ON favorites
BEGIN
    DELETE FROM changes WHERE kind = 'item'
       AND entry_id = (SELECT id FROM items WHERE id = OLD.item_id AND live_parent_id IS NULL);
    INSERT INTO changes (kind, entry_id, owner_id, folder_id, removed, time)
        SELECT 'item', id, owner_id, folder_id, 0, unixepoch() FROM items
         WHERE id = OLD.item_id AND live_parent_id IS NULL;
END;

CREATE TRIGGER changes_folder_insert AFTER INSERT ON folders
BEGIN
    DELETE FROM changes WHERE kind = 'folder' AND entry_id = NEW.id;
    INSERT INTO changes (kind, entry_id, owner_id, folder_id, removed, time)
        VALUES ('folder', NEW.id, NEW.owner_id, NEW.id, 0, unixepoch());
END;

CREATE TRIGGER changes_folder_update AFTER UPDATE ON folders
BEGIN
    DELETE FROM changes WHERE kind = 'folder' AND entry_id = NEW.id;
    INSERT INTO changes (kind, entry_id, owner_id, folder_id, removed, time)
        VALUES ('folder', NEW.id, NEW.owner_id, NEW.id, 0, unixepoch());
END;

CREATE TRIGGER changes_folder_delete AFTER DELETE ON folders
BEGIN
    DELETE FROM changes WHERE kind = 'folder' AND entry_id = OLD.id;
    INSERT INTO changes (kind, entry_id, owner_id, folder_id, removed, time)
        VALUES ('folder', OLD.id, OLD.owner_id, OLD.id, 1, unixepoch());
END;
