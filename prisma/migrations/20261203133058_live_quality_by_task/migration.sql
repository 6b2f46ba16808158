-- AlterTable
ALTER TABLE "monitored_minutes" ADD COLUMN     "abs_error_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "actual_positives" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "ape_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "ape_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "predicted_positives" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "sq_error_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "true_positives" INTEGER NOT NULL DEFAULT 0;

-- Minutes counted before: their sums from the stored predictions that have an outcome (the same
-- expressions ingestion uses; binary counts only for predictions without a class label).
UPDATE "monitored_minutes" m SET
  "sq_error_sum" = s.sq, "abs_error_sum" = s.ae, "ape_sum" = s.ape, "ape_count" = s.apc,
  "true_positives" = s.tp, "predicted_positives" = s.pp, "actual_positives" = s.ap
FROM (
  SELECT model_name, date_trunc('minute', predicted_at) AS minute,
         sum((prediction - outcome) ^ 2) AS sq, sum(abs(prediction - outcome)) AS ae,
         sum(CASE WHEN outcome <> 0 THEN abs((prediction - outcome) / outcome) ELSE 0 END) AS ape,
         count(*) FILTER (WHERE outcome <> 0)::int AS apc,
         count(*) FILTER (WHERE label IS NULL AND prediction >= 0.5 AND outcome >= 0.5)::int AS tp,
         count(*) FILTER (WHERE label IS NULL AND prediction >= 0.5)::int AS pp,
         count(*) FILTER (WHERE label IS NULL AND outcome >= 0.5)::int AS ap
  FROM "monitored_predictions" WHERE outcome IS NOT NULL GROUP BY 1, 2
) s
WHERE m.model_name = s.model_name AND m.minute = s.minute;
