-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "entities" (
    "name" TEXT NOT NULL,
    "join_key" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "entities_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "feature_groups" (
    "name" TEXT NOT NULL,
    "entity_name" TEXT NOT NULL,
    "features" JSONB NOT NULL,
    "ttl_seconds" INTEGER NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "feature_groups_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "feature_rows" (
    "id" BIGSERIAL NOT NULL,
    "group_name" TEXT NOT NULL,
    "entity_key" TEXT NOT NULL,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "values" JSONB NOT NULL,
    "ingested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "feature_rows_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "materialization_runs" (
    "id" UUID NOT NULL,
    "group_name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "entity_count" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "materialization_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "training_jobs" (
    "id" UUID NOT NULL,
    "model_name" TEXT NOT NULL,
    "model_type" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "request" JSONB NOT NULL,
    "events" JSONB NOT NULL DEFAULT '[]',
    "backend" TEXT,
    "metrics" JSONB,
    "model_version" INTEGER,
    "error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "training_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "models" (
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "models_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "model_versions" (
    "model_name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "model_type" TEXT NOT NULL,
    "metrics" JSONB NOT NULL,
    "signature" JSONB NOT NULL,
    "baseline" JSONB NOT NULL,
    "lineage" JSONB NOT NULL,
    "artifact_uri" TEXT NOT NULL,
    "artifact_sha256" TEXT NOT NULL,
    "artifact_bytes" INTEGER NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "model_versions_pkey" PRIMARY KEY ("model_name","version")
);

-- CreateTable
CREATE TABLE "model_aliases" (
    "model_name" TEXT NOT NULL,
    "alias" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "model_aliases_pkey" PRIMARY KEY ("model_name","alias")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "subject" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "actor" TEXT NOT NULL DEFAULT 'api',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "monitored_predictions" (
    "prediction_id" UUID NOT NULL,
    "model_name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "alias" TEXT,
    "prediction" DOUBLE PRECISION NOT NULL,
    "inputs" JSONB NOT NULL,
    "predicted_at" TIMESTAMPTZ(3) NOT NULL,
    "outcome" DOUBLE PRECISION,
    "outcome_at" TIMESTAMPTZ(3),

    CONSTRAINT "monitored_predictions_pkey" PRIMARY KEY ("prediction_id")
);

-- CreateTable
CREATE TABLE "pending_outcomes" (
    "prediction_id" UUID NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "observed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "pending_outcomes_pkey" PRIMARY KEY ("prediction_id")
);

-- CreateTable
CREATE TABLE "monitors" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "model_name" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "operator" TEXT NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "window_seconds" INTEGER NOT NULL,
    "min_samples" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "webhook_url" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "monitors_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "monitor_windows" (
    "id" BIGSERIAL NOT NULL,
    "monitor_id" UUID NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "window_end" TIMESTAMPTZ(3) NOT NULL,
    "value" DOUBLE PRECISION,
    "samples" INTEGER NOT NULL,
    "breached" BOOLEAN NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "monitor_windows_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alerts" (
    "id" UUID NOT NULL,
    "monitor_id" UUID NOT NULL,
    "model_name" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "message" TEXT NOT NULL,
    "opened_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMP(3),

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "feature_rows_group_name_entity_key_event_time_idx" ON "feature_rows"("group_name", "entity_key", "event_time");

-- CreateIndex
CREATE INDEX "feature_rows_group_name_event_time_idx" ON "feature_rows"("group_name", "event_time");

-- CreateIndex
CREATE INDEX "training_jobs_model_name_created_at_idx" ON "training_jobs"("model_name", "created_at");

-- CreateIndex
CREATE INDEX "audit_events_subject_created_at_idx" ON "audit_events"("subject", "created_at");

-- CreateIndex
CREATE INDEX "monitored_predictions_model_name_predicted_at_idx" ON "monitored_predictions"("model_name", "predicted_at");

-- CreateIndex
CREATE INDEX "monitors_model_name_idx" ON "monitors"("model_name");

-- CreateIndex
CREATE INDEX "monitor_windows_monitor_id_window_end_idx" ON "monitor_windows"("monitor_id", "window_end");

-- CreateIndex
CREATE INDEX "alerts_status_opened_at_idx" ON "alerts"("status", "opened_at");

-- AddForeignKey
ALTER TABLE "feature_groups" ADD CONSTRAINT "feature_groups_entity_name_fkey" FOREIGN KEY ("entity_name") REFERENCES "entities"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "feature_rows" ADD CONSTRAINT "feature_rows_group_name_fkey" FOREIGN KEY ("group_name") REFERENCES "feature_groups"("name") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_model_name_fkey" FOREIGN KEY ("model_name") REFERENCES "models"("name") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_aliases" ADD CONSTRAINT "model_aliases_model_name_fkey" FOREIGN KEY ("model_name") REFERENCES "models"("name") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_aliases" ADD CONSTRAINT "model_aliases_model_name_version_fkey" FOREIGN KEY ("model_name", "version") REFERENCES "model_versions"("model_name", "version") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "monitor_windows" ADD CONSTRAINT "monitor_windows_monitor_id_fkey" FOREIGN KEY ("monitor_id") REFERENCES "monitors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_monitor_id_fkey" FOREIGN KEY ("monitor_id") REFERENCES "monitors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

