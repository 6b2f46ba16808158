export * from './atelier-client';
// the request and response types, so users of the published package need nothing else
export type * from '@atelier/contracts';
