'use client';

import Link from 'next/link';

import { ErrorNotice } from '../../components/error-notice';
import { Loading } from '../../components/states';
import { api } from '../../lib/api';
import { useApi } from '../../lib/use-api';
import { AlertTimeline } from './alert-timeline';
import { AlertsTable, byUrgency } from './alerts-table';

const REFRESH_MS = 5000;

/** One model's alerts: their timeline, then the rows (open first) to acknowledge and resolve. Refreshed every 5 s. */
export function ModelAlerts({ model }: { model: string }) {
  const alerts = useApi(() => api.listAlerts(undefined, model), [model], { refreshMs: REFRESH_MS });
  const rows = [...(alerts.data ?? [])].sort(byUrgency);
  const open = rows.filter((a) => a.status === 'open').length;
  return (
    <div className="stack" data-testid="model-alerts" data-open={open}>
      {alerts.error ? <ErrorNotice error={alerts.error} onRetry={alerts.reload} compact /> : null}
      {alerts.data === undefined ? (
        alerts.loading ? (
          <Loading what="Loading alerts" />
        ) : null
      ) : rows.length === 0 ? (
        <section className="card">
          <h2 className="card-title">Alerts</h2>
          <p className="muted">No alerts for this model — all quiet.</p>
        </section>
      ) : (
        <>
          <AlertTimeline alerts={rows} now={alerts.updatedAt ?? new Date()} title={`Alerts: ${open} open of ${rows.length}`} />
          <AlertsTable alerts={rows} onChanged={alerts.reload} showModel={false} />
        </>
      )}
      <p className="muted small">
        Every model&apos;s alerts are on <Link href="/alerts">Alerts</Link>.
      </p>
    </div>
  );
}
