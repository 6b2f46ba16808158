'use client';

import { type ReactNode, useState } from 'react';

import { type SearchTrialResult, taskOf, type TrainingJobResponse } from '@atelier/contracts';

import { Badge, type Tone } from '../../components/badge';
import { LineChart, type Series } from '../../components/line-chart';
import { formatMetric, formatStat } from '../../lib/format';
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
 * A hyper-parameter search's trials as they arrive: a table sortable by any column and the score
 * of each trial, the winner (the trial the job registers) marked in both.
 */
export function SearchTrials({ job }: { job: TrainingJobResponse }) {
  const task = taskOf(job.request);
  const score = SEARCH_SCORES[task];
  const [sort, setSort] = useState<TrialSort>({ column: 'id', descending: false });
  const params = searchedParams(job);
  const winner = searchWinner(job.trials, score.direction);
  const halving = job.request.search?.strategy === 'successive_halving' || job.trials.some((t) => t.resource !== undefined);
  const winnerLabel = job.status === 'succeeded' ? 'winner' : 'best so far';

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
          Search: {job.trials.length} trials · {describeScore(task)}
        </h3>
        {job.trials.length === 0 ? (
          <p className="muted small">No trial has finished yet.</p>
        ) : (
          <table className="table table-compact" data-testid="trials-table">
            <thead>
              <tr>
                {header('id', 'trial')}
                {params.map((name) => header(`param:${name}`, <code>{name}</code>))}
                {header('score', score.metric)}
                {halving ? header('rung', 'rung · budget') : null}
                {header('seconds', 'seconds')}
                {header('status', 'status', false)}
              </tr>
            </thead>
            <tbody>
              {sortTrials(job.trials, sort).map((trial) => (
                <TrialRow
                  key={trial.id}
                  trial={trial}
                  params={params}
                  halving={halving}
                  winner={trial.id === winner?.id ? winnerLabel : undefined}
                />
              ))}
            </tbody>
          </table>
        )}
      </div>
      <LineChart
        title={`Validation ${score.label} by trial`}
        series={scoreSeries(job.trials, winner, winnerLabel)}
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

function TrialRow({ trial, params, halving, winner }: { trial: SearchTrialResult; params: string[]; halving: boolean; winner?: string }) {
  return (
    <tr
      className={winner ? 'row-highlight' : trial.status === 'ok' ? undefined : 'row-muted'}
      data-testid="trial-row"
      data-trial-id={trial.id}
      data-score={trial.score ?? ''}
      data-winner={winner ? 'true' : undefined}
    >
      <td className="num mono">
        {winner ? (
          <Badge tone="accent" testId="trial-winner">
            {winner}
          </Badge>
        ) : null}{' '}
        {trial.id}
      </td>
      {params.map((name) => (
        <td key={name} className="num mono">
          {formatParam(trial.params[name])}
        </td>
      ))}
      <td className="num mono" data-testid="trial-score">
        {formatMetric(trial.score)}
      </td>
      {halving ? (
        <td className="num mono">
          {trial.rung === undefined && trial.resource === undefined ? '—' : `${trial.rung ?? 0} · ${trial.resource ?? '—'}`}
        </td>
      ) : null}
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

/** Dots of the scored trials by trial number: the finished ones, the pruned ones, the winner on top. */
function scoreSeries(trials: readonly SearchTrialResult[], winner: SearchTrialResult | undefined, winnerLabel: string): Series[] {
  const point = (t: SearchTrialResult) => ({ x: t.id, y: t.score ?? NaN });
  const others = trials.filter((t) => t.id !== winner?.id);
  const series: Series[] = [
    { label: 'trial', points: others.filter((t) => t.status === 'ok').map(point), mark: 'dots', tone: 'a' },
    { label: 'pruned', points: others.filter((t) => t.status === 'pruned').map(point), mark: 'dots', tone: 'c' },
  ];
  if (winner) series.push({ label: winnerLabel, points: [point(winner)], mark: 'dots', tone: 'b' });
  return series;
}
