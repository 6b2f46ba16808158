import { describe, expect, it } from 'vitest';

import type { FeatureRowEvent } from '@atelier/contracts';

import { departuresOf, replayDepartures, shiftTowards } from './departures-replay';
import type { Flight } from './flights.reader';

const at = (iso: string) => Date.parse(iso);
const flight = (time: string, delay: number, origin = 'ORD'): Flight => ({
  time: at(time),
  delay,
  distance: 700,
  origin,
  destination: 'SFO',
});

describe('departuresOf', () => {
  it('orders flights by when they left (scheduled + delay) and keeps the first `limit`', () => {
    const flights = [flight('2001-01-01T08:00:00Z', 90), flight('2001-01-01T09:00:00Z', -5), flight('2001-01-01T09:10:00Z', 0, 'ATL')];
    expect(departuresOf(flights, 2).map((d) => [d.index, new Date(d.time).toISOString()])).toEqual([
      [1, '2001-01-01T08:55:00.000Z'],
      [2, '2001-01-01T09:10:00.000Z'],
    ]);
  });
});

describe('shiftTowards', () => {
  it('moves the last departure into the hour before now, by whole hours', () => {
    const departures = departuresOf([flight('2001-01-01T08:00:00Z', 25)], 1);
    const now = at('2026-12-05T14:10:00Z');
    const shift = shiftTowards(now, departures);
    expect(shift % 3600_000).toBe(0);
    expect(new Date(departures[0]!.time + shift).toISOString()).toBe('2026-12-05T13:25:00.000Z');
  });
});

describe('replayDepartures', () => {
  it('sends each departure when its time comes up on a clock `speedup` times faster, times moved by the shift', async () => {
    let clock = 0;
    const sends: Array<{ at: number; events: FeatureRowEvent[] }> = [];
    const departures = departuresOf(
      [flight('2001-01-01T08:00:00Z', 0), flight('2001-01-01T08:00:00Z', 10, 'ATL'), flight('2001-01-01T09:00:00Z', 0)],
      10,
    );
    const sent = await replayDepartures(departures, {
      speedup: 600,
      shiftMs: 3600_000,
      now: () => clock,
      sleep: async (ms) => void (clock += ms),
      publish: async (events) => void sends.push({ at: clock, events }),
    });
    expect(sent).toBe(3);
    // 10 minutes of 2001 in 1 s, an hour in 6 s
    expect(sends.map((s) => [s.at, s.events.length])).toEqual([
      [0, 1],
      [1000, 1],
      [6000, 1],
    ]);
    expect(sends[0]!.events[0]).toEqual({
      type: 'feature-row',
      schemaVersion: 1,
      group: 'departures',
      entityKey: '2001-01-01T09:00-ORD-SFO-0',
      eventTime: '2001-01-01T09:00:00.000Z',
      values: { origin: 'ORD', destination: 'SFO', delay: 0, distance: 700 },
    });
  });

  it('stops when aborted', async () => {
    const stop = new AbortController();
    const departures = departuresOf([flight('2001-01-01T08:00:00Z', 0), flight('2001-01-01T10:00:00Z', 0)], 10);
    let clock = 0;
    const sent = await replayDepartures(departures, {
      speedup: 60,
      shiftMs: 0,
      signal: stop.signal,
      now: () => clock,
      sleep: async (ms) => void (clock += ms),
      publish: async () => stop.abort(),
    });
    expect(sent).toBe(1);
  });
});
