export * from './online-key';
export * from './online-store.reader';
