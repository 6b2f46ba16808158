export * from './atelier-client';
