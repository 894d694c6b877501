-- Per-user storage quota (issue 6): the most bytes a user's Personal Space may hold through
-- uploads. NULL: no quota. Set with `shoebox user quota NAME SIZE`.
ALTER TABLE users ADD COLUMN quota_bytes INTEGER CHECK (quota_bytes IS NULL OR quota_bytes >= 0);
