'use client';

import Link from 'next/link';
import { type KeyboardEvent, useState } from 'react';

import type { MonitorEvaluation, MonitorResponse, MonitorWindowResponse, UpdateMonitorRequest } from '@atelier/contracts';

import { Badge } from '../../components/badge';
import { ErrorNotice } from '../../components/error-notice';
import { api } from '../../lib/api';
import { formatCount, formatDuration, formatMetric, formatMinute, formatTime } from '../../lib/format';
import { useApi } from '../../lib/use-api';
import { MonitorHistory } from './monitor-history';
import { OPERATOR_SYMBOLS } from './operators';

export function MonitorRow({ monitor, onChanged }: { monitor: MonitorResponse; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(String(monitor.threshold));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [evaluation, setEvaluation] = useState<MonitorEvaluation | null>(null);
  const [history, setHistory] = useState(false);
  // the newest stored window, whoever evaluated it (the background timer, a consumed batch, this page)
  // (an evaluation from the page is newer than it, and shown instead: no second request for it)
  const latest = useApi(() => api.monitorWindows(monitor.id, 1), [monitor]);
  const stored = latest.data?.[0];
  const shown = evaluation && (!stored || evaluation.windowEnd >= stored.windowEnd) ? evaluation : stored;

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
        <td className="small">
          {monitor.problem ? (
            <div title={monitor.problem} data-testid="monitor-problem">
              {/* after the badge, its first clause; the whole of it (the metrics that fit) on hover */}
              <Badge tone="warning">not judged</Badge>{' '}
              <span className="muted">{monitor.problem.split(';')[0]!.replace(/^not judged /, '')}</span>
            </div>
          ) : null}
          {shown ? <EvaluationSummary evaluation={shown} /> : monitor.problem ? null : <span className="muted">—</span>}
        </td>
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

/** A window's value, samples and verdict; the alert it opened or kept when it was evaluated from this page. */
function EvaluationSummary({ evaluation }: { evaluation: MonitorEvaluation | MonitorWindowResponse }) {
  return (
    <div data-testid="monitor-evaluation" title={`window ${formatTime(evaluation.windowStart)} – ${formatTime(evaluation.windowEnd)}`}>
      <span className="mono">{evaluation.value === null ? 'no value' : formatMetric(evaluation.value)}</span>
      <span className="muted"> · {formatCount(evaluation.samples)} samples</span>{' '}
      {evaluation.breached ? <Badge tone="danger">breached</Badge> : <Badge tone="success">ok</Badge>}
      <div className="muted nowrap">{formatMinute(evaluation.windowEnd)} UTC</div>
      {'alert' in evaluation && evaluation.alert ? (
        <div>
          <Link href="/alerts">alert {evaluation.alert.status}</Link>
        </div>
      ) : null}
    </div>
  );
}
