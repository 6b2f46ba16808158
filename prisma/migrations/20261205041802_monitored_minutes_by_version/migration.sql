-- The per-minute sums gain the model version, so live quality can be read per version. The sums
-- so far had none: they are rebuilt from the stored predictions, grouped by version, with the
-- expressions ingestion uses (positive threshold 0.5; see libs/monitoring, monitoring.repository.ts).
DELETE FROM "monitored_minutes";

-- AlterTable
ALTER TABLE "monitored_minutes" DROP CONSTRAINT "monitored_minutes_pkey",
ADD COLUMN     "version" INTEGER NOT NULL,
ADD CONSTRAINT "monitored_minutes_pkey" PRIMARY KEY ("model_name", "version", "minute");

INSERT INTO "monitored_minutes" (
  "model_name", "version", "minute", "predictions", "prediction_sum", "positives", "outcomes", "correct", "log_loss_sum",
  "sq_error_sum", "abs_error_sum", "ape_sum", "ape_count", "true_positives", "predicted_positives", "actual_positives")
SELECT "model_name", "version", date_trunc('minute', "predicted_at"),
       count(*)::int,
       sum("prediction"),
       count(*) FILTER (WHERE "prediction" >= 0.5)::int,
       count(*) FILTER (WHERE "outcome" IS NOT NULL OR "outcome_label" IS NOT NULL)::int,
       sum(coalesce(CASE WHEN "label" IS NOT NULL THEN ("label" = coalesce("outcome_label", trim_scale("outcome"::numeric)::text))::int
                         ELSE (("prediction" >= 0.5) = ("outcome" >= 0.5))::int END, 0))::int,
       sum(CASE WHEN NOT ("outcome" IS NOT NULL OR "outcome_label" IS NOT NULL) THEN 0::float8
                WHEN "probabilities" IS NOT NULL
                  THEN -ln(greatest(coalesce(("probabilities" ->> coalesce("outcome_label", trim_scale("outcome"::numeric)::text))::float8, 0), 1e-15))
                ELSE -ln(greatest(least(CASE WHEN "outcome" >= 0.5 THEN "prediction" ELSE 1 - "prediction" END, 1), 1e-15)) END),
       sum(coalesce(("prediction" - "outcome") ^ 2, 0)),
       sum(coalesce(abs("prediction" - "outcome"), 0)),
       sum(coalesce(CASE WHEN "outcome" <> 0 THEN abs(("prediction" - "outcome") / "outcome") ELSE 0 END, 0)),
       sum(coalesce(("outcome" <> 0)::int, 0))::int,
       sum(coalesce(("label" IS NULL AND "prediction" >= 0.5 AND "outcome" >= 0.5)::int, 0))::int,
       sum(coalesce(("label" IS NULL AND "prediction" >= 0.5 AND "outcome" IS NOT NULL)::int, 0))::int,
       sum(coalesce(("label" IS NULL AND "outcome" >= 0.5)::int, 0))::int
FROM "monitored_predictions"
GROUP BY 1, 2, 3;
