export * from './auth';
export * from './common.contract';
export * from './events.contract';
export * from './feature-store.contract';
export * from './monitoring.contract';
export * from './registry.contract';
export * from './serving.contract';
export * from './training.contract';
