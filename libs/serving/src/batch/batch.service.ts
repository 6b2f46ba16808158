import { randomUUID } from 'node:crypto';

import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';

import {
  type BatchJobResponse,
  type BatchPredictionsPage,
  type BatchShardPayload,
  type CreateBatchJobRequest,
  type ListBatchJobsQuery,
  PRIMARY_ALIAS,
  type UploadBatchJobForm,
} from '@atelier/contracts';
import { badRequest, conflict, dependencyUnavailable, notFound, type TabularSource, withTabularStream } from '@atelier/server';

import { ModelCache, type ServedModel } from '../model-cache';
import type { OutputLayout } from './batch.output';
import { BATCH_QUEUE, shardJobOptions } from './batch.queue';
import { type BatchJobRow, BatchRepository, type StoredPrediction, type StoredRequest } from './batch.repository';
import { type FileLayout, fileRows } from './batch-file';
import { BATCH_ROWS, type BatchRows } from './batch-rows';

/**
 * Batch scoring jobs: checked and planned here (the model version fixed, the window cut into
 * shards), scored shard by shard off the queue (`BatchShardScorer`).
 */
@Injectable()
export class BatchJobsService {
  private readonly logger = new Logger('batch');

  constructor(
    private readonly repository: BatchRepository,
    private readonly cache: ModelCache,
    @Inject(BATCH_ROWS) private readonly rows: BatchRows,
    @InjectQueue(BATCH_QUEUE) private readonly queue: Queue<BatchShardPayload>,
  ) {}

  async create(request: CreateBatchJobRequest): Promise<BatchJobResponse> {
    const start = new Date(request.source.start);
    const end = new Date(request.source.end);
    if (!(start < end)) throw badRequest('source.start must be before source.end');
    const alias = request.version ? null : (request.alias ?? PRIMARY_ALIAS);
    const served = alias ? await this.cache.byAlias(request.model, alias) : await this.cache.byVersion(request.model, request.version!);
    const group = await this.rows.group(request.source.group);
    const columns = new Set(group.features.map((f) => f.name));
    const joinKeys = settleJoinKeys(
      served,
      served.plan.lookups.map((l) => l.entity),
      columns,
      request.joinKeys,
      `group "${group.name}"`,
    );
    for (const input of served.plan.requestInputs) {
      if (!columns.has(input.name))
        throw badRequest(
          `model ${served.detail.model} v${served.detail.version} takes "${input.name}" with the request, and group "${group.name}" has no column "${input.name}"`,
        );
    }
    for (const column of request.passthrough) {
      if (!columns.has(column)) throw badRequest(`passthrough column "${column}" is not a column of group "${group.name}"`);
    }

    const plan = await this.rows.partition(group.name, {
      start: request.source.start,
      end: request.source.end,
      rowsPerPart: request.shardRows,
    });
    const id = randomUUID();
    const { model, version } = served.detail;
    const job = await this.repository.create({
      id,
      model,
      version,
      alias,
      request: {
        ...request,
        joinKeys,
        output: {
          entities: Object.keys(joinKeys),
          passthrough: request.passthrough.map((name) => ({ name, dtype: group.features.find((f) => f.name === name)!.dtype })),
          ...labelKind(served),
        },
      },
      totalRows: plan.rows,
      shards: plan.parts.map((p) => ({ start: new Date(p.start), end: new Date(p.end) })),
    });
    await this.enqueue(id, plan.parts.length);
    this.logger.log({ msg: 'batch job queued', jobId: id, model, version, alias, rows: plan.rows, shards: plan.parts.length });
    return toResponse(job);
  }

  /**
   * A job over an uploaded file, read as it arrives and never held whole: its columns checked
   * against the model before any row (a missing column is a 400 naming it), then each row checked
   * as it is read (a value of the wrong type is a 400 naming its column and row) and stored in its
   * shard, the job with them in one transaction committed after the last row; the shards are
   * queued once it has.
   */
  async createFromFile(source: TabularSource, filename: string, form: UploadBatchJobForm): Promise<BatchJobResponse> {
    const alias = form.version ? null : (form.alias ?? PRIMARY_ALIAS);
    const served = alias ? await this.cache.byAlias(form.model, alias) : await this.cache.byVersion(form.model, form.version!);
    const { model, version } = served.detail;
    const id = randomUUID();
    const job = await withTabularStream(source, async (table) => {
      const layout = fileLayout(served, new Set(table.columns), form);
      const request = (rows: number): StoredRequest => ({
        model,
        alias: form.alias,
        version: form.version,
        source: { file: filename, format: table.format, rows, timeColumn: layout.timeColumn },
        joinKeys: layout.joinKeys,
        passthrough: layout.passthrough,
        shardRows: form.shardRows,
        publish: form.publish,
        // a file's passthrough columns are written as text
        output: {
          entities: Object.keys(layout.joinKeys),
          passthrough: layout.passthrough.map((name) => ({ name, dtype: 'string' })),
          ...labelKind(served),
        },
      });
      const rows = fileRows(table.rows, served.plan, layout);
      return this.repository.createFromFile({ id, model, version, alias, shardRows: form.shardRows, request }, rows);
    });
    await this.enqueue(id, job.shardCount);
    this.logger.log({
      msg: 'batch job queued',
      jobId: id,
      model,
      version,
      alias,
      file: filename,
      rows: job.totalRows,
      shards: job.shardCount,
    });
    return toResponse(job);
  }

