-- Mobile backup (issue 6; docs/protocol-choices.md "Upload"). A phone asks before it uploads
-- which of its files the server already has (`backup_check`): by content, or by name and size,
-- or by size and time. A file deleted on the server leaves a tombstone, so that the answer can
-- say "deleted" and the phone does not bring it back; the same content put back (uploaded on
-- purpose, restored) lifts it.
CREATE TABLE tombstones (
    owner_id   INTEGER NOT NULL,
    checksum   BLOB,                     -- BLAKE3, NULL if the file was never read
    filename   TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    deleted_at INTEGER NOT NULL          -- unix seconds
);
CREATE INDEX tombstones_by_checksum ON tombstones(owner_id, checksum);
CREATE INDEX tombstones_by_size ON tombstones(owner_id, size);
-- Sizes are nearly unique among photos: the name-and-size question starts here.
CREATE INDEX items_by_size ON items(size);

CREATE TRIGGER tombstone_item_delete AFTER DELETE ON items
BEGIN
    INSERT INTO tombstones (owner_id, checksum, filename, size, deleted_at)
        VALUES (OLD.owner_id, OLD.checksum, OLD.filename, OLD.size, unixepoch());
END;

CREATE TRIGGER tombstone_item_back AFTER UPDATE OF checksum ON items
    WHEN NEW.checksum IS NOT NULL AND OLD.checksum IS NOT NEW.checksum
BEGIN
    DELETE FROM tombstones WHERE owner_id = NEW.owner_id AND checksum = NEW.checksum;
END;
