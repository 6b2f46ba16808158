-- AlterTable
ALTER TABLE "monitored_predictions" ADD COLUMN     "label" TEXT,
ADD COLUMN     "probabilities" JSONB;

-- AlterTable
ALTER TABLE "monitored_minutes" ADD COLUMN     "log_loss_sum" DOUBLE PRECISION NOT NULL DEFAULT 0;

-- Minutes counted before: every stored outcome so far is of a binary classifier or a regressor
-- (multi-class predictions are logged from now on), so their log loss is the binary one.
UPDATE "monitored_minutes" m SET "log_loss_sum" = s.total
FROM (
  SELECT model_name, date_trunc('minute', predicted_at) AS minute,
         sum(-ln(greatest(least(CASE WHEN outcome >= 0.5 THEN prediction ELSE 1 - prediction END, 1), 1e-15))) AS total
  FROM "monitored_predictions" WHERE outcome IS NOT NULL GROUP BY 1, 2
) s
WHERE m.model_name = s.model_name AND m.minute = s.minute;