  private async enqueue(id: string, shards: number): Promise<void> {
    try {
      await this.queue.addBulk(
        Array.from({ length: shards }, (_, shard) => ({ data: { jobId: id, shard }, opts: shardJobOptions(id, shard) })),
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await this.repository.cancel(id);
      throw dependencyUnavailable(`the batch queue could not be reached: ${reason}`);
    }
  }

  async list(query: ListBatchJobsQuery): Promise<BatchJobResponse[]> {
    return (await this.repository.list(query)).map(toResponse);
  }

  async get(id: string): Promise<BatchJobResponse> {
    return toResponse(await this.job(id));
  }

  /** Cancels a queued or running job: its waiting shards leave the queue, a running one commits nothing. */
  async cancel(id: string): Promise<BatchJobResponse> {
    const job = await this.job(id);
    if (await this.repository.cancel(id)) {
      // a shard being scored is locked and cannot be removed: its commit sees the job cancelled
      await this.removeShardRecords(id, job.shardCount);
      this.logger.log({ msg: 'batch job cancelled', jobId: id });
    }
    return this.get(id);
  }

  /**
   * Deletes a job that has ended (succeeded, failed or cancelled: none of them changes again) with
   * its predictions and output; a queued or running one is cancelled first (409).
   */
  async remove(id: string): Promise<void> {
    const job = await this.job(id);
    if (job.status === 'queued' || job.status === 'running') {
      throw conflict(`batch job ${id} is ${job.status}: cancel it before deleting it (POST /api/batch-jobs/${id}/cancel)`);
    }
    await this.repository.deleteJob(id);
    await this.removeShardRecords(id, job.shardCount); // a failed shard's record is kept for inspection until then
    this.logger.log({ msg: 'batch job deleted', jobId: id, status: job.status, rows: job.scoredRows });
  }

  async predictions(id: string, offset: number, limit: number): Promise<BatchPredictionsPage> {
    const job = await this.job(id);
    const page = await this.repository.predictionsPage(id, offset, limit);
    const labels = (job.request as unknown as StoredRequest).output?.labels;
    return {
      jobId: id,
      model: job.modelName,
      version: job.version,
      alias: job.alias,
      total: page.total,
      offset,
      predictions: page.rows.map((p) => toPrediction(p, labels)),
    };
  }

  /** A succeeded job (the output file is written from its rows). */
  async succeeded(id: string): Promise<BatchJobRow> {
    const job = await this.job(id);
    if (job.status === 'cancelled' || job.status === 'failed')
      throw conflict(`batch job ${id} is ${job.status}: it has no output (submit the job again to score the rows)`);
    if (job.status !== 'succeeded') throw conflict(`batch job ${id} is ${job.status}: its output is ready once it has succeeded`);
    return job;
  }

  /** Removes the queue's records of a job's shards (waiting ones, and failed ones kept for inspection). */
  private async removeShardRecords(id: string, shards: number): Promise<void> {
    const records = await Promise.all(Array.from({ length: shards }, (_, shard) => this.queue.getJob(`${id}:${shard}`)));
    await Promise.all(records.map((r) => r?.remove().catch(() => undefined)));
  }

  private async job(id: string): Promise<BatchJobRow> {
    const job = await this.repository.find(id);
    if (!job) throw notFound(`batch job ${id} does not exist`);
    return job;
  }
}

/**
 * How a file's columns (`header`) feed the model, or a 400 naming the column it lacks: each request
 * input is a column; each online feature a column of its name, else joined as of the `timeColumn`
 * by its entity's key column.
 */
function fileLayout(served: ServedModel, header: Set<string>, form: UploadBatchJobForm): FileLayout {
  const { plan } = served;
  const { model, version } = served.detail;
  const absent = (column: string, why: string) => badRequest(`the file has no column "${column}": ${why}`, { column });
  for (const input of plan.requestInputs) {
    if (!header.has(input.name)) throw absent(input.name, `model ${model} v${version} takes it with the request`);
  }
  const joined = plan.features.filter((f) => !header.has(f.input));
  const timeColumn = form.timeColumn ?? null;
  if (timeColumn !== null && !header.has(timeColumn)) throw absent(timeColumn, 'it is the timeColumn');
  if (joined.length > 0 && timeColumn === null) {
    throw badRequest(
      `model ${model} v${version} reads "${joined[0]!.input}" from the online store: give it as a column of the file, or a timeColumn (and the "${joined[0]!.entity}" key column) to join it as of each row's time`,
      { column: joined[0]!.input },
    );
  }
  const joinKeys = settleJoinKeys(
    served,
    joined.map((f) => f.entity),
    header,
    form.joinKeys,
    'the file',
  );
  const passthrough = form.passthrough ?? [];
  for (const column of passthrough) if (!header.has(column)) throw absent(column, 'it is a passthrough column');
  return {
    featureColumns: new Set(plan.features.filter((f) => header.has(f.input)).map((f) => f.input)),
    joined,
    timeColumn,
    joinKeys,
    passthrough,
  };
}

/**
 * The column holding each entity key the model's joined features are read by: as asked, else as
 * the version was trained, else a column named after the entity.
 */
function settleJoinKeys(
  served: ServedModel,
  entities: Iterable<string>,
  columns: Set<string>,
  asked: Record<string, string> | undefined,
  source: string,
): Record<string, string> {
  const trained = served.detail.lineage.params['joinKeys'];
  const keys: Record<string, string> = {};
  for (const entity of new Set(entities)) {
    const column = asked?.[entity] ?? (isStringRecord(trained) ? trained[entity] : undefined) ?? (columns.has(entity) ? entity : undefined);
    if (!column)
      throw badRequest(
        `model ${served.detail.model} reads features keyed by entity "${entity}": name its column of ${source} in joinKeys`,
        { entity },
      );
    if (!columns.has(column))
      throw badRequest(`join key column "${column}" of entity "${entity}" is not a column of ${source}`, { entity });
    keys[entity] = column;
  }
  return keys;
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string');
}

export function toResponse(job: BatchJobRow): BatchJobResponse {
  const request = job.request as unknown as StoredRequest;
  return {
    id: job.id,
    model: job.modelName,
    version: job.version,
    alias: job.alias,
    status: job.status as BatchJobResponse['status'],
    source: request.source,
    joinKeys: request.joinKeys ?? {},
    passthrough: request.passthrough,
    publish: request.publish,
    shards: { total: job.shardCount, done: job.shardsDone },
    rows: { total: job.totalRows, scored: job.scoredRows },
    error: job.error,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    outputUrl: job.status === 'succeeded' ? `/api/batch-jobs/${job.id}/output.parquet` : null,
  };
}

/**
 * Whether the served version's class labels are numbers or names, as serving answers them: the
 * element type of its label output, else its classes (their indices when it names none); and for
 * numbers, the Parquet column that holds them (whole numbers, or not). Nothing for a regressor, or
 * when the label output's type is not known.
 */
export function labelKind(served: Pick<ServedModel, 'plan' | 'graph'>): Pick<OutputLayout, 'labels' | 'labelColumn'> {
  const { task, label, classes } = served.plan.outputs;
  if (task === 'regression') return {};
  if (label) {
    const type = served.graph.outputs.find((o) => o.name === label)?.type;
    if (type?.kind !== 'tensor') return {};
    if (type.elementType === 'string') return { labels: 'string' };
    return { labels: 'number', ...parquetLabelColumn(type.elementType) };
  }
  if (classes?.some((c) => typeof c === 'string')) return { labels: 'string' };
  return { labels: 'number', labelColumn: (classes ?? []).every((c) => Number.isInteger(c)) ? 'INT64' : 'DOUBLE' };
}

/** A numeric label output's Parquet column; none (text) for a type that is neither integer nor floating point. */
function parquetLabelColumn(elementType: string): Pick<OutputLayout, 'labelColumn'> {
  if (/^u?int(8|16|32|64)$/.test(elementType)) return { labelColumn: 'INT64' };
  if (/^(float|double|float16|bfloat16)$/.test(elementType)) return { labelColumn: 'DOUBLE' };
  return {};
}

function toPrediction(p: StoredPrediction, labels: OutputLayout['labels']): BatchPredictionsPage['predictions'][number] {
  return {
    predictionId: p.predictionId,
    shard: p.shard,
    row: p.row,
    eventTime: p.eventTime.toISOString(),
    entities: p.entities,
    prediction: p.prediction,
    label: labels === 'number' && p.label !== null ? Number(p.label) : p.label,
    probabilities: p.probabilities,
    missing: p.missing,
    columns: p.columns,
  };
}
