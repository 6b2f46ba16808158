'use client';

import { Bar, BarChart, type BarShapeProps, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';

import type { AlertResponse } from '@atelier/contracts';

import { evenTicks, formatClock } from '../../components/chart-data';
import { AXIS, ChartFrame, hovered, TooltipBox } from '../../components/chart-parts';
import { formatMetric, formatTime } from '../../lib/format';
import { alertLanes,type AlertSpan } from './alert-lanes';

const ROW = 24;

/**
 * The alerts shown, on one time axis (Recharts range bars): each a bar from its opening to its
 * resolution (or to now, while open), a tick where it was acknowledged; the tooltip says who did
 * what when. One row per monitor and model.
 */
export function AlertTimeline({ alerts, now, title = 'Timeline' }: { alerts: AlertResponse[]; now: Date; title?: string }) {
  if (alerts.length === 0) return null;
  const { start, end, rows, spans } = alertLanes(alerts, now.getTime());
  const short = (label: string) => (label.length > 24 ? `${label.slice(0, 23)}…` : label);
  return (
    <section className="card" data-testid="alert-timeline" data-alerts={alerts.length}>
      <h2 className="card-title">{title}</h2>
      <ChartFrame height={rows.length * ROW + 34}>
        <BarChart
          data={spans}
          layout="vertical"
          margin={{ top: 4, right: 18, bottom: 4, left: 4 }}
          barCategoryGap={4}
          title="Alerts over time: open, acknowledged and resolved"
          aria-label="Alerts over time: open, acknowledged and resolved"
        >
          <CartesianGrid stroke="var(--border)" strokeDasharray="2 3" horizontal={false} />
          <XAxis type="number" domain={[start, end]} ticks={evenTicks(start, end, 5)} tickFormatter={(t: number) => formatClock(t, end - start)} {...AXIS} />
          <YAxis type="category" dataKey="row" allowDuplicatedCategory={false} width={180} tickFormatter={short} {...AXIS} />
          <Bar dataKey={(s: AlertSpan) => [s.from, s.to]} isAnimationActive={false} minPointSize={2} shape={(bar: BarShapeProps) => <AlertBar bar={bar} />} />
          <Tooltip trigger="hover" shared={false} cursor={false} isAnimationActive={false} content={(tip) => <AlertTooltip span={hovered<AlertSpan>(tip)} />} />
        </BarChart>
      </ChartFrame>
      <p className="muted small">Bars: open (red) until resolved (grey); a tick marks an acknowledgement. The last 24 hours at most.</p>
    </section>
  );
}

/** An alert's bar, and its acknowledgement tick placed by time along it. */
function AlertBar({ bar }: { bar: BarShapeProps }) {
  const span = bar.payload as AlertSpan;
  const { alert } = span;
  const width = Math.max(bar.width, 2);
  const tick = span.acknowledged === null ? null : bar.x + (span.to > span.from ? ((span.acknowledged - span.from) / (span.to - span.from)) * bar.width : 0);
  return (
    <g data-testid="alert-timeline-bar" data-status={alert.status} data-acknowledged={alert.acknowledgedAt ? 'yes' : 'no'}>
      <rect x={bar.x} y={bar.y} width={width} height={bar.height} rx={2} className={alert.status === 'open' ? 'bar-alert' : 'bar-resolved'} />
      {tick !== null ? <line x1={tick} x2={tick} y1={bar.y - 2} y2={bar.y + bar.height + 2} className="marker" /> : null}
    </g>
  );
}

function AlertTooltip({ span }: { span: AlertSpan | undefined }) {
  if (!span) return null;
  const { alert } = span;
  return (
    <TooltipBox
      title={`${alert.monitorName} · ${alert.model}`}
      rows={[
        [alert.metric, `${formatMetric(alert.value)} (threshold ${formatMetric(alert.threshold)})`],
        ['opened', formatTime(alert.openedAt)],
        ...(alert.acknowledgedAt ? [[`acknowledged by ${alert.acknowledgedBy ?? '—'}`, formatTime(alert.acknowledgedAt)] as [string, string]] : []),
        alert.resolvedAt ? [`resolved${alert.resolvedBy ? ` by ${alert.resolvedBy}` : ''}`, formatTime(alert.resolvedAt)] : ['status', 'open'],
      ]}
    />
  );
}
