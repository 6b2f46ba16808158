import { Tensor } from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';

import { exportOnnx, type LogisticRegressionModel } from '@atelier/ml';

import { chooseRunner, InlineRunner, type OnnxRunner, WorkerPoolRunner } from './onnx-runner';

const model: LogisticRegressionModel = {
  kind: 'logistic_regression',
  features: ['a', 'b'],
  means: [1, 2],
  scales: [2, 4],
  weights: [0.7, -1.3],
  bias: 0.2,
  backend: 'cpu',
};
const bytes = exportOnnx(model, { name: 'runner-test' });
const feeds = () => ({
  a: new Tensor('float32', Float32Array.of(0, 1, NaN, 5), [4, 1]),
  b: new Tensor('float32', Float32Array.of(3, NaN, 2, -7), [4, 1]),
});
const probe = () => ({ a: new Tensor('float32', Float32Array.of(NaN), [1, 1]), b: new Tensor('float32', Float32Array.of(NaN), [1, 1]) });

describe('ONNX runners', () => {
  const opened: OnnxRunner[] = [];
  afterAll(async () => Promise.all(opened.map((r) => r.close())));

  it('keeps a fast model on the event loop and moves a slow one to worker threads, by its measured run time', async () => {
    const fast = await chooseRunner(bytes, probe(), { inlineMaxMs: 1000, threads: 1 });
    const slow = await chooseRunner(bytes, probe(), { inlineMaxMs: 0, threads: 2 });
    opened.push(fast.runner, slow.runner);
    expect(fast.runner).toBeInstanceOf(InlineRunner);
    expect(slow.runner).toBeInstanceOf(WorkerPoolRunner);
    expect(fast.probeMs).toBeGreaterThan(0);
  });

  it('times the probe apart from the event loop: a model loaded while the process is busy still runs inline', async () => {
    // the event loop busy 5 ms of every few: each run timed on it would have counted those waits
    const busy = setInterval(() => {
      const until = performance.now() + 5;
      while (performance.now() < until);
    }, 1);
    try {
      const choice = await chooseRunner(bytes, probe(), { inlineMaxMs: 1, threads: 1 });
      opened.push(choice.runner);
      expect(choice.runner).toBeInstanceOf(InlineRunner);
      expect(choice.probeMs).toBeLessThan(1);
    } finally {
      clearInterval(busy);
    }
  });

  it('fails a probe of a model ONNX Runtime cannot load', async () => {
    await expect(chooseRunner(Uint8Array.of(1, 2, 3), probe(), { inlineMaxMs: 1, threads: 1 })).rejects.toThrow();
  });

  it('answers the same numbers from worker threads as inline, for concurrent runs', async () => {
    const inline = (await chooseRunner(bytes, probe(), { inlineMaxMs: 1000, threads: 1 })).runner;
    const pool = new WorkerPoolRunner(bytes, 2);
    opened.push(inline, pool);
    const expected = await inline.run(feeds());
    const answers = await Promise.all(Array.from({ length: 20 }, () => pool.run(feeds())));
    for (const out of answers) {
      expect([...(out.probability!.data as Float32Array)]).toEqual([...(expected.probability!.data as Float32Array)]);
      expect([...(out.label!.data as BigInt64Array)]).toEqual([...(expected.label!.data as BigInt64Array)]);
      expect(out.probability!.dims).toEqual([4, 1]);
    }
  });

  it('rejects a run the model cannot take, from a worker too', async () => {
    const pool = new WorkerPoolRunner(bytes, 1);
    opened.push(pool);
    await expect(pool.run({ a: new Tensor('float32', Float32Array.of(1), [1, 1]) })).rejects.toThrow(/input/i);
  });
});
