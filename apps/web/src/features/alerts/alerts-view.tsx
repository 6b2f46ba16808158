'use client';

import Link from 'next/link';
import { useState } from 'react';

import type { AlertStatus } from '@atelier/contracts';

import { ErrorNotice } from '../../components/error-notice';
import { PageHeader } from '../../components/page-header';
import { EmptyState, Loading, UpdatedAt } from '../../components/states';
import { api } from '../../lib/api';
import { useApi } from '../../lib/use-api';
import { AlertTimeline } from './alert-timeline';
import { AlertsTable, byUrgency } from './alerts-table';

type Filter = AlertStatus | 'all';
const FILTERS: Array<{ value: Filter; label: string }> = [
  { value: 'all', label: 'All' },
  { value: 'open', label: 'Open' },
  { value: 'resolved', label: 'Resolved' },
];
const REFRESH_SECONDS = 5;

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
          <AlertsTable alerts={rows} onChanged={alerts.reload} />
        </>
      )}
    </>
  );
}
