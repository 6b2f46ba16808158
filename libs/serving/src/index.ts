export { BATCH_QUEUE } from './batch/batch.queue';
export { BatchShardScorer } from './batch/batch.scorer';
export { BATCH_ROWS, type BatchRows } from './batch/batch-rows';
export { PredictionIds } from './prediction-id';
export * from './serving.module';
