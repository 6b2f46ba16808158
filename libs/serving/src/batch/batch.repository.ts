import { Injectable } from '@nestjs/common';
import { type ClientBase, type PoolClient } from 'pg';

import type { BatchJobStatus, BatchPrediction, ClassLabel, CreateBatchJobRequest, FileSource } from '@atelier/contracts';
import { BinaryCopyWriter, copyIn, encodeField, jsonRecords, type Prisma, PrismaService } from '@atelier/db';

/** Rows of predictions per chunk of a COPY's data. */
const COPY_ROWS = 5_000;
// Rows of an uploaded file per INSERT. Two chunks are held at a time (one written while the next
// is read): what an upload keeps in memory.
const INPUT_CHUNK = 5_000;

export type BatchJobRow = Prisma.BatchJobGetPayload<object>;
export type BatchShardRow = Prisma.BatchShardGetPayload<object>;

import type { OutputLayout, ShardOutput } from './batch.output';
import type { FileRow } from './batch-file';
import { predictionAt, type PredictionColumns } from './prediction-columns';

/** A job's request as stored: a group's window or a file, its join keys settled. */
export type StoredRequest = Omit<CreateBatchJobRequest, 'source' | 'joinKeys'> & {
  source: CreateBatchJobRequest['source'] | FileSource;
  joinKeys: Record<string, string>;
  /** the output file's columns, settled when the job was created (absent from jobs created before it was kept) */
  output?: OutputLayout;
};

export interface NewBatchJob {
  id: string;
  model: string;
  version: number;
  alias: string | null;
  request: StoredRequest;
  totalRows: number;
  shards: Array<{ start: Date; end: Date }>;
}

/** A job over an uploaded file, as known before its rows are read. */
export interface NewFileJob {
  id: string;
  model: string;
  version: number;
  alias: string | null;
  /** rows per shard: row i of the file is row i % shardRows of shard ⌊i / shardRows⌋ */
  shardRows: number;
  /** the request as stored, once the file's rows are counted */
  request: (rows: number) => StoredRequest;
}

export type StoredPrediction = Omit<BatchPrediction, 'eventTime'> & {
  eventTime: Date;
  model: string;
  version: number;
  alias: string | null;
};

/** What committing a scored shard did. */
export type ShardCommit = 'committed' | 'already-done' | 'job-ended';

