-- Browsing: what users change about items (kept apart from what the files say, so a re-index
-- never undoes it and originals are never written), favourites, Shared Space access, folder
-- covers, and the per-day counts the timeline reads.

-- An edit wins over the file: the indexer writes `COALESCE(user_x, <value from the file>)` into
-- the plain column, and the API writes both. NULL means "as the file says".
ALTER TABLE items ADD COLUMN user_rating INTEGER;
ALTER TABLE items ADD COLUMN user_description TEXT;
ALTER TABLE items ADD COLUMN user_time INTEGER;

-- Every item has a time from the start (the file's mtime until its metadata is read), so an item
-- shows in the timeline as soon as it is found.
UPDATE items SET taken_time = mtime_ns / 1000000000 WHERE taken_time IS NULL;

-- What users see: one row per photo, video or Live Photo (the video half of a Live pair hides
-- behind its still).
CREATE INDEX items_visible_time ON items(owner_id, taken_time DESC, id DESC)
    WHERE live_parent_id IS NULL;
CREATE INDEX items_visible_folder ON items(folder_id, filename) WHERE live_parent_id IS NULL;

CREATE TABLE favorites (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, item_id)
) WITHOUT ROWID;
CREATE INDEX favorites_by_item ON favorites(item_id);

-- Shared Space access of each user: 'full' (every folder), 'custom' (per folder, below) or
-- 'none' (the Shared Space is invisible). Administrators always have full access.
ALTER TABLE users ADD COLUMN team_access TEXT NOT NULL DEFAULT 'none';

-- Custom access: a row gives a user rights on a Shared Space folder and everything below it,
-- down to the next folder with a row of its own.
CREATE TABLE folder_permissions (
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    view      INTEGER NOT NULL DEFAULT 0,
    download  INTEGER NOT NULL DEFAULT 0,
    upload    INTEGER NOT NULL DEFAULT 0,
    manage    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (folder_id, user_id)
) WITHOUT ROWID;
CREATE INDEX folder_permissions_by_user ON folder_permissions(user_id);

-- The cover a user chose for a folder (seed: Change Folder Cover); NULL picks the newest item.
ALTER TABLE folders ADD COLUMN cover_item_id INTEGER REFERENCES items(id) ON DELETE SET NULL;

-- Settings an administrator changes through the API (`Setting.Admin`, `Setting.TeamSpace`),
-- as JSON values by key.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Visible items per space and day (UTC day of the camera wall-clock time), kept by triggers so
-- the timeline of a million items is read from a few thousand rows. `day` is floor(time/86400).
CREATE TABLE timeline_days (
    owner_id INTEGER NOT NULL,
    day      INTEGER NOT NULL,
    count    INTEGER NOT NULL,
    PRIMARY KEY (owner_id, day)
) WITHOUT ROWID;

INSERT INTO timeline_days (owner_id, day, count)
    SELECT owner_id, (taken_time - ((taken_time % 86400) + 86400) % 86400) / 86400 AS d, COUNT(*)
      FROM items WHERE live_parent_id IS NULL AND taken_time IS NOT NULL
     GROUP BY owner_id, d;

CREATE TRIGGER timeline_insert AFTER INSERT ON items
    WHEN NEW.live_parent_id IS NULL AND NEW.taken_time IS NOT NULL
BEGIN
    INSERT INTO timeline_days (owner_id, day, count)
        VALUES (NEW.owner_id, (NEW.taken_time - ((NEW.taken_time % 86400) + 86400) % 86400) / 86400, 1)
        ON CONFLICT (owner_id, day) DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER timeline_delete AFTER DELETE ON items
    WHEN OLD.live_parent_id IS NULL AND OLD.taken_time IS NOT NULL
BEGIN
    UPDATE timeline_days SET count = count - 1
     WHERE owner_id = OLD.owner_id
       AND day = (OLD.taken_time - ((OLD.taken_time % 86400) + 86400) % 86400) / 86400;
END;

CREATE TRIGGER timeline_update_old AFTER UPDATE OF taken_time, live_parent_id, owner_id ON items
    WHEN OLD.live_parent_id IS NULL AND OLD.taken_time IS NOT NULL
BEGIN
    UPDATE timeline_days SET count = count - 1
     WHERE owner_id = OLD.owner_id
       AND day = (OLD.taken_time - ((OLD.taken_time % 86400) + 86400) % 86400) / 86400;
END;

CREATE TRIGGER timeline_update_new AFTER UPDATE OF taken_time, live_parent_id, owner_id ON items
    WHEN NEW.live_parent_id IS NULL AND NEW.taken_time IS NOT NULL
BEGIN
    INSERT INTO timeline_days (owner_id, day, count)
        VALUES (NEW.owner_id, (NEW.taken_time - ((NEW.taken_time % 86400) + 86400) % 86400) / 86400, 1)
        ON CONFLICT (owner_id, day) DO UPDATE SET count = count + 1;
END;
