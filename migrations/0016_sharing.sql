-- Sharing (issue 7): groups of users, share links of albums with their privacy, password,
-- expiry and invited members, and the sessions of guests who opened a link.

CREATE TABLE groups (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    created_at INTEGER NOT NULL
);

CREATE TABLE group_members (
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX group_members_by_user ON group_members(user_id);

-- One link per shared album or Shared Space folder (exactly one of the two).
-- `passphrase`: 22 URL-safe characters from 128 random bits. `owner_id`: who made the link.
-- `privacy`: 'private' (only invited members), 'public-view', 'public-download' (anyone with
-- the link). `password_hash`: argon2id, NULL for none. `expires_at`: Unix seconds, NULL never.
CREATE TABLE shares (
    passphrase    TEXT    PRIMARY KEY,
    owner_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    album_id      INTEGER UNIQUE REFERENCES albums(id) ON DELETE CASCADE,
    folder_id     INTEGER UNIQUE REFERENCES folders(id) ON DELETE CASCADE,
    privacy       TEXT    NOT NULL DEFAULT 'private'
                  CHECK (privacy IN ('private', 'public-view', 'public-download')),
    password_hash TEXT,
    expires_at    INTEGER,
    created_at    INTEGER NOT NULL,
    CHECK ((album_id IS NULL) <> (folder_id IS NULL))
);

-- Who was invited, and as what: 'view', 'download', 'upload' (Provider: adds photos, removes
-- only their own) or 'manage' (Manager).
CREATE TABLE share_members (
    passphrase  TEXT    NOT NULL REFERENCES shares(passphrase) ON DELETE CASCADE,
    member_type TEXT    NOT NULL CHECK (member_type IN ('user', 'group')),
    member_id   INTEGER NOT NULL,
    role        TEXT    NOT NULL CHECK (role IN ('view', 'download', 'upload', 'manage')),
    PRIMARY KEY (passphrase, member_type, member_id)
) WITHOUT ROWID;
CREATE INDEX share_members_by_member ON share_members(member_type, member_id);

-- Who put an item into an album: NULL for the album's owner. A link's end takes the others'
-- additions out of the album (the items stay in the library).
ALTER TABLE album_items ADD COLUMN added_by INTEGER REFERENCES users(id) ON DELETE SET NULL;

-- A guest who opened a link (SYNO.Core.Sharing.Login): the cookie `sharing_sid`, kept as a
-- SHA-256 hash like the users' sessions.
CREATE TABLE guest_sessions (
    sid_hash   TEXT    PRIMARY KEY,
    passphrase TEXT    NOT NULL REFERENCES shares(passphrase) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
