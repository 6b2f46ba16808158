import { Injectable } from '@nestjs/common';
import { type ClientBase, type PoolClient } from 'pg';

import type { FeatureAggregation, FeatureDefinition, FeatureRowInput, FeatureValue } from '@atelier/contracts';
import { type Db, Prisma, PrismaService } from '@atelier/db';

import type { KeySeries } from './window-aggregates';

export interface StoredGroup {
  name: string;
  entityName: string;
  features: FeatureDefinition[];
  ttlSeconds: number;
  description: string;
  version: number;
  createdAt: Date;
  /** how its rows are computed from another group's; null for a group of ingested rows */
  aggregation: FeatureAggregation | null;
}

/** Which values of its rows a read takes: `keys`, of the group whose `features` type them. */
export interface ValuesRead {
  keys: readonly string[];
  features: readonly FeatureDefinition[];
}

/** PostgreSQL's memory for one sort of a large read (`sortedRead`): a read may hold a few. */
const SORT_WORK_MEM = '64MB';

export interface OfflineRow {
  entityKey: string;
  eventTime: Date;
  values: Record<string, FeatureValue>;
}

/** A group's rows for an as-of join as columns, ordered by entity key, then event time. */
export interface JoinRows {
  entityKeys: string[];
  /** epoch milliseconds */
  times: Float64Array;
  /** per feature read, its value row by row */
  values: Record<string, FeatureValue[]>;
}

/**
 * A training set's label rows as columns, row for row in event-time order: each row's event time
 * (epoch milliseconds) and, per asked-for key of its values, the row's value (null when absent).
 */
export interface LabelColumns {
  rowCount: number;
  times: Float64Array;
  /** one array per asked-for key, in the order asked */
  values: FeatureValue[][];
}

// Rows per INSERT: one statement of parallel arrays (unnest) per chunk. Two chunks are held at a
// time (one written while the next is gathered): what a streamed import keeps in memory.
const INSERT_CHUNK = 5_000;

/** Owns the feature store's tables: entities, feature groups, offline rows, materialization runs. */
@Injectable()
export class FeatureStoreRepository {
  constructor(private readonly prisma: PrismaService) {}

  private get db(): Db {
    return this.prisma.client;
  }

  createEntity(data: { name: string; joinKey: string; description: string }) {
    return this.db.entity.create({ data });
  }

  findEntity(name: string) {
    return this.db.entity.findUnique({ where: { name } });
  }

  listEntities() {
    return this.db.entity.findMany({ orderBy: { name: 'asc' } });
  }

  async createGroup(group: Omit<StoredGroup, 'createdAt' | 'version'>): Promise<StoredGroup> {
    const row = await this.db.featureGroup.create({
      data: {
        name: group.name,
        entityName: group.entityName,
        features: group.features,
        ttlSeconds: group.ttlSeconds,
        description: group.description,
        aggregation: group.aggregation ?? undefined,
      },
    });
    return toGroup(row);
  }

  async findGroup(name: string): Promise<StoredGroup | null> {
    const row = await this.db.featureGroup.findUnique({ where: { name } });
    return row ? toGroup(row) : null;
  }

  async findGroups(names: string[]): Promise<StoredGroup[]> {
    const rows = await this.db.featureGroup.findMany({ where: { name: { in: names } } });
    return rows.map(toGroup);
  }

  async listGroups(): Promise<StoredGroup[]> {
    const rows = await this.db.featureGroup.findMany({ orderBy: { name: 'asc' } });
    return rows.map(toGroup);
  }

  async countRows(groupName: string): Promise<number> {
    return this.db.featureRow.count({ where: { groupName } });
  }

  /** Row counts of every group in one query (for listings). */
  async countRowsByGroup(): Promise<Map<string, number>> {
    const counts = await this.db.featureRow.groupBy({ by: ['groupName'], _count: { _all: true } });
    return new Map(counts.map((c) => [c.groupName, c._count._all]));
  }

