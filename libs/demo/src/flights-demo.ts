import type { FeatureDefinition, FeatureRowInput, ModelChoiceInput, TrainingRequestInput } from '@atelier/contracts';
import { AtelierApiError, type AtelierClient } from '@atelier/sdk';

import { airportDelayStats, delayStats } from './airport-delay-stats';
import { type Flight, readFlights } from './flights.reader';

export const DEMO = {
  flightsGroup: 'flights',
  statsGroup: 'airport_delay_stats',
  /** delays of the departures bound for an airport */
  arrivalsGroup: 'arrival_delay_stats',
  routeGroup: 'route_delay_stats',
  airport: 'airport',
  /** an airport as a destination (its own entity, so a request can name both ends of a flight) */
  arrivalAirport: 'arrival_airport',
  route: 'route',
  flight: 'flight',
  model: 'flight-delay',
} as const;

export interface SeedOptions {
  from: Date;
  to: Date;
  /** rows per import request */
  batchSize?: number;
  log?: (message: string) => void;
}

export interface SeedResult {
  flights: number;
  statsRows: number;
  materialized: number;
  skipped: boolean;
}

/**
 * Loads the demo into a running platform through its public API: entities `airport` and
 * `flight`, the `flights` group (label rows and request-time features) and the
 * `airport_delay_stats` group (rolling delays per origin), then materializes the newest stats
 * as of `to`. Running it again on a seeded platform changes nothing.
 */
export async function seedFlightsDemo(client: AtelierClient, options: SeedOptions): Promise<SeedResult> {
  const log = options.log ?? (() => undefined);
  await ensureDefinitions(client);
  const existing = await client.getFeatureGroup(DEMO.flightsGroup);
  if (existing.rowCount > 0) {
    log(`demo data already loaded (${existing.rowCount} flights)`);
    return {
      flights: existing.rowCount,
      statsRows: (await client.getFeatureGroup(DEMO.statsGroup)).rowCount,
      materialized: 0,
      skipped: true,
    };
  }
  log(`reading flights ${options.from.toISOString()} – ${options.to.toISOString()}`);
  const flights = await readFlights(options.from, options.to);
  const [from, to] = [options.from.getTime(), options.to.getTime()];
  const stats = airportDelayStats(flights, from, to);
  const arrivals = delayStats(flights, (f) => f.destination, from, to);
  const routes = delayStats(flights, routeOf, from, to);
  log(
    `importing ${flights.length} flights and ${stats.length} airport, ${arrivals.length} arrival and ${routes.length} route statistics rows`,
  );
  const batch = options.batchSize ?? 10_000;
  await importRows(
    client,
    DEMO.statsGroup,
    stats.map((r) => toStatsRow({ ...r, key: r.airport })),
    batch,
  );
  await importRows(client, DEMO.arrivalsGroup, arrivals.map(toStatsRow), batch);
  await importRows(client, DEMO.routeGroup, routes.map(toRouteRow), batch);
  await importRows(client, DEMO.flightsGroup, flights.map(toFlightRow), batch);
  let materialized = 0;
  for (const group of [DEMO.statsGroup, DEMO.arrivalsGroup, DEMO.routeGroup]) {
    const run = await client.materialize(group, options.to.toISOString());
    const done = await waitFor(async () => {
      const r = await client.getMaterialization(run.id);
      if (r.status === 'failed') throw new Error(`materialization of ${group} failed: ${r.error}`);
      return r.status === 'succeeded' ? r : undefined;
    });
    log(`materialized ${done.entityCount} entities of ${group} to the online store`);
    if (group === DEMO.statsGroup) materialized = done.entityCount;
  }
  return { flights: flights.length, statsRows: stats.length, materialized, skipped: false };
}

