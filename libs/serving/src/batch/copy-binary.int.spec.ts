import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { testDatabaseUrl } from '@atelier/testing';

import { predictionChunks, type StoredPrediction } from './batch.repository';

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
    const base: StoredPrediction = {
      predictionId: '019af0a1-2b3c-7d4e-8f00-0123456789ab',
      shard: 0,
      row: 0,
      eventTime: new Date('2001-01-01T00:01:00.123Z'),
      entities: { airport: 'LAS' },
      prediction: 0.125,
      label: 0,
      probabilities: null,
      missing: [],
      columns: { destination: 'ORD' },
      model: 'flight-delay',
      version: 3,
      alias: 'production',
    };
    const rows: StoredPrediction[] = [
      base,
      {
        ...base,
        row: 1,
        predictionId: '6CB094CB-87C6-4C27-9B1B-32266FF86EA7',
        eventTime: new Date('1969-07-20T20:17:40.001Z'),
        entities: { route: 'São Paulo\t"GRU"\\', airport: '東京' },
        prediction: null,
        label: null,
        missing: ['a', 'say "x"', 'back\\slash', 'é 🛫', ''],
        columns: { note: 'tab\there, line\nbreak, \\N', gate: null, n: 1.5 },
        alias: null,
      },
      {
        ...base,
        row: 2,
        predictionId: '019af0a1-2b3c-7d4e-8f00-0123456789ac',
        eventTime: new Date('9999-12-31T23:59:59.999Z'),
        prediction: -1e-300,
        label: 'on time',
        probabilities: { 'on time': 0.75, late: 0.25 },
        missing: ['airport_delay_stats:mean_delay_24h'],
        columns: {},
        version: 2_147_483_647,
      },
    ];
    await pipeline(
      Readable.from(predictionChunks(JOB, rows)),
      client.query(copyFrom(`COPY copied (job_id, shard, "row", prediction_id, model_name, version, alias, event_time, entities, prediction, label, probabilities, missing, columns) FROM STDIN WITH (FORMAT binary)`)),
    );
    const { rows: stored } = await client.query(
      `SELECT job_id, shard, "row", prediction_id, model_name, version, alias, event_time, entities, prediction, label, probabilities, missing, columns FROM copied ORDER BY "row"`,
    );
    expect(stored).toEqual(
      rows.map((r) => ({
        job_id: JOB,
        shard: r.shard,
        row: r.row,
        prediction_id: r.predictionId.toLowerCase(),
        model_name: r.model,
        version: r.version,
        alias: r.alias,
        event_time: r.eventTime,
        entities: r.entities,
        prediction: r.prediction,
        label: r.label === null ? null : String(r.label),
        probabilities: r.probabilities,
        missing: r.missing,
        columns: r.columns,
      })),
    );
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
      alias: null,
    }));
    await pipeline(
      Readable.from(predictionChunks(JOB, rows)),
      client.query(copyFrom(`COPY copied (job_id, shard, "row", prediction_id, model_name, version, alias, event_time, entities, prediction, label, probabilities, missing, columns) FROM STDIN WITH (FORMAT binary)`)),
    );
    const { rows: summary } = await client.query(
      `SELECT count(*)::int AS n, sum(prediction) AS total, count(*) FILTER (WHERE cardinality(missing) = 1)::int AS missing, max(event_time) AS last FROM copied`,
    );
    expect(summary[0]).toEqual({ n: 12_345, total: expect.closeTo(rows.reduce((s, r) => s + r.prediction!, 0), 6), missing: 4_115, last: rows.at(-1)!.eventTime });
  });
});
