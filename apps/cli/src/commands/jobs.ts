import type { Command } from 'commander';

import type { TrainingJobResponse } from '@atelier/sdk';

import { action, leaf } from '../command';
import type { CliIo } from '../context';
import { fields, formatMetrics, formatPercent, formatTime, table } from '../output';
import { reportEndedJob, watchJob, type WatchOptions, withWatchOptions } from '../watch';

/** Events shown by `jobs show`: the latest ones. */
const SHOWN_EVENTS = 10;

export function registerJobs(program: Command, io: CliIo): void {
  const jobs = program.command('jobs').description('list, show and cancel training jobs (default: list)');

  leaf(jobs, 'list', 'list recent training jobs, newest first', { isDefault: true }).action(
    action(io, async ({ client, out }) => {
      const list = await client.listTrainingJobs();
      out.result(list, () =>
        list.length === 0
          ? ['no training jobs yet']
          : table(
              ['ID', 'MODEL', 'TYPE', 'STATUS', 'PROGRESS', 'VERSION', 'CREATED'],
              list.map((j) => [
                j.id,
                j.modelName,
                j.modelType,
                j.status,
                formatPercent(j.progress),
                j.modelVersion ? `v${j.modelVersion}` : '-',
                formatTime(j.createdAt),
              ]),
            ),
      );
    }),
  );

  withWatchOptions(leaf(jobs, 'show <id>', 'show a training job: status, progress, metrics and its latest events')).action(
    action(io, async (ctx, options: WatchOptions, id: string) => {
      const job = await ctx.client.getTrainingJob(id);
      if (options.watch) {
        reportEndedJob(ctx, await watchJob(ctx, job, options.interval * 1000));
        return;
      }
      ctx.out.result(job, () => jobLines(job));
    }),
  );

  leaf(jobs, 'cancel <id>', 'cancel a queued or running training job').action(
    action(io, async ({ client, out }, _options: object, id: string) => {
      const job = await client.cancelTrainingJob(id);
      out.result(job, () => [`training job ${job.id}: ${job.status}`]);
    }),
  );
}

function jobLines(job: TrainingJobResponse): string[] {
  const events = job.events.slice(-SHOWN_EVENTS);
  return [
    ...fields([
      ['id', job.id],
      ['model', job.modelVersion ? `${job.modelName} v${job.modelVersion}` : job.modelName],
      ['type', job.modelType],
      ['status', `${job.status} (${formatPercent(job.progress)})`],
      ['error', job.error],
      ['metrics', job.metrics ? formatMetrics(job.metrics, 8) : null],
      ['trials', job.trials.length > 0 ? String(job.trials.length) : null],
      ['backend', job.backend],
      ['created', formatTime(job.createdAt)],
      ['started', job.startedAt ? formatTime(job.startedAt) : null],
      ['finished', job.finishedAt ? formatTime(job.finishedAt) : null],
    ]),
    ...(events.length > 0 ? [`events${job.events.length > SHOWN_EVENTS ? ` (last ${SHOWN_EVENTS} of ${job.events.length})` : ''}:`] : []),
    ...events.map((e) => `  ${formatTime(e.at)}  ${e.message}`),
  ];
}
