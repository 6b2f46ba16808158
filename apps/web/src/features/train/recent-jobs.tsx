'use client';

import Link from 'next/link';

import type { TrainingJobResponse } from '@atelier/contracts';

import { StatusBadge } from '../../components/badge';
import { ProgressBar } from '../../components/progress-bar';
import { EmptyState, ListCard } from '../../components/states';
import { formatMetric, formatTime, shortId } from '../../lib/format';
import type { ApiState } from '../../lib/use-api';

const SHOWN = 25;

export function RecentJobs({
  state,
  selected,
  onWatch,
}: {
  state: ApiState<TrainingJobResponse[]>;
  selected?: string;
  onWatch: (id: string) => void;
}) {
  const jobs = [...(state.data ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, SHOWN);
  return (
    <ListCard
      title="Recent jobs"
      state={state}
      count={jobs.length}
      loadingWhat="Loading jobs"
      empty={<EmptyState title="No training jobs yet" />}
    >
      <table className="table" data-testid="training-jobs-table">
        <thead>
          <tr>
            <th>Job</th>
            <th>Model</th>
            <th>Status</th>
            <th>Progress</th>
            <th className="num">AUC</th>
            <th>Created</th>
            <th>Version</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr
              key={job.id}
              data-testid="training-job-row"
              data-job-id={job.id}
              className={job.id === selected ? 'row-highlight' : undefined}
            >
              <td>
                <code title={job.id}>{shortId(job.id)}</code>
              </td>
              <td>{job.modelName}</td>
              <td>
                <StatusBadge status={job.status} />
              </td>
              <td className="progress-cell">
                <ProgressBar value={job.progress} />
              </td>
              <td className="num mono">{formatMetric(job.metrics?.auc)}</td>
              <td className="nowrap muted">{formatTime(job.createdAt)}</td>
              <td>
                {job.modelVersion !== null ? (
                  <Link href={`/models/${encodeURIComponent(job.modelName)}?version=${job.modelVersion}`}>v{job.modelVersion}</Link>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td className="actions">
                <button type="button" className="button button-small" onClick={() => onWatch(job.id)} disabled={job.id === selected}>
                  {job.id === selected ? 'Watching' : 'Watch'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ListCard>
  );
}
