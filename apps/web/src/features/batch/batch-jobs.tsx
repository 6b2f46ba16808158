'use client';

import Link from 'next/link';

import type { BatchJobResponse } from '@atelier/contracts';

import { StatusBadge } from '../../components/badge';
import { EmptyState, ListCard } from '../../components/states';
import { formatCount, formatTime, shortId } from '../../lib/format';
import type { ApiState } from '../../lib/use-api';
import { jobModelLabel, sourceLabel } from './batch-request';

/** Batch jobs, newest first (as the API lists them), each linking to its page. */
export function BatchJobs({ state, selected }: { state: ApiState<BatchJobResponse[]>; selected?: string }) {
  const jobs = state.data ?? [];
  return (
    <ListCard
      title="Batch jobs"
      state={state}
      count={jobs.length}
      loadingWhat="Loading batch jobs"
      empty={<EmptyState title="No batch jobs yet" />}
    >
      <table className="table" data-testid="batch-jobs-table">
        <thead>
          <tr>
            <th>Job</th>
            <th>Status</th>
            <th>Model</th>
            <th>Source, window (UTC)</th>
            <th className="num">Shards</th>
            <th className="num">Rows scored</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr
              key={job.id}
              data-testid="batch-job-row"
              data-job-id={job.id}
              data-status={job.status}
              className={job.id === selected ? 'row-highlight' : undefined}
            >
              <td>
                <Link href={`/batch/${encodeURIComponent(job.id)}`} title={job.id}>
                  <code>{shortId(job.id)}</code>
                </Link>
              </td>
              <td>
                <StatusBadge status={job.status} />
              </td>
              <td>{jobModelLabel(job)}</td>
              <td className="nowrap mono">{sourceLabel(job.source)}</td>
              <td className="num mono">
                {formatCount(job.shards.done)} / {formatCount(job.shards.total)}
              </td>
              <td className="num mono">
                {formatCount(job.rows.scored)} / {formatCount(job.rows.total)}
              </td>
              <td className="nowrap muted">{formatTime(job.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ListCard>
  );
}
