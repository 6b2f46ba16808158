import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';

import { EncodedDatasetBuilder } from '../encoding/encoded-dataset.builder';
import { trainGbdt } from '../gbdt/gbdt.trainer';
import { type LogisticRegressionModel, predictProba } from '../linear/logistic-regression.model';
import { MlError } from '../ml.error';
import { exportOnnx, ONNX_METADATA_KEYS } from './onnx.export';
import { readOnnxModelInfo } from './onnx.metadata';

const lr = (bias: number): LogisticRegressionModel => ({
  kind: 'logistic_regression',
  features: ['distance'],
  means: [0],
  scales: [1],
  weights: [0.01],
  bias,
  backend: 'typescript',
});

async function run(bytes: Uint8Array, feeds: Record<string, Tensor>) {
  const session = await InferenceSession.create(Buffer.from(bytes));
  try {
    return { inputs: [...session.inputNames], out: await session.run(feeds) };
  } finally {
    await session.release();
  }
}

describe('partitioned models in one ONNX graph', () => {
  const global = lr(0);
  const partitions = [
    { value: 'ORD', model: lr(-2) },
    { value: 'SFO', model: lr(2) },
  ];

  it("answers each row with its partition's model, and with the global one for a value in no partition or none", async () => {
    const bytes = exportOnnx(global, { name: 'split' }, { partition: { column: 'origin', partitions } });
    const distance = Float64Array.of(100, 100, 250, 100);
    const origin = ['ORD', 'SFO', 'LAX', ''];
    const { inputs, out } = await run(bytes, {
      distance: new Tensor('float32', Float32Array.from(distance), [4, 1]),
      origin: new Tensor('string', origin, [4, 1]),
    });
    // the column is no input of the models: the graph gains it as a string input
    expect(inputs).toEqual(['distance', 'origin']);
    const expected = [partitions[0]!.model, partitions[1]!.model, global, global].map((m, i) => predictProba(m, [Float64Array.of(distance[i]!)])[0]!);
    const probability = out.probability!.data as Float32Array;
    expected.forEach((p, i) => expect(probability[i]).toBeCloseTo(p, 6));
    expect([...(out.label!.data as BigInt64Array)]).toEqual(expected.map((p) => (p > 0.5 ? 1n : 0n)));
    expect(JSON.parse(readOnnxModelInfo(bytes).metadata[ONNX_METADATA_KEYS.partition]!)).toEqual({ column: 'origin', values: ['ORD', 'SFO'] });
  });

  it('routes rank-1 outputs too (a multi-class label), with the column also a categorical input of the models', async () => {
    const rows = 600;
    const raw = { x: Array.from({ length: rows }, (_, i) => i % 3), city: Array.from({ length: rows }, (_, i) => (i % 2 ? 'a' : 'b')) };
    const { dataset, encoding } = new EncodedDatasetBuilder({ columns: { x: { type: 'numeric' }, city: { type: 'one_hot', maxCategories: 5 } } }).fit(raw);
    const params = { objective: 'multiclass' as const, numClass: 3, numIterations: 5, minDataInLeaf: 5 };
    const globalModel = await trainGbdt({ ...dataset, label: Float64Array.from(raw.x) }, params);
    const shifted = await trainGbdt({ ...dataset, label: Float64Array.from(raw.x, (v) => (v + 1) % 3) }, params);
    const bytes = exportOnnx(globalModel, { name: 'multi' }, { encoding, partition: { column: 'city', partitions: [{ value: 'b', model: shifted }] } });
    const feeds = () => ({ x: new Tensor('float32', Float32Array.of(0, 0, 2, 2), [4, 1]), city: new Tensor('string', ['b', 'a', 'b', 'zzz'], [4, 1]) });
    const { inputs, out } = await run(bytes, feeds());
    expect(inputs.sort()).toEqual(['city', 'x']);
    const alone = async (model: typeof globalModel) => (await run(exportOnnx(model, { name: 'alone' }, { encoding }), feeds())).out;
    const [g, p] = [await alone(globalModel), await alone(shifted)];
    const pick = [p, g, p, g];
    expect(out.label!.dims).toEqual([4]);
    expect([...(out.label!.data as BigInt64Array)]).toEqual(pick.map((o, i) => (o.label!.data as BigInt64Array)[i]));
    expect([...(out.label!.data as BigInt64Array)]).toEqual([1n, 0n, 0n, 2n]);
    const probabilities = out.probabilities!.data as Float32Array;
    pick.forEach((o, i) => expect([...probabilities.slice(i * 3, i * 3 + 3)]).toEqual([...(o.probabilities!.data as Float32Array).slice(i * 3, i * 3 + 3)]));
  });

  it('refuses partitions whose models differ from the global one, or repeat a value', () => {
    const other: LogisticRegressionModel = { ...lr(0), features: ['hour'] };
    expect(() => exportOnnx(global, { name: 'bad' }, { partition: { column: 'origin', partitions: [{ value: 'ORD', model: other }] } })).toThrow(/other inputs or outputs/);
    expect(() => exportOnnx(global, { name: 'bad' }, { partition: { column: 'origin', partitions: [...partitions, partitions[0]!] } })).toThrow(MlError);
  });
});
