-- CreateTable
CREATE TABLE "monitored_minutes" (
    "model_name" TEXT NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "predictions" INTEGER NOT NULL DEFAULT 0,
    "prediction_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "positives" INTEGER NOT NULL DEFAULT 0,
    "outcomes" INTEGER NOT NULL DEFAULT 0,
    "correct" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "monitored_minutes_pkey" PRIMARY KEY ("model_name","minute")
);

-- Backfill from the predictions already stored (positive threshold 0.5, as ingestion counts)
INSERT INTO "monitored_minutes" ("model_name", "minute", "predictions", "prediction_sum", "positives", "outcomes", "correct")
SELECT "model_name",
       date_trunc('minute', "predicted_at"),
       count(*)::int,
       sum("prediction"),
       count(*) FILTER (WHERE "prediction" >= 0.5)::int,
       count("outcome")::int,
       count(*) FILTER (WHERE "outcome" IS NOT NULL AND ("prediction" >= 0.5) = ("outcome" >= 0.5))::int
FROM "monitored_predictions"
GROUP BY 1, 2;
