-- CreateTable
CREATE TABLE "batch_jobs" (
    "id" UUID NOT NULL,
    "model_name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "alias" TEXT,
    "status" TEXT NOT NULL,
    "request" JSONB NOT NULL,
    "total_rows" INTEGER NOT NULL,
    "scored_rows" INTEGER NOT NULL DEFAULT 0,
    "shard_count" INTEGER NOT NULL,
    "shards_done" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "batch_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "batch_shards" (
    "job_id" UUID NOT NULL,
    "shard" INTEGER NOT NULL,
    "start" TIMESTAMPTZ(3) NOT NULL,
    "end" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "rows" INTEGER,
    "error" TEXT,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "batch_shards_pkey" PRIMARY KEY ("job_id","shard")
);

-- CreateTable
CREATE TABLE "batch_predictions" (
    "job_id" UUID NOT NULL,
    "shard" INTEGER NOT NULL,
    "row" INTEGER NOT NULL,
    "prediction_id" UUID NOT NULL,
    "model_name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "alias" TEXT,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "entities" JSONB NOT NULL,
    "prediction" DOUBLE PRECISION,
    "label" TEXT,
    "probabilities" JSONB,
    "missing" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "columns" JSONB NOT NULL,

    CONSTRAINT "batch_predictions_pkey" PRIMARY KEY ("job_id","shard","row")
);

-- CreateIndex
CREATE INDEX "batch_jobs_model_name_created_at_idx" ON "batch_jobs"("model_name", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "batch_predictions_prediction_id_key" ON "batch_predictions"("prediction_id");

-- AddForeignKey
ALTER TABLE "batch_shards" ADD CONSTRAINT "batch_shards_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "batch_jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
