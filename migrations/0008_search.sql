-- Keyword search (Search.Search, the `keyword` of item listings): one row per item with its
-- searchable text (file name, title, description, camera, lens, folder path, tags), indexed by
-- trigrams so that any part of a word of three letters or more is found through the index
-- rather than by reading every item (store/library.rs push_keyword). Kept by triggers.
CREATE VIRTUAL TABLE item_search USING fts5(body, tokenize = 'trigram');

    INSERT INTO item_search (rowid, body)
        SELECT i.id, lower(i.filename || ' ' || COALESCE(i.title, '') || ' ' || COALESCE(i.description, '') || ' ' ||
                 COALESCE(i.make, '') || ' ' || COALESCE(i.model, '') || ' ' || COALESCE(i.lens, '') || ' ' ||
                 f.path || ' ' || COALESCE((SELECT group_concat(tg.name, ' ') FROM item_tags it
                                             JOIN tags tg ON tg.id = it.tag_id WHERE it.item_id = i.id), ''))
          FROM items i JOIN folders f ON f.id = i.folder_id WHERE 1;

CREATE TRIGGER search_item_insert AFTER INSERT ON items
BEGIN
    INSERT INTO item_search (rowid, body)
        SELECT i.id, lower(i.filename || ' ' || COALESCE(i.title, '') || ' ' || COALESCE(i.description, '') || ' ' ||
                 COALESCE(i.make, '') || ' ' || COALESCE(i.model, '') || ' ' || COALESCE(i.lens, '') || ' ' ||
                 f.path || ' ' || COALESCE((SELECT group_concat(tg.name, ' ') FROM item_tags it
                                             JOIN tags tg ON tg.id = it.tag_id WHERE it.item_id = i.id), ''))
          FROM items i JOIN folders f ON f.id = i.folder_id WHERE i.id = NEW.id;
END;

CREATE TRIGGER search_item_update AFTER UPDATE OF filename, title, description, make, model, lens, folder_id ON items
BEGIN
    DELETE FROM item_search WHERE rowid = OLD.id;
    INSERT INTO item_search (rowid, body)
        SELECT i.id, lower(i.filename || ' ' || COALESCE(i.title, '') || ' ' || COALESCE(i.description, '') || ' ' ||
                 COALESCE(i.make, '') || ' ' || COALESCE(i.model, '') || ' ' || COALESCE(i.lens, '') || ' ' ||
                 f.path || ' ' || COALESCE((SELECT group_concat(tg.name, ' ') FROM item_tags it
                                             JOIN tags tg ON tg.id = it.tag_id WHERE it.item_id = i.id), ''))
          FROM items i JOIN folders f ON f.id = i.folder_id WHERE i.id = NEW.id;
END;

CREATE TRIGGER search_item_delete AFTER DELETE ON items
BEGIN
    DELETE FROM item_search WHERE rowid = OLD.id;
END;

CREATE TRIGGER search_tag_insert AFTER INSERT ON item_tags
BEGIN
    DELETE FROM item_search WHERE rowid = NEW.item_id;
    INSERT INTO item_search (rowid, body)
        SELECT i.id, lower(i.filename || ' ' || COALESCE(i.title, '') || ' ' || COALESCE(i.description, '') || ' ' ||
                 COALESCE(i.make, '') || ' ' || COALESCE(i.model, '') || ' ' || COALESCE(i.lens, '') || ' ' ||
                 f.path || ' ' || COALESCE((SELECT group_concat(tg.name, ' ') FROM item_tags it
                                             JOIN tags tg ON tg.id = it.tag_id WHERE it.item_id = i.id), ''))
          FROM items i JOIN folders f ON f.id = i.folder_id WHERE i.id = NEW.item_id;
END;

CREATE TRIGGER search_tag_delete AFTER DELETE ON item_tags
BEGIN
    DELETE FROM item_search WHERE rowid = OLD.item_id;
    INSERT INTO item_search (rowid, body)
        SELECT i.id, lower(i.filename || ' ' || COALESCE(i.title, '') || ' ' || COALESCE(i.description, '') || ' ' ||
                 COALESCE(i.make, '') || ' ' || COALESCE(i.model, '') || ' ' || COALESCE(i.lens, '') || ' ' ||
                 f.path || ' ' || COALESCE((SELECT group_concat(tg.name, ' ') FROM item_tags it
                                             JOIN tags tg ON tg.id = it.tag_id WHERE it.item_id = i.id), ''))
          FROM items i JOIN folders f ON f.id = i.folder_id WHERE i.id = OLD.item_id;
END;

CREATE TRIGGER search_tag_rename AFTER UPDATE OF name ON tags
BEGIN
    DELETE FROM item_search WHERE rowid IN (SELECT item_id FROM item_tags WHERE tag_id = NEW.id);
    INSERT INTO item_search (rowid, body)
        SELECT i.id, lower(i.filename || ' ' || COALESCE(i.title, '') || ' ' || COALESCE(i.description, '') || ' ' ||
                 COALESCE(i.make, '') || ' ' || COALESCE(i.model, '') || ' ' || COALESCE(i.lens, '') || ' ' ||
                 f.path || ' ' || COALESCE((SELECT group_concat(tg.name, ' ') FROM item_tags it
                                             JOIN tags tg ON tg.id = it.tag_id WHERE it.item_id = i.id), ''))
          FROM items i JOIN folders f ON f.id = i.folder_id WHERE i.id IN (SELECT item_id FROM item_tags WHERE tag_id = NEW.id);
END;

CREATE TRIGGER search_folder_path AFTER UPDATE OF path ON folders
BEGIN
    DELETE FROM item_search WHERE rowid IN (SELECT id FROM items WHERE folder_id = NEW.id);
    INSERT INTO item_search (rowid, body)
        SELECT i.id, lower(i.filename || ' ' || COALESCE(i.title, '') || ' ' || COALESCE(i.description, '') || ' ' ||
                 COALESCE(i.make, '') || ' ' || COALESCE(i.model, '') || ' ' || COALESCE(i.lens, '') || ' ' ||
                 f.path || ' ' || COALESCE((SELECT group_concat(tg.name, ' ') FROM item_tags it
                                             JOIN tags tg ON tg.id = it.tag_id WHERE it.item_id = i.id), ''))
          FROM items i JOIN folders f ON f.id = i.folder_id WHERE i.folder_id = NEW.id;
END;
