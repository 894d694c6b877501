-- Accounts and sign-in sessions.

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,  -- the Photos user id (owner_user_id); 0 is the Shared Space
    name                TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash       TEXT    NOT NULL,                   -- argon2id PHC string
    is_admin            INTEGER NOT NULL DEFAULT 0,
    enabled             INTEGER NOT NULL DEFAULT 1,
    created_at          INTEGER NOT NULL,                   -- unix seconds
    password_changed_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    sid_hash       TEXT    PRIMARY KEY,                     -- hex SHA-256 of the sid; the sid itself is never stored
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    synotoken      TEXT    NOT NULL,
    token_required INTEGER NOT NULL,                        -- login asked for enable_syno_token=yes
    device_id      TEXT    NOT NULL,
    session_name   TEXT    NOT NULL DEFAULT '',
    client_ip      TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    last_seen_at   INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
);

CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE INDEX sessions_by_expiry ON sessions(expires_at);
