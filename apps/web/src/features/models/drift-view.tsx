'use client';

import Link from 'next/link';
import { useState } from 'react';

import type { FeatureDrift, ModelVersionResponse, ServingTask } from '@atelier/contracts';

import { ConsumerLag } from '../../components/consumer-lag';
import { ErrorNotice } from '../../components/error-notice';
import { LineChart, type Series } from '../../components/line-chart';
import { PageHeader } from '../../components/page-header';
import { ShareChart } from '../../components/share-chart';
import { EmptyState, Loading } from '../../components/states';
import { api } from '../../lib/api';
import { formatCount, formatShare, formatStat, formatTime } from '../../lib/format';
import { useApi } from '../../lib/use-api';
import { ModelAlerts } from '../alerts/model-alerts';
import { OPERATOR_SYMBOLS } from '../monitors/operators';
import { ModelQuality } from './model-quality';
import { VersionOptions } from './version-options';

const WINDOWS = [
  { seconds: 3600, label: 'last hour' },
  { seconds: 6 * 3600, label: 'last 6 hours' },
  { seconds: 24 * 3600, label: 'last day' },
  { seconds: 7 * 24 * 3600, label: 'last 7 days' },
] as const;

/** Common reading of PSI: below 0.1 stable, up to 0.25 drifting, beyond shifted. */
/** The task of the version chosen, or of the newest one; undefined until the versions are read. */
function taskOf(versions: ModelVersionResponse[] | undefined, version: number | undefined): ServingTask | undefined {
  const newest = [...(versions ?? [])].sort((a, b) => b.version - a.version)[0];
  return (version === undefined ? newest : versions?.find((v) => v.version === version))?.signature.task;
}

function psiLevel(psi: number | null): 'ok' | 'warn' | 'bad' | null {
  if (psi === null) return null;
  return psi < 0.1 ? 'ok' : psi < 0.25 ? 'warn' : 'bad';
}

/**
 * A model's monitoring dashboard, for the newest version serving or one chosen: live quality over
 * the window and hour by hour (all versions, or the chosen one) and each quality monitor over time
 * (thresholds drawn); each input against the
 * version's training baseline (the statistics side by side, most drifted first; for the chosen
 * input the baseline's and the live histograms, and its drift hour by hour with the monitors'
 * thresholds); the model's alerts on a timeline, to acknowledge and resolve; the lag of the
 * stream monitoring reads.
 */
