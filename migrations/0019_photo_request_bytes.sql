-- A Photo Request's cap on the bytes it takes in all (issue 7: request uploads are limited in
-- size and count per link).
ALTER TABLE photo_requests ADD COLUMN max_bytes INTEGER NOT NULL DEFAULT 10737418240;