  /**
   * Writes rows to the offline store in one transaction: a batch lands whole or not at all. One
   * row per entity and event time: a row ingested again (a retried batch) replaces the stored
   * one's values, and within a batch the last of such rows wins. Returns how many were new.
   */
  async insertRows(groupName: string, rows: FeatureRowInput[]): Promise<{ inserted: number; replaced: number }> {
    const { inserted } = await this.prisma.transaction((client) => writeRows(client, groupName, rows));
    return { inserted, replaced: rows.length - inserted };
  }

  /**
   * `insertRows` for rows that arrive as they are read (a file being imported): written in chunks
   * as they come, all in one transaction, committed after the last; rows that fail on the way (a
   * bad value further on) roll all of it back. The transaction lasts as long as the reading, so it
   * runs on a connection of its own rather than holding one of the pool's that every query shares.
   * Returns how many rows were written and how many of them were new.
   */
  insertRowStream(groupName: string, rows: AsyncIterable<FeatureRowInput>): Promise<{ written: number; inserted: number }> {
    return this.prisma.dedicatedTransaction((client) => writeRows(client, groupName, rows));
  }

  /** The newest row per entity with `from < event_time <= asOf`. */
  async latestPerEntity(groupName: string, from: Date, asOf: Date): Promise<OfflineRow[]> {
    const rows = await this.db.$queryRaw<Array<{ entity_key: string; event_time: Date; values: Record<string, FeatureValue> }>>`
      SELECT DISTINCT ON (entity_key) entity_key, event_time, "values"
      FROM feature_rows
      WHERE group_name = ${groupName} AND event_time > ${from} AND event_time <= ${asOf}
      ORDER BY entity_key, event_time DESC, id DESC`;
    return rows.map((r) => ({ entityKey: r.entity_key, eventTime: r.event_time, values: r.values }));
  }

  /**
   * Rows with `from <= event_time < to` in event-time order (label rows of a training set): their
   * times and the values of `values.keys` (`ValueColumns`). Read on node-postgres: a training
   * set's half a million rows cost Prisma's query engine seconds.
   */
  async rowsBetween(groupName: string, from: Date, to: Date, limit: number, values: ValuesRead): Promise<LabelColumns> {
    const read = new ValueColumns(values, 5);
    const { rows } = await this.sortedRead<unknown[]>({
      text: `SELECT ${TIME_COLUMN}, ${read.select()} FROM feature_rows
             WHERE group_name = $1 AND event_time >= $2 AND event_time < $3
             ORDER BY event_time, id
             LIMIT $4`,
      values: [groupName, from, to, limit, ...read.keys],
      rowMode: 'array',
    });
    return toLabelColumns(rows, read);
  }

  /** How many rows have `from <= event_time < to`. */
  async countBetween(groupName: string, from: Date, to: Date): Promise<number> {
    const [row] = await this.db.$queryRaw<Array<{ n: number }>>`
      SELECT count(*)::int AS n FROM feature_rows WHERE group_name = ${groupName} AND event_time >= ${from} AND event_time < ${to}`;
    return row?.n ?? 0;
  }

  /**
   * The window's rows in event-time order, cut every `rowsPerPart` rows: each part's first event
   * time and row count. A run of rows with one event time goes, whole, to the part its first row
   * falls in (`rank`), so each part is a time range and its count is exactly the rows of that
   * range. Numbered by time alone, PostgreSQL reads them in order off the (group, time) index
   * instead of sorting the window (a million flights, by hand: 340–420 ms against 760–800 ms).
   */
  async partStarts(groupName: string, from: Date, to: Date, rowsPerPart: number): Promise<Array<{ start: Date; rows: number }>> {
    return this.db.$queryRaw<Array<{ start: Date; rows: number }>>`
      SELECT min(event_time) AS start, count(*)::int AS rows FROM (
        SELECT event_time, (rank() OVER (ORDER BY event_time) - 1) / ${rowsPerPart} AS part FROM feature_rows
        WHERE group_name = ${groupName} AND event_time >= ${from} AND event_time < ${to}) AS numbered
      GROUP BY part
      ORDER BY part`;
  }

