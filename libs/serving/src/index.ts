export * from './serving.module';
