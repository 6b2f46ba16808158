-- AlterTable
ALTER TABLE "materialization_runs" ADD COLUMN     "as_of" TIMESTAMP(3),
ADD COLUMN     "message" TEXT;

-- CreateIndex
CREATE INDEX "materialization_runs_group_name_status_idx" ON "materialization_runs"("group_name", "status");
