import type { Command } from 'commander';

import { AtelierApiError, type AtelierClient, type TrainingJobResponse } from '@atelier/sdk';

import { parseSeconds } from './args';
import type { Context } from './context';
import { CliError } from './errors';
import { fields, formatMetrics } from './output';
import { type JobProgress, progressReporter } from './progress';

/** Polls that may fail in a row (the platform restarting, a dropped connection) before watching gives up. */
const MAX_FAILED_POLLS = 5;

export interface WatchOptions {
  watch?: boolean;
  interval: number;
}

/** `--watch` and `--interval`, of `train`, `jobs show`, `batch submit` and `batch show`. */
export function withWatchOptions(command: Command): Command {
  return command
    .option('--watch', 'follow the job until it ends (a progress bar on a terminal, progress lines otherwise); exit 1 if it fails')
    .option('--interval <seconds>', 'seconds between two polls with --watch', parseSeconds, 1);
}

export function isFinished(job: { status: string }): boolean {
  return job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled';
}

/** How to follow one kind of job: fetch it again, and what of it a progress line shows. */
export interface JobKind<J> {
  refresh(client: AtelierClient, id: string): Promise<J>;
  progress(job: J): JobProgress;
}

const TRAINING_JOBS: JobKind<TrainingJobResponse> = {
  refresh: (client, id) => client.getTrainingJob(id),
  progress: (job) => job,
};

/** Follows a training job until it has ended (see `followJob`). */
export function watchJob(ctx: Context, job: TrainingJobResponse, intervalMs: number): Promise<TrainingJobResponse> {
  return followJob(ctx, job, intervalMs, TRAINING_JOBS);
}

/**
 * Polls a job every `intervalMs` until it has ended, drawing its progress: on stdout, or on
 * stderr with `--json` (stdout then holds only the final job).
 */
export async function followJob<J extends { id: string; status: string }>(
  ctx: Context,
  job: J,
  intervalMs: number,
  kind: JobKind<J>,
): Promise<J> {
  const reporter = progressReporter(ctx.json ? ctx.io.stderr : ctx.io.stdout);
  const sleep = ctx.io.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let current = job;
  let failedPolls = 0;
  reporter.update(kind.progress(current));
  try {
    while (!isFinished(current)) {
      await sleep(intervalMs);
      try {
        current = await kind.refresh(ctx.client, current.id);
        failedPolls = 0;
      } catch (error) {
        if (!isTransient(error) || ++failedPolls >= MAX_FAILED_POLLS) throw error;
        continue;
      }
      reporter.update(kind.progress(current));
    }
  } finally {
    // ends a half-drawn bar line too, so an error message starts on a line of its own
    reporter.finish(kind.progress(current));
  }
  return current;
}

/** The result of an ended training job; one that failed or was cancelled is an error (exit 1). */
export function reportEndedJob(ctx: Context, job: TrainingJobResponse): void {
  if (job.status !== 'succeeded') failEndedJob(ctx, job, 'training job');
  ctx.out.result(job, () => [
    `training job ${job.id} succeeded: ${job.modelName} version ${job.modelVersion ?? '?'}`,
    ...fields([
      ['metrics', formatMetrics(job.metrics, 8)],
      ['backend', job.backend],
    ]),
  ]);
}

/** A job that ended failed or cancelled: an error (exit 1) naming it, `what` (e.g. `training job`), and why. */
export function failEndedJob(ctx: Context, job: { id: string; status: string; error: string | null }, what: string): never {
  // scripts still get the job, with its error, as the one JSON document
  if (ctx.json) ctx.out.result(job, () => []);
  throw new CliError(
    job.status === 'failed' ? `${what} ${job.id} failed: ${job.error ?? 'no reason given'}` : `${what} ${job.id} was ${job.status}`,
  );
}

function isTransient(error: unknown): boolean {
  if (error instanceof AtelierApiError) return error.status === 502 || error.status === 503 || error.status === 504;
  return (error instanceof TypeError && error.message === 'fetch failed') || (error instanceof Error && error.name === 'TimeoutError');
}
