-- CreateTable
CREATE TABLE "batch_inputs" (
    "job_id" UUID NOT NULL,
    "shard" INTEGER NOT NULL,
    "row" INTEGER NOT NULL,
    "value" JSONB NOT NULL,

    CONSTRAINT "batch_inputs_pkey" PRIMARY KEY ("job_id","shard","row")
);
