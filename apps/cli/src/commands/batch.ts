import { basename } from 'node:path';

import { type Command, Option } from 'commander';

import { AtelierApiError, type AtelierClient, type BatchJobResponse, type BatchJobStatus, type BatchPredictionsPage } from '@atelier/sdk';

import { collectJoinKey, collectNames, parseInstant, parseVersion, wholeNumber } from '../args';
import { action, leaf } from '../command';
import type { CliIo, Context } from '../context';
import { CliError, UsageError } from '../errors';
import { openBlob, writeBytesAtomically } from '../files';
import { fields, formatNumber, formatPairs, formatPercent, formatTime, table } from '../output';
import { failEndedJob, followJob, type JobKind, type WatchOptions, withWatchOptions } from '../watch';

interface SubmitOptions extends WatchOptions {
  group?: string;
  start?: string;
  end?: string;
  file?: string;
  timeColumn?: string;
  alias?: string;
  version?: number;
  joinKey?: Record<string, string>;
  passthrough?: string[];
  shardRows?: number;
  publish?: boolean;
}

const STATUSES: BatchJobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

const BATCH_JOBS: JobKind<BatchJobResponse> = {
  refresh: (client, id) => client.getBatchJob(id),
  progress: (job) => ({
    status: job.status,
    progress: fractionDone(job),
    events: [],
    // no shards: not planned yet, or an empty window
    summary: job.shards.total > 0 ? `${job.shards.done}/${job.shards.total} shards, ${job.rows.scored}/${job.rows.total} rows` : undefined,
  }),
};

