'use client';

import Link from 'next/link';

import { isFeatureMetric, type ModelWindowStats } from '@atelier/contracts';

import { ErrorNotice } from '../../components/error-notice';
import { Loading } from '../../components/states';
import { api } from '../../lib/api';
import { formatCount, formatMetric } from '../../lib/format';
import { useApi } from '../../lib/use-api';
import { MonitorHistory } from '../monitors/monitor-history';

const REFRESH_MS = 30_000;

/** The live figures a window can have, in the order a reader looks for them; null ones are left out. */
const LIVE_FIGURES: Array<{ label: string; pick: (s: ModelWindowStats) => number | null }> = [
  { label: 'accuracy', pick: (s) => s.accuracy },
  { label: 'AUC', pick: (s) => s.auc },
  { label: 'log loss', pick: (s) => s.logLoss },
  { label: 'precision', pick: (s) => s.precision },
  { label: 'recall', pick: (s) => s.recall },
  { label: 'RMSE', pick: (s) => s.rmse },
  { label: 'MAE', pick: (s) => s.mae },
  { label: 'MAPE', pick: (s) => s.mape },
  { label: 'positive rate', pick: (s) => s.positiveRate },
  { label: 'prediction mean', pick: (s) => s.predictionMean },
];

/**
 * A model's live quality: the window's figures from its predictions and the outcomes joined to
 * them, then each enabled monitor on a quality or traffic metric over time, its threshold drawn.
 */
export function ModelQuality({ model, windowSeconds, windowLabel }: { model: string; windowSeconds: number; windowLabel: string }) {
  const stats = useApi(() => api.modelStats(model, windowSeconds), [model, windowSeconds], { refreshMs: REFRESH_MS });
  const monitors = useApi(() => api.listMonitors(), [model]);
  const watching = (monitors.data ?? [])
    .filter((m) => m.model === model && m.enabled && !isFeatureMetric(m.metric))
    .sort((a, b) => a.name.localeCompare(b.name));
  const figures = stats.data ? LIVE_FIGURES.flatMap((f) => (f.pick(stats.data!) === null ? [] : [{ label: f.label, value: f.pick(stats.data!) }])) : [];

  return (
    <section className="card stack" data-testid="model-quality">
      <h2 className="card-title">Live quality · {windowLabel}</h2>
      {stats.error ? <ErrorNotice error={stats.error} onRetry={stats.reload} compact /> : null}
      {stats.data ? (
        <div className="metrics" data-testid="live-stats">
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
      <p className="muted small">Figures over the window from predictions and the outcomes joined to them; charts: each monitor&apos;s stored windows, its threshold dashed.</p>
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
