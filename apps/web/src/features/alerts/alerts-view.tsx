'use client';

import Link from 'next/link';
import { useState } from 'react';

import type { AlertResponse, AlertStatus } from '@atelier/contracts';

import { StatusBadge } from '../../components/badge';
import { ErrorNotice } from '../../components/error-notice';
import { PageHeader } from '../../components/page-header';
import { EmptyState, Loading, UpdatedAt } from '../../components/states';
import { api } from '../../lib/api';
import { formatMetric, formatTime } from '../../lib/format';
import { useApi } from '../../lib/use-api';
import { AlertTimeline } from './alert-timeline';

type Filter = AlertStatus | 'all';
const FILTERS: Array<{ value: Filter; label: string }> = [
  { value: 'all', label: 'All' },
  { value: 'open', label: 'Open' },
  { value: 'resolved', label: 'Resolved' },
];
const REFRESH_SECONDS = 5;

/** Open alerts first, then the most recently opened. */
function byUrgency(a: AlertResponse, b: AlertResponse): number {
  if (a.status !== b.status) return a.status === 'open' ? -1 : 1;
  return b.openedAt.localeCompare(a.openedAt);
}

export function AlertsView() {
  const [filter, setFilter] = useState<Filter>('all');
  const alerts = useApi(() => api.listAlerts(filter === 'all' ? undefined : filter), [filter], { refreshMs: REFRESH_SECONDS * 1000 });
  const rows = [...(alerts.data ?? [])].sort(byUrgency);
  const openCount = rows.filter((a) => a.status === 'open').length;

  return (
    <>
      <PageHeader
        title="Alerts"
        description={
          <>
            Raised when a <Link href="/monitors">monitor</Link>’s threshold is crossed; resolved when the metric recovers or by hand.
            Acknowledge one to say someone is on it.
          </>
        }
        actions={<UpdatedAt at={alerts.updatedAt} everySeconds={REFRESH_SECONDS} />}
      />
      <div className="toolbar">
        <div className="segmented" role="group" aria-label="Filter alerts by status">
          {FILTERS.map((f) => (
            <button
              key={f.value}
              type="button"
              className={filter === f.value ? 'active' : undefined}
              aria-pressed={filter === f.value}
              onClick={() => setFilter(f.value)}
              data-testid={`alerts-filter-${f.value}`}
            >
              {f.label}
            </button>
          ))}
        </div>
        {alerts.data ? (
          <span className="muted" data-testid="alerts-summary">
            {openCount} open · {rows.length} shown
          </span>
        ) : null}
      </div>
      {alerts.error ? <ErrorNotice error={alerts.error} onRetry={alerts.reload} /> : null}
      {alerts.data === undefined ? (
        alerts.loading ? (
          <Loading what="Loading alerts" />
        ) : null
      ) : rows.length === 0 ? (
        <EmptyState title={filter === 'resolved' ? 'No resolved alerts' : 'No alerts — all quiet'}>
          Alerts appear here when a monitor’s metric crosses its threshold.
        </EmptyState>
      ) : (
        <>
          <AlertTimeline alerts={rows} now={alerts.updatedAt ?? new Date()} />
          <div className="card table-wrap">
            <table className="table" data-testid="alerts-table">
              <thead>
                <tr>
                  <th>Status</th>
                  <th>Model</th>
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
                {rows.map((alert) => (
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
                    <td>
                      <Link href={`/models/${encodeURIComponent(alert.model)}`}>{alert.model}</Link>
                    </td>
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
                        <span className="muted">last seen {formatTime(alert.lastSeenAt)}</span>
                      )}
                    </td>
                    <td className="nowrap">{alert.status === 'open' ? <AlertActions alert={alert} onChanged={alerts.reload} /> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
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
    <div className="actions">
      {alert.acknowledgedAt ? null : (
        <button
          type="button"
          className="button small"
          disabled={busy}
          onClick={() => void act(() => api.acknowledgeAlert(alert.id))}
          data-testid="alert-acknowledge"
        >
          Acknowledge
        </button>
      )}
      <button
        type="button"
        className="button small"
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