export function registerBatch(program: Command, io: CliIo): void {
  const batch = program
    .command('batch')
    .description("score a feature group's rows offline with a model version: submit, follow, read and download (default: list)");

  const submit = leaf(
    batch,
    'submit <model>',
    "score a feature group's rows in a time window, or a CSV or Parquet file, with a version of a model (default: production's)",
  )
    .option('--group <group>', 'the feature group whose rows are scored, one prediction per row')
    .option('--start <time>', "the window's start, included: a date (midnight UTC) or an ISO 8601 time with an offset", parseInstant)
    .option('--end <time>', "the window's end, excluded", parseInstant)
    .addOption(
      new Option('--file <path>', 'score the rows of this file instead (CSV with a header row, or Parquet)').conflicts([
        'group',
        'start',
        'end',
      ]),
    )
    .option('--time-column <column>', "with --file: the column of each row's time, as of which the features the file lacks are joined")
    .addOption(new Option('--alias <alias>', 'score with the version behind this alias when the job is created').conflicts('version'))
    .addOption(new Option('--version <version>', 'score with this version').argParser(parseVersion))
    .option(
      '--join-key <entity=column>',
      "the source column holding an entity's key, e.g. airport=origin (repeatable; default: as the version was trained)",
      collectJoinKey,
    )
    .option(
      '--passthrough <columns>',
      'source columns copied beside each prediction, e.g. origin,destination (comma-separated, repeatable)',
      collectNames,
    )
    .option('--shard-rows <rows>', 'about this many rows per shard (default: 50000)', wholeNumber(1))
    .option('--publish', 'also publish every prediction to the prediction log, so monitoring sees them');
  withWatchOptions(submit).action(
    action(io, async (ctx, options: SubmitOptions, model: string) => {
      const job = await submitJob(ctx.client, model, options);
      if (!options.watch) {
        ctx.out.result(job, () => [
          `submitted batch job ${job.id}: ${servedBy(job)} scores ${sourceWindow(job)} (${job.status})`,
          `follow it with: atelier batch show ${job.id} --watch`,
        ]);
        return;
      }
      if (!ctx.json) ctx.out.lines([`submitted batch job ${job.id}: ${servedBy(job)} scores ${sourceWindow(job)}`]);
      reportEnded(ctx, await followJob(ctx, job, options.interval * 1000, BATCH_JOBS));
    }),
  );

  leaf(batch, 'list', 'list recent batch jobs', { isDefault: true })
    .option('--model <model>', "only this model's jobs")
    .addOption(new Option('--status <status>', 'only the jobs in this status').choices(STATUSES))
    .action(
      action(io, async ({ client, out }, options: { model?: string; status?: BatchJobStatus }) => {
        const list = await client.listBatchJobs({ model: options.model, status: options.status });
        out.result(list, () =>
          list.length === 0
            ? [options.model || options.status ? 'no batch jobs match' : 'no batch jobs yet']
            : table(
                ['ID', 'MODEL', 'VERSION', 'STATUS', 'SHARDS', 'ROWS', 'SOURCE', 'CREATED'],
                list.map((j) => [
                  j.id,
                  j.model,
                  `v${j.version}`,
                  j.status,
                  `${j.shards.done}/${j.shards.total}`,
                  `${j.rows.scored}/${j.rows.total}`,
                  'group' in j.source ? j.source.group : j.source.file,
                  formatTime(j.createdAt),
                ]),
              ),
        );
      }),
    );

  withWatchOptions(leaf(batch, 'show <id>', 'show a batch job: status, model version, source window, shards, rows, error, output')).action(
    action(io, async (ctx, options: WatchOptions, id: string) => {
      const job = await ctx.client.getBatchJob(id);
      if (options.watch) {
        reportEnded(ctx, await followJob(ctx, job, options.interval * 1000, BATCH_JOBS));
        return;
      }
      ctx.out.result(job, () => jobLines(job));
    }),
  );

  leaf(batch, 'cancel <id>', 'cancel a queued or running batch job').action(
    action(io, async ({ client, out }, _options: object, id: string) => {
      const job = await client.cancelBatchJob(id);
      out.result(job, () => [`batch job ${job.id}: ${job.status}`]);
    }),
  );

  leaf(batch, 'delete <id>', 'delete a batch job that has ended, with its predictions and output').action(
    action(io, async ({ client, out }, _options: object, id: string) => {
      await client.deleteBatchJob(id);
      out.result({ id, deleted: true }, () => [`batch job ${id}: deleted`]);
    }),
  );

  leaf(batch, 'predictions <id>', "a page of a batch job's predictions, in shard and row order")
    .option('--offset <n>', 'skip this many predictions', wholeNumber(0), 0)
    .option('--limit <n>', 'how many predictions, up to 10000', wholeNumber(1), 100)
    .action(
      action(io, async ({ client, out }, options: { offset: number; limit: number }, id: string) => {
        const page = await client.batchPredictions(id, { offset: options.offset, limit: options.limit });
        out.result(page, () => predictionLines(page));
      }),
    );

  leaf(batch, 'download <id>', "write a succeeded batch job's predictions to a Parquet file")
    .requiredOption('--out <file>', 'the Parquet file to write (replaced whole, never left half-written)')
    .action(
      action(io, async ({ client, out }, options: { out: string }, id: string) => {
        const bytes = await outputOf(client, id);
        await writeBytesAtomically(options.out, bytes, 'the Parquet file');
        out.result({ id, file: options.out, bytes: bytes.byteLength }, () => [`wrote ${bytes.byteLength} bytes to ${options.out}`]);
      }),
    );
}

/** The share of the rows scored: of the shards while the rows are not counted yet, 1 once succeeded. */
function fractionDone(job: BatchJobResponse): number {
  if (job.status === 'succeeded') return 1;
  if (job.rows.total > 0) return job.rows.scored / job.rows.total;
  return job.shards.total > 0 ? job.shards.done / job.shards.total : 0;
}

/** A group's window or a file: names, columns and ranges are the serving API's to check (it names every wrong field). */
async function submitJob(client: AtelierClient, model: string, options: SubmitOptions): Promise<BatchJobResponse> {
  const common = {
    alias: options.alias,
    version: options.version,
    joinKeys: options.joinKey,
    passthrough: options.passthrough,
    shardRows: options.shardRows,
  };
  if (options.file !== undefined) {
    const fields = { model, ...common, timeColumn: options.timeColumn, publish: options.publish };
    return client.uploadBatchJob(await openBlob(options.file, 'the file to score'), basename(options.file), fields);
  }
  if (options.timeColumn !== undefined) throw new UsageError('--time-column goes with --file');
  const { group, start, end } = options;
  if (group === undefined || start === undefined || end === undefined) throw new UsageError('give --group, --start and --end, or --file');
  if (Date.parse(end) <= Date.parse(start)) throw new UsageError('--end must come after --start');
  return client.createBatchJob({ model, ...common, source: { group, start, end }, publish: options.publish });
}

