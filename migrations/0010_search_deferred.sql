-- The search index is brought up to date in batches instead of by a trigger on every write.
-- Each write transaction that touched it used to write an FTS5 segment of its own, four per
-- indexed item (the file, its metadata, each tag): about 0.7 ms per item where a batch costs
-- 0.04 ms. Now triggers only note which items changed in `search_dirty`; `catalog::flush_search`
-- rewrites their rows in batches, before every keyword search (so a search always sees every
-- write before it) and in the background every few seconds. (The triggers test for the row
-- rather than say INSERT OR IGNORE: an outer statement's conflict clause, such as the scan's
-- INSERT OR REPLACE, overrides the one of a trigger.)
DROP TRIGGER search_item_insert;
DROP TRIGGER search_item_update;
DROP TRIGGER search_item_delete;
DROP TRIGGER search_tag_insert;
DROP TRIGGER search_tag_delete;
DROP TRIGGER search_tag_rename;
DROP TRIGGER search_folder_path;

CREATE TABLE search_dirty (item_id INTEGER PRIMARY KEY) WITHOUT ROWID;

CREATE TRIGGER search_item_insert AFTER INSERT ON items
BEGIN
    INSERT INTO search_dirty (item_id)
        SELECT NEW.id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE item_id = NEW.id);
END;

CREATE TRIGGER search_item_update AFTER UPDATE OF filename, title, description, make, model, lens, folder_id ON items
    WHEN OLD.filename IS NOT NEW.filename OR OLD.title IS NOT NEW.title
      OR OLD.description IS NOT NEW.description OR OLD.make IS NOT NEW.make
      OR OLD.model IS NOT NEW.model OR OLD.lens IS NOT NEW.lens OR OLD.folder_id IS NOT NEW.folder_id
BEGIN
    INSERT INTO search_dirty (item_id)
        SELECT NEW.id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE item_id = NEW.id);
END;

CREATE TRIGGER search_item_delete AFTER DELETE ON items
BEGIN
    INSERT INTO search_dirty (item_id)
        SELECT OLD.id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE item_id = OLD.id);
END;

CREATE TRIGGER search_tag_insert AFTER INSERT ON item_tags
BEGIN
    INSERT INTO search_dirty (item_id)
        SELECT NEW.item_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE item_id = NEW.item_id);
END;

CREATE TRIGGER search_tag_delete AFTER DELETE ON item_tags
BEGIN
    INSERT INTO search_dirty (item_id)
        SELECT OLD.item_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE item_id = OLD.item_id);
END;

-- Only a real rename: the tag upsert of save_metadata (SET name = name) updates too.
CREATE TRIGGER search_tag_rename AFTER UPDATE OF name ON tags WHEN OLD.name IS NOT NEW.name
BEGIN
    INSERT INTO search_dirty (item_id)
        SELECT DISTINCT item_id FROM item_tags WHERE tag_id = NEW.id
           AND item_id NOT IN (SELECT item_id FROM search_dirty);
END;

CREATE TRIGGER search_folder_path AFTER UPDATE OF path ON folders WHEN OLD.path IS NOT NEW.path
BEGIN
    INSERT INTO search_dirty (item_id)
        SELECT id FROM items WHERE folder_id = NEW.id
           AND id NOT IN (SELECT item_id FROM search_dirty);
END;
