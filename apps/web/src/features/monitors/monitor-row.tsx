'use client';

import Link from 'next/link';
import { type KeyboardEvent, useState } from 'react';

import type { MonitorEvaluation, MonitorResponse, UpdateMonitorRequest } from '@atelier/contracts';

import { Badge } from '../../components/badge';
import { ErrorNotice } from '../../components/error-notice';
import { LineChart, type Series } from '../../components/line-chart';
import { Loading } from '../../components/states';
import { api } from '../../lib/api';
import { formatCount, formatDuration, formatMetric, formatTime } from '../../lib/format';
import { useApi } from '../../lib/use-api';
import { OPERATOR_SYMBOLS } from './operators';

export function MonitorRow({ monitor, onChanged }: { monitor: MonitorResponse; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(String(monitor.threshold));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [evaluation, setEvaluation] = useState<MonitorEvaluation | null>(null);
  const [history, setHistory] = useState(false);

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    } finally {
      setBusy(false);
    }
  };
  const update = (body: UpdateMonitorRequest) =>
    run(() => api.updateMonitor(monitor.id, body)).then((ok) => (ok ? onChanged() : undefined));

  const saveThreshold = async () => {
    const threshold = Number(draft);
    if (draft.trim() === '' || !Number.isFinite(threshold)) {
      setError(new Error('The threshold must be a number.'));
      return;
    }
    if (await run(() => api.updateMonitor(monitor.id, { threshold }))) {
      setEditing(false);
      onChanged();
    }
  };
  const onKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') void saveThreshold();
    if (event.key === 'Escape') {
      setEditing(false);
      setDraft(String(monitor.threshold));
    }
  };

  return (
    <>
      <tr data-testid="monitor-row" data-monitor-id={monitor.id} className={monitor.enabled ? undefined : 'row-muted'}>
        <td>
          <div className="strong">{monitor.name}</div>
          <div className="muted small">
            <Link href={`/models/${encodeURIComponent(monitor.model)}`}>{monitor.model}</Link>
            {monitor.webhookUrl ? <span title={monitor.webhookUrl}> · webhook</span> : null}
          </div>
        </td>
        <td className="nowrap">
          <code>{monitor.metric}</code>
          {monitor.feature ? (
            <>
              {' '}
              of <code>{monitor.feature}</code>
            </>
          ) : null}{' '}
          {OPERATOR_SYMBOLS[monitor.operator]}{' '}
          {editing ? (
            <span className="inline-edit">
              <input
                type="number"
                step="any"
                value={draft}
                autoFocus
                onChange={(e) => setDraft(e.target.value)}
                onKeyDown={onKey}
                aria-label="threshold"
                data-testid="threshold-input"
              />
              <button type="button" className="button button-small button-primary" onClick={() => void saveThreshold()} disabled={busy}>
                Save
              </button>
              <button
                type="button"
                className="button button-small"
                onClick={() => {
                  setEditing(false);
                  setDraft(String(monitor.threshold));
                }}
              >
                Cancel
              </button>
            </span>
          ) : (
            <button
              type="button"
              className="editable mono"
              title="Edit threshold"
              onClick={() => {
                setDraft(String(monitor.threshold));
                setEditing(true);
              }}
              data-testid="threshold"
            >
              {monitor.threshold} <span aria-hidden>✎</span>
            </button>
          )}
        </td>
        <td className="nowrap">{formatDuration(monitor.windowSeconds)}</td>
        <td className="num">{formatCount(monitor.minSamples)}</td>
        <td>
          <label className="switch">
            <input type="checkbox" checked={monitor.enabled} disabled={busy} onChange={(e) => void update({ enabled: e.target.checked })} />
            <span>{monitor.enabled ? 'on' : 'off'}</span>
          </label>
        </td>
        <td className="small">{evaluation ? <EvaluationSummary evaluation={evaluation} /> : <span className="muted">—</span>}</td>
        <td className="actions">
          <button
            type="button"
            className="button button-small"
            disabled={busy}
            onClick={() => void run(async () => setEvaluation(await api.evaluateMonitor(monitor.id)))}
            data-testid="evaluate-monitor"
          >
            {busy ? '…' : 'Evaluate now'}
          </button>
          <button
            type="button"
            className="button button-small"
            onClick={() => setHistory((open) => !open)}
            aria-expanded={history}
            data-testid="monitor-history-toggle"
          >
            History
          </button>
        </td>
      </tr>
      {history ? (
        <tr className="row-detail">
          <td colSpan={7}>
            <MonitorHistory monitor={monitor} refreshKey={evaluation} />
          </td>
        </tr>
      ) : null}
      {error ? (
        <tr className="row-error">
          <td colSpan={7}>
            <ErrorNotice error={error} compact />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function EvaluationSummary({ evaluation }: { evaluation: MonitorEvaluation }) {
  return (
    <div data-testid="monitor-evaluation">
      <span className="mono">{evaluation.value === null ? 'no value' : formatMetric(evaluation.value)}</span>
      <span className="muted"> · {formatCount(evaluation.samples)} samples</span>{' '}
      {evaluation.breached ? <Badge tone="danger">breached</Badge> : <Badge tone="success">ok</Badge>}
      {evaluation.alert ? (
        <div>
          <Link href="/alerts">alert {evaluation.alert.status}</Link>
        </div>
      ) : null}
    </div>
  );
}

/**
 * The monitor's stored windows over time: the metric's value, the threshold as a line, and the
 * windows that breached it as dots (the newest 200 windows).
 */
function MonitorHistory({ monitor, refreshKey }: { monitor: MonitorResponse; refreshKey: unknown }) {
  const windows = useApi(() => api.monitorWindows(monitor.id, HISTORY_WINDOWS), [monitor.id, refreshKey]);
  if (windows.error) return <ErrorNotice error={windows.error} onRetry={windows.reload} compact />;
  if (!windows.data) return <Loading what="Loading the windows" />;
  const valued = windows.data.filter((w) => w.value !== null).map((w) => ({ x: Date.parse(w.windowEnd), y: w.value!, breached: w.breached }));
  if (valued.length === 0) {
    return (
      <p className="muted" data-testid="monitor-history">
        No window with a value yet ({formatCount(windows.data.length)} evaluated).
      </p>
    );
  }
  const xs = valued.map((p) => p.x);
  const [first, last] = [Math.min(...xs), Math.max(...xs)];
  const series: Series[] = [
    { label: monitor.metric, points: valued, mark: 'both' },
    { label: 'threshold', points: [{ x: first, y: monitor.threshold }, { x: last === first ? first + 1 : last, y: monitor.threshold }], tone: 'b' },
  ];
  const breached = valued.filter((p) => p.breached);
  if (breached.length > 0) series.push({ label: 'breached', points: breached, mark: 'dots', tone: 'b' });
  return (
    <div data-testid="monitor-history" data-windows={valued.length} data-breached={breached.length}>
      <LineChart
        title={`${monitor.metric}${monitor.feature ? ` of ${monitor.feature}` : ''}: ${formatCount(valued.length)} windows, ${formatTime(new Date(first).toISOString())} – ${formatTime(new Date(last).toISOString())}`}
        series={series}
        xLabel="window end"
        yLabel={monitor.metric}
        height={180}
      />
    </div>
  );
}

const HISTORY_WINDOWS = 200;
