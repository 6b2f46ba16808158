import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { PredictionBatchEvent, type PredictionEvent, predictionEventsOf } from '@atelier/contracts';
import { MAX_PACKED_CHARS, type SpoolRecord } from '@atelier/kafka';

import { packPredictions } from './prediction-log';

function event(at: string, i: number, inputs: Record<string, number | string | null> = { distance: i, hour: 7 }): PredictionEvent {
  return {
    type: 'prediction',
    schemaVersion: 1,
    predictionId: randomUUID(),
    model: 'flight-delay',
    version: 1,
    alias: 'production',
    prediction: i / 1000,
    inputs,
    entities: { airport: 'ORD' },
    at,
    latencyMs: 3.5,
  };
}

/** As the durable producer holds them: appended objects, or events read back from the spool (JSON only). */
const appended = (e: PredictionEvent): SpoolRecord => ({ key: e.predictionId, value: JSON.stringify(e), object: e });
const replayed = (e: PredictionEvent): SpoolRecord => ({ key: e.predictionId, value: JSON.stringify(e) });

/** The events of the messages, in order, and the kind of each message. */
function read(messages: Array<{ key: string; value: string }>): { events: PredictionEvent[]; kinds: string[] } {
  const events: PredictionEvent[] = [];
  const kinds: string[] = [];
  for (const m of messages) {
    expect(m.value.length).toBeLessThanOrEqual(MAX_PACKED_CHARS);
    const body = JSON.parse(m.value) as unknown;
    if (Array.isArray(body)) {
      kinds.push(`array ${body.length}`);
      events.push(...(body as PredictionEvent[]));
    } else {
      const batch = PredictionBatchEvent.parse(body);
      kinds.push(`batch ${batch.predictionIds.length}`);
      events.push(...predictionEventsOf(batch));
    }
    expect(m.key).toBe(events.at(-kinds.at(-1)!.split(' ').map(Number)[1]!)!.predictionId);
  }
  return { events, kinds };
}

describe('packPredictions', () => {
  it("sends a batch request's events as batch events and the others as arrays, in order", () => {
    const single = (n: number) => event(`2026-12-06T18:00:0${n}.000Z`, n);
    const request = Array.from({ length: 2_500 }, (_, i) => event('2026-12-06T18:00:05.000Z', i));
    const another = Array.from({ length: 3 }, (_, i) => event('2026-12-06T18:00:06.000Z', i));
    const all = [single(1), single(2), ...request, single(3), ...another];
    const records = [replayed(single(0)), ...all.map(appended)];
    const { events, kinds } = read(packPredictions(records));
    expect(kinds).toEqual(['array 3', 'batch 1000', 'batch 1000', 'batch 500', 'array 1', 'batch 3']);
    expect(events).toEqual([JSON.parse(records[0]!.value), ...all].map((e) => JSON.parse(JSON.stringify(e))));
  });

  it('keeps events whose names differ apart, and halves a batch event until it fits a message', () => {
    const at = '2026-12-06T18:00:07.000Z';
    const mixed = [event(at, 0), event(at, 1), event(at, 2, { distance: 2 }), event(at, 3)];
    expect(read(packPredictions(mixed.map(appended))).kinds).toEqual(['array 4']);
    // 400 events of ~1.5 KB of inputs each: ~600 KB as one batch event
    const wide = Array.from({ length: 400 }, (_, i) => event(at, i, { note: 'x'.repeat(1_500), distance: i }));
    const { events, kinds } = read(packPredictions(wide.map(appended)));
    expect(kinds).toEqual(['batch 100', 'batch 100', 'batch 100', 'batch 100']);
    expect(events.map((e) => e.predictionId)).toEqual(wide.map((e) => e.predictionId));
  });
});
