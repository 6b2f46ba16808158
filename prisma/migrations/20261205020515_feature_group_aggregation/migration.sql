-- AlterTable
ALTER TABLE "feature_groups" ADD COLUMN     "aggregation" JSONB;
