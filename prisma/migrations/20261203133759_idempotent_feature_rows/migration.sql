-- Rows ingested more than once for the same entity and event time (a client retrying a batch):
-- keep the one ingested last, which is also the one reads preferred (ORDER BY … id DESC).
DELETE FROM "feature_rows" a
USING "feature_rows" b
WHERE a.group_name = b.group_name AND a.entity_key = b.entity_key AND a.event_time = b.event_time AND a.id < b.id;

-- DropIndex
DROP INDEX "feature_rows_group_name_entity_key_event_time_idx";

-- CreateIndex
CREATE UNIQUE INDEX "feature_rows_group_name_entity_key_event_time_key" ON "feature_rows"("group_name", "entity_key", "event_time");
