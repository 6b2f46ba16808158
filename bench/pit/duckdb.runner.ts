import path from 'node:path';

import { DOUBLE, type DuckDBConnection, DuckDBDataChunk, DuckDBInstance, type DuckDBType, INTEGER, VARCHAR } from '@duckdb/node-api';
import { Pool } from 'pg';

import {
  BENCH_DATABASE_URL,
  cpuSeconds,
  outputNames,
  peakRssKb,
  PIT_DATA,
  PIT_REQUEST,
  printResult,
  timeJoin,
  writeColumns,
} from './pit.settings';

/**
 * DuckDB's side of one `bench:pit` run, in a fresh process: the same label rows and feature rows
 * our side reads, from the same PostgreSQL, joined by DuckDB's `ASOF JOIN` on 2 threads.
 *   read: node-postgres runs our repository's two queries with the JSON fields extracted by
 *         PostgreSQL into typed columns (what a DuckDB user would fetch);
 *   load: the rows appended to DuckDB tables in data chunks of 2,048 rows, times made TIMESTAMPs;
 *   join: `CREATE TABLE joined AS SELECT … ASOF LEFT JOIN …` with the TTL applied (the newest
 *         feature row at or before the label's time; a value older than the TTL is a miss).
 * End to end = read + load + join; then the join alone again on the loaded tables
 * (`BENCH_JOIN_REPEATS` times, the median; the previous answer dropped untimed before each).
 */
const THREADS = 2;
const CHUNK = 2048;

interface Plan {
  group: string;
  ttlSeconds: number;
  keyColumn: string;
  features: string[];
}

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: BENCH_DATABASE_URL });
  const instance = await DuckDBInstance.create(':memory:', { threads: String(THREADS) });
  const duck = await instance.connect();
  try {
    const plan = await planJoin(pool);
    const start = new Date(PIT_REQUEST.source.start);
    const end = new Date(PIT_REQUEST.source.end);
    const from = new Date(start.getTime() - plan.ttlSeconds * 1000);

    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const [labels, features] = await Promise.all([readLabels(pool, plan, start, end), readFeatures(pool, plan, from, end)]);
    const t1 = performance.now();
    await load(duck, labels, features, plan);
    const t2 = performance.now();
    await join(duck, plan);
    const t3 = performance.now();
    const totalCpuSeconds = cpuSeconds(cpu);

    const joined = await timeJoin(
      () => join(duck, plan),
      () => duck.run('DROP TABLE joined'),
    );

    const names = outputNames(PIT_REQUEST);
    const result = await duck.runAndReadAll(
      `SELECT epoch_ms(event_time)::DOUBLE, ${PIT_REQUEST.columns.map((_, j) => `c${j}`).join(', ')}, ${plan.features.map((_, j) => `f${j}`).join(', ')},
              epoch_ms(ft)::DOUBLE FROM joined ORDER BY rn`,
    );
    const columns = result.getColumns() as Array<Array<number | null>>;
    const byName = new Map<string, Array<number | null>>();
    const featureTime = columns.at(-1)!;
    names.forEach((name, k) => byName.set(name, name.endsWith('@time') ? featureTime : columns[k]!));
    const dir = path.join(PIT_DATA, 'duckdb');
    writeColumns(dir, names, (name) => byName.get(name)!);
    const missing = featureTime.filter((t) => t === null).length;
    const version = (await duck.runAndReadAll('SELECT version()')).getRows()[0]![0];
    const threads = (await duck.runAndReadAll("SELECT current_setting('threads')")).getRows()[0]![0];
    printResult({
      side: 'duckdb',
      engine: `DuckDB ${String(version)} (@duckdb/node-api), ${String(threads)} threads`,
      labelRows: labels.length,
      featureRows: features.length,
      ttlSeconds: plan.ttlSeconds,
      misses: Object.fromEntries(PIT_REQUEST.features.map((ref) => [ref, missing])),
      totalSeconds: (t3 - t0) / 1000,
      readSeconds: (t1 - t0) / 1000,
      loadSeconds: (t2 - t1) / 1000,
      joinSeconds: joined.seconds,
      joinRepeats: joined.repeats,
      totalCpuSeconds,
      joinCpuSeconds: joined.cpuSeconds,
      peakRssKb: peakRssKb(),
      outputDir: dir,
      outputNames: names,
    });
  } finally {
    duck.closeSync();
    instance.closeSync();
    await pool.end();
  }
}