/** The entities `airport` and `flight`; existing ones are left as they are. */
export async function ensureDemoEntities(client: AtelierClient): Promise<void> {
  await ignoreConflict(client.createEntity({ name: DEMO.airport, joinKey: 'airport', description: 'a US airport by IATA code' }));
  await ignoreConflict(client.createEntity({ name: DEMO.flight, joinKey: 'flight_id', description: 'one scheduled flight' }));
}

/** A flight's route key, `ORD-SFO`: the `route` entity's key and the flights group's `route` column. */
export const routeOf = (f: Pick<Flight, 'origin' | 'destination'>): string => `${f.origin}-${f.destination}`;

async function ensureDefinitions(client: AtelierClient): Promise<void> {
  await ensureDemoEntities(client);
  await ignoreConflict(
    client.createEntity({ name: DEMO.arrivalAirport, joinKey: 'destination', description: 'a US airport as the destination of flights' }),
  );
  await ignoreConflict(
    client.createEntity({ name: DEMO.route, joinKey: 'route', description: 'origin and destination airports, e.g. ORD-SFO' }),
  );
  await ignoreConflict(
    client.createFeatureGroup({
      name: DEMO.flightsGroup,
      entity: DEMO.flight,
      ttlSeconds: 24 * 3600,
      description: 'scheduled flights: the label rows (delay) and request-time features',
      features: [
        { name: 'origin', dtype: 'string', description: 'origin airport' },
        { name: 'destination', dtype: 'string', description: 'destination airport' },
        { name: 'route', dtype: 'string', description: 'origin-destination, e.g. ORD-SFO' },
        { name: 'distance', dtype: 'int', description: 'miles' },
        { name: 'hour', dtype: 'int', description: 'scheduled departure hour (0–23)' },
        { name: 'day_of_week', dtype: 'int', description: '0 = Sunday' },
        { name: 'delay', dtype: 'int', description: 'departure delay in minutes (the outcome)' },
      ],
    }),
  );
  const statsGroup = (name: string, entity: string, description: string, features: FeatureDefinition[]) =>
    ignoreConflict(client.createFeatureGroup({ name, entity, ttlSeconds: 7 * 24 * 3600, description, features }));
  const of = (whose: string) => STATS_FEATURES.map((f) => ({ ...f, description: `${f.description}, ${whose}` }));
  await statsGroup(
    DEMO.statsGroup,
    DEMO.airport,
    'rolling departure-delay statistics per origin airport, from delays known before each hour',
    of('of departures from the airport'),
  );
  await statsGroup(
    DEMO.arrivalsGroup,
    DEMO.arrivalAirport,
    'rolling departure-delay statistics of the flights bound for each airport, from delays known before each hour',
    of('of departures bound for the airport'),
  );
  await statsGroup(
    DEMO.routeGroup,
    DEMO.route,
    'rolling departure-delay statistics per route, from delays known before each hour',
    of('of the route').filter((f) => ROUTE_FEATURES.has(f.name)),
  );
}

const STATS_FEATURES = [
  { name: 'mean_delay_24h', dtype: 'float', description: 'mean delay in the previous 24 h' },
  { name: 'mean_delay_7d', dtype: 'float', description: 'mean delay in the previous 7 days' },
  { name: 'flights_24h', dtype: 'int', description: 'departures in the previous 24 h' },
  { name: 'delayed_share_24h', dtype: 'float', description: 'share delayed > 15 min in the previous 24 h' },
] as const;

/** A route has few flights a day: its week says more than its day. */
const ROUTE_FEATURES = new Set(['mean_delay_7d', 'flights_24h']);

