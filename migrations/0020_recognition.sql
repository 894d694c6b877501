-- People and Subjects (issue 9; docs/recognition.md).
--
-- The indexer's `recognise` job reads an item's xl thumbnail once, finds its faces (dlib: box,
-- 128-d embedding) and its subjects (an ImageNet classifier mapped to ml/subjects.tsv).

-- `recog_status`: pending (to do, or models missing), done, skipped (a video, or recognition
-- off for the space), broken. `recog_version` names the models that made the result.
ALTER TABLE items ADD COLUMN recog_status TEXT NOT NULL DEFAULT 'pending';

-- People per space (`owner_id` 0 is the Shared Space). `centroid`: the mean of its faces'
-- embeddings (128 little-endian f32), kept by the clustering pass. A name, a merge, a hidden
-- flag and a chosen cover are the user's and no clustering pass changes them.
CREATE TABLE persons (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id      INTEGER NOT NULL,
    name          TEXT    NOT NULL DEFAULT '',
    show          INTEGER NOT NULL DEFAULT 1,
    cover_face_id INTEGER,
    centroid      BLOB,
    face_count    INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
CREATE INDEX persons_by_owner ON persons(owner_id, name);

-- One row per face found. The box is relative to the displayed image (0..1). `person_id` NULL:
-- not (yet) anybody. `pinned` 1: the user put the face in its person (merge, "name as"); no
-- clustering pass moves it. `excluded_person_id`: the user said it is not that person
-- (separate); no pass puts it back there. `deleted` 1: the user said it is no face; kept so that
-- indexing the item again does not bring it back. `clustered` 0: new, not yet seen by the
-- clustering pass.
CREATE TABLE faces (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id            INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    owner_id           INTEGER NOT NULL,
    x                  REAL    NOT NULL,
    y                  REAL    NOT NULL,
    w                  REAL    NOT NULL,
    h                  REAL    NOT NULL,
    embedding          BLOB    NOT NULL,
    person_id          INTEGER REFERENCES persons(id) ON DELETE SET NULL,
    pinned             INTEGER NOT NULL DEFAULT 0,
    excluded_person_id INTEGER,
    deleted            INTEGER NOT NULL DEFAULT 0,
    clustered          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX faces_by_item ON faces(item_id);
CREATE INDEX faces_by_person ON faces(person_id, item_id) WHERE person_id IS NOT NULL;
CREATE INDEX faces_unclustered ON faces(owner_id) WHERE clustered = 0 AND deleted = 0;
CREATE INDEX faces_unassigned ON faces(owner_id) WHERE person_id IS NULL AND deleted = 0;

-- Subjects ("concepts" in the API): the rows of ml/subjects.tsv, synced at start; ids stay.
CREATE TABLE concepts (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    key  TEXT    NOT NULL UNIQUE,
    name TEXT    NOT NULL
);

CREATE TABLE item_concepts (
    item_id    INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    concept_id INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
    score      REAL    NOT NULL,
    PRIMARY KEY (item_id, concept_id)
) WITHOUT ROWID;
CREATE INDEX item_concepts_by_concept ON item_concepts(concept_id, item_id);

-- Keyword search finds people by name and photos by subject (catalog::flush_search adds them to
-- an item's text): their changes mark the items for the next flush.
CREATE TRIGGER search_concept_insert AFTER INSERT ON item_concepts
BEGIN
    INSERT INTO search_dirty (item_id)
        SELECT NEW.item_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE item_id = NEW.item_id);
END;

CREATE TRIGGER search_concept_delete AFTER DELETE ON item_concepts
BEGIN
    INSERT INTO search_dirty (item_id)
        SELECT OLD.item_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE item_id = OLD.item_id);
END;

CREATE TRIGGER search_face_person AFTER UPDATE OF person_id, deleted ON faces
    WHEN OLD.person_id IS NOT NEW.person_id OR OLD.deleted IS NOT NEW.deleted
BEGIN
    INSERT INTO search_dirty (item_id)
        SELECT NEW.item_id WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE item_id = NEW.item_id);
END;

CREATE TRIGGER search_person_rename AFTER UPDATE OF name, show ON persons
    WHEN OLD.name IS NOT NEW.name OR OLD.show IS NOT NEW.show
BEGIN
    INSERT INTO search_dirty (item_id)
        SELECT DISTINCT item_id FROM faces WHERE person_id = NEW.id
           AND item_id NOT IN (SELECT item_id FROM search_dirty);
END;
