export { featureDrift, populationStabilityIndex, type PsiSmoothing } from './drift';
export { EvaluationScheduler } from './evaluation.scheduler';
export { IngestionService } from './ingestion.service';
export { LiveVersionWatch } from './live-version.watch';
export * from './monitoring.module';
export { MonitoringRepository } from './monitoring.repository';
export { PredictionEventsConsumer } from './prediction-events.consumer';
export { MonitoringRetention, type RetentionSweep } from './retention';
