'use client';

import type { AlertResponse } from '@atelier/contracts';

import { formatTime } from '../../lib/format';

const WIDTH = 720;
const ROW = 18;
const PAD = { left: 150, right: 10, top: 8, bottom: 22 };
/** the span drawn: the last 24 hours, or back to the oldest alert shown if that is sooner */
const DAY_MS = 24 * 3600_000;

/**
 * The alerts shown, on one time axis: each a bar from its opening to its resolution (or to now,
 * while open), a tick where it was acknowledged. One row per monitor and model.
 */
export function AlertTimeline({ alerts, now }: { alerts: AlertResponse[]; now: Date }) {
  if (alerts.length === 0) return null;
  const end = now.getTime();
  const start = Math.max(end - DAY_MS, Math.min(...alerts.map((a) => Date.parse(a.openedAt))));
  const span = Math.max(end - start, 60_000);
  const rows = [...new Set(alerts.map((a) => `${a.model} · ${a.monitorName}`))];
  const height = PAD.top + rows.length * ROW + PAD.bottom;
  const x = (t: number) => PAD.left + ((Math.min(Math.max(t, start), end) - start) / span) * (WIDTH - PAD.left - PAD.right);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => start + f * span);
  return (
    <section className="card" data-testid="alert-timeline" data-alerts={alerts.length}>
      <h2 className="card-title">Timeline</h2>
      <figure className="chart">
        <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label="Alerts over time: open, acknowledged and resolved">
          {rows.map((label, r) => (
            <text key={label} x={PAD.left - 6} y={PAD.top + r * ROW + ROW * 0.65} textAnchor="end" className="tick">
              {label.length > 24 ? `${label.slice(0, 23)}…` : label}
            </text>
          ))}
          {ticks.map((t) => (
            <g key={t}>
              <line x1={x(t)} x2={x(t)} y1={PAD.top} y2={height - PAD.bottom} className="grid" />
              <text x={x(t)} y={height - 6} textAnchor="middle" className="tick">
                {new Date(t).toISOString().slice(11, 16)}
              </text>
            </g>
          ))}
          {alerts.map((a) => {
            const r = rows.indexOf(`${a.model} · ${a.monitorName}`);
            const from = x(Date.parse(a.openedAt));
            const to = x(a.resolvedAt ? Date.parse(a.resolvedAt) : end);
            const y = PAD.top + r * ROW + 3;
            return (
              <g key={a.id} data-testid="alert-timeline-bar" data-status={a.status} data-acknowledged={a.acknowledgedAt ? 'yes' : 'no'}>
                <title>
                  {`${a.metric} ${a.status}: opened ${formatTime(a.openedAt)}`}
                  {a.acknowledgedAt ? `, acknowledged by ${a.acknowledgedBy} ${formatTime(a.acknowledgedAt)}` : ''}
                  {a.resolvedAt ? `, resolved ${formatTime(a.resolvedAt)}${a.resolvedBy ? ` by ${a.resolvedBy}` : ''}` : ''}
                </title>
                <rect
                  x={from}
                  y={y}
                  width={Math.max(to - from, 2)}
                  height={ROW - 6}
                  rx={2}
                  className={a.status === 'open' ? 'bar-alert' : 'bar-resolved'}
                />
                {a.acknowledgedAt ? (
                  <line
                    x1={x(Date.parse(a.acknowledgedAt))}
                    x2={x(Date.parse(a.acknowledgedAt))}
                    y1={y - 2}
                    y2={y + ROW - 4}
                    className="marker"
                  />
                ) : null}
              </g>
            );
          })}
        </svg>
      </figure>
      <p className="muted small">Bars: open (red) until resolved (grey); a tick marks an acknowledgement. The last 24 hours at most.</p>
    </section>
  );
}