  /** Every `stride`-th of the rows `rowsBetween` reads, at most `limit`: a sample spread over the window. */
  async sampleBetween(groupName: string, from: Date, to: Date, stride: number, limit: number, values: ValuesRead): Promise<LabelColumns> {
    const read = new ValueColumns(values, 6);
    const { rows } = await this.sortedRead<unknown[]>({
      text: `SELECT ${TIME_COLUMN}, ${read.select()} FROM (
               SELECT id, event_time, "values", row_number() OVER (ORDER BY event_time, id) - 1 AS n FROM feature_rows
               WHERE group_name = $1 AND event_time >= $2 AND event_time < $3) AS numbered
             WHERE n % $4 = 0
             ORDER BY event_time, id
             LIMIT $5`,
      values: [groupName, from, to, stride, limit, ...read.keys],
      rowMode: 'array',
    });
    return toLabelColumns(rows, read);
  }

  /**
   * The rows an as-of join of instants in [start, to] can pick, ordered by entity, then time:
   * each entity's newest row with `from < event_time <= start`, then every row with
   * `start < event_time <= to`, with only the values of `values.keys` (features of the group),
   * as columns (no object a row: a batch job reads a million of them); on node-postgres like
   * `rowsBetween`. The older rows of the look-back can never be an instant's newest: a shard of
   * a batch job (three days of flights, a week's TTL) read 46,015 route rows instead of 142,377
   * (docs/benchmarks.md). The newest rows are found on the (group, entity, time) index and read
   * back by key, so the planner, which cannot guess how few entities there are, cannot choose a
   * scan of the whole group for them.
   */
  async rowsForJoin(groupName: string, from: Date, start: Date, to: Date, values: ValuesRead): Promise<JoinRows> {
    const read = new ValueColumns(values, 5);
    const { rows } = await this.sortedRead<unknown[]>({
      text: `SELECT entity_key, ${TIME_COLUMN}, ${read.select()} FROM (
               SELECT r.entity_key, r.event_time, r."values"
               FROM (SELECT array_agg(entity_key) AS keys, array_agg(newest) AS times FROM (
                       SELECT entity_key, max(event_time) AS newest FROM feature_rows
                       WHERE group_name = $1 AND event_time > $2 AND event_time <= $3
                       GROUP BY entity_key) AS per_entity) AS latest
               CROSS JOIN LATERAL unnest(latest.keys, latest.times) AS l(entity_key, event_time)
               JOIN feature_rows r ON r.group_name = $1 AND r.entity_key = l.entity_key AND r.event_time = l.event_time
               UNION ALL
               SELECT entity_key, event_time, "values" FROM feature_rows
               WHERE group_name = $1 AND event_time > $3 AND event_time <= $4
             ) AS joinable
             ORDER BY entity_key, event_time`,
      values: [groupName, from, start, to, ...read.keys],
      rowMode: 'array',
    });
    const joinable: JoinRows = { entityKeys: new Array<string>(rows.length), times: new Float64Array(rows.length), values: {} };
    const columns = read.keys.map((feature) => (joinable.values[feature] = new Array<FeatureValue>(rows.length)));
    rows.forEach((row, i) => {
      joinable.entityKeys[i] = row[0] as string;
      joinable.times[i] = row[1] as number;
      read.decode(row, 2, columns, i);
    });
    return joinable;
  }

