import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { testDatabaseUrl } from '@atelier/testing';

import { predictionChunks, type StoredPrediction } from './batch.repository';
import { type PredictionColumns, predictionColumnsOf } from './prediction-columns';

const JOB = '0cceb534-1b04-4e96-847e-53e0f778f8a9';

describe('COPY binary into PostgreSQL (integration)', () => {
  const client = new Client({ connectionString: testDatabaseUrl() });

  beforeAll(async () => {
    await client.connect();
    // the table's own column types: a binary field of another type is refused by the server
    await client.query('CREATE TEMP TABLE copied (LIKE batch_predictions INCLUDING DEFAULTS)');
  });

  afterAll(async () => {
    await client.end();
  });

  it('stores every value as written, odd ones included', async () => {
    const predictions: PredictionColumns = {
      length: 3,
      model: 'flight-delay ✈',
      version: 2_147_483_647,
      alias: null,
      predictionIds: [
        '019af0a1-2b3c-7d4e-8f00-0123456789ab',
        '6CB094CB-87C6-4C27-9B1B-32266FF86EA7',
        '019af0a1-2b3c-7d4e-8f00-0123456789ac',
      ],
      eventTimes: [Date.parse('2001-01-01T00:01:00.123Z'), Date.parse('1969-07-20T20:17:40.001Z'), Date.parse('9999-12-31T23:59:59.999Z')],
      entities: [
        ['airport', ['LAS', '東京', null]],
        ['route', [null, 'São Paulo\t"GRU"\\', null]],
      ],
      prediction: Float64Array.from([0.125, NaN, -1e-300]),
      label: [0, null, 'on time'],
      probabilities: [null, null, { 'on time': 0.75, late: 0.25 }],
      missing: [[], ['a', 'say "x"', 'back\\slash', 'é 🛫', ''], ['airport_delay_stats:mean_delay_24h']],
      columns: [
        ['destination', ['ORD', null, undefined]],
        ['note', ['tab\there, line\nbreak, \\N', '"quoted" \u0001', '']],
        ['n', [1.5, -0, Infinity]],
        ['flag', [true, false, null]],
      ],
    };
    await pipeline(
      Readable.from(predictionChunks(JOB, 4, predictions)),
      client.query(
        copyFrom(
          `COPY copied (job_id, shard, "row", prediction_id, model_name, version, alias, event_time, entities, prediction, label, probabilities, missing, columns) FROM STDIN WITH (FORMAT binary)`,
        ),
      ),
    );
    const { rows: stored } = await client.query(
      `SELECT job_id, shard, "row", prediction_id, model_name, version, alias, event_time, entities, prediction, label, probabilities, missing, columns FROM copied ORDER BY "row"`,
    );
    expect(stored).toEqual([
      {
        job_id: JOB,
        shard: 4,
        row: 0,
        prediction_id: '019af0a1-2b3c-7d4e-8f00-0123456789ab',
        model_name: 'flight-delay ✈',
        version: 2_147_483_647,
        alias: null,
        event_time: new Date('2001-01-01T00:01:00.123Z'),
        entities: { airport: 'LAS' },
        prediction: 0.125,
        label: '0',
        probabilities: null,
        missing: [],
        columns: { destination: 'ORD', note: 'tab\there, line\nbreak, \\N', n: 1.5, flag: true },
      },
      {
        job_id: JOB,
        shard: 4,
        row: 1,
        prediction_id: '6cb094cb-87c6-4c27-9b1b-32266ff86ea7',
        model_name: 'flight-delay ✈',
        version: 2_147_483_647,
        alias: null,
        event_time: new Date('1969-07-20T20:17:40.001Z'),
        entities: { airport: '東京', route: 'São Paulo\t"GRU"\\' },
        prediction: null,
        label: null,
        probabilities: null,
        missing: ['a', 'say "x"', 'back\\slash', 'é 🛫', ''],
        columns: { destination: null, note: '"quoted" \u0001', n: 0, flag: false },
      },
      {
        job_id: JOB,
        shard: 4,
        row: 2,
        prediction_id: '019af0a1-2b3c-7d4e-8f00-0123456789ac',
        model_name: 'flight-delay ✈',
        version: 2_147_483_647,
        alias: null,
        event_time: new Date('9999-12-31T23:59:59.999Z'),
        entities: {},
        prediction: -1e-300,
        label: 'on time',
        probabilities: { 'on time': 0.75, late: 0.25 },
        missing: ['airport_delay_stats:mean_delay_24h'],
        // a number JSON cannot hold is stored as null, as JSON.stringify writes it
        columns: { destination: null, note: '', n: null, flag: null },
      },
    ]);
  });

  it('stores a shard of many chunks whole', async () => {
    await client.query('TRUNCATE copied');
    const rows = Array.from({ length: 12_345 }, (_, row): StoredPrediction => ({
      predictionId: `019af0a1-2b3c-7d4e-8f00-${row.toString(16).padStart(12, '0')}`,
      shard: 7,
      row,
      eventTime: new Date(Date.UTC(2001, 0, 1) + row * 60_000),
      entities: { airport: `A${row % 10}` },
      prediction: row / 12_345,
      label: row % 2,
      probabilities: null,
      missing: row % 3 === 0 ? ['x'] : [],
      columns: { i: row },
      model: 'm',
      version: 1,
      alias: 'production',
    }));
    await pipeline(
      Readable.from(predictionChunks(JOB, 7, predictionColumnsOf(rows))),
      client.query(
        copyFrom(
          `COPY copied (job_id, shard, "row", prediction_id, model_name, version, alias, event_time, entities, prediction, label, probabilities, missing, columns) FROM STDIN WITH (FORMAT binary)`,
        ),
      ),
    );
    const { rows: summary } = await client.query(
      `SELECT count(*)::int AS n, sum(prediction) AS total, count(*) FILTER (WHERE cardinality(missing) = 1)::int AS missing, max(event_time) AS last FROM copied`,
    );
    expect(summary[0]).toEqual({
      n: 12_345,
      total: expect.closeTo(
        rows.reduce((s, r) => s + r.prediction!, 0),
        6,
      ),
      missing: 4_115,
      last: rows.at(-1)!.eventTime,
    });
    const { rows: sample } = await client.query(
      `SELECT shard, "row", alias, entities, columns FROM copied WHERE "row" IN (0, 12344) ORDER BY "row"`,
    );
    expect(sample).toEqual([
      { shard: 7, row: 0, alias: 'production', entities: { airport: 'A0' }, columns: { i: 0 } },
      { shard: 7, row: 12_344, alias: 'production', entities: { airport: 'A4' }, columns: { i: 12_344 } },
    ]);
  });
});
