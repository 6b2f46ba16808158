'use client';

import Link from 'next/link';

import { isFeatureMetric, type ModelWindowStats, type ServingTask } from '@atelier/contracts';

import { ErrorNotice } from '../../components/error-notice';
import { Loading } from '../../components/states';
import { api } from '../../lib/api';
import { formatCount, formatMetric } from '../../lib/format';
import { useApi } from '../../lib/use-api';
import { MonitorHistory } from '../monitors/monitor-history';
import { LiveQualityHistory, QUALITY_FIGURES } from './live-quality-history';

const REFRESH_MS = 30_000;

/** The live figures: the window's quality figures, AUC (binary classifiers) after accuracy. */
const LIVE_FIGURES: Array<{ label: string; tasks: ServingTask[]; pick: (s: ModelWindowStats) => number | null }> = [
  QUALITY_FIGURES[0]!,
  { label: 'AUC', tasks: ['binary_classification'], pick: (s) => s.auc },
  ...QUALITY_FIGURES.slice(1),
];

/**
 * A model's live quality, of all its versions or of the one chosen: the window's figures from its
 * predictions and the outcomes joined to them, the figures hour by hour over the last day with
 * the thresholds of the monitors on them, then each enabled monitor's stored windows.
 */
export function ModelQuality({
  model,
  version,
  task,
  windowSeconds,
  windowLabel,
}: {
  model: string;
  version?: number;
  /** the model's task (of the version chosen, or the newest), when known: which figures to chart */
  task?: ServingTask;
  windowSeconds: number;
  windowLabel: string;
}) {
  const stats = useApi(() => api.modelStats(model, windowSeconds, version), [model, windowSeconds, version], { refreshMs: REFRESH_MS });
  const monitors = useApi(() => api.listMonitors(), [model]);
  const watching = (monitors.data ?? [])
    .filter((m) => m.model === model && m.enabled && !isFeatureMetric(m.metric))
    .sort((a, b) => a.name.localeCompare(b.name));
  const figures = stats.data
    ? LIVE_FIGURES.filter((f) => task === undefined || f.tasks.includes(task)).flatMap((f) =>
        f.pick(stats.data!) === null ? [] : [{ label: f.label, value: f.pick(stats.data!) }],
      )
    : [];

  return (
    <section className="card stack" data-testid="model-quality">
      <h2 className="card-title">
        Live quality · {version === undefined ? 'all versions' : `v${version}`} · {windowLabel}
      </h2>
      {stats.error ? <ErrorNotice error={stats.error} onRetry={stats.reload} compact /> : null}
      {stats.data ? (
        <div className="metrics" data-testid="live-stats" data-version={version ?? ''}>
          <Figure label="predictions" value={formatCount(stats.data.predictions)} />
          <Figure label="outcomes" value={formatCount(stats.data.outcomes)} />
          {figures.map((f) => (
            <Figure key={f.label} label={f.label} value={formatMetric(f.value)} />
          ))}
        </div>
      ) : stats.loading ? (
        <Loading what="Reading the live window" />
      ) : null}
      {monitors.error ? <ErrorNotice error={monitors.error} onRetry={monitors.reload} compact /> : null}
      <LiveQualityHistory model={model} version={version} task={task} monitors={watching} />
      {monitors.data === undefined ? null : watching.length === 0 ? (
        <p className="muted" data-testid="quality-none">
          No enabled monitor watches this model&apos;s quality yet: <Link href="/monitors">create one</Link> to follow it over time.
        </p>
      ) : (
        <div className="report-grid quality-grid">
          {watching.map((monitor) => (
            <MonitorHistory key={monitor.id} monitor={monitor} testId="quality-history" />
          ))}
        </div>
      )}
      <p className="muted small">
        Figures over the window from predictions and the outcomes joined to them; charts: each monitor&apos;s stored windows, its threshold
        dashed.
      </p>
    </section>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div className="metric">
      <span className="metric-name">{label}</span>
      <span className="metric-value mono">{value}</span>
    </div>
  );
}
