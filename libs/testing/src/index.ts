export { createDatabase, createMigratedDatabase } from './global-setup';
export * from './models';
export * from './private-infra';
export * from './processes';
export * from './refusal';
export * from './test-app';
export * from './test-env';
export * from './web-ui';