export function DriftView({ name }: { name: string }) {
  const [windowSeconds, setWindowSeconds] = useState<number>(WINDOWS[0].seconds);
  const [version, setVersion] = useState<number | undefined>();
  const versions = useApi(() => api.listVersions(name), [name]);
  const state = useApi(() => api.featureDrift(name, { windowSeconds, version }), [name, windowSeconds, version]);
  const [open, setOpen] = useState<string | null>(null);
  const drift = state.data;
  const features = [...(drift?.features ?? [])].sort((a, b) => (b.psi ?? -1) - (a.psi ?? -1));
  const shown = features.find((f) => f.name === open) ?? features[0];

  return (
    <>
      <p className="breadcrumb">
        <Link href="/models">Models</Link> / <Link href={`/models/${encodeURIComponent(name)}`}>{name}</Link> / <span>Monitoring</span>
      </p>
      <PageHeader
        title={`Monitoring of ${name}`}
        description="Live quality, each input's live values against the training data of the version that served them, alerts and the stream behind them. Monitors can watch any of these (metrics feature_* for inputs)."
        actions={
          <>
            <label className="field field-inline">
              <span>Version</span>
              <select
                value={version ?? ''}
                onChange={(e) => setVersion(e.target.value === '' ? undefined : Number(e.target.value))}
                name="version"
                data-testid="drift-version"
              >
                <option value="">newest with predictions</option>
                <VersionOptions versions={[...(versions.data ?? [])].sort((a, b) => b.version - a.version)} />
              </select>
            </label>
            <label className="field field-inline">
              <span>Window</span>
              <select
                value={windowSeconds}
                onChange={(e) => setWindowSeconds(Number(e.target.value))}
                name="window"
                data-testid="drift-window"
              >
                {WINDOWS.map((w) => (
                  <option key={w.seconds} value={w.seconds}>
                    {w.label}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" className="button" onClick={state.reload} disabled={state.loading}>
              Refresh
            </button>
          </>
        }
      />
      {state.error ? <ErrorNotice error={state.error} onRetry={state.reload} /> : null}
      <ModelQuality
        model={name}
        version={version}
        task={taskOf(versions.data, version)}
        windowSeconds={windowSeconds}
        windowLabel={WINDOWS.find((w) => w.seconds === windowSeconds)!.label}
      />
      {drift === undefined ? (
        state.loading ? (
          <Loading what="Computing drift" />
        ) : null
      ) : (
        <>
          <p className="muted" data-testid="drift-summary">
            {drift.version === null
              ? `No predictions${version === undefined ? '' : ` of v${version}`} in this window.`
              : `Version ${drift.version}: ${formatCount(drift.predictions)} predictions from ${formatTime(drift.windowStart)} to ${formatTime(drift.windowEnd)}.`}
          </p>
          {features.length === 0 ? (
            <EmptyState title="No baseline">
              This version was registered without a training baseline (e.g. uploaded), so there is nothing to compare with.
            </EmptyState>
          ) : (
            <div className="table-wrap card">
              <table className="table" data-testid="drift-table">
                <thead>
                  <tr>
                    <th>Input</th>
                    <th>kind</th>
                    <th className="num">values</th>
                    <th className="num">missing (live / training)</th>
                    <th className="num">PSI</th>
                    <th className="num">Jensen–Shannon</th>
                    <th className="num">KS</th>
                    <th className="num">Wasserstein</th>
                    <th className="num">χ² p-value</th>
                  </tr>
                </thead>
                <tbody>
                  {features.map((f) => (
                    <tr key={f.name} className={f.name === shown?.name ? 'selected' : undefined} data-testid="drift-row">
                      <td>
                        <button type="button" className="link-button mono" onClick={() => setOpen(f.name)}>
                          {f.name}
                        </button>
                      </td>
                      <td>{f.kind}</td>
                      <td className="num mono">{formatCount(f.samples)}</td>
                      <td className="num mono">
                        {rate(f.missingRate)} / {rate(f.baselineMissingRate)}
                      </td>
                      <td className="num mono">
                        <span className="status-dot" data-level={psiLevel(f.psi) ?? 'none'}>
                          {formatStat(f.psi)}
                        </span>
                      </td>
                      <td className="num mono">{formatStat(f.js)}</td>
                      <td className="num mono">{formatStat(f.ks)}</td>
                      <td className="num mono">{formatStat(f.wasserstein)}</td>
                      <td className="num mono">{formatStat(f.chiSquarePValue)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {shown ? <Shares feature={shown} /> : null}
          {shown ? <History key={shown.name} model={name} feature={shown} /> : null}
        </>
      )}
      <ModelAlerts model={name} />
      <ConsumerLag title="Prediction and outcome stream" load={() => api.monitoringLag()} testId="monitoring-lag" />
    </>
  );
}

function rate(value: number | null): string {
  return value === null ? '—' : formatShare(value, 1);
}

/** The baseline's and the live shares per bin (or category), as paired histogram columns; the numbers behind them in a table. */
function Shares({ feature }: { feature: FeatureDrift }) {
  const unit = feature.kind === 'numeric' ? 'bin' : 'category';
  return (
    <section className="card" data-testid="drift-shares">
      <h2 className="card-title">
        <span className="mono">{feature.name}</span>: training vs live, share per {unit}
      </h2>
      <ShareChart bins={feature.bins} binLabel={unit} testId="drift-shares-chart" />
      <details className="drift-shares-table">
        <summary className="muted small">The shares as a table</summary>
        <table className="table table-compact">
          <thead>
            <tr>
              <th>{unit}</th>
              <th className="num">training</th>
              <th className="num">live</th>
            </tr>
          </thead>
          <tbody>
            {feature.bins.map((b) => (
              <tr key={b.label}>
                <td className="mono nowrap">{b.label}</td>
                <td className="num mono">{formatShare(b.baseline, 1)}</td>
                <td className="num mono">{formatShare(b.live, 1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

/** The drift statistics a history chart can show, by the monitor metric that watches each. */
const HISTORY_METRICS = [
  { metric: 'feature_psi', label: 'PSI', pick: (d: FeatureDrift) => d.psi },
  { metric: 'feature_js', label: 'Jensen–Shannon', pick: (d: FeatureDrift) => d.js },
  { metric: 'feature_ks', label: 'KS', pick: (d: FeatureDrift) => d.ks },
  { metric: 'feature_missing_rate', label: 'missing rate', pick: (d: FeatureDrift) => d.missingRate },
] as const;

/**
 * The chosen input's drift over the last 24 hourly windows, with the threshold of each enabled
 * monitor on it (for the statistic shown) drawn as a line.
 */
function History({ model, feature }: { model: string; feature: FeatureDrift }) {
  const history = useApi(() => api.featureDriftHistory(model, feature.name, { windowSeconds: 3600, windows: 24 }), [model, feature.name]);
  const [metric, setMetric] = useState<(typeof HISTORY_METRICS)[number]['metric']>('feature_psi');
  const chosen = HISTORY_METRICS.find((m) => m.metric === metric)!;
  const points = history.data?.points ?? [];
  const hours = (iso: string) => (Date.parse(iso) - Date.parse(points.at(-1)?.windowEnd ?? iso)) / 3600_000;
  const series: Series[] = [
    {
      label: chosen.label,
      mark: 'both',
      points: points.flatMap((p) =>
        p.drift && chosen.pick(p.drift) !== null ? [{ x: hours(p.windowEnd), y: chosen.pick(p.drift)! }] : [],
      ),
    },
  ];
  const thresholds = (history.data?.monitors ?? [])
    .filter((m) => m.enabled && m.metric === metric)
    .map((m) => ({ label: `${m.name}: alert when ${OPERATOR_SYMBOLS[m.operator]} ${m.threshold}`, y: m.threshold }));
  const drawn = series[0]!.points.length;
  return (
    <section className="card" data-testid="drift-history" data-points={drawn} data-thresholds={thresholds.length}>
      <h2 className="card-title">
        <span className="mono">{feature.name}</span>: the last 24 hours, hour by hour
      </h2>
      <label className="field field-inline">
        <span>Statistic</span>
        <select
          value={metric}
          onChange={(e) => setMetric(e.target.value as typeof metric)}
          name="historyMetric"
          data-testid="drift-history-metric"
        >
          {HISTORY_METRICS.map((m) => (
            <option key={m.metric} value={m.metric}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      {history.error ? <ErrorNotice error={history.error} onRetry={history.reload} compact /> : null}
      {history.data ? (
        drawn === 0 ? (
          <p className="muted">No window of the last 24 hours has predictions with this input.</p>
        ) : (
          <LineChart
            title={`${chosen.label} per hour`}
            series={series}
            thresholds={thresholds}
            xLabel="hours before now"
            yLabel={chosen.label}
            height={200}
            testId="drift-history-chart"
          />
        )
      ) : history.loading ? (
        <Loading what="Computing the history" />
      ) : null}
      <p className="muted small">
        Each hour's most recent 10,000 predictions against the training baseline of the version that served them; dashed: a monitor's
        threshold.
      </p>
    </section>
  );
}
