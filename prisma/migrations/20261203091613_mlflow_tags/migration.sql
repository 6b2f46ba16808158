-- AlterTable
ALTER TABLE "models" ADD COLUMN     "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "model_versions" ADD COLUMN     "description" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- Rows that existed before: last changed when they were made, not when this migration ran.
UPDATE "models" SET "updated_at" = "created_at";
UPDATE "model_versions" SET "updated_at" = "created_at";

-- CreateTable
CREATE TABLE "model_tags" (
    "model_name" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "model_tags_pkey" PRIMARY KEY ("model_name","key")
);

-- CreateTable
CREATE TABLE "model_version_tags" (
    "model_name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "model_version_tags_pkey" PRIMARY KEY ("model_name","version","key")
);

-- AddForeignKey
ALTER TABLE "model_tags" ADD CONSTRAINT "model_tags_model_name_fkey" FOREIGN KEY ("model_name") REFERENCES "models"("name") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_version_tags" ADD CONSTRAINT "model_version_tags_model_name_version_fkey" FOREIGN KEY ("model_name", "version") REFERENCES "model_versions"("model_name", "version") ON DELETE CASCADE ON UPDATE CASCADE;
