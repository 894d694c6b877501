-- Live Photo pairing looks a partner up by Apple's content identifier (catalog::pair_live).
CREATE INDEX items_by_content_id ON items(content_id) WHERE content_id IS NOT NULL;
