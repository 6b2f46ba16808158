import { describe, expect, it } from 'vitest';

import { predictProba } from '../linear/logistic-regression.model';
import { trainLogisticRegression } from '../linear/logistic-regression.trainer';
import { rocAuc } from '../metrics/metrics';
import { MlError } from '../ml.error';
import { createRng } from '../random/prng.util';
import { type DatasetEncoding, encodeDataset, EncodedDatasetBuilder } from './encoded-dataset.builder';
import type { RawColumns } from './encoding.types';
import { stratifiedSplitRows } from './stratified-split';

const builder = new EncodedDatasetBuilder({
  label: 'delayed',
  columns: {
    distance: { type: 'numeric' },
    origin: { type: 'one_hot', minFrequency: 2 },
    carrier: { type: 'ordinal' },
    route: { type: 'hashing', buckets: 4 },
    date: { type: 'timestamp', parts: ['hour', 'dayOfWeek'] },
    holiday: { type: 'boolean' },
  },
});

const small: RawColumns = {
  distance: [100, 200, null, 400],
  origin: ['ORD', 'ORD', 'SFO', 'SFO'],
  carrier: ['UA', 'AA', 'UA', null],
  route: ['ORD-SFO', 'ORD-JFK', null, 'SFO-ORD'],
  date: [Date.UTC(2001, 0, 1, 7), Date.UTC(2001, 0, 2, 8), null, '2001-01-06T20:00:00Z'],
  holiday: [false, true, null, false],
  delayed: [true, false, false, 1],
  ignored: ['x', 'y', 'z', 'w'],
};

describe('EncodedDatasetBuilder', () => {
  it('fits on the given rows only and produces a Dataset plus a plain-JSON encoding', () => {
    // Fit on rows 0, 1, 3: SFO appears once there, below minFrequency 2, so it is not a column.
    const { dataset, encoding } = builder.fit(small, { rows: [0, 1, 3] });

    expect(dataset.features).toEqual([
      'distance',
      'origin=ORD',
      'origin=__other__',
      'carrier#ordinal',
      'route#hash0',
      'route#hash1',
      'route#hash2',
      'route#hash3',
      'date#hour',
      'date#dayOfWeek',
      'holiday',
    ]);
    expect(encoding.features).toEqual(dataset.features);
    expect(dataset.rowCount).toBe(3);
    const column = (name: string): number[] => Array.from(dataset.columns[dataset.features.indexOf(name)]);
    expect(column('distance')).toEqual([100, 200, 400]);
    expect(column('origin=ORD')).toEqual([1, 1, 0]);
    expect(column('origin=__other__')).toEqual([0, 0, 1]);
    expect(column('carrier#ordinal')).toEqual([1, 0, NaN]);
    expect(column('date#hour')).toEqual([7, 8, 20]);
    expect(column('date#dayOfWeek')).toEqual([1, 2, 6]);
    expect(column('holiday')).toEqual([0, 1, 0]);
    expect(Array.from(dataset.label)).toEqual([1, 0, 1]);
    const hashed = [0, 1, 2, 3].map((b) => column(`route#hash${b}`));
    expect(hashed.reduce((sum, c) => sum.map((v, i) => v + c[i]))).toEqual([1, 1, 1]);

    // The encoding is plain JSON, and a round trip reproduces the same features on new rows.
    const stored: DatasetEncoding = JSON.parse(JSON.stringify(encoding));
    expect(stored).toEqual(encoding);
    expect(stored.columns[1]).toEqual({ kind: 'one_hot', name: 'origin', categories: ['ORD'], missing: 'zeros' });
    expect(encodeDataset(stored, small, { rows: [0, 1, 3] })).toEqual(dataset);
    // Fitted on every row instead, SFO (now seen twice) would have become a column.
    expect(builder.fit(small).encoding.columns[1]).toMatchObject({ categories: ['ORD', 'SFO'] });
  });

  it('encodes unseen rows with the fitted state: unknown categories as documented, no label at serving', () => {
    const { encoding } = builder.fit(small, { rows: [0, 1] });
    const serving: RawColumns = {
      distance: [300],
      origin: ['LAX'],
      carrier: ['DL'],
      route: ['ORD-SFO'],
      date: [Date.UTC(2001, 0, 1, 7)],
      holiday: [true],
    };
    const dataset = encodeDataset(encoding, serving);
    const value = (name: string): number => dataset.columns[dataset.features.indexOf(name)][0];
    expect(value('origin=__other__')).toBe(1);
    expect(value('carrier#ordinal')).toBeNaN();
    expect(Number.isNaN(dataset.label[0])).toBe(true);
    expect(() => encodeDataset(encoding, { ...serving, distance: ['far'] })).toThrow(/"distance" row 0/);
    const { distance: _dropped, ...withoutDistance } = serving;
    expect(() => encodeDataset(encoding, withoutDistance)).toThrow(/"distance" is missing/);
    expect(() => builder.fit({ ...small, origin: ['ORD'] })).toThrow(MlError);
  });

  it('feeds a trainer end to end: split raw rows by label, fit on train, score validation', async () => {
    const rng = createRng(7);
    const origins = ['ORD', 'SFO', 'JFK', 'ATL', 'DEN'];
    const rowCount = 1500;
    const raw: RawColumns = { origin: [], hour: [], delayed: [] };
    for (let i = 0; i < rowCount; i++) {
      const origin = rng() < 0.02 ? 'RARE' : origins[Math.floor(rng() * origins.length)];
      const hour = Date.UTC(2001, 0, 1) + Math.floor(rng() * 24) * 3_600_000;
      // ORD and evening departures are delayed more often.
      const p = 0.15 + (origin === 'ORD' ? 0.45 : 0) + (new Date(hour).getUTCHours() >= 17 ? 0.3 : 0);
      (raw.origin as string[]).push(origin);
      (raw.hour as number[]).push(hour);
      (raw.delayed as boolean[]).push(rng() < p);
    }
    const split = stratifiedSplitRows(
      (raw.delayed as boolean[]).map((d) => (d ? 1 : 0)),
      { validationFraction: 0.3, seed: 1 },
    );
    const tabular = new EncodedDatasetBuilder({
      label: 'delayed',
      columns: { origin: { type: 'one_hot', minFrequency: 40 }, hour: { type: 'timestamp', parts: ['hour'] } },
    });
    const { dataset: train, encoding } = tabular.fit(raw, { rows: split.train });
    expect(encoding.columns[0]).toMatchObject({ categories: ['ATL', 'DEN', 'JFK', 'ORD', 'SFO'] });
    const validation = encodeDataset(encoding, raw, { rows: split.validation });
    const model = await trainLogisticRegression(train, { epochs: 30, batchSize: 256 });
    expect(rocAuc(validation.label, predictProba(model, validation.columns))).toBeGreaterThan(0.7);
  });
});
