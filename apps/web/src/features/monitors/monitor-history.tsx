'use client';

import type { MonitorResponse } from '@atelier/contracts';

import { ErrorNotice } from '../../components/error-notice';
import { LineChart, type Series } from '../../components/line-chart';
import { Loading } from '../../components/states';
import { api } from '../../lib/api';
import { formatCount, formatTime } from '../../lib/format';
import { useApi } from '../../lib/use-api';
import { OPERATOR_SYMBOLS } from './operators';

const HISTORY_WINDOWS = 200;

/**
 * A monitor's stored windows over time (the newest 200): the metric's value per window, the
 * monitor's threshold drawn across, and the windows that breached it as dots of their own.
 * `refreshKey` reloads it (e.g. after _Evaluate now_).
 */
export function MonitorHistory({ monitor, refreshKey, testId = 'monitor-history' }: { monitor: MonitorResponse; refreshKey?: unknown; testId?: string }) {
  const windows = useApi(() => api.monitorWindows(monitor.id, HISTORY_WINDOWS), [monitor.id, refreshKey]);
  if (windows.error) return <ErrorNotice error={windows.error} onRetry={windows.reload} compact />;
  if (!windows.data) return <Loading what="Loading the windows" />;
  const valued = windows.data
    .filter((w) => w.value !== null)
    .map((w) => ({ x: Date.parse(w.windowEnd), y: w.value!, breached: w.breached }))
    .sort((a, b) => a.x - b.x);
  const watched = `${monitor.metric}${monitor.feature ? ` of ${monitor.feature}` : ''}`;
  if (valued.length === 0) {
    return (
      <p className="muted" data-testid={testId} data-monitor-id={monitor.id} data-windows={0}>
        {monitor.name}: no window with a value yet ({formatCount(windows.data.length)} evaluated).
      </p>
    );
  }
  const [first, last] = [valued[0]!.x, valued.at(-1)!.x];
  const breached = valued.filter((p) => p.breached);
  const series: Series[] = [{ label: monitor.metric, points: valued, mark: 'both' }];
  if (breached.length > 0) series.push({ label: 'breached', points: breached, mark: 'dots', tone: 'b' });
  return (
    <div data-testid={testId} data-monitor-id={monitor.id} data-windows={valued.length} data-breached={breached.length}>
      <LineChart
        title={`${watched}: ${formatCount(valued.length)} windows, ${formatTime(new Date(first).toISOString())} – ${formatTime(new Date(last).toISOString())}`}
        series={series}
        thresholds={[{ label: `threshold: alert when ${OPERATOR_SYMBOLS[monitor.operator]} ${monitor.threshold}`, y: monitor.threshold }]}
        xKind="time"
        xLabel="window end (UTC)"
        yLabel={monitor.metric}
        height={180}
        ariaLabel={`${watched} per window against the threshold ${monitor.threshold}`}
      />
    </div>
  );
}
