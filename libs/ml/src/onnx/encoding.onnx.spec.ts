import { InferenceSession, Tensor } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';

import { type DatasetEncoding, encodeDataset, EncodedDatasetBuilder } from '../encoding/encoded-dataset.builder';
import { restoreEncoder } from '../encoding/encoder.restore';
import type { RawColumns } from '../encoding/encoding.types';
import { hashBucket } from '../encoding/hashing.encoder';
import { predictGbdt } from '../gbdt/gbdt.model';
import { trainGbdt } from '../gbdt/gbdt.trainer';
import { type LogisticRegressionModel, predictProba } from '../linear/logistic-regression.model';
import { trainLogisticRegression } from '../linear/logistic-regression.trainer';
import { MlError } from '../ml.error';
import { createRng } from '../random/prng.util';
import { encodingGraph, ONNX_MISSING_STRING, rawOnnxFeeds } from './encoding.onnx';
import { exportOnnx } from './onnx.export';
import { readOnnxModelInfo } from './onnx.metadata';
import { encodeModel, OnnxDataType } from './onnx.proto';

const ORIGINS = ['ORD', 'SFO', 'JFK', 'ATL', 'DEN'];
const CARRIERS = ['UA', 'AA', 'DL', 'WN'];
const ROUTES = ['ORD-SFO', 'SFO-ORD', 'JFK-ATL', 'ATL-DEN', 'DEN-JFK', 'ORD-JFK', 'SFO-DEN'];

/** Raw flights: strings with missing values, a numeric column with NaN/null, a boolean with null. */
function rawFlights(rowCount: number, seed: number): RawColumns {
  const rng = createRng(seed);
  const pick = <T>(values: T[]): T => values[Math.floor(rng() * values.length)];
  const raw = { origin: [], carrier: [], route: [], distance: [], holiday: [], delayed: [] } as Record<string, unknown[]>;
  for (let i = 0; i < rowCount; i++) {
    const origin = rng() < 0.1 ? null : rng() < 0.03 ? 'RARE' : pick(ORIGINS);
    const carrier = rng() < 0.1 ? null : pick(CARRIERS);
    const route = rng() < 0.1 ? null : pick(ROUTES);
    const distance = rng() < 0.1 ? (rng() < 0.5 ? null : NaN) : 100 + rng() * 2000;
    const holiday = rng() < 0.1 ? null : rng() < 0.2;
    const logit =
      -1 +
      (origin === 'ORD' ? 1.5 : origin === null ? -0.7 : 0) +
      (carrier === 'UA' ? 0.8 : carrier === 'WN' ? -0.5 : 0) +
      (route?.startsWith('SFO') ? 0.9 : 0) +
      (typeof distance === 'number' && !Number.isNaN(distance) ? distance / 2000 : 0.3) +
      (holiday ? 1 : 0);
    raw.origin.push(origin);
    raw.carrier.push(carrier);
    raw.route.push(route);
    raw.distance.push(distance);
    raw.holiday.push(holiday);
    raw.delayed.push(rng() < 1 / (1 + Math.exp(-logit)));
  }
  return raw as RawColumns;
}

const builder = new EncodedDatasetBuilder({
  label: 'delayed',
  columns: {
    origin: { type: 'one_hot', minFrequency: 60, missing: 'indicator' },
    carrier: { type: 'ordinal' },
    route: { type: 'hashing', buckets: 8, keepVocabulary: true },
    distance: { type: 'numeric' },
    holiday: { type: 'boolean' },
  },
});

/** Serving rows that stress every rule: unknown, rare, missing (null and NaN), numbers as categories. */
const edgeRows: RawColumns = {
  origin: ['ORD', 'LAX', 'RARE', null, NaN, 7, 'SFO', undefined as unknown as null, 'ORD', 'DEN'],
  carrier: ['UA', 'XX', null, 'AA', 'DL', 'WN', NaN, 'UA', 3, null],
  route: ['ORD-SFO', null, 'SFO-DEN', 'JFK-ATL', NaN, 'ATL-DEN', 'DEN-JFK', null, 'ORD-JFK', 'SFO-ORD'],
  distance: [500, NaN, null, 2500, 0, -10, 1e4, 300, null, 800],
  holiday: [true, false, null, true, false, null, true, false, true, null],
};

