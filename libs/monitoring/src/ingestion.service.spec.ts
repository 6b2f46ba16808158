import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { PredictionBatchEvent, predictionEventsOf } from '@atelier/contracts';

import { batchPredictions } from './ingestion.service';

const ids = (n: number) => Array.from({ length: n }, () => randomUUID());

/** Three rows as the prediction log sends them, with `extra` shared fields or columns. */
function batch(extra: Partial<PredictionBatchEvent> = {}): PredictionBatchEvent {
  const event = {
    type: 'prediction-batch',
    schemaVersion: 1,
    model: 'flight-delay',
    version: 2,
    alias: 'production',
    at: '2026-12-07T14:00:00.250Z',
    latencyMs: 4.25,
    predictionIds: ids(3),
    predictions: [0.1, 0.5, 0.9],
    inputs: { distance: [100.5, 2e21, -3.5e-7], origin: ['O"RD', null, 'Zürich'], 'airport_delay_stats:mean_delay_24h': [1, 2, 3] },
    entities: { airport: ['ORD', 'LAS', 'ZRH'] },
    ...extra,
  };
  // as the consumer reads it: through JSON and the contract
  return PredictionBatchEvent.parse(JSON.parse(JSON.stringify(event)));
}

describe('batchPredictions', () => {
  it("stores a batch event's rows as its events would be stored: the same fields, the inputs as their JSON text, no entities", () => {
    for (const event of [
      batch(),
      batch({ arm: 'canary', labels: ['late', null, 'late'], probabilities: { late: [0.75, 0.5, 0.6], on_time: [0.25, 0.5, 0.4] } }),
      batch({ alias: null, arm: 'shadow', shadowOf: ids(3), latencyMs: undefined }),
    ]) {
      const rows = batchPredictions(event);
      const expected = predictionEventsOf(event);
      expect(rows).toHaveLength(3);
      rows.forEach((row, i) => {
        const { type: _type, schemaVersion: _version, entities: _entities, inputs, ...rest } = expected[i]!;
        expect(row.inputs).toBe(JSON.stringify(inputs));
        expect({ ...row, inputs: undefined }).toEqual({ ...rest, inputs: undefined });
      });
    }
  });
});
