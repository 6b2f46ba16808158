'use client';

import Link from 'next/link';

import type { BatchJobResponse } from '@atelier/contracts';

import { StatusBadge } from '../../components/badge';
import { ErrorNotice } from '../../components/error-notice';
import { ProgressBar } from '../../components/progress-bar';
import { Loading } from '../../components/states';
import { api } from '../../lib/api';
import { elapsedSeconds, formatCount, formatDuration, formatTime, shortId } from '../../lib/format';
import { isFinished } from '../../lib/job-status';
import { type ApiState, useApi } from '../../lib/use-api';
import { useJobFinished } from '../../lib/use-job-finished';
import { jobModelLabel, sourceLabel } from './batch-request';

/** One batch job, polled every second until it finishes (like a training job). */
export function useBatchJob(id: string): ApiState<BatchJobResponse> {
  return useApi(() => api.getBatchJob(id), [id], { refreshMs: 1000, stopWhen: (job) => isFinished(job.status) });
}

/** Shards and rows done so far: the two counts a batch job moves by. */
export function BatchProgress({ job }: { job: BatchJobResponse }) {
  const share = (done: number, total: number) => (total > 0 ? done / total : isFinished(job.status) ? 1 : 0);
  return (
    <div className="stack">
      <div>
        <div className="muted small" data-testid="shards-progress">
          {formatCount(job.shards.done)} / {formatCount(job.shards.total)} shards
        </div>
        <ProgressBar value={share(job.shards.done, job.shards.total)} label="shards scored" />
      </div>
      <div>
        <div className="muted small" data-testid="rows-progress">
          {formatCount(job.rows.scored)} / {formatCount(job.rows.total)} rows scored
        </div>
        <ProgressBar value={share(job.rows.scored, job.rows.total)} label="rows scored" />
      </div>
    </div>
  );
}

/** What the job scores with, over what, and how long it has taken. */
export function BatchFacts({ job }: { job: BatchJobResponse }) {
  const elapsed = elapsedSeconds(job.startedAt, job.finishedAt);
  const joinKeys = Object.entries(job.joinKeys);
  return (
    <dl className="facts">
      <div>
        <dt>Model</dt>
        <dd data-testid="batch-model-version">
          <Link href={`/models/${encodeURIComponent(job.model)}?version=${job.version}`}>{jobModelLabel(job)}</Link>
        </dd>
      </div>
      <div>
        <dt>Source</dt>
        <dd>
          <span className="mono">{sourceLabel(job.source)}</span>
        </dd>
      </div>
      <div>
        <dt>Join keys</dt>
        <dd>
          {joinKeys.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            joinKeys.map(([entity, column]) => `${entity} → ${column}`).join(', ')
          )}
        </dd>
      </div>
      <div>
        <dt>Passthrough</dt>
        <dd>{job.passthrough.length === 0 ? <span className="muted">none</span> : job.passthrough.join(', ')}</dd>
      </div>
      <div>
        <dt>Published</dt>
        <dd>{job.publish ? 'to the prediction log' : 'no'}</dd>
      </div>
      <div>
        <dt>Created</dt>
        <dd>{formatTime(job.createdAt)}</dd>
      </div>
      <div>
        <dt>{job.finishedAt ? 'Took' : 'Running for'}</dt>
        <dd>{elapsed === null ? '—' : formatDuration(elapsed)}</dd>
      </div>
    </dl>
  );
}

/** Why a failed job failed. */
export function BatchError({ job }: { job: BatchJobResponse }) {
  if (job.status !== 'failed' || !job.error) return null;
  return (
    <div className="notice notice-error" role="alert" data-testid="batch-error">
      <div className="notice-body">
        <strong>Batch job failed</strong>
        <span>{job.error}</span>
      </div>
    </div>
  );
}

/** The job just created from the form, followed live, with a way to its own page. */
export function BatchJobCard({ jobId, onFinished }: { jobId: string; onFinished?: () => void }) {
  const job = useBatchJob(jobId);
  const status = job.data?.status;
  const finished = status ? isFinished(status) : false;

  // Tell the page once when the job ends, so the jobs list catches up at once.
  useJobFinished(jobId, finished, onFinished);

  return (
    <section className="card" data-testid="batch-job" data-job-id={jobId}>
      <div className="card-head">
        <h2 className="card-title">
          Job <code title={jobId}>{shortId(jobId)}</code>
          {job.data ? <span className="muted"> · {jobModelLabel(job.data)}</span> : null}
        </h2>
        <div className="badges">{status ? <StatusBadge status={status} testId="job-status" /> : null}</div>
      </div>
      {job.error ? <ErrorNotice error={job.error} onRetry={job.reload} compact /> : null}
      {job.data ? (
        <div className="stack">
          <BatchProgress job={job.data} />
          <BatchError job={job.data} />
          <div className="form-actions">
            <Link className="button button-primary" href={`/batch/${encodeURIComponent(jobId)}`} data-testid="batch-job-link">
              Open the job
            </Link>
          </div>
        </div>
      ) : job.loading ? (
        <Loading what="Loading job" />
      ) : null}
    </section>
  );
}
