-- AlterTable
ALTER TABLE "monitored_predictions" ADD COLUMN     "outcome_label" TEXT;

-- AlterTable
ALTER TABLE "pending_outcomes" ADD COLUMN     "label" TEXT,
ALTER COLUMN "value" DROP NOT NULL;
