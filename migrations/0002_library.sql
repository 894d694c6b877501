-- The index of the library: folders, media files, the items users see, and the job queue that
-- keeps derived data (metadata, thumbnails) up to date.

-- Folders of both spaces, mirroring the disk. `owner_id` 0 is the Shared Space, otherwise the
-- Personal Space of that user. `path` is relative to the space root: '/' for the root itself,
-- '/2020/Trip' below it.
CREATE TABLE folders (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id  INTEGER NOT NULL,
    parent_id INTEGER REFERENCES folders(id) ON DELETE CASCADE,
    path      TEXT    NOT NULL,
    name      TEXT    NOT NULL,
    UNIQUE (owner_id, path)
);
CREATE INDEX folders_by_parent ON folders(parent_id, name);

-- One row per media file. What users see as one item is a row with `live_parent_id` NULL: a
-- photo, a video, or a Live Photo (the still's row, type 'live', whose video file is the row
-- pointing at it through `live_parent_id`). The file columns let a rescan skip unchanged files
-- and recognise a moved file by inode, size and mtime.
CREATE TABLE items (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id      INTEGER NOT NULL,
    folder_id     INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    filename      TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    mtime_ns      INTEGER NOT NULL,
    inode         INTEGER NOT NULL DEFAULT 0,
    checksum      BLOB,                       -- BLAKE3 of the content, NULL until read
    type          TEXT    NOT NULL,           -- photo | video | live
    format        TEXT    NOT NULL DEFAULT '',-- jpeg, png, heic, mp4, …
    -- metadata
    taken_time    INTEGER,                    -- camera wall clock as if UTC, unix seconds (reference §4.1)
    taken_subsec  INTEGER NOT NULL DEFAULT 0, -- milliseconds
    taken_offset  INTEGER,                    -- minutes east of UTC, when the file says
    taken_source  TEXT    NOT NULL DEFAULT '',-- exif | xmp | quicktime | filename | mtime
    taken_month   INTEGER,                    -- yyyymm of taken_time, for the timeline buckets
    width         INTEGER NOT NULL DEFAULT 0, -- as displayed (orientation applied)
    height        INTEGER NOT NULL DEFAULT 0,
    orientation   INTEGER NOT NULL DEFAULT 1,
    make          TEXT,
    model         TEXT,
    lens          TEXT,
    focal_length  REAL,
    aperture      REAL,
    exposure      TEXT,
    iso           INTEGER,
    flash         INTEGER,
    latitude      REAL,
    longitude     REAL,
    rating        INTEGER NOT NULL DEFAULT 0,
    title         TEXT,
    description   TEXT,
    duration_ms   INTEGER,
    video_codec   TEXT,
    audio_codec   TEXT,
    frame_rate    REAL,
    live_parent_id INTEGER REFERENCES items(id) ON DELETE SET NULL,
    content_id    TEXT,
    motion_offset INTEGER,                    -- byte offset of the video inside a Motion Photo
    is_pano       INTEGER NOT NULL DEFAULT 0,
    -- derived data
    metadata_status TEXT  NOT NULL DEFAULT 'pending', -- pending | ready | broken
    thumb_status  TEXT    NOT NULL DEFAULT 'pending', -- pending | ready | broken
    thumb_version INTEGER NOT NULL DEFAULT 0,         -- unix seconds of the last thumbnail build (cache_key)
    error         TEXT,
    indexed_at    INTEGER NOT NULL,                   -- unix milliseconds
    UNIQUE (folder_id, filename)
);
CREATE INDEX items_by_owner_time ON items(owner_id, taken_time DESC, id DESC);
CREATE INDEX items_by_owner_month ON items(owner_id, taken_month);
CREATE INDEX items_by_checksum ON items(checksum);
CREATE INDEX items_by_inode ON items(inode, size);
CREATE INDEX items_by_live_parent ON items(live_parent_id);

-- Keywords from the files (XMP dc:subject) and, later, the ones users add.
CREATE TABLE tags (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);
CREATE TABLE item_tags (
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    tag_id  INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    source  TEXT    NOT NULL DEFAULT 'file',   -- file | user
    PRIMARY KEY (item_id, tag_id)
);
CREATE INDEX item_tags_by_tag ON item_tags(tag_id);

-- Persisted work: one row per item and kind, claimed with a single UPDATE … RETURNING so a crash
-- loses nothing and a restart resumes. Lower `priority` runs first.
CREATE TABLE jobs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL,
    item_id    INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    priority   INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    run_after  INTEGER NOT NULL DEFAULT 0,   -- unix seconds
    locked_at  INTEGER,                      -- unix seconds; NULL when free
    locked_by  INTEGER,                      -- process id of the worker holding it
    last_error TEXT,
    UNIQUE (kind, item_id)
);
CREATE INDEX jobs_ready ON jobs(locked_at, priority, run_after, id);
