-- AlterTable
ALTER TABLE "model_versions" ADD COLUMN     "evaluation" JSONB NOT NULL DEFAULT '{}';
