export * from './monitoring.module';
