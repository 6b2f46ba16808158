'use client';

import Link from 'next/link';

import type { TrainingJobEvent, TrainingJobResponse } from '@atelier/contracts';

import { StatusBadge } from '../../components/badge';
import { ErrorNotice } from '../../components/error-notice';
import { ProgressBar } from '../../components/progress-bar';
import { Loading } from '../../components/states';
import { elapsedSeconds, formatDuration, formatMetric, formatTime, metricKeys, shortId } from '../../lib/format';
import { isFinished } from '../../lib/job-status';
import { useJobFinished } from '../../lib/use-job-finished';
import { useJobStream } from '../../lib/use-job-stream';
import { LossChart } from './loss-chart';
import { SearchTrials } from './trials-table';

/** One training job, as the server streams its changes until it finishes. */
export function JobPanel({
  jobId,
  onFinished,
  onClone,
}: {
  jobId: string;
  onFinished?: () => void;
  /** fills the training form with this job's request */
  onClone?: (job: TrainingJobResponse) => void;
}) {
  const job = useJobStream(jobId);
  const status = job.data?.status;
  const finished = status ? isFinished(status) : false;

  // Tell the page once when the job ends, so the recent-jobs list catches up at once.
  useJobFinished(jobId, finished, onFinished);

  return (
    <section className="card" data-testid="training-job" data-job-id={jobId}>
      <div className="card-head">
        <h2 className="card-title">
          Job <code title={jobId}>{shortId(jobId)}</code>
          {job.data ? <span className="muted"> · {job.data.modelName}</span> : null}
        </h2>
        <div className="badges">
          {job.data && onClone ? (
            <button type="button" className="button button-small" onClick={() => onClone(job.data!)} data-testid="clone-job">
              Clone into the form
            </button>
          ) : null}
          {status ? <StatusBadge status={status} testId="training-status" /> : null}
        </div>
      </div>
      {job.error ? <ErrorNotice error={job.error} onRetry={job.reload} compact /> : null}
      {job.data ? <JobDetails job={job.data} /> : job.loading ? <Loading what="Loading job" /> : null}
    </section>
  );
}

function JobDetails({ job }: { job: TrainingJobResponse }) {
  const elapsed = elapsedSeconds(job.startedAt, job.finishedAt);
  const losses = job.events.filter((e): e is TrainingJobEvent & { loss: number } => typeof e.loss === 'number');
  return (
    <div className="stack">
      <ProgressBar value={job.progress} label="training progress" testId="training-progress" />
      <dl className="facts">
        <div>
          <dt>Backend</dt>
          <dd data-testid="training-backend">{job.backend ?? <span className="muted">not chosen yet</span>}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatTime(job.createdAt)}</dd>
        </div>
        <div>
          <dt>{job.finishedAt ? 'Took' : 'Running for'}</dt>
          <dd>{elapsed === null ? '—' : formatDuration(elapsed)}</dd>
        </div>
        <div>
          <dt>Source</dt>
          <dd>
            {job.request.source.group} · {job.request.window.start.slice(0, 10)} → {job.request.window.end.slice(0, 10)}
          </dd>
        </div>
      </dl>

      {job.status === 'failed' && job.error ? (
        <div className="notice notice-error" role="alert" data-testid="training-error">
          <div className="notice-body">
            <strong>Training failed</strong>
            <span>{job.error}</span>
          </div>
        </div>
      ) : null}

      {job.status === 'succeeded' ? <JobResult job={job} /> : null}

      {job.request.search || job.request.automl ? <SearchTrials job={job} /> : null}

      {losses.length > 1 ? <LossChart points={losses.map((e, i) => ({ x: e.epoch ?? i + 1, y: e.loss }))} /> : null}

      <div>
        <h3 className="section-title">Events</h3>
        {job.events.length === 0 ? (
          <p className="muted small">No events yet.</p>
        ) : (
          <ol className="events" data-testid="training-events">
            {[...job.events].reverse().map((event, index) => (
              <li key={job.events.length - index}>
                <time className="muted mono">{event.at.slice(11, 19)}</time>
                {event.epoch !== undefined ? <span className="badge badge-neutral">step {event.epoch}</span> : null}
                {event.loss !== undefined ? <span className="mono">loss {formatMetric(event.loss)}</span> : null}
                <span>{event.message}</span>
              </li>
            ))}
          </ol>
        )}
      </div>
    </div>
  );
}

function JobResult({ job }: { job: TrainingJobResponse }) {
  const keys = metricKeys([job.metrics]);
  return (
    <div className="result" data-testid="training-result">
      <div className="metrics" data-testid="training-metrics">
        {keys.map((key) => (
          <div key={key} className="metric">
            <span className="metric-name">{key}</span>
            <span className="metric-value mono">{formatMetric(job.metrics?.[key])}</span>
          </div>
        ))}
      </div>
      {job.modelVersion !== null ? (
        <Link
          className="button button-primary"
          href={`/models/${encodeURIComponent(job.modelName)}?version=${job.modelVersion}`}
          data-testid="training-model-link"
        >
          Open {job.modelName} v{job.modelVersion}
        </Link>
      ) : null}
    </div>
  );
}