/** The one joined group, its TTL and the label column holding its key (as the feature store plans it). */
async function planJoin(pool: Pool): Promise<Plan> {
  const groups = [...new Set(PIT_REQUEST.features.map((ref) => ref.split(':')[0]!))];
  if (groups.length !== 1) throw new Error(`the DuckDB side joins one feature group, the request has ${groups.join(', ')}`);
  const group = groups[0]!;
  const { rows } = await pool.query<{ entity_name: string; ttl_seconds: number }>(
    'SELECT entity_name, ttl_seconds FROM feature_groups WHERE name = $1',
    [group],
  );
  const stored = rows[0];
  if (!stored) throw new Error(`feature group ${group} is not in ${BENCH_DATABASE_URL}`);
  const keyColumn = PIT_REQUEST.joinKeys[stored.entity_name];
  if (!keyColumn) throw new Error(`no join key for entity ${stored.entity_name}`);
  return { group, ttlSeconds: stored.ttl_seconds, keyColumn, features: PIT_REQUEST.features.map((ref) => ref.split(':')[1]!) };
}

type Row = unknown[];

/** Label rows as `rowsBetween` selects them (window, event-time order, limit): time, key, the passed-through columns. */
async function readLabels(pool: Pool, plan: Plan, start: Date, end: Date): Promise<Row[]> {
  const params: unknown[] = [PIT_REQUEST.source.group, start, end, plan.keyColumn];
  const numbers = PIT_REQUEST.columns.map((name) => `("values"->>$${params.push(name)})::float8`);
  const { rows } = await pool.query<Row>({
    text: `SELECT (extract(epoch FROM event_time) * 1000)::float8, "values"->>$4, ${numbers.join(', ')} FROM feature_rows
           WHERE group_name = $1 AND event_time >= $2 AND event_time < $3 ORDER BY event_time, id LIMIT 5000000`,
    values: params,
    rowMode: 'array',
  });
  return rows;
}

/** Feature rows from one TTL before the window to its end: the rows `rowsForJoin` reads (each entity's newest of the look-back, then the window's) and the look-back's older ones; DuckDB needs no order. */
async function readFeatures(pool: Pool, plan: Plan, from: Date, end: Date): Promise<Row[]> {
  const params: unknown[] = [plan.group, from, end];
  const numbers = plan.features.map((name) => `("values"->>$${params.push(name)})::float8`);
  const { rows } = await pool.query<Row>({
    text: `SELECT entity_key, (extract(epoch FROM event_time) * 1000)::float8, ${numbers.join(', ')} FROM feature_rows
           WHERE group_name = $1 AND event_time > $2 AND event_time <= $3`,
    values: params,
    rowMode: 'array',
  });
  return rows;
}

async function load(duck: DuckDBConnection, labels: Row[], features: Row[], plan: Plan): Promise<void> {
  const passed = PIT_REQUEST.columns.map((_, j) => `c${j}`);
  const values = plan.features.map((_, j) => `f${j}`);
  await append(duck, 'label_rows', ['rn', 't', 'k', ...passed], [INTEGER, DOUBLE, VARCHAR, ...passed.map(() => DOUBLE)], labels, true);
  await append(duck, 'feature_rows', ['entity_key', 't', ...values], [VARCHAR, DOUBLE, ...values.map(() => DOUBLE)], features, false);
  await duck.run(`CREATE TABLE labels AS SELECT rn, epoch_ms(t::BIGINT) AS event_time, k, ${passed.join(', ')} FROM label_rows`);
  await duck.run(`CREATE TABLE features AS SELECT entity_key, epoch_ms(t::BIGINT) AS event_time, ${values.join(', ')} FROM feature_rows`);
  await duck.run('DROP TABLE label_rows; DROP TABLE feature_rows');
}

/** Rows appended in data chunks; `numbered` puts each row's position first (the label order). */
async function append(
  duck: DuckDBConnection,
  table: string,
  names: string[],
  types: DuckDBType[],
  rows: Row[],
  numbered: boolean,
): Promise<void> {
  await duck.run(`CREATE TABLE ${table} (${names.map((n, j) => `${n} ${types[j]!.toString()}`).join(', ')})`);
  const appender = await duck.createAppender(table);
  const offset = numbered ? 1 : 0;
  for (let from = 0; from < rows.length; from += CHUNK) {
    const part = rows.slice(from, from + CHUNK);
    const columns = names.map((_, j) => part.map((row, i) => (numbered && j === 0 ? from + i : row[j - offset]) as number | string | null));
    const chunk = DuckDBDataChunk.create(types, part.length);
    chunk.setColumns(columns);
    appender.appendDataChunk(chunk);
  }
  appender.closeSync();
}

async function join(duck: DuckDBConnection, plan: Plan): Promise<void> {
  const fresh = `f.event_time > l.event_time - INTERVAL ${plan.ttlSeconds} SECOND`;
  await duck.run(
    `CREATE TABLE joined AS
     SELECT l.rn, l.event_time, ${PIT_REQUEST.columns.map((_, j) => `l.c${j}`).join(', ')},
            ${plan.features.map((_, j) => `CASE WHEN ${fresh} THEN f.f${j} END AS f${j}`).join(', ')},
            CASE WHEN ${fresh} THEN f.event_time END AS ft
     FROM labels l ASOF LEFT JOIN features f ON l.k = f.entity_key AND l.event_time >= f.event_time`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
