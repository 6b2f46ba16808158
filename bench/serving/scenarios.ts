import { DEMO } from '@atelier/demo';

import { type Flight, REQUEST_ONLY_MODEL } from './platform.setup';

/** The scenarios of the serving benchmark, in the order a run measures them. */
export const SCENARIO_IDS = ['a', 'b', 'c', 'd', 'e', 'g', 'f'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

export const SCENARIOS: Record<ScenarioId, { title: string; what: string }> = {
  a: { title: 'floor', what: '`floor.server.ts`: `node:http`, one Redis MGET, the transform, one ONNX Runtime run (`flight-delay`)' },
  b: { title: 'predict `flight-delay`', what: '`POST /api/predict`: 4 online features, 2 request values, 1 transform' },
  c: { title: 'predict `request-only`', what: '`POST /api/predict`: 2 request values, no online features' },
  d: {
    title: 'MLflow `request-only` peer',
    what: '`mlflow models serve` `/invocations`: scikit-learn LogisticRegression on distance, hour',
  },
  e: { title: 'online features (Feast shape)', what: '`POST /get-online-features`: 4 features of `airport_delay_stats`, 1 entity' },
  f: {
    title: '(b) while a GBDT trains',
    what: "(b) while the platform trains a GBDT (`POST /api/training-jobs`, README's example without the search, 1,000 iterations: still training when both phases end, then cancelled)",
  },
  g: {
    title: 'batch predict, 1,000 rows',
    what: '`POST /api/predict` with `rows`: 1,000 flights of `flight-delay` per request, 200 in sequence',
  },
};

/** Rows per batch request in (g), and the distinct batch bodies it rotates over. */
export const BATCH_ROWS = 1000;
const BATCH_BODIES = 5;

export const FEAST_FEATURES = ['mean_delay_24h', 'mean_delay_7d', 'flights_24h', 'delayed_share_24h'].map((f) => `${DEMO.statsGroup}:${f}`);

/** Where a scenario sends its requests, relative to the server under test. */
export function pathOf(id: ScenarioId): string {
  switch (id) {
    case 'a':
      return '/';
    case 'b':
    case 'c':
    case 'f':
    case 'g':
      return '/api/predict';
    case 'd':
      return '/invocations';
    case 'e':
      return '/get-online-features';
  }
}

/** The request bodies a scenario rotates over: one per flight, so Redis keys differ. */
export function bodiesOf(id: ScenarioId, flights: Flight[]): unknown[] {
  const features = (f: Flight) => ({ distance: f.distance, hour: f.hour });
  switch (id) {
    case 'a':
      return flights.map((f) => ({ entities: { [DEMO.airport]: f.airport }, features: features(f) }));
    case 'b':
    case 'f':
      return flights.map((f) => ({ model: DEMO.model, entities: { [DEMO.airport]: f.airport }, features: features(f) }));
    case 'c':
      return flights.map((f) => ({ model: REQUEST_ONLY_MODEL, features: features(f) }));
    case 'd':
      return flights.map((f) => ({ dataframe_split: { columns: ['distance', 'hour'], data: [[f.distance, f.hour]] } }));
    case 'e':
      return flights.map((f) => ({ features: FEAST_FEATURES, entities: { [DEMO.airport]: [f.airport] } }));
    case 'g':
      return Array.from({ length: BATCH_BODIES }, (_, b) => ({
        model: DEMO.model,
        rows: Array.from({ length: BATCH_ROWS }, (_, i) => {
          const f = flights[(i + b) % flights.length]!;
          return { entities: { [DEMO.airport]: f.airport }, features: { distance: f.distance + (i % 7), hour: (f.hour + i) % 24 } };
        }),
      }));
  }
}
