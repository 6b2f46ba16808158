export * from './feature-store.module';
