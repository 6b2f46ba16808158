-- A batch prediction is found by its place in its job (the primary key), never by its id alone;
-- the unique index on its id cost about a quarter of the time PostgreSQL took to store a job.
-- DropIndex
DROP INDEX "batch_predictions_prediction_id_key";
