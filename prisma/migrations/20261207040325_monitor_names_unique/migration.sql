-- A model's monitors have names of their own. Monitors created before with a name their model's
-- monitors already used keep it with " (2)", " (3)", … added, oldest first.
UPDATE "monitors" m SET "name" = m."name" || ' (' || d.n || ')'
FROM (SELECT "id", row_number() OVER (PARTITION BY "model_name", "name" ORDER BY "created_at", "id") AS n FROM "monitors") d
WHERE m."id" = d."id" AND d.n > 1;

-- CreateIndex
CREATE UNIQUE INDEX "monitors_model_name_name_key" ON "monitors"("model_name", "name");
