-- AlterTable
ALTER TABLE "training_jobs" ADD COLUMN     "trials" JSONB NOT NULL DEFAULT '[]';
