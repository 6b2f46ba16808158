export * from './durable-producer';
export * from './kafka.module';
export * from './kafka.service';
