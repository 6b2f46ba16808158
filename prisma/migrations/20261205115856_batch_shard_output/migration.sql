-- A batch shard keeps its predictions as one Parquet row group, encoded while it was scored; a
-- job's output file is its shards' row groups one after the other, and a footer.
-- AlterTable
ALTER TABLE "batch_shards" ADD COLUMN     "output" BYTEA,
ADD COLUMN     "output_meta" TEXT;

-- The chunks are compressed already (Snappy): kept out of line as they are, not compressed again.
ALTER TABLE "batch_shards" ALTER COLUMN "output" SET STORAGE EXTERNAL;
