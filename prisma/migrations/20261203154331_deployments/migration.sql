-- AlterTable
ALTER TABLE "monitored_predictions" ADD COLUMN     "arm" TEXT,
ADD COLUMN     "latency_ms" DOUBLE PRECISION;

-- CreateTable
CREATE TABLE "model_deployments" (
    "model_name" TEXT NOT NULL,
    "canary_version" INTEGER,
    "canary_share" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "sticky_by" TEXT,
    "shadow_version" INTEGER,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "updated_by" TEXT NOT NULL,

    CONSTRAINT "model_deployments_pkey" PRIMARY KEY ("model_name")
);

-- CreateTable
CREATE TABLE "shadow_predictions" (
    "prediction_id" UUID NOT NULL,
    "shadow_of" UUID NOT NULL,
    "model_name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "prediction" DOUBLE PRECISION NOT NULL,
    "label" TEXT,
    "probabilities" JSONB,
    "inputs" JSONB NOT NULL,
    "predicted_at" TIMESTAMPTZ(3) NOT NULL,
    "latency_ms" DOUBLE PRECISION,

    CONSTRAINT "shadow_predictions_pkey" PRIMARY KEY ("prediction_id")
);

-- CreateIndex
CREATE INDEX "shadow_predictions_model_name_predicted_at_idx" ON "shadow_predictions"("model_name", "predicted_at");

-- CreateIndex
CREATE INDEX "shadow_predictions_shadow_of_idx" ON "shadow_predictions"("shadow_of");

-- AddForeignKey
ALTER TABLE "model_deployments" ADD CONSTRAINT "model_deployments_model_name_fkey" FOREIGN KEY ("model_name") REFERENCES "models"("name") ON DELETE CASCADE ON UPDATE CASCADE;
