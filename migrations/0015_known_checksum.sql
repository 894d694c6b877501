-- The checksum an upload computed while it received the file (issue 6), kept until the index
-- job has read the file: the job then need not read a large video a second time to hash it.
-- Cleared whenever the file is seen to change and when the job stores its results.
ALTER TABLE items ADD COLUMN known_checksum BLOB;
