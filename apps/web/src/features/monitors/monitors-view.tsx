'use client';

import { ConsumerLag } from '../../components/consumer-lag';
import { ErrorNotice } from '../../components/error-notice';
import { PageHeader } from '../../components/page-header';
import { EmptyState, Loading } from '../../components/states';
import { api } from '../../lib/api';
import { useApi } from '../../lib/use-api';
import { MonitorForm } from './monitor-form';
import { MonitorRow } from './monitor-row';

export function MonitorsView() {
  const monitors = useApi(() => api.listMonitors(), []);
  const models = useApi(() => api.listModels(), []);
  const rows = [...(monitors.data ?? [])].sort((a, b) => a.model.localeCompare(b.model) || a.name.localeCompare(b.name));

  return (
    <>
      <PageHeader
        title="Monitors"
        description="Thresholds on live model metrics. Crossing one opens an alert (and calls the webhook, if set)."
        actions={
          <button type="button" className="button" onClick={monitors.reload} disabled={monitors.loading}>
            Refresh
          </button>
        }
      />
      {monitors.error ? <ErrorNotice error={monitors.error} onRetry={monitors.reload} /> : null}
      <section className="card table-wrap">
        <h2 className="card-title">Monitors</h2>
        {monitors.data === undefined ? (
          monitors.loading ? (
            <Loading what="Loading monitors" />
          ) : (
            <p className="muted">Monitors load from the monitoring service.</p>
          )
        ) : rows.length === 0 ? (
          <EmptyState title="No monitors yet">Create one with the form.</EmptyState>
        ) : (
          <table className="table" data-testid="monitors-table">
            <thead>
              <tr>
                <th>Monitor</th>
                <th>Alert when</th>
                <th>Window</th>
                <th className="num">Min samples</th>
                <th>Enabled</th>
                <th>Last evaluation</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((monitor) => (
                <MonitorRow key={monitor.id} monitor={monitor} onChanged={monitors.reload} />
              ))}
            </tbody>
          </table>
        )}
      </section>
      <MonitorForm models={models.data?.map((m) => m.name)} onCreated={monitors.reload} />
      <ConsumerLag title="Prediction and outcome stream" load={() => api.monitoringLag()} testId="monitoring-lag" />
    </>
  );
}
