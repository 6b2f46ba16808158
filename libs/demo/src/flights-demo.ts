import type { FeatureRowInput, ModelChoiceInput, TrainingRequestInput } from '@atelier/contracts';
import { AtelierApiError, type AtelierClient } from '@atelier/sdk';

import { airportDelayStats } from './airport-delay-stats';
import { type Flight, readFlights } from './flights.reader';

export const DEMO = {
  flightsGroup: 'flights',
  statsGroup: 'airport_delay_stats',
  airport: 'airport',
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
    return { flights: existing.rowCount, statsRows: (await client.getFeatureGroup(DEMO.statsGroup)).rowCount, materialized: 0, skipped: true };
  }
  log(`reading flights ${options.from.toISOString()} – ${options.to.toISOString()}`);
  const flights = await readFlights(options.from, options.to);
  const stats = airportDelayStats(flights, options.from.getTime(), options.to.getTime());
  log(`importing ${flights.length} flights and ${stats.length} airport statistics rows`);
  const batch = options.batchSize ?? 10_000;
  await importRows(client, DEMO.statsGroup, stats.map(toStatsRow), batch);
  await importRows(client, DEMO.flightsGroup, flights.map(toFlightRow), batch);
  const run = await client.materialize(DEMO.statsGroup, options.to.toISOString());
  const done = await waitFor(async () => {
    const r = await client.getMaterialization(run.id);
    if (r.status === 'failed') throw new Error(`materialization failed: ${r.error}`);
    return r.status === 'succeeded' ? r : undefined;
  });
  log(`materialized ${done.entityCount} airports to the online store`);
  return { flights: flights.length, statsRows: stats.length, materialized: done.entityCount, skipped: false };
}

async function ensureDefinitions(client: AtelierClient): Promise<void> {
  await ignoreConflict(client.createEntity({ name: DEMO.airport, joinKey: 'airport', description: 'a US airport by IATA code' }));
  await ignoreConflict(client.createEntity({ name: DEMO.flight, joinKey: 'flight_id', description: 'one scheduled flight' }));
  await ignoreConflict(
    client.createFeatureGroup({
      name: DEMO.flightsGroup,
      entity: DEMO.flight,
      ttlSeconds: 24 * 3600,
      description: 'scheduled flights: the label rows (delay) and request-time features',
      features: [
        { name: 'origin', dtype: 'string', description: 'origin airport' },
        { name: 'destination', dtype: 'string', description: 'destination airport' },
        { name: 'distance', dtype: 'int', description: 'miles' },
        { name: 'hour', dtype: 'int', description: 'scheduled departure hour (0–23)' },
        { name: 'day_of_week', dtype: 'int', description: '0 = Sunday' },
        { name: 'delay', dtype: 'int', description: 'departure delay in minutes (the outcome)' },
      ],
    }),
  );
  await ignoreConflict(
    client.createFeatureGroup({
      name: DEMO.statsGroup,
      entity: DEMO.airport,
      ttlSeconds: 7 * 24 * 3600,
      description: 'rolling departure-delay statistics per origin airport, from delays known before each hour',
      features: [
        { name: 'mean_delay_24h', dtype: 'float', description: 'mean delay of departures in the previous 24 h' },
        { name: 'mean_delay_7d', dtype: 'float', description: 'mean delay of departures in the previous 7 days' },
        { name: 'flights_24h', dtype: 'int', description: 'departures in the previous 24 h' },
        { name: 'delayed_share_24h', dtype: 'float', description: 'share of departures delayed > 15 min in the previous 24 h' },
      ],
    }),
  );
}

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
    features: [`${DEMO.statsGroup}:mean_delay_24h`, `${DEMO.statsGroup}:mean_delay_7d`, `${DEMO.statsGroup}:flights_24h`, `${DEMO.statsGroup}:delayed_share_24h`],
    requestFeatures: ['distance', 'hour'],
    transforms: [{ name: 'log_distance', expression: 'log1p(distance)' }],
    label: 'delay > 15',
    ...model,
  };
}

function toFlightRow(f: Flight, i: number): FeatureRowInput {
  const at = new Date(f.time);
  return {
    entityKey: `${at.toISOString().slice(0, 16)}-${f.origin}-${f.destination}-${i}`,
    eventTime: at.toISOString(),
    values: { origin: f.origin, destination: f.destination, distance: f.distance, hour: at.getUTCHours(), day_of_week: at.getUTCDay(), delay: f.delay },
  };
}

function toStatsRow(r: ReturnType<typeof airportDelayStats>[number]): FeatureRowInput {
  return {
    entityKey: r.airport,
    eventTime: new Date(r.time).toISOString(),
    values: { mean_delay_24h: r.mean_delay_24h, mean_delay_7d: r.mean_delay_7d, flights_24h: r.flights_24h, delayed_share_24h: r.delayed_share_24h },
  };
}

async function importRows(client: AtelierClient, group: string, rows: FeatureRowInput[], batch: number): Promise<void> {
  for (let i = 0; i < rows.length; i += batch) await client.ingestRows(group, rows.slice(i, i + batch));
}

async function ignoreConflict(call: Promise<unknown>): Promise<void> {
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
