'use client';

import { useState } from 'react';

import type { BatchJobResponse, BatchPrediction } from '@atelier/contracts';

import { ErrorNotice } from '../../components/error-notice';
import { Loading } from '../../components/states';
import { api } from '../../lib/api';
import { formatCount, formatMetric, formatTime, shortId } from '../../lib/format';
import { useApi } from '../../lib/use-api';

const PAGE_ROWS = 50;

/**
 * A job's predictions a page at a time, in shard and row order. While the job runs, the page is
 * read again whenever more rows have been scored.
 */
export function BatchPredictions({ job }: { job: BatchJobResponse }) {
  const [offset, setOffset] = useState(0);
  const page = useApi(() => api.batchPredictions(job.id, { offset, limit: PAGE_ROWS }), [job.id, offset, job.rows.scored]);
  const total = page.data?.total ?? 0;
  const rows = page.data?.predictions ?? [];

  return (
    <section className="card table-wrap">
      <div className="card-head">
        <h2 className="card-title">Predictions</h2>
        <div className="toolbar">
          <span className="muted small" data-testid="predictions-range">
            {rows.length === 0
              ? `${formatCount(total)} rows`
              : `rows ${formatCount(offset + 1)}–${formatCount(offset + rows.length)} of ${formatCount(total)}`}
          </span>
          <button
            type="button"
            className="button button-small"
            onClick={() => setOffset(Math.max(0, offset - PAGE_ROWS))}
            disabled={offset === 0}
            data-testid="predictions-previous"
          >
            Previous
          </button>
          <button
            type="button"
            className="button button-small"
            onClick={() => setOffset(offset + PAGE_ROWS)}
            disabled={offset + PAGE_ROWS >= total}
            data-testid="predictions-next"
          >
            Next
          </button>
        </div>
      </div>
      {page.error ? <ErrorNotice error={page.error} onRetry={page.reload} compact /> : null}
      {page.data === undefined ? (
        page.loading ? (
          <Loading what="Loading predictions" />
        ) : null
      ) : rows.length === 0 ? (
        <p className="muted">{job.status === 'queued' || job.status === 'running' ? 'No rows scored yet.' : 'No predictions.'}</p>
      ) : (
        <table className="table table-compact" data-testid="batch-predictions">
          <thead>
            <tr>
              <th>Prediction</th>
              <th>Event time</th>
              <th>Entities</th>
              <th className="num">Prediction</th>
              <th>Label</th>
              <th>Missing</th>
              {job.passthrough.map((column) => (
                <th key={column}>{column}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <PredictionRow key={p.predictionId} prediction={p} passthrough={job.passthrough} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function PredictionRow({ prediction: p, passthrough }: { prediction: BatchPrediction; passthrough: string[] }) {
  const entities = Object.entries(p.entities);
  return (
    <tr data-testid="batch-prediction-row" data-prediction-id={p.predictionId}>
      <td>
        <code title={p.predictionId}>{shortId(p.predictionId)}</code>
      </td>
      <td className="nowrap muted">{formatTime(p.eventTime)}</td>
      <td className="mono">{entities.length === 0 ? '—' : entities.map(([entity, key]) => `${entity}=${key}`).join(', ')}</td>
      <td className="num mono">{formatMetric(p.prediction)}</td>
      <td className="mono">{p.label === null ? '—' : String(p.label)}</td>
      <td className={p.missing.length > 0 ? 'warning-text' : 'muted'}>{p.missing.length === 0 ? '—' : p.missing.join(', ')}</td>
      {passthrough.map((column) => (
        <td key={column} className="mono" data-column={column}>
          {p.columns[column] === null || p.columns[column] === undefined ? '—' : String(p.columns[column])}
        </td>
      ))}
    </tr>
  );
}