/** The demo's training request: will a flight leave more than 15 minutes late? */
export function demoTrainingRequest(
  window: { start: string; validationStart: string; end: string },
  model: ModelChoiceInput = { modelType: 'logistic_regression', params: { epochs: 8, learningRate: 0.05, batchSize: 2048, seed: 42 } },
  modelName: string = DEMO.model,
): TrainingRequestInput {
  return {
    modelName,
    description: 'departure delayed by more than 15 minutes',
    source: { group: DEMO.flightsGroup },
    window,
    joinKeys: { [DEMO.airport]: 'origin' },
    features: [
      `${DEMO.statsGroup}:mean_delay_24h`,
      `${DEMO.statsGroup}:mean_delay_7d`,
      `${DEMO.statsGroup}:flights_24h`,
      `${DEMO.statsGroup}:delayed_share_24h`,
    ],
    requestFeatures: ['distance', 'hour'],
    transforms: [{ name: 'log_distance', expression: 'log1p(distance)' }],
    label: 'delay > 15',
    ...model,
  };
}

/**
 * The demo's first model, the one `npm start` trains and puts in production: gradient-boosted
 * trees on the origin airport's delay statistics, the flight's distance, hour and day of the
 * week, and its route — origin and destination as categories (one column per frequent airport,
 * the rest shared), encoded inside the graph so callers send the airport codes.
 */
export function demoFirstModelRequest(window: { start: string; validationStart: string; end: string }): TrainingRequestInput {
  const base = demoTrainingRequest(window, { modelType: 'gbdt', params: DEMO_FIRST_MODEL_PARAMS });
  return {
    ...base,
    joinKeys: { ...base.joinKeys, [DEMO.arrivalAirport]: 'destination', [DEMO.route]: 'route' },
    features: [
      ...(base.features ?? []),
      `${DEMO.arrivalsGroup}:mean_delay_24h`,
      `${DEMO.arrivalsGroup}:mean_delay_7d`,
      `${DEMO.arrivalsGroup}:delayed_share_24h`,
      `${DEMO.routeGroup}:mean_delay_7d`,
      `${DEMO.routeGroup}:flights_24h`,
    ],
    requestFeatures: ['distance', 'hour', 'day_of_week'],
    categoricalFeatures: [
      { column: 'origin', encoding: 'one_hot', maxCategories: 30 },
      { column: 'destination', encoding: 'one_hot', maxCategories: 30 },
    ],
  };
}

const DEMO_FIRST_MODEL_PARAMS = { numIterations: 100, learningRate: 0.1, maxLeaves: 31, minDataInLeaf: 100, seed: 42 };

function toFlightRow(f: Flight, i: number): FeatureRowInput {
  const at = new Date(f.time);
  return {
    entityKey: `${at.toISOString().slice(0, 16)}-${f.origin}-${f.destination}-${i}`,
    eventTime: at.toISOString(),
    values: {
      origin: f.origin,
      destination: f.destination,
      route: routeOf(f),
      distance: f.distance,
      hour: at.getUTCHours(),
      day_of_week: at.getUTCDay(),
      delay: f.delay,
    },
  };
}

function toStatsRow(r: ReturnType<typeof delayStats>[number]): FeatureRowInput {
  return {
    entityKey: r.key,
    eventTime: new Date(r.time).toISOString(),
    values: {
      mean_delay_24h: r.mean_delay_24h,
      mean_delay_7d: r.mean_delay_7d,
      flights_24h: r.flights_24h,
      delayed_share_24h: r.delayed_share_24h,
    },
  };
}

function toRouteRow(r: ReturnType<typeof delayStats>[number]): FeatureRowInput {
  return {
    entityKey: r.key,
    eventTime: new Date(r.time).toISOString(),
    values: { mean_delay_7d: r.mean_delay_7d, flights_24h: r.flights_24h },
  };
}

async function importRows(client: AtelierClient, group: string, rows: FeatureRowInput[], batch: number): Promise<void> {
  for (let i = 0; i < rows.length; i += batch) await client.ingestRows(group, rows.slice(i, i + batch));
}

/** Runs a create call; one that answers 409 (it exists already) is fine. */
export async function ignoreConflict(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof AtelierApiError && error.status === 409)) throw error;
  }
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gave up waiting after ${timeoutMs} ms`);
}
