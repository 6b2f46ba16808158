'use client';

import { type ReactNode, useState } from 'react';

import { type SearchTrialResult, taskOf, type TrainingJobResponse } from '@atelier/contracts';

import { Badge, type Tone } from '../../components/badge';
import { LineChart } from '../../components/line-chart';
import { formatMetric, formatStat } from '../../lib/format';
import { autoMlOutcome, autoMlTypes, formatParams, scoreSeries, type TrialColumns, trialColumns } from './leaderboard';
import {
  describeScore,
  nextSort,
  SEARCH_SCORES,
  searchedParams,
  searchWinner,
  sortTrials,
  type TrialColumn,
  type TrialSort,
} from './search-trials';

const STATUS_TONES: Record<SearchTrialResult['status'], Tone> = { ok: 'success', pruned: 'neutral', failed: 'danger' };

/**
 * A hyper-parameter search's trials as they arrive, or AutoML's leaderboard (each candidate's model
 * type, parameters and validation metrics): a table sortable by any column and the score of each
 * trial, the winner (the trial the job registers) marked in both.
 */
export function SearchTrials({ job }: { job: TrainingJobResponse }) {
  const task = taskOf(job.request);
  const score = SEARCH_SCORES[task];
  const [sort, setSort] = useState<TrialSort>({ column: 'id', descending: false });
  const columns = trialColumns(job, searchedParams(job));
  const winner = searchWinner(job.trials, score.direction);
  const winnerLabel = job.status === 'succeeded' ? 'winner' : 'best so far';
  const outcome = columns.autoMl ? autoMlOutcome(job, winner) : undefined;

  const header = (column: TrialColumn, label: ReactNode, numeric = true) => (
    <SortHeader
      key={column}
      column={column}
      label={label}
      numeric={numeric}
      sort={sort}
      onSort={() => setSort((s) => nextSort(s, column, score.direction))}
    />
  );

  return (
    <div className="stack" data-testid="search-trials">
      <div className="table-wrap">
        <h3 className="section-title">
          {columns.autoMl ? 'AutoML leaderboard' : 'Search'}: {job.trials.length} trials · {describeScore(task)}
        </h3>
        {outcome ? (
          <p className="automl-outcome" data-testid="automl-outcome" data-model-type={winner?.modelType}>
            {outcome}
          </p>
        ) : null}
        {job.trials.length === 0 ? (
          <p className="muted small">No trial has finished yet.</p>
        ) : (
          <table className="table table-compact" data-testid="trials-table">
            <thead>
              <tr>
                {header('id', 'trial')}
                {columns.autoMl ? header('modelType', 'model type', false) : null}
                {columns.autoMl ? <th>parameters</th> : null}
                {columns.params.map((name) => header(`param:${name}`, <code>{name}</code>))}
                {header('score', score.metric)}
                {columns.metrics.map((name) => header(`metric:${name}`, name))}
                {columns.halving ? header('rung', columns.autoMl ? 'rung' : 'rung · budget') : null}
                {header('seconds', 'seconds')}
                {header('status', 'status', false)}
              </tr>
            </thead>
            <tbody>
              {sortTrials(job.trials, sort).map((trial) => (
                <TrialRow key={trial.id} trial={trial} columns={columns} winner={trial.id === winner?.id ? winnerLabel : undefined} />
              ))}
            </tbody>
          </table>
        )}
      </div>
      <LineChart
        title={`Validation ${score.label} by trial`}
        series={scoreSeries(job.trials, winner, winnerLabel, columns.autoMl ? autoMlTypes(job.request) : undefined)}
        xLabel="trial"
        yLabel={score.metric}
        height={110}
        testId="trials-chart"
      />
    </div>
  );
}

function SortHeader({
  column,
  label,
  numeric,
  sort,
  onSort,
}: {
  column: TrialColumn;
  label: ReactNode;
  numeric: boolean;
  sort: TrialSort;
  onSort: () => void;
}) {
  const sorted = sort.column === column;
  return (
    <th className={numeric ? 'num' : undefined} aria-sort={sorted ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="link-button" onClick={onSort} data-testid={`trials-sort-${column.replace(':', '-')}`}>
        {label}
        {sorted ? (sort.descending ? ' ↓' : ' ↑') : ''}
      </button>
    </th>
  );
}

function TrialRow({ trial, columns, winner }: { trial: SearchTrialResult; columns: TrialColumns; winner?: string }) {
  return (
    <tr
      className={winner ? 'row-highlight' : trial.status === 'ok' ? undefined : 'row-muted'}
      data-testid="trial-row"
      data-trial-id={trial.id}
      data-score={trial.score ?? ''}
      data-winner={winner ? 'true' : undefined}
      data-model-type={trial.modelType}
    >
      <td className="num mono">
        {winner ? (
          <Badge tone="accent" testId="trial-winner">
            {winner}
          </Badge>
        ) : null}{' '}
        {trial.id}
      </td>
      {columns.autoMl ? (
        <>
          <td data-testid="trial-model-type">
            <code>{trial.modelType ?? '—'}</code>
          </td>
          <td className="mono small trial-params">{formatParams(trial.params)}</td>
        </>
      ) : null}
      {columns.params.map((name) => (
        <td key={name} className="num mono">
          {formatParam(trial.params[name])}
        </td>
      ))}
      <td className="num mono" data-testid="trial-score">
        {formatMetric(trial.score)}
      </td>
      {columns.metrics.map((name) => (
        <td key={name} className="num mono" data-testid="trial-metric" data-metric={name}>
          {formatMetric(trial.metrics?.[name])}
        </td>
      ))}
      {columns.halving ? <td className="num mono">{rungCell(trial, columns.autoMl)}</td> : null}
      <td className="num mono">{formatStat(trial.seconds)}</td>
      <td title={trial.error}>
        <Badge tone={STATUS_TONES[trial.status]}>{trial.status}</Badge>
        {trial.error ? <div className="muted small">{trial.error}</div> : null}
      </td>
    </tr>
  );
}

function formatParam(value: SearchTrialResult['params'][string] | undefined): string {
  return typeof value === 'number' ? formatStat(value) : value === undefined ? '—' : String(value);
}

/** A search's rung and budget; AutoML's budget is in its parameters (rounds, epochs or iterations), so the rung alone. */
function rungCell(trial: SearchTrialResult, autoMl: boolean): string {
  if (trial.rung === undefined && trial.resource === undefined) return '—';
  return autoMl ? String(trial.rung ?? 0) : `${trial.rung ?? 0} · ${trial.resource ?? '—'}`;
}
