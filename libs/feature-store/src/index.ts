export * from './feature-store.module';
export { FeatureStoreService } from './feature-store.service';
export * from './training-set.module';
export * from './training-set.service';
