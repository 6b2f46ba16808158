import { describe, expect, it } from 'vitest';

import { MicroBatcher } from './micro-batcher';
import type { PlainTensor } from './onnx-runner';

interface Row {
  x: number;
  y?: number;
}

/** A "model" that doubles x, recording the size of every run it is given. */
function doubler(runs: number[], fail = false) {
  const run = () => async (rows: Row[]) => {
    runs.push(rows.length);
    if (fail) throw new Error('run failed');
    return { y: { type: 'float32', data: Float32Array.from(rows, (r) => 2 * r.x), dims: [rows.length, 1] } as PlainTensor };
  };
  const apply = (_key: object, rows: Row[], out: Record<string, PlainTensor>) =>
    rows.forEach((r, i) => (r.y = (out.y!.data as Float32Array)[i]));
  return { run, apply };
}

describe('MicroBatcher', () => {
  const key = {};

  it('runs the rows of requests that arrive in the same turn once, and gives each its own outputs', async () => {
    const runs: number[] = [];
    const { run, apply } = doubler(runs);
    const batcher = new MicroBatcher<object, Row>(100, run, apply);
    const a: Row[] = [{ x: 1 }];
    const b: Row[] = [{ x: 2 }, { x: 3 }];
    await Promise.all([batcher.score(key, a), batcher.score(key, b)]);
    expect(runs).toEqual([3]);
    expect(a.map((r) => r.y)).toEqual([2]);
    expect(b.map((r) => r.y)).toEqual([4, 6]);
  });

  it('runs a lone request at once, a batch at the limit alone, and never more rows than the limit together', async () => {
    const runs: number[] = [];
    const { run, apply } = doubler(runs);
    const batcher = new MicroBatcher<object, Row>(4, run, apply);
    await batcher.score(key, [{ x: 1 }]);
    await batcher.score(
      key,
      Array.from({ length: 4 }, (_, x) => ({ x })),
    );
    await Promise.all([batcher.score(key, [{ x: 1 }, { x: 1 }, { x: 1 }]), batcher.score(key, [{ x: 1 }, { x: 1 }])]);
    expect(runs).toEqual([1, 4, 3, 2]);
  });

  it('fails every request of a failed run', async () => {
    const runs: number[] = [];
    const { run, apply } = doubler(runs, true);
    const batcher = new MicroBatcher<object, Row>(100, run, apply);
    const results = await Promise.allSettled([batcher.score(key, [{ x: 1 }]), batcher.score(key, [{ x: 2 }])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(runs).toEqual([2]);
  });
});
