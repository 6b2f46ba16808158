import type { AlertResponse } from '@atelier/contracts';

/** the span a timeline draws: the last 24 hours, or back to the oldest alert shown if that is sooner */
export const TIMELINE_MS = 24 * 3600_000;

/** One alert on the timeline: its row (monitor and model) and its times clamped into the span shown. */
export interface AlertSpan {
  id: string;
  row: string;
  from: number;
  to: number;
  /** where its acknowledgement tick goes, if someone acknowledged it */
  acknowledged: number | null;
  alert: AlertResponse;
}

export interface AlertLanes {
  start: number;
  end: number;
  /** one per monitor and model, in the order their first alert came */
  rows: string[];
  spans: AlertSpan[];
}

export const laneOf = (alert: Pick<AlertResponse, 'model' | 'monitorName'>): string => `${alert.model} · ${alert.monitorName}`;

/**
 * Lays alerts out on one time axis ending `now`: each from its opening to its resolution (or to
 * now, while open). Times before the span start at its start; the span is at least a minute.
 */
export function alertLanes(alerts: readonly AlertResponse[], now: number, maxSpanMs = TIMELINE_MS): AlertLanes {
  const end = now;
  const oldest = Math.min(...alerts.map((a) => Date.parse(a.openedAt)));
  const start = Math.min(end - 60_000, Math.max(end - maxSpanMs, oldest));
  const clamp = (t: number) => Math.min(Math.max(t, start), end);
  const rows = [...new Set(alerts.map(laneOf))];
  const spans = alerts.map((alert) => {
    const from = clamp(Date.parse(alert.openedAt));
    const to = Math.max(from, clamp(alert.resolvedAt ? Date.parse(alert.resolvedAt) : end));
    return { id: alert.id, row: laneOf(alert), from, to, acknowledged: alert.acknowledgedAt ? clamp(Date.parse(alert.acknowledgedAt)) : null, alert };
  });
  return { start, end, rows, spans };
}