  /**
   * A read of many rows that PostgreSQL sorts, with room to sort them in memory: with the
   * default `work_mem` (4 MB) a batch shard's 50,000 flights spilled to disk and their read took
   * 173–214 ms against 122–131 ms with this (by hand, docs/benchmarks.md). `SET LOCAL`, so the
   * setting ends with the read's transaction.
   */
  private async sortedRead<R extends unknown[]>(query: { text: string; values: unknown[]; rowMode: 'array' }): Promise<{ rows: R[] }> {
    const client = await this.prisma.pool.connect();
    let broken = false;
    try {
      await client.query(`BEGIN READ ONLY; SET LOCAL work_mem = '${SORT_WORK_MEM}'`);
      const result = await client.query<R>(query);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // a connection that cannot even roll back is not given back to the pool
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  createMaterialization(groupName: string, asOf: Date, message: string | null = null) {
    return this.db.materializationRun.create({ data: { groupName, status: 'queued', asOf, message } });
  }

  /**
   * Where a group's rows sit relative to `asOf`: how many there are, the newest at or before it
   * and the first after it (for saying why a materialization wrote nothing).
   */
  async rowSpread(groupName: string, asOf: Date): Promise<{ rows: number; newestBefore: Date | null; firstAfter: Date | null }> {
    const [row] = await this.db.$queryRaw<Array<{ rows: bigint; newest_before: Date | null; first_after: Date | null }>>`
      SELECT count(*) AS rows,
             max(event_time) FILTER (WHERE event_time <= ${asOf}) AS newest_before,
             min(event_time) FILTER (WHERE event_time > ${asOf}) AS first_after
      FROM feature_rows WHERE group_name = ${groupName}`;
    return { rows: Number(row?.rows ?? 0), newestBefore: row?.newest_before ?? null, firstAfter: row?.first_after ?? null };
  }

  /**
   * A group's offline rows described in one scan: counts, event-time range, last ingestion, and
   * per feature its non-null count with the mean, min and max of numbers (booleans as 0/1) or
   * the distinct count of strings.
   */
  async groupStats(groupName: string, features: FeatureDefinition[]) {
    const params: unknown[] = [groupName];
    const columns = features.map((f, k) => {
      params.push(f.name);
      const value = `"values"->>$${params.length}`;
      const number = f.dtype === 'bool' ? `CASE WHEN ${value} IS NULL THEN NULL WHEN (${value})::boolean THEN 1.0 ELSE 0.0 END` : `(${value})::float8`;
      // the mean in numeric: float8's avg also sums the squares, which overflow (an error) beyond 1e154
      const exact = f.dtype === 'bool' ? number : `(${value})::numeric`;
      const numeric = f.dtype !== 'string';
      return [
        `count(${value}) AS c${k}`,
        numeric
          ? `avg(${exact})::float8 AS mean${k}, min(${number}) AS min${k}, max(${number}) AS max${k}`
          : `count(DISTINCT ${value}) AS distinct${k}`,
      ].join(', ');
    });
    const { rows } = await this.prisma.pool.query<Record<string, unknown>>(
      `SELECT count(*)::int AS rows, count(DISTINCT entity_key)::int AS entities, min(event_time) AS oldest, max(event_time) AS newest,
              max(ingested_at) AS ingested${columns.length ? `, ${columns.join(', ')}` : ''}
       FROM feature_rows WHERE group_name = $1`,
      params,
    );
    const [lastRun] = await this.db.materializationRun.findMany({
      where: { groupName, status: 'succeeded', entityCount: { gt: 0 }, asOf: { not: null } },
      orderBy: { finishedAt: { sort: 'desc', nulls: 'last' } },
      take: 1,
    });
    return { row: rows[0]!, lastRun: lastRun ?? null };
  }

  /** Per group, the instant of its newest materialization that wrote something. */
  async lastMaterializedAsOf(): Promise<Array<{ group: string; asOf: Date }>> {
    const rows = await this.db.$queryRaw<Array<{ group_name: string; as_of: Date }>>`
      SELECT DISTINCT ON (r.group_name) r.group_name, r.as_of
      FROM materialization_runs r JOIN feature_groups g ON g.name = r.group_name
      WHERE r.status = 'succeeded' AND r.entity_count > 0 AND r.as_of IS NOT NULL
      ORDER BY r.group_name, r.finished_at DESC NULLS LAST`;
    return rows.map((r) => ({ group: r.group_name, asOf: r.as_of }));
  }

  findMaterialization(id: string) {
    return this.db.materializationRun.findUnique({ where: { id } });
  }

  updateMaterialization(id: string, data: Prisma.MaterializationRunUpdateInput) {
    return this.db.materializationRun.update({ where: { id }, data });
  }

  /** The aggregation groups computed from `source`'s rows. */
  async findAggregationsOf(source: string): Promise<StoredGroup[]> {
    const rows = await this.db.featureGroup.findMany({
      where: { aggregation: { path: ['source'], equals: source } },
      orderBy: { name: 'asc' },
    });
    return rows.map(toGroup);
  }

  /**
   * Runs `work` in one transaction holding aggregation group `group`'s locks of `keys`: whoever
   * recomputes a key's values (a stream batch, an import, a backfill) reads its source rows and
   * writes its values alone, so a reader that saw fewer rows never writes after one that saw
   * more. Keys share AGGREGATION_LOCKS locks per group (at most that many held at once); they are
   * taken in order, so two transactions never wait on each other in a circle.
   */
  withAggregationLocks<T>(group: string, keys: readonly string[], work: (tx: PoolClient) => Promise<T>): Promise<T> {
    return this.prisma.transaction(async (client) => {
      await client.query(
        `SELECT pg_advisory_xact_lock(hashtext($1), slot) FROM (
           SELECT DISTINCT hashtext(k) & ${AGGREGATION_LOCKS - 1} AS slot FROM unnest($2::text[]) AS k ORDER BY slot) AS slots`,
        [`aggregation:${group}`, keys],
      );
      return work(client);
    });
  }

  /**
   * The rows of `source` with `from < event_time < to` whose `keyColumn` value is one of `keys`,
   * one key at a time: `each` gets a key's rows in event-time order, their times and the numbers
   * of `columns` (null when absent). Read through a cursor in `tx` (a transaction), SOURCE_PAGE
   * rows at a time, so memory holds one key's rows, not all of them.
   */
  async forEachSourceKey(
    tx: ClientBase,
    source: { group: string; keyColumn: string; columns: readonly string[] },
    keys: readonly string[],
    from: Date,
    to: Date,
    each: (key: string, series: KeySeries) => Promise<void>,
  ): Promise<void> {
    await tx.query({
      text: `DECLARE source_rows NO SCROLL CURSOR FOR
             SELECT "values"->>$2 AS key, ${timeAndValues(6, source.columns.length)} FROM feature_rows
             WHERE group_name = $1 AND event_time > $3 AND event_time < $4 AND "values"->>$2 = ANY($5::text[])
             ORDER BY 1, event_time`,
      values: [source.group, source.keyColumn, from, to, keys, ...source.columns],
    });
    // the key being gathered, its rows' times and column values
    let key: string | null = null;
    let times: number[] = [];
    let columns: Array<Array<number | null>> = [];
    const handOver = () =>
      key === null ? undefined : each(key, { times, columns: new Map(source.columns.map((c, k) => [c, columns[k]!])) });
    for (;;) {
      const { rows } = await tx.query<[string, string]>({ text: `FETCH ${SOURCE_PAGE} FROM source_rows`, rowMode: 'array' });
      for (const [rowKey, json] of rows) {
        if (rowKey !== key) {
          await handOver();
          [key, times, columns] = [rowKey, [], source.columns.map(() => [])];
        }
        const row = JSON.parse(json) as [number, ...FeatureValue[]];
        times.push(row[0]);
        for (let k = 0; k < columns.length; k++) columns[k]!.push(numberOrNull(row[k + 1]));
      }
      if (rows.length < SOURCE_PAGE) break;
    }
    await handOver();
    await tx.query('CLOSE source_rows');
  }

  /**
   * Per value of `keyColumn` among `source`'s rows with `from < event_time < to`, how many rows
   * hold it (a backfill cuts its keys into chunks by it), in key order.
   */
  async sourceKeyCounts(source: string, keyColumn: string, from: Date, to: Date): Promise<Array<{ key: string; rows: number }>> {
    const { rows } = await this.prisma.pool.query<{ key: string; rows: number }>(
      `SELECT "values"->>$2 AS key, count(*)::int AS rows FROM feature_rows
       WHERE group_name = $1 AND event_time > $3 AND event_time < $4 AND "values"->>$2 IS NOT NULL
       GROUP BY 1 ORDER BY 1`,
      [source, keyColumn, from, to],
    );
    return rows;
  }

  /**
   * Upserts an aggregation group's computed rows in `tx`, INSERT_CHUNK to a statement; a row whose
   * stored values are the same is left alone (a batch delivered again writes nothing). Returns
   * how many rows were inserted or changed.
   */
  async writeComputedRows(tx: ClientBase, groupName: string, rows: readonly OfflineRow[]): Promise<number> {
    let written = 0;
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      const { rows: counted } = await tx.query<{ written: number }>(
        `WITH written AS (
           INSERT INTO feature_rows (group_name, entity_key, event_time, "values")
           SELECT $1, k, t, v FROM unnest($2::text[], $3::timestamptz[], $4::jsonb[]) AS u(k, t, v)
           ON CONFLICT (group_name, entity_key, event_time) DO UPDATE SET "values" = EXCLUDED."values", ingested_at = now()
           WHERE feature_rows."values" IS DISTINCT FROM EXCLUDED."values"
           RETURNING 1)
         SELECT count(*)::int AS written FROM written`,
        [groupName, chunk.map((r) => r.entityKey), chunk.map((r) => r.eventTime.toISOString()), chunk.map((r) => JSON.stringify(r.values))],
      );
      written += counted[0]?.written ?? 0;
    }
    return written;
  }
}

// Locks per aggregation group that its keys share (a power of 2); source rows per cursor fetch.
const AGGREGATION_LOCKS = 256;
const SOURCE_PAGE = 10_000;

const numberOrNull = (value: FeatureValue | undefined): number | null => (typeof value === 'number' ? value : null);

/**
 * Upserts rows `INSERT_CHUNK` at a time, inside the caller's transaction. The next chunk is
 * gathered while the database writes the last one.
 */
async function writeRows(client: ClientBase, groupName: string, rows: Iterable<FeatureRowInput> | AsyncIterable<FeatureRowInput>) {
  let written = 0;
  let inserted = 0;
  let writing: Promise<number> | undefined;
  let chunk: FeatureRowInput[] = [];
  for await (const row of rows) {
    chunk.push(row);
    if (chunk.length < INSERT_CHUNK) continue;
    inserted += (await writing) ?? 0;
    writing = upsertChunk(client, groupName, chunk);
    // awaited with the next chunk, or given up with the transaction when the rows fail first
    writing.catch(() => undefined);
    written += chunk.length;
    chunk = [];
  }
  inserted += (await writing) ?? 0;
  if (chunk.length > 0) inserted += await upsertChunk(client, groupName, chunk);
  written += chunk.length;
  return { written, inserted };
}

/** One statement of parallel arrays (unnest); returns how many rows were new. */
async function upsertChunk(client: ClientBase, groupName: string, rows: FeatureRowInput[]): Promise<number> {
  // event times to the millisecond the column keeps, so the chunk's duplicates are the table's;
  // the last of them wins (one statement may not update a row twice)
  const unique = [...new Map(rows.map((r) => [`${r.entityKey}\u0000${Date.parse(r.eventTime)}`, r])).values()];
  // xmax is 0 on a row this statement inserted, set on one it updated
  const { rows: counted } = await client.query<{ inserted: number }>(
    `WITH written AS (
       INSERT INTO feature_rows (group_name, entity_key, event_time, "values")
       SELECT $1, k, t, v FROM unnest($2::text[], $3::timestamptz[], $4::jsonb[]) AS u(k, t, v)
       ON CONFLICT (group_name, entity_key, event_time) DO UPDATE SET "values" = EXCLUDED."values", ingested_at = now()
       RETURNING xmax = 0 AS fresh)
     SELECT count(*) FILTER (WHERE fresh)::int AS inserted FROM written`,
    [groupName, unique.map((r) => r.entityKey), unique.map((r) => new Date(r.eventTime).toISOString()), unique.map((r) => JSON.stringify(r.values))],
  );
  return counted[0]?.inserted ?? 0;
}

/**
 * One JSON array per row, `[event time in epoch ms, "values"->key…]`, the keys bound from
 * parameter `$first` on: one string for node-postgres to hand over and one JSON.parse per row.
 * A key the row lacks comes back as null. Built with an ARRAY constructor rather than
 * `json_build_array`, a function, which takes at most 100 arguments: a set may ask for more keys.
 */
function timeAndValues(first: number, keys: number): string {
  const values = Array.from({ length: keys }, (_, k) => `coalesce(("values"->$${first + k}::text)::text, 'null')`);
  const items = ['((extract(epoch FROM event_time) * 1000)::bigint)::text', ...values].join(', ');
  return `'[' || array_to_string(ARRAY[${items}], ',') || ']'`;
}

/** A row's event time in epoch milliseconds, as a number node-postgres parses (`float8`). */
const TIME_COLUMN = '(extract(epoch FROM event_time) * 1000)::float8';

/**
 * Values of a read's `keys` as columns of the result, one a key: `"values"->>key`, the value's
 * text, turned back into its value by its feature's type (ingestion keeps every stored value of
 * its feature's type; a key that is no feature of the group has no value). PostgreSQL made one
 * JSON array a row before, taking each value out of the jsonb and printing it: a batch shard's
 * 50,000 flights took 225–396 ms to read and 104–206 ms of Node.js's CPU to parse, against
 * 121–219 and 75–160 ms this way (by hand, docs/benchmarks.md).
 */
class ValueColumns {
  readonly keys: readonly string[];
  private readonly decoders: Array<(text: string) => FeatureValue>;

