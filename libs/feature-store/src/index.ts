export * from './feature-store.module';
export * from './training-set.module';
export * from './training-set.service';