@Injectable()
export class BatchRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The job and its shards in one transaction; a job without rows is done at once. */
  create(job: NewBatchJob): Promise<BatchJobRow> {
    const empty = job.shards.length === 0;
    return this.prisma.client.batchJob.create({
      data: {
        id: job.id,
        modelName: job.model,
        version: job.version,
        alias: job.alias,
        status: empty ? 'succeeded' : 'queued',
        request: job.request as unknown as Prisma.InputJsonValue,
        totalRows: job.totalRows,
        shardCount: job.shards.length,
        ...(empty ? { startedAt: new Date(), finishedAt: new Date() } : {}),
        shards: { create: job.shards.map((s, shard) => ({ shard, start: s.start, end: s.end, status: 'queued' })) },
      },
    });
  }

  /**
   * A job over a file whose rows arrive as they are read: the rows stored shard by shard in
   * chunks as they come, then the job and its shards, all in one transaction committed after the
   * last row. Rows that fail on the way (a bad value further on, an upload cut off) roll all of it
   * back: no job, no rows. The transaction lasts as long as the upload, so it runs on a
   * connection of its own rather than holding one of the pool's that every query shares.
   */
  async createFromFile(job: NewFileJob, rows: AsyncIterable<FileRow>): Promise<BatchJobRow> {
    return this.prisma.dedicatedTransaction(async (client) => insertFileJob(client, job, await writeInputs(client, job, rows)));
  }

  /** A file job's rows of one shard, in order. */
  async fileRows(jobId: string, shard: number): Promise<FileRow[]> {
    const rows = await this.prisma.client.batchInput.findMany({ where: { jobId, shard }, orderBy: { row: 'asc' } });
    return rows.map((r) => r.value as unknown as FileRow);
  }

  find(id: string): Promise<BatchJobRow | null> {
    return this.prisma.client.batchJob.findUnique({ where: { id } });
  }

  list(filter: { model?: string; status?: BatchJobStatus; limit: number }): Promise<BatchJobRow[]> {
    return this.prisma.client.batchJob.findMany({
      where: { modelName: filter.model, status: filter.status },
      orderBy: { createdAt: 'desc' },
      take: filter.limit,
    });
  }

  shard(jobId: string, shard: number): Promise<BatchShardRow | null> {
    return this.prisma.client.batchShard.findUnique({ where: { jobId_shard: { jobId, shard } } });
  }

  /** A shard's worker starts: the job is running from its first start, the shard counts an attempt. */
  async start(jobId: string, shard: number): Promise<void> {
    await this.prisma.client.$transaction([
      this.prisma.client.batchJob.updateMany({
        where: { id: jobId, status: 'queued' },
        data: { status: 'running', startedAt: new Date() },
      }),
      this.prisma.client.batchShard.update({ where: { jobId_shard: { jobId, shard } }, data: { attempts: { increment: 1 } } }),
    ]);
  }

  /**
   * A scored shard, whole or not at all: its predictions, the shard done and the job's progress
   * in one transaction; the job succeeds with its last shard. Nothing is written when the shard
   * was done already (a retried or taken-over shard: its row is locked first, so two never both
   * commit) or the job ended (cancelled, failed: checked by the last statement, which locks the
   * job's row only for itself, so shards of one job insert their rows in parallel).
   */
  async commitShard(jobId: string, shard: number, predictions: PredictionColumns, output: ShardOutput | null): Promise<ShardCommit> {
    const client = await this.prisma.pool.connect();
    try {
      await client.query('BEGIN');
      const marked = await client.query(
        `UPDATE batch_shards SET status = 'done', rows = $3, error = NULL, finished_at = now(), output = $4, output_meta = $5
         WHERE job_id = $1 AND shard = $2 AND status <> 'done'`,
        [jobId, shard, predictions.length, output?.bytes ?? null, output?.meta ?? null],
      );
      if (marked.rowCount === 0) return await rollback(client, 'already-done');
      await copyPredictions(client, jobId, shard, predictions);
      await client.query('DELETE FROM batch_inputs WHERE job_id = $1 AND shard = $2', [jobId, shard]);
      const progressed = await client.query(
        `UPDATE batch_jobs SET shards_done = shards_done + 1, scored_rows = scored_rows + $2,
           status = CASE WHEN shards_done + 1 = shard_count THEN 'succeeded' ELSE status END,
           finished_at = CASE WHEN shards_done + 1 = shard_count THEN now() ELSE finished_at END
         WHERE id = $1 AND status = 'running'`,
        [jobId, predictions.length],
      );
      if (progressed.rowCount === 0) return await rollback(client, 'job-ended');
      await client.query('COMMIT');
      return 'committed';
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** A shard out of attempts fails its job (unless the job ended otherwise first); a file's rows go. */
  async failShard(jobId: string, shard: number, error: string): Promise<void> {
    await this.prisma.client.$transaction([
      this.prisma.client.batchInput.deleteMany({ where: { jobId } }),
      this.prisma.client.batchShard.update({ where: { jobId_shard: { jobId, shard } }, data: { status: 'failed', error } }),
      this.prisma.client.batchJob.updateMany({
        where: { id: jobId, status: { in: ['queued', 'running'] } },
        data: { status: 'failed', error: `shard ${shard}: ${error}`, finishedAt: new Date() },
      }),
    ]);
  }

  /** Cancels a job that has not ended; answers whether it did. */
  async cancel(jobId: string): Promise<boolean> {
    const { count } = await this.prisma.client.batchJob.updateMany({
      where: { id: jobId, status: { in: ['queued', 'running'] } },
      data: { status: 'cancelled', finishedAt: new Date() },
    });
    if (count > 0) await this.prisma.client.batchInput.deleteMany({ where: { jobId } }); // a file's rows no shard will score
    return count > 0;
  }

  /**
   * Deletes a job that has ended, with its shards, predictions and any file rows left, in one
   * transaction. A shard of a cancelled job still being committed holds its shard's row: the
   * deletion waits for it, and its commit finds the job ended (its progress update matches no
   * row, so it never waits for the job's row) and writes nothing.
   */
  async deleteJob(jobId: string): Promise<void> {
    await this.prisma.transaction(async (client) => {
      await client.query('DELETE FROM batch_shards WHERE job_id = $1', [jobId]);
      await client.query('DELETE FROM batch_predictions WHERE job_id = $1', [jobId]);
      await client.query('DELETE FROM batch_inputs WHERE job_id = $1', [jobId]);
      await client.query('DELETE FROM batch_jobs WHERE id = $1', [jobId]);
    });
  }

  /** Whether every shard of a job was committed with its part of the output file (jobs since it was kept). */
  async outputsEncoded(jobId: string): Promise<boolean> {
    const { rows } = await this.prisma.pool.query<{ encoded: boolean }>(
      'SELECT coalesce(bool_and(output_meta IS NOT NULL), true) AS encoded FROM batch_shards WHERE job_id = $1',
      [jobId],
    );
    return rows[0]!.encoded;
  }

  /** Each shard's part of the output file, in shard order, read one at a time. */
  async *shardOutputs(jobId: string): AsyncGenerator<ShardOutput> {
    const { rows } = await this.prisma.pool.query<{ shard: number }>('SELECT shard FROM batch_shards WHERE job_id = $1 ORDER BY shard', [
      jobId,
    ]);
    for (const { shard } of rows) {
      const found = await this.prisma.pool.query<{ output: Buffer; output_meta: string }>(
        'SELECT output, output_meta FROM batch_shards WHERE job_id = $1 AND shard = $2',
        [jobId, shard],
      );
      const part = found.rows[0];
      if (!part?.output_meta) throw new Error(`batch job ${jobId}: shard ${shard} has no output`);
      yield { bytes: part.output, meta: part.output_meta };
    }
  }

  /**
   * Predictions in shard and row order, from a (shard, row) position on: the output file's pages,
   * read on node-postgres (Prisma's JavaScript engine took longer to decode a page than the
   * Parquet writer to encode it).
   */
  async predictionsAfter(jobId: string, after: { shard: number; row: number } | null, limit: number): Promise<StoredPrediction[]> {
    const { rows } = await this.prisma.pool.query<PredictionRow>(
      `SELECT shard, "row", prediction_id, model_name, version, alias, event_time, entities, prediction, label, probabilities, missing, columns
       FROM batch_predictions WHERE job_id = $1 AND (shard, "row") > ($2, $3)
       ORDER BY shard, "row" LIMIT $4`,
      [jobId, after?.shard ?? -1, after?.row ?? -1, limit],
    );
    return rows.map((r) => ({
      predictionId: r.prediction_id,
      shard: r.shard,
      row: r.row,
      eventTime: r.event_time,
      entities: r.entities,
      prediction: r.prediction,
      label: r.label,
      probabilities: r.probabilities,
      missing: r.missing,
      columns: r.columns,
      model: r.model_name,
      version: r.version,
      alias: r.alias,
    }));
  }

  async predictionsPage(jobId: string, offset: number, limit: number): Promise<{ total: number; rows: StoredPrediction[] }> {
    const [total, rows] = await Promise.all([
      this.prisma.client.batchPrediction.count({ where: { jobId } }),
      this.prisma.client.batchPrediction.findMany({
        where: { jobId },
        orderBy: [{ shard: 'asc' }, { row: 'asc' }],
        skip: offset,
        take: limit,
      }),
    ]);
    return { total, rows: rows.map(toStored) };
  }
}

interface PredictionRow {
  shard: number;
  row: number;
  prediction_id: string;
  model_name: string;
  version: number;
  alias: string | null;
  event_time: Date;
  entities: Record<string, string>;
  prediction: number | null;
  label: string | null;
  probabilities: Record<string, number> | null;
  missing: string[];
  columns: BatchPrediction['columns'];
}

/**
 * Inserts a file's rows `INPUT_CHUNK` at a time, each in its shard; the next chunk is read while
 * the database writes the last one. Returns how many rows there were.
 */
async function writeInputs(client: ClientBase, job: NewFileJob, rows: AsyncIterable<FileRow>): Promise<number> {
  let written = 0;
  let writing: Promise<unknown> | undefined;
  let chunk: FileRow[] = [];
  const flush = async () => {
    await writing;
    writing = insertInputs(client, job, written, chunk);
    // awaited with the next chunk, or given up with the transaction when the rows fail first
    writing.catch(() => undefined);
    written += chunk.length;
    chunk = [];
  };
  for await (const row of rows) {
    chunk.push(row);
    if (chunk.length === INPUT_CHUNK) await flush();
  }
  if (chunk.length > 0) await flush();
  await writing;
  return written;
}

/** Rows `from`, `from + 1`, … of a file, in their shards: one statement of parallel arrays. */
async function insertInputs(client: ClientBase, job: NewFileJob, from: number, rows: FileRow[]): Promise<void> {
  const index = rows.map((_, i) => from + i);
  await client.query(
    `INSERT INTO batch_inputs (job_id, shard, "row", value) SELECT $1, s, r, v FROM unnest($2::int[], $3::int[], $4::jsonb[]) AS u(s, r, v)`,
    [job.id, index.map((i) => Math.floor(i / job.shardRows)), index.map((i) => i % job.shardRows), rows.map((r) => JSON.stringify(r))],
  );
}

/** A file's job and its shards, once its `rows` are stored; a file without rows is done at once. */
async function insertFileJob(client: ClientBase, job: NewFileJob, rows: number): Promise<BatchJobRow> {
  const shards = Math.ceil(rows / job.shardRows);
  const now = new Date();
  const ended = shards === 0 ? now : null;
  const { rows: created } = await client.query<BatchJobRow>(
    `INSERT INTO batch_jobs (id, model_name, version, alias, status, request, total_rows, shard_count, created_at, started_at, finished_at)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $10)
     RETURNING id, model_name AS "modelName", version, alias, status, request, total_rows AS "totalRows", scored_rows AS "scoredRows",
       shard_count AS "shardCount", shards_done AS "shardsDone", error, created_at AS "createdAt", started_at AS "startedAt",
       finished_at AS "finishedAt"`,
    [
      job.id,
      job.model,
      job.version,
      job.alias,
      ended ? 'succeeded' : 'queued',
      JSON.stringify(job.request(rows)),
      rows,
      shards,
      now,
      ended,
    ],
  );
  // a file's shards are ranges of its rows, not of time: their bounds are when the job was created
  await client.query(
    `INSERT INTO batch_shards (job_id, shard, start, "end", status) SELECT $1::uuid, s, $3::timestamptz, $3::timestamptz, 'queued' FROM generate_series(0, $2::int - 1) AS s`,
    [job.id, shards, now],
  );
  return created[0]!;
}

async function rollback(client: PoolClient, result: ShardCommit): Promise<ShardCommit> {
  await client.query('ROLLBACK');
  return result;
}

/**
 * A shard's predictions through one binary COPY: PostgreSQL reads the rows as they stream in (a
 * 50,000-row shard's commit took 0.68 s with COPY's text format, against 1.16–1.19 s with an
 * INSERT … SELECT over parameter arrays; the binary format spares the server parsing each
 * number, UUID and timestamp; docs/benchmarks.md). The shard's status, updated first in the same
 * transaction, keeps a second commit out, so no row can be there already.
 */
async function copyPredictions(client: PoolClient, jobId: string, shard: number, predictions: PredictionColumns): Promise<void> {
  await copyIn(
    client,
    `COPY batch_predictions (job_id, shard, "row", prediction_id, model_name, version, alias, event_time, entities, prediction, label, probabilities, missing, columns) FROM STDIN WITH (FORMAT binary)`,
    predictionChunks(jobId, shard, predictions),
  );
}

/**
 * A shard's predictions (row i is its row i) in COPY's binary format, COPY_ROWS to a chunk: the
 * header before the first, the trailer after the last.
 */
export function* predictionChunks(jobId: string, shard: number, p: PredictionColumns): Generator<Buffer> {
  const out = new BinaryCopyWriter().header();
  // what every row repeats, encoded once rather than a row at a time: the field count, job and
  // shard before the row number; model, version and alias after the prediction id
  const head = p.length === 0 ? Buffer.alloc(0) : encodeField((o) => o.row(14).uuid(jobId).int4(shard));
  const served = encodeField((o) => o.text(p.model).int4(p.version).text(p.alias));
  const noneMissing = encodeField((o) => o.textArray([]));
  const entities = jsonbRecords(p.entities, true);
  const columns = jsonbRecords(p.columns, false);
  // a job's labels are its model's few classes
  const labelField = encodedOnce<ClassLabel, ClassLabel>((o, label) => o.text(String(label)));
  for (let from = 0; from < p.length; from += COPY_ROWS) {
    for (let i = from; i < Math.min(p.length, from + COPY_ROWS); i++) {
      out.field(head).int4(i);
      if (p.predictionIdBytes) out.uuidBytes(p.predictionIdBytes, i * 16);
      else out.uuid(p.predictionIds[i]!);
      out.field(served);
      out.timestamptz(p.eventTimes[i]!);
      entities(out, i);
      out.float8(predictionAt(p, i));
      const label = p.label[i] ?? null;
      if (label === null) out.null();
      else out.field(labelField(label, label));
      const probabilities = p.probabilities[i] ?? null;
      if (probabilities) out.jsonb(probabilities);
      else out.null();
      const missing = p.missing[i]!;
      if (missing.length === 0) out.field(noneMissing);
      else out.textArray(missing);
      columns(out, i);
    }
    if (from + COPY_ROWS >= p.length) out.trailer();
    yield out.take();
  }
  if (p.length === 0) yield out.trailer().take();
}

/** Distinct values a record's field is encoded for at most: what a shard holds whatever its keys. */
const JSONB_MEMO = 10_000;

/**
 * Each row's `jsonb` record of `fields` (`jsonRecords`). A record of one field (a job's usual one
 * entity, or one passthrough column) is encoded once per distinct value: a shard's 50,000 rows
 * name a few hundred airports.
 */
function jsonbRecords(
  fields: PredictionColumns['entities'] | PredictionColumns['columns'],
  skipNull: boolean,
): (out: BinaryCopyWriter, row: number) => void {
  const json = jsonRecords(fields, skipNull);
  if (fields.length !== 1) return (out, row) => void out.jsonbText(json(row));
  const values = fields[0]![1];
  const fieldOf = encodedOnce<unknown, number>((o, row) => o.jsonbText(json(row)));
  return (out, row) => void out.field(fieldOf(values[row] ?? null, row));
}

/**
 * A field `encode` writes, encoded once per distinct `key` (at most JSONB_MEMO kept) and then
 * repeated; `arg` is what `encode` makes it from, the first time a key is met.
 */
function encodedOnce<K, A>(encode: (out: BinaryCopyWriter, arg: A) => void): (key: K, arg: A) => Buffer {
  const encoded = new Map<K, Buffer>();
  return (key, arg) => {
    let field = encoded.get(key);
    if (!field) {
      field = encodeField((o) => encode(o, arg));
      if (encoded.size < JSONB_MEMO) encoded.set(key, field);
    }
    return field;
  };
}

function toStored(r: Prisma.BatchPredictionGetPayload<object>): StoredPrediction {
  return {
    predictionId: r.predictionId,
    shard: r.shard,
    row: r.row,
    eventTime: r.eventTime,
    entities: r.entities as Record<string, string>,
    prediction: r.prediction,
    label: r.label,
    probabilities: r.probabilities as Record<string, number> | null,
    missing: r.missing,
    columns: r.columns as BatchPrediction['columns'],
    model: r.modelName,
    version: r.version,
    alias: r.alias,
  };
}
