import type { Command } from 'commander';

import { AtelierApiError, type TrainingJobResponse } from '@atelier/sdk';

import { parseSeconds } from './args';
import type { Context } from './context';
import { CliError } from './errors';
import { fields, formatMetrics } from './output';
import { progressReporter } from './progress';

/** Polls that may fail in a row (the platform restarting, a dropped connection) before watching gives up. */
const MAX_FAILED_POLLS = 5;

export interface WatchOptions {
  watch?: boolean;
  interval: number;
}

/** `--watch` and `--interval`, of `train` and `jobs show`. */
export function withWatchOptions(command: Command): Command {
  return command
    .option('--watch', 'follow the job until it ends (a progress bar on a terminal, progress lines otherwise); exit 1 if it fails')
    .option('--interval <seconds>', 'seconds between two polls with --watch', parseSeconds, 1);
}

export function isFinished(job: Pick<TrainingJobResponse, 'status'>): boolean {
  return job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled';
}

/**
 * Polls a training job every `intervalMs` until it has ended, drawing its progress: on stdout,
 * or on stderr with `--json` (stdout then holds only the final job).
 */
export async function watchJob(ctx: Context, job: TrainingJobResponse, intervalMs: number): Promise<TrainingJobResponse> {
  const reporter = progressReporter(ctx.json ? ctx.io.stderr : ctx.io.stdout);
  const sleep = ctx.io.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let current = job;
  let failedPolls = 0;
  reporter.update(current);
  try {
    while (!isFinished(current)) {
      await sleep(intervalMs);
      try {
        current = await ctx.client.getTrainingJob(current.id);
        failedPolls = 0;
      } catch (error) {
        if (!isTransient(error) || ++failedPolls >= MAX_FAILED_POLLS) throw error;
        continue;
      }
      reporter.update(current);
    }
  } finally {
    // ends a half-drawn bar line too, so an error message starts on a line of its own
    reporter.finish(current);
  }
  return current;
}

/** The result of an ended job; one that failed or was cancelled is an error (exit 1). */
export function reportEndedJob(ctx: Context, job: TrainingJobResponse): void {
  if (job.status === 'succeeded') {
    ctx.out.result(job, () => [
      `training job ${job.id} succeeded: ${job.modelName} version ${job.modelVersion ?? '?'}`,
      ...fields([
        ['metrics', formatMetrics(job.metrics, 8)],
        ['backend', job.backend],
      ]),
    ]);
    return;
  }
  // scripts still get the job, with its error, as the one JSON document
  if (ctx.json) ctx.out.result(job, () => []);
  throw new CliError(
    job.status === 'failed'
      ? `training job ${job.id} failed: ${job.error ?? 'no reason given'}`
      : `training job ${job.id} was ${job.status}`,
  );
}

function isTransient(error: unknown): boolean {
  if (error instanceof AtelierApiError) return error.status === 502 || error.status === 503 || error.status === 504;
  return (error instanceof TypeError && error.message === 'fetch failed') || (error instanceof Error && error.name === 'TimeoutError');
}
