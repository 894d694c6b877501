-- A Photo Request may ask its senders for a password (argon2 hash; NULL: none).
ALTER TABLE photo_requests ADD COLUMN password_hash TEXT;