  /** `first`: the number of the query parameter that holds the first key (the others follow). */
  constructor(
    values: ValuesRead,
    private readonly first: number,
  ) {
    const dtypes = new Map(values.features.map((f) => [f.name, f.dtype]));
    this.keys = values.keys;
    this.decoders = values.keys.map((key) => DECODERS[dtypes.get(key) ?? 'string']);
  }

  /** The key columns of a select list over rows with a `values` column. */
  select(): string {
    return this.keys.length === 0 ? 'NULL' : this.keys.map((_, k) => `"values"->>$${this.first + k}::text`).join(', ');
  }

  /** A result row's values (from index `offset` on) into `columns` at `row`; SQL null is null. */
  decode(values: readonly unknown[], offset: number, columns: FeatureValue[][], row: number): void {
    for (let k = 0; k < columns.length; k++) {
      const text = values[offset + k] as string | null;
      columns[k]![row] = text === null ? null : this.decoders[k]!(text);
    }
  }
}

const DECODERS: Record<FeatureDefinition['dtype'], (text: string) => FeatureValue> = {
  float: Number,
  int: Number,
  bool: (text) => text === 'true',
  string: (text) => text,
};

function toLabelColumns(rows: unknown[][], read: ValueColumns): LabelColumns {
  const times = new Float64Array(rows.length);
  const values = Array.from({ length: read.keys.length }, () => new Array<FeatureValue>(rows.length));
  rows.forEach((row, i) => {
    times[i] = row[0] as number;
    read.decode(row, 1, values, i);
  });
  return { rowCount: rows.length, times, values };
}

function toGroup(row: {
  name: string;
  entityName: string;
  features: Prisma.JsonValue;
  ttlSeconds: number;
  description: string;
  version: number;
  createdAt: Date;
  aggregation: Prisma.JsonValue;
}): StoredGroup {
  return {
    name: row.name,
    entityName: row.entityName,
    features: row.features as unknown as FeatureDefinition[],
    ttlSeconds: row.ttlSeconds,
    description: row.description,
    version: row.version,
    createdAt: row.createdAt,
    aggregation: (row.aggregation as unknown as FeatureAggregation | null) ?? null,
  };
}
