import { describe, expect, it } from 'vitest';

import type { AlertResponse } from '@atelier/contracts';

import { alertLanes, TIMELINE_MS } from './alert-lanes';

const NOW = Date.parse('2026-01-22T12:00:00Z');
const HOUR = 3600_000;
const at = (hoursAgo: number) => new Date(NOW - hoursAgo * HOUR).toISOString();

function alert(id: string, monitorName: string, opened: number, changes: { resolved?: number; acknowledged?: number } = {}): AlertResponse {
  return {
    id,
    monitorId: `m-${monitorName}`,
    monitorName,
    model: 'delays',
    metric: 'accuracy',
    status: changes.resolved === undefined ? 'open' : 'resolved',
    value: 0.4,
    threshold: 0.5,
    message: 'accuracy 0.4 < 0.5',
    openedAt: at(opened),
    lastSeenAt: at(0),
    resolvedAt: changes.resolved === undefined ? null : at(changes.resolved),
    resolvedBy: changes.resolved === undefined ? null : 'monitor',
    acknowledgedAt: changes.acknowledged === undefined ? null : at(changes.acknowledged),
    acknowledgedBy: changes.acknowledged === undefined ? null : 'ops',
  };
}

describe('alert lanes', () => {
  it('puts each monitor on one row, an open alert running to now, a resolved one to its resolution', () => {
    const lanes = alertLanes([alert('a', 'accuracy', 5, { acknowledged: 3 }), alert('b', 'accuracy', 10, { resolved: 8 }), alert('c', 'drift', 2)], NOW);
    expect(lanes.rows).toEqual(['delays · accuracy', 'delays · drift']);
    expect(lanes).toMatchObject({ start: NOW - 10 * HOUR, end: NOW });
    expect(lanes.spans.map((s) => [s.id, s.row, (NOW - s.from) / HOUR, (NOW - s.to) / HOUR])).toEqual([
      ['a', 'delays · accuracy', 5, 0],
      ['b', 'delays · accuracy', 10, 8],
      ['c', 'delays · drift', 2, 0],
    ]);
    expect(lanes.spans.map((s) => (s.acknowledged === null ? null : (NOW - s.acknowledged) / HOUR))).toEqual([3, null, null]);
  });

  it('shows the last 24 hours at most: what started before starts at the edge', () => {
    const lanes = alertLanes([alert('old', 'accuracy', 50, { resolved: 30 }), alert('new', 'accuracy', 30, { acknowledged: 26 })], NOW);
    expect(lanes.start).toBe(NOW - TIMELINE_MS);
    expect(lanes.spans.map((s) => [s.from, s.to])).toEqual([
      [lanes.start, lanes.start],
      [lanes.start, NOW],
    ]);
    expect(lanes.spans[1]!.acknowledged).toBe(lanes.start);
  });

  it('spans at least a minute when the only alert opened just now', () => {
    const lanes = alertLanes([alert('a', 'accuracy', 0)], NOW);
    expect(lanes.end - lanes.start).toBe(60_000);
  });
});
