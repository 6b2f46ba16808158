export { BATCH_QUEUE } from './batch/batch.queue';
export { BatchShardScorer } from './batch/batch.scorer';
export * from './serving.module';
