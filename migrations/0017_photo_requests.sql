-- Photo Requests (issue 7): a link through which anyone, without an account, uploads photos
-- into a folder (and album) of the requester. `folder_id`: a folder of the requester's
-- Personal Space or of the Shared Space (`owner_id` of the folder says which).
CREATE TABLE photo_requests (
    passphrase  TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    folder_id   INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    album_id    INTEGER REFERENCES albums(id) ON DELETE SET NULL,
    subject     TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    expires_at  INTEGER,
    closed      INTEGER NOT NULL DEFAULT 0,
    max_files   INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX photo_requests_by_user ON photo_requests(user_id, created_at);

-- What came through a request, and from whom (the name the sender typed).
CREATE TABLE photo_request_uploads (
    passphrase  TEXT    NOT NULL REFERENCES photo_requests(passphrase) ON DELETE CASCADE,
    item_id     INTEGER REFERENCES items(id) ON DELETE SET NULL,
    filename    TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    sender      TEXT    NOT NULL,
    uploaded_at INTEGER NOT NULL
);
CREATE INDEX photo_request_uploads_by_request ON photo_request_uploads(passphrase, uploaded_at);
