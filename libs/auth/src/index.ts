export * from './api-key';
export * from './api-keys.service';
export * from './auth.module';
