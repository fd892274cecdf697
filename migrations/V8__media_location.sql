-- Media processing notes whether the original carried GPS coordinates, so that the owner is told
-- "location data removed" (the derived files never carry any). V9 recreates the table's audit
-- triggers so that the trail covers the new column.
ALTER TABLE media_files ADD COLUMN had_location INTEGER NOT NULL DEFAULT 0
    CONSTRAINT ck_media_files_had_location CHECK (had_location IN (0, 1));