function servedBy(r: { model: string; version: number; alias: string | null }): string {
  return `${r.model} v${r.version}${r.alias ? ` (${r.alias})` : ''}`;
}

function sourceWindow({ source }: BatchJobResponse): string {
  if (!('group' in source))
    return `file ${source.file} (${source.format}, ${source.rows} rows${source.timeColumn ? `, as of ${source.timeColumn}` : ''})`;
  return `${source.group} from ${formatTime(source.start)} to ${formatTime(source.end)}`;
}

/** The result of an ended job; one that failed or was cancelled is an error (exit 1). */
function reportEnded(ctx: Context, job: BatchJobResponse): void {
  if (job.status !== 'succeeded') failEndedJob(ctx, job, 'batch job');
  ctx.out.result(job, () => [
    `batch job ${job.id} succeeded: ${job.rows.scored} predictions by ${servedBy(job)}`,
    `download them with: atelier batch download ${job.id} --out predictions.parquet`,
  ]);
}

function jobLines(job: BatchJobResponse): string[] {
  return fields([
    ['id', job.id],
    ['model', servedBy(job)],
    ['status', `${job.status} (${formatPercent(fractionDone(job))})`],
    ['source', sourceWindow(job)],
    ['join keys', formatPairs(job.joinKeys)],
    ['passthrough', job.passthrough.join(', ')],
    ['publish', job.publish ? 'to the prediction log' : null],
    ['shards', `${job.shards.done}/${job.shards.total} done`],
    ['rows', `${job.rows.scored}/${job.rows.total} scored`],
    ['error', job.error],
    ['created', formatTime(job.createdAt)],
    ['started', job.startedAt ? formatTime(job.startedAt) : null],
    ['finished', job.finishedAt ? formatTime(job.finishedAt) : null],
    ['output', job.outputUrl],
  ]);
}

function predictionLines(page: BatchPredictionsPage): string[] {
  if (page.predictions.length === 0) return [`no predictions from offset ${page.offset}: the job has ${page.total}`];
  const last = page.offset + page.predictions.length;
  return [
    ...table(
      ['ID', 'EVENT TIME', 'ENTITIES', 'PREDICTION', 'LABEL', 'MISSING'],
      page.predictions.map((p) => [
        p.predictionId,
        p.eventTime,
        formatPairs(p.entities) || '-',
        p.prediction === null ? '-' : formatNumber(p.prediction),
        p.label === null ? '-' : String(p.label),
        p.missing.join(',') || '-',
      ]),
    ),
    `predictions ${page.offset + 1}–${last} of ${page.total} by ${servedBy(page)}${last < page.total ? `; next: --offset ${last}` : ''}`,
  ];
}

/** The Parquet bytes; the 409 of a job without output says what the job is doing instead. */
async function outputOf(client: AtelierClient, id: string): Promise<Uint8Array> {
  try {
    return await client.batchOutput(id);
  } catch (error) {
    if (!(error instanceof AtelierApiError) || error.status !== 409) throw error;
    // only to say why; the platform's own message when the job cannot be read either
    const job = await client.getBatchJob(id).catch(() => undefined);
    throw new CliError(job ? noOutput(job, error.body.message) : `batch job ${id} has no output to download: ${error.body.message}`);
  }
}

function noOutput(job: BatchJobResponse, refusal: string): string {
  switch (job.status) {
    case 'queued':
    case 'running':
      return (
        `batch job ${job.id} is ${job.status} (${job.shards.done}/${job.shards.total} shards done): its output can be downloaded once it ` +
        `has succeeded; follow it with: atelier batch show ${job.id} --watch`
      );
    case 'failed':
      return `batch job ${job.id} failed, so it has no output: ${job.error ?? 'no reason given'}`;
    case 'cancelled':
      return `batch job ${job.id} was cancelled, so it has no output`;
    case 'succeeded':
      return `batch job ${job.id} has no output to download: ${refusal}`;
  }
}
