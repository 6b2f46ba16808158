export * from './parent-watch';
export { numericBaseline } from './training.baseline';
export * from './training.module';
export * from './training-api.module';
export * from './training-data';
export * from './training-worker.module';
export * from './training-workers.module';
export * from './training-workers.supervisor';
