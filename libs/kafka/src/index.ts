export * from './background-consumer';
export * from './durable-producer';
export * from './kafka.module';
export * from './kafka.service';
export * from './model-events.feed';
