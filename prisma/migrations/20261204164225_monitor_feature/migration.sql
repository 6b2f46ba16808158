-- AlterTable
ALTER TABLE "monitors" ADD COLUMN     "feature" TEXT;