async function runRaw(bytes: Uint8Array, encoding: DatasetEncoding, raw: RawColumns): Promise<Record<string, Tensor>> {
  const session = await InferenceSession.create(Buffer.from(bytes));
  try {
    const feeds = Object.fromEntries(
      rawOnnxFeeds(encoding, raw).map((feed) => [
        feed.name,
        feed.type === 'string'
          ? new Tensor('string', feed.values, [feed.values.length, 1])
          : new Tensor('float32', feed.values, [feed.values.length, 1]),
      ]),
    );
    return { ...(await session.run(feeds)) };
  } finally {
    await session.release();
  }
}

function concatRaw(a: RawColumns, b: RawColumns): RawColumns {
  return Object.fromEntries(Object.keys(b).map((name) => [name, [...a[name], ...b[name]]]));
}

function worstDifference(expected: Float64Array, actual: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}

/** Just the encoding graph, every encoded column a graph output. */
function encodingOnlyModel(encoding: DatasetEncoding): Uint8Array {
  const graph = encodingGraph(encoding);
  return encodeModel({
    irVersion: 8,
    opsetImports: [
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ],
    producerName: 'test',
    graph: {
      name: 'encoding',
      nodes: graph.nodes,
      initializers: graph.initializers,
      inputs: graph.inputs,
      outputs: graph.outputs.map((name) => ({ name, elemType: OnnxDataType.FLOAT, shape: ['N', 1] })),
    },
    metadataProps: [],
  });
}

