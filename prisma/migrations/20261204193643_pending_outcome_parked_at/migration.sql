-- AlterTable
ALTER TABLE "pending_outcomes" ADD COLUMN     "parked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateIndex
CREATE INDEX "pending_outcomes_parked_at_idx" ON "pending_outcomes"("parked_at");
