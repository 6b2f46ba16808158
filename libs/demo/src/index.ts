export * from './airport-delay-stats';
export * from './departures-replay';
export * from './flights.reader';
export * from './flights-demo';