describe('encoding graph + model in one ONNX call on raw values', () => {
  let encoding: DatasetEncoding;
  let model: LogisticRegressionModel;
  let serving: RawColumns;

  beforeAll(async () => {
    const train = rawFlights(1500, 3);
    const fitted = builder.fit(train);
    encoding = fitted.encoding;
    model = await trainLogisticRegression(fitted.dataset, { epochs: 15, batchSize: 128 });
    serving = concatRaw(rawFlights(400, 4), edgeRows);
  });

  it('fitted what the test relies on: a rare category, a missing indicator, a vocabulary', () => {
    expect(encoding.columns[0]).toEqual({
      kind: 'one_hot',
      name: 'origin',
      categories: ['ATL', 'DEN', 'JFK', 'ORD', 'SFO'],
      missing: 'indicator',
    });
    expect(encoding.columns[2]).toMatchObject({ kind: 'hashing', vocabulary: [...ROUTES].sort() });
    expect(encoding.features).toContain('origin#missing');
  });

  it('produces exactly the encoded columns of encodeDataset (unknown, rare and missing included)', async () => {
    const outputs = await runRaw(encodingOnlyModel(encoding), encoding, serving);
    const expected = encodeDataset(encoding, serving);
    encoding.features.forEach((feature, j) => {
      const actual = Array.from(outputs[feature].data as Float32Array);
      expect(outputs[feature].dims).toEqual([expected.rowCount, 1]);
      // Every expected value (0/1, ordinal indices, NaN, distances) is float32-exact here or close.
      actual.forEach((value, i) => {
        const want = expected.columns[j][i];
        if (Number.isNaN(want)) expect(value, `${feature} row ${i}`).toBeNaN();
        else expect(Math.abs(value - want), `${feature} row ${i}`).toBeLessThanOrEqual(Math.abs(want) * 1e-7);
      });
    });
  });

  it('exportOnnx(model, meta, { encoding }) predicts predictProba(encodeDataset(raw)) on raw strings', async () => {
    const bytes = exportOnnx(model, { name: 'flight_delay' }, { encoding });
    const out = await runRaw(bytes, encoding, serving);
    const expected = predictProba(model, encodeDataset(encoding, serving).columns);
    expect(out.probability.dims).toEqual([expected.length, 1]);
    expect(worstDifference(expected, out.probability.data as Float32Array)).toBeLessThan(1e-5);
    const labels = out.label.data as BigInt64Array;
    expected.forEach((p, i) => {
      if (Math.abs(p - 0.5) > 1e-5) expect(labels[i]).toBe(p > 0.5 ? 1n : 0n);
    });
    // The edge rows (the last ten) really are unknown/rare/missing and really differ.
    const edge = Array.from(expected.slice(-edgeRows.origin.length));
    expect(new Set(edge.map((p) => p.toFixed(6))).size).toBe(edge.length);
  });

  it('records raw inputs, their types and the encoding in metadata; graph inputs are the raw columns', () => {
    const bytes = exportOnnx(model, { name: 'flight_delay', version: 2, extra: { 'training.job_id': 'j' } }, { encoding });
    const info = readOnnxModelInfo(bytes);
    expect(info.inputs).toEqual(['origin', 'carrier', 'route', 'distance', 'holiday']);
    expect(info.outputs).toEqual(['probability', 'label']);
    expect(info.opsets).toEqual({ '': 17, 'ai.onnx.ml': 3 });
    expect(JSON.parse(info.metadata['atelier.raw_inputs'])).toEqual([
      { name: 'origin', type: 'string' },
      { name: 'carrier', type: 'string' },
      { name: 'route', type: 'string' },
      { name: 'distance', type: 'float' },
      { name: 'holiday', type: 'float' },
    ]);
    expect(JSON.parse(info.metadata['atelier.encoding'])).toEqual(encoding);
    expect(JSON.parse(info.metadata['atelier.features'])).toEqual(model.features);
    expect(info.metadata['training.job_id']).toBe('j');
    // Without an encoding nothing changes: encoded feature inputs, no ai.onnx.ml, no raw metadata.
    const plain = readOnnxModelInfo(exportOnnx(model, { name: 'flight_delay' }));
    expect(plain.inputs).toEqual(model.features);
    expect(plain.opsets).toEqual({ '': 17 });
    expect(plain.metadata['atelier.raw_inputs']).toBeUndefined();
  });

  it('composes with a GBDT graph too (one ai.onnx.ml import)', async () => {
    const train = builder.fit(rawFlights(1500, 3)).dataset;
    const gbdt = await trainGbdt(train, { objective: 'binary', numIterations: 20, minDataInLeaf: 10, numThreads: 1 });
    const bytes = exportOnnx(gbdt, { name: 'gbdt' }, { encoding });
    expect(readOnnxModelInfo(bytes).opsets).toEqual({ '': 17, 'ai.onnx.ml': 3 });
    const out = await runRaw(bytes, encoding, serving);
    const expected = predictGbdt(gbdt, encodeDataset(encoding, serving).columns);
    expect(worstDifference(expected, out.probability.data as Float32Array)).toBeLessThan(1e-5);
  });

  it('hashing: unseen strings give all zeros in the graph, unlike the TypeScript transform (documented)', async () => {
    const unseen = ['LAX-SEA', 'ord-sfo'];
    const raw: RawColumns = { ...Object.fromEntries(Object.keys(edgeRows).map((k) => [k, edgeRows[k].slice(0, 2)])), route: unseen };
    const outputs = await runRaw(encodingOnlyModel(encoding), encoding, raw);
    const expected = encodeDataset(encoding, raw);
    for (let b = 0; b < 8; b++) {
      expect(Array.from(outputs[`route#hash${b}`].data as Float32Array)).toEqual([0, 0]);
      const column = Array.from(expected.columns[expected.features.indexOf(`route#hash${b}`)]);
      expect(column).toEqual(unseen.map((v) => (hashBucket(v, 8) === b ? 1 : 0)));
    }
  });

  it('a model that uses only some encoded features still takes every raw column', async () => {
    const handMade: LogisticRegressionModel = {
      kind: 'logistic_regression',
      features: ['distance', 'origin=ORD', 'origin#missing'],
      means: [1000, 0.3, 0.1],
      scales: [500, 0.45, 0.3],
      weights: [0.7, 1.2, -0.4],
      bias: -0.2,
      backend: 'cpu',
    };
    const out = await runRaw(exportOnnx(handMade, { name: 'subset' }, { encoding }), encoding, serving);
    const dataset = encodeDataset(encoding, serving);
    const columns = handMade.features.map((f) => dataset.columns[dataset.features.indexOf(f)]);
    expect(worstDifference(predictProba(handMade, columns), out.probability.data as Float32Array)).toBeLessThan(1e-5);
  });

  it('a raw "" at serving is missing in the graph but an unknown category in TypeScript (documented)', async () => {
    const raw: RawColumns = { ...Object.fromEntries(Object.keys(edgeRows).map((k) => [k, edgeRows[k].slice(0, 1)])), origin: [''] };
    const outputs = await runRaw(encodingOnlyModel(encoding), encoding, raw);
    const expected = encodeDataset(encoding, raw);
    const ts = (name: string): number => expected.columns[expected.features.indexOf(name)][0];
    expect([outputs['origin#missing'].data[0], outputs['origin=__other__'].data[0]]).toEqual([1, 0]);
    expect([ts('origin#missing'), ts('origin=__other__')]).toEqual([0, 1]);
  });

  it('feeds missing categories as "" and numbers as float32 NaN', () => {
    const feeds = rawOnnxFeeds(encoding, edgeRows);
    expect(feeds.map((f) => [f.name, f.type])).toEqual([
      ['origin', 'string'],
      ['carrier', 'string'],
      ['route', 'string'],
      ['distance', 'float'],
      ['holiday', 'float'],
    ]);
    expect(feeds[0].values.slice(0, 8)).toEqual(['ORD', 'LAX', 'RARE', ONNX_MISSING_STRING, '', '7', 'SFO', '']);
    expect(Array.from(feeds[3].values as Float32Array).slice(0, 3)).toEqual([500, NaN, NaN]);
    expect(Array.from(feeds[4].values as Float32Array).slice(0, 3)).toEqual([1, 0, NaN]);
  });

  it('refuses what the graph cannot reproduce', () => {
    const timestamp = new EncodedDatasetBuilder({ columns: { t: { type: 'timestamp', parts: ['hour'] } } }).fit({ t: [0, 3_600_000] });
    expect(() => encodingGraph(timestamp.encoding)).toThrow(/timestamp/);
    const noVocabulary = new EncodedDatasetBuilder({ columns: { r: { type: 'hashing', buckets: 2 } } }).fit({ r: ['a', 'b'] });
    expect(() => encodingGraph(noVocabulary.encoding)).toThrow(/keepVocabulary/);
    expect(() => restoreEncoder({ kind: 'hashing', name: 'r', buckets: 2, hash: 'fnv1a32', vocabulary: ['a', 'a'] })).toThrow(/distinct/);
    const empty = new EncodedDatasetBuilder({ columns: { o: { type: 'one_hot' } } }).fit({ o: ['a', ''] });
    expect(() => encodingGraph(empty.encoding)).toThrow(/empty string/);
    const ordinalEmpty = new EncodedDatasetBuilder({ columns: { o: { type: 'ordinal' } } }).fit({ o: ['a', ''] });
    expect(() => encodingGraph(ordinalEmpty.encoding)).toThrow(MlError);
    const other = { ...model, features: [...model.features.slice(0, -1), 'unknown_feature'] };
    expect(() => exportOnnx(other, { name: 'm' }, { encoding })).toThrow(/does not produce/);
  });
});
