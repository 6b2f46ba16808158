'use client';

import { useState } from 'react';

import type { PartitionEvaluation } from '@atelier/contracts';

import { formatCount, formatMetric } from '../../lib/format';

type SortKey = 'value' | 'trainRows' | 'metric' | 'global' | 'gain';

/** Metrics where smaller is better: their gain over the global model is global − own. */
const LOWER_IS_BETTER = new Set(['log_loss', 'rmse', 'mae']);

/**
 * A partitioned model's report: each partition's own model against the global model on the
 * partition's validation rows, sortable by any column, with the global model's row (the
 * fallback for every other value) first.
 */
export function PartitionsTable({ partitions, column }: { partitions: PartitionEvaluation[]; column: string | null }) {
  const metric = Object.keys(partitions[0]?.metrics ?? {})[0] ?? null;
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'trainRows', descending: true });
  if (!metric) return null;
  const [global, ...own] = partitions;
  const gain = (p: PartitionEvaluation) => {
    const a = p.metrics[metric];
    const b = p.globalMetrics[metric];
    if (a === undefined || b === undefined) return null;
    return LOWER_IS_BETTER.has(metric) ? b - a : a - b;
  };
  const keyOf = (p: PartitionEvaluation): string | number => {
    switch (sort.key) {
      case 'value':
        return p.value ?? '';
      case 'trainRows':
        return p.trainRows;
      case 'metric':
        return p.metrics[metric] ?? -Infinity;
      case 'global':
        return p.globalMetrics[metric] ?? -Infinity;
      case 'gain':
        return gain(p) ?? -Infinity;
    }
  };
  const sorted = [...own].sort((a, b) => {
    const [x, y] = [keyOf(a), keyOf(b)];
    const order = x < y ? -1 : x > y ? 1 : 0;
    return sort.descending ? -order : order;
  });
  const header = (key: SortKey, label: string, numeric = true) => (
    <th className={numeric ? 'num' : undefined} aria-sort={sort.key === key ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
      <button
        type="button"
        className="link-button"
        onClick={() => setSort((s) => ({ key, descending: s.key === key ? !s.descending : true }))}
        data-testid={`partitions-sort-${key}`}
      >
        {label}
        {sort.key === key ? (sort.descending ? ' ↓' : ' ↑') : ''}
      </button>
    </th>
  );
  return (
    <div className="table-wrap" data-testid="report-partitions">
      <h3 className="section-title">
        Partitions
        {column ? (
          <>
            {' '}
            by <code>{column}</code>
          </>
        ) : null}
        : each partition&apos;s model against the global one, validation {metric}
      </h3>
      <table className="table table-compact">
        <thead>
          <tr>
            {header('value', 'partition', false)}
            {header('trainRows', 'training rows')}
            <th className="num">validation rows</th>
            {header('metric', `own ${metric}`)}
            {header('global', `global ${metric}`)}
            {header('gain', 'gain')}
          </tr>
        </thead>
        <tbody>
          {global ? (
            <tr data-testid="partition-row" data-value="">
              <td>global (fallback)</td>
              <td className="num mono">{formatCount(global.trainRows)}</td>
              <td className="num mono">{formatCount(global.validationRows)}</td>
              <td className="num mono">{formatMetric(global.metrics[metric])}</td>
              <td className="num mono">{formatMetric(global.globalMetrics[metric])}</td>
              <td className="num mono">—</td>
            </tr>
          ) : null}
          {sorted.map((p) => (
            <tr key={p.value} data-testid="partition-row" data-value={p.value ?? ''}>
              <td className="mono">{p.value}</td>
              <td className="num mono">{formatCount(p.trainRows)}</td>
              <td className="num mono">{formatCount(p.validationRows)}</td>
              <td className="num mono">{formatMetric(p.metrics[metric])}</td>
              <td className="num mono">{formatMetric(p.globalMetrics[metric])}</td>
              <td className="num mono">{formatMetric(gain(p))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
