export { EvaluationScheduler } from './evaluation.scheduler';
export * from './monitoring.module';
export { PredictionEventsConsumer } from './prediction-events.consumer';
