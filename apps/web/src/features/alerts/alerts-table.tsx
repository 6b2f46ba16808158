'use client';

import Link from 'next/link';
import { useState } from 'react';

import type { AlertResponse } from '@atelier/contracts';

import { StatusBadge } from '../../components/badge';
import { ErrorNotice } from '../../components/error-notice';
import { api } from '../../lib/api';
import { formatMetric, formatTime } from '../../lib/format';

/** Open alerts first, then the most recently opened. */
export function byUrgency(a: AlertResponse, b: AlertResponse): number {
  if (a.status !== b.status) return a.status === 'open' ? -1 : 1;
  return b.openedAt.localeCompare(a.openedAt);
}

/**
 * Alerts as rows, in the order given: status (and who acknowledged), monitor, metric, value against
 * threshold, message, times; an open one can be acknowledged and resolved from its row.
 */
export function AlertsTable({
  alerts,
  onChanged,
  showModel = true,
}: {
  alerts: AlertResponse[];
  onChanged: () => void;
  showModel?: boolean;
}) {
  return (
    <div className="card table-wrap">
      <table className="table" data-testid="alerts-table">
        <thead>
          <tr>
            <th>Status</th>
            {showModel ? <th>Model</th> : null}
            <th>Monitor</th>
            <th>Metric</th>
            <th className="num">Value</th>
            <th className="num">Threshold</th>
            <th>Message</th>
            <th>Opened</th>
            <th>Resolved</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {alerts.map((alert) => (
            <tr
              key={alert.id}
              data-testid="alert-row"
              data-status={alert.status}
              className={alert.status === 'open' ? 'row-alert' : undefined}
            >
              <td>
                <StatusBadge status={alert.status} />
                {alert.acknowledgedAt ? (
                  <div className="muted small" data-testid="alert-acknowledged">
                    acknowledged by {alert.acknowledgedBy} {formatTime(alert.acknowledgedAt)}
                  </div>
                ) : null}
              </td>
              {showModel ? (
                <td>
                  <Link href={`/models/${encodeURIComponent(alert.model)}`}>{alert.model}</Link>
                </td>
              ) : null}
              <td>{alert.monitorName}</td>
              <td>
                <code>{alert.metric}</code>
              </td>
              <td className="num mono strong">{formatMetric(alert.value)}</td>
              <td className="num mono muted">{formatMetric(alert.threshold)}</td>
              <td className="message">{alert.message}</td>
              <td className="nowrap small">{formatTime(alert.openedAt)}</td>
              <td className="nowrap small">
                {alert.resolvedAt ? (
                  <>
                    {formatTime(alert.resolvedAt)}
                    {alert.resolvedBy ? <div className="muted small">by {alert.resolvedBy}</div> : null}
                  </>
                ) : (
                  <span className="muted">
                    last seen
                    <br />
                    {formatTime(alert.lastSeenAt)}
                  </span>
                )}
              </td>
              <td className="nowrap">{alert.status === 'open' ? <AlertActions alert={alert} onChanged={onChanged} /> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Acknowledge (once) and resolve an open alert; errors (e.g. it resolved meanwhile) shown beside. */
function AlertActions({ alert, onChanged }: { alert: AlertResponse; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      onChanged();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="actions actions-stacked">
      {alert.acknowledgedAt ? null : (
        <button
          type="button"
          className="button button-small"
          disabled={busy}
          onClick={() => void act(() => api.acknowledgeAlert(alert.id))}
          data-testid="alert-acknowledge"
        >
          Acknowledge
        </button>
      )}
      <button
        type="button"
        className="button button-small"
        disabled={busy}
        onClick={() => void act(() => api.resolveAlert(alert.id))}
        data-testid="alert-resolve"
      >
        Resolve
      </button>
      {error ? <ErrorNotice error={error} compact /> : null}
    </div>
  );
}
