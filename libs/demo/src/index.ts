export * from './airport-delay-stats';
export * from './flights.reader';
export * from './flights-demo';
