-- H.264 previews of the videos browsers cannot play (indexer/src/preview.rs). The file is
-- CACHE/video/<aa>/<bb>/<id>.mp4; these columns say whether it should exist and whether it does.
ALTER TABLE items ADD COLUMN preview_status TEXT NOT NULL DEFAULT 'none'; -- none | pending | ready | broken
ALTER TABLE items ADD COLUMN preview_error  TEXT;                          -- why it is broken

-- Videos indexed before previews existed: those whose codec and container, as stored, browsers
-- cannot play wait for one. The preview job probes the file again and has the last word.
UPDATE items SET preview_status = 'pending'
 WHERE type = 'video' AND metadata_status = 'ready' AND video_codec IS NOT NULL
   AND NOT (video_codec = 'h264' AND format IN ('mp4', 'm4v', 'mov'))
   AND NOT (video_codec = 'vp8' AND format = 'webm')
   AND NOT (video_codec IN ('vp9', 'av1') AND format IN ('webm', 'mp4'));
