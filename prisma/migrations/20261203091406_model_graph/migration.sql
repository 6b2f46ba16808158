-- AlterTable
ALTER TABLE "model_versions" ADD COLUMN     "graph" JSONB;
