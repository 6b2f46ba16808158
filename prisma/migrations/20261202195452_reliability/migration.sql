-- AlterTable
ALTER TABLE "training_jobs" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "model_versions" ADD COLUMN     "idempotency_key" TEXT;

-- AlterTable
ALTER TABLE "monitors" ADD COLUMN     "webhook_secret" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "model_versions_idempotency_key_key" ON "model_versions"("idempotency_key");
