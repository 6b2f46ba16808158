import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { PredictionBatchEvent, predictionBatchOf, type PredictionEvent, predictionEventsOf } from './events.contract';

const at = '2026-12-06T18:00:00.123Z';

function event(i: number, extra: Partial<PredictionEvent> = {}): PredictionEvent {
  return {
    type: 'prediction',
    schemaVersion: 1,
    predictionId: randomUUID(),
    model: 'flight-delay',
    version: 2,
    alias: 'production',
    prediction: i / 10,
    inputs: { distance: 100 + i, origin: i % 2 ? 'ORD' : null, 'airport_delay_stats:mean_delay_24h': 3.5 },
    entities: { airport: i % 2 ? 'ORD' : 'LAS' },
    at,
    latencyMs: 4.25,
    ...extra,
  };
}

describe('PredictionBatchEvent', () => {
  it('holds events that share their model, version, alias, time, arm and latency, and gives them back as they were, through JSON too', () => {
    const plain = Array.from({ length: 5 }, (_, i) => event(i));
    const classes = Array.from({ length: 3 }, (_, i) =>
      event(i, { label: i === 1 ? null : 'late', probabilities: { late: 0.75, on_time: 0.25 }, arm: 'canary' }),
    );
    const shadows = Array.from({ length: 2 }, (_, i) =>
      event(i, { alias: null, arm: 'shadow', shadowOf: randomUUID(), latencyMs: undefined }),
    );
    for (const events of [plain, classes, shadows]) {
      const batch = predictionBatchOf(events)!;
      expect(batch).not.toBeNull();
      expect(predictionEventsOf(batch)).toEqual(events.map((e) => JSON.parse(JSON.stringify(e)) as PredictionEvent));
      const read = PredictionBatchEvent.parse(JSON.parse(JSON.stringify(batch)));
      expect(predictionEventsOf(read)).toEqual(JSON.parse(JSON.stringify(events)));
    }
    expect(predictionBatchOf(plain)).toMatchObject({
      type: 'prediction-batch',
      predictions: [0, 0.1, 0.2, 0.3, 0.4],
      inputs: { distance: [100, 101, 102, 103, 104], origin: [null, 'ORD', null, 'ORD', null] },
      entities: { airport: ['LAS', 'ORD', 'LAS', 'ORD', 'LAS'] },
      latencyMs: 4.25,
    });
  });

  it('is not made of events that differ in a shared field or in their names, nor of fewer than two', () => {
    const base = [event(0), event(1)];
    expect(predictionBatchOf([event(0)])).toBeNull();
    expect(predictionBatchOf([])).toBeNull();
    for (const other of [
      event(1, { version: 3 }),
      event(1, { model: 'other' }),
      event(1, { alias: null }),
      event(1, { at: '2026-12-06T18:00:00.124Z' }),
      event(1, { arm: 'canary' }),
      event(1, { latencyMs: 4.5 }),
      event(1, { label: 'late' }),
      event(1, { probabilities: { late: 1 } }),
      event(1, { shadowOf: randomUUID() }),
      event(1, { inputs: { distance: 1, origin: null } }),
      event(1, { inputs: { distance: 1, origin: null, 'airport_delay_stats:mean_delay_24h': 1, extra: 2 } }),
      event(1, { inputs: { distance: 1, origin: null, other: 1 } }),
      event(1, { entities: { airport: 'ORD', route: 'ORD-LAS' } }),
    ]) {
      expect(predictionBatchOf([base[0]!, other])).toBeNull();
    }
    const classes = (probabilities: Record<string, number>) => event(0, { label: 'late', probabilities });
    expect(predictionBatchOf([classes({ late: 1, on_time: 0 }), classes({ late: 1, early: 0 })])).toBeNull();
    expect(predictionBatchOf(base)).not.toBeNull();
  });

  it('refuses a column whose length is not the number of predictions, naming it', () => {
    const batch = predictionBatchOf([event(0), event(1), event(2)])!;
    for (const [broken, path] of [
      [{ ...batch, predictions: [0.1, 0.2] }, 'predictions'],
      [{ ...batch, inputs: { ...batch.inputs, distance: [1, 2, 3, 4] } }, 'inputs.distance'],
      [{ ...batch, entities: { airport: ['ORD'] } }, 'entities.airport'],
      [{ ...batch, labels: ['late'] }, 'labels'],
    ] as const) {
      const result = PredictionBatchEvent.safeParse(broken);
      expect(result.success).toBe(false);
      expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual([path]);
    }
    expect(PredictionBatchEvent.safeParse({ ...batch, predictionIds: [] }).success).toBe(false);
    expect(PredictionBatchEvent.safeParse({ ...batch, predictionIds: ['x', ...batch.predictionIds.slice(1)] }).success).toBe(false);
  });
});
