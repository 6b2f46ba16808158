import type { CreateFeatureGroupRequestInput, FeatureRowEvent } from '@atelier/contracts';
import type { AtelierClient } from '@atelier/sdk';

import type { Flight } from './flights.reader';
import { DEMO, ensureDemoEntities, ignoreConflict } from './flights-demo';

const HOUR = 3600_000;

export const REPLAY = {
  /** departures as they happen: event time = scheduled departure + delay, when the delay is known */
  departuresGroup: 'departures',
  /** window features per origin airport, computed from the departures stream */
  windowsGroup: 'origin_delay_windows',
} as const;

/** The aggregation the replay feeds: per origin airport, delays over the last hour and day. */
export const ORIGIN_DELAY_WINDOWS: CreateFeatureGroupRequestInput = {
  name: REPLAY.windowsGroup,
  entity: DEMO.airport,
  description: 'departure delays per origin airport over sliding windows, computed from the departures stream',
  aggregation: {
    source: REPLAY.departuresGroup,
    keyColumn: 'origin',
    windows: [
      { name: 'mean_delay_1h', fn: 'mean', column: 'delay', seconds: 3600 },
      { name: 'mean_delay_24h', fn: 'mean', column: 'delay', seconds: 24 * 3600 },
      { name: 'departures_1h', fn: 'count', seconds: 3600 },
      { name: 'max_delay_1h', fn: 'max', column: 'delay', seconds: 3600 },
    ],
  },
};

/** A flight at the instant it left. */
export interface Departure {
  /** its place among the flights read (part of its key) */
  index: number;
  /** epoch ms: scheduled departure */
  scheduled: number;
  /** epoch ms: scheduled departure + delay */
  time: number;
  origin: string;
  destination: string;
  delay: number;
  distance: number;
}

/**
 * The first `limit` departures of `flights` in the order they left (scheduled time + delay: a
 * flight's delay is known when it leaves, so that is when it may count in a window).
 */
export function departuresOf(flights: readonly Flight[], limit: number): Departure[] {
  return flights
    .map((f, index) => ({
      index,
      scheduled: f.time,
      time: f.time + f.delay * 60_000,
      origin: f.origin,
      destination: f.destination,
      delay: f.delay,
      distance: f.distance,
    }))
    .sort((a, b) => a.time - b.time || a.index - b.index)
    .slice(0, limit);
}

/**
 * How far the replayed times move forward: whole hours, so the last departure lands in the hour
 * before `now` — the online store keeps values by their age now, so 2001's would all have expired.
 * Hours keep the hour of day; the same replay again within the hour writes the same rows.
 */
export function shiftTowards(now: number, departures: readonly Departure[]): number {
  const last = departures.at(-1)?.time ?? now;
  return Math.max(0, Math.floor((now - last) / HOUR) * HOUR);
}

export interface ReplayOptions {
  /** event time per wall-clock time: 600 replays an hour in 6 s */
  speedup: number;
  /** sends events to the `feature-rows` topic */
  publish: (events: FeatureRowEvent[]) => Promise<void>;
  /** how far the times move forward (see `shiftTowards`) */
  shiftMs: number;
  signal?: AbortSignal;
  log?: (message: string) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

// Events per send at most; how long the replay waits at most between checks; how often it reports.
const SEND_BATCH = 500;
const TICK_MS = 100;
const REPORT_MS = 5000;

/**
 * Sends `departures` (in time order) as feature rows of the departures group, each when its
 * event time comes up on a clock that runs `speedup` times faster than the wall clock from the
 * first one; stops early when `signal` aborts. Returns how many were sent.
 */
export async function replayDepartures(departures: readonly Departure[], options: ReplayOptions): Promise<number> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const log = options.log ?? (() => undefined);
  const first = departures[0]?.time ?? 0;
  const started = now();
  let reported = started;
  let sent = 0;
  while (sent < departures.length && !options.signal?.aborted) {
    const reached = first + (now() - started) * options.speedup;
    let due = sent;
    while (due < departures.length && due - sent < SEND_BATCH && departures[due]!.time <= reached) due++;
    if (due === sent) {
      await sleep(Math.min(TICK_MS, (departures[sent]!.time - reached) / options.speedup));
      continue;
    }
    await options.publish(departures.slice(sent, due).map((d) => toEvent(d, options.shiftMs)));
    sent = due;
    if (now() - reported >= REPORT_MS || sent === departures.length) {
      reported = now();
      const at = departures[sent - 1]!.time;
      log(`${sent} of ${departures.length} departures sent, up to ${iso(at)} (as ${iso(at + options.shiftMs)})`);
    }
  }
  return sent;
}

/** The departures group and its aggregation; an existing one is left as it is. */
export async function ensureReplayGroups(client: AtelierClient): Promise<void> {
  await ensureDemoEntities(client);
  await ignoreConflict(
    client.createFeatureGroup({
      name: REPLAY.departuresGroup,
      entity: DEMO.flight,
      ttlSeconds: 24 * 3600,
      description: 'departures as they happen (event time: scheduled + delay), streamed by npm run demo:replay',
      features: [
        { name: 'origin', dtype: 'string', description: 'origin airport' },
        { name: 'destination', dtype: 'string', description: 'destination airport' },
        { name: 'delay', dtype: 'int', description: 'departure delay in minutes' },
        { name: 'distance', dtype: 'int', description: 'miles' },
      ],
    }),
  );
  await ignoreConflict(client.createFeatureGroup(ORIGIN_DELAY_WINDOWS));
}

/** A departure as a row of the departures group, its times moved by `shiftMs`; keyed as the `flights` group keys a flight. */
function toEvent(d: Departure, shiftMs: number): FeatureRowEvent {
  return {
    type: 'feature-row',
    schemaVersion: 1,
    group: REPLAY.departuresGroup,
    entityKey: `${new Date(d.scheduled + shiftMs).toISOString().slice(0, 16)}-${d.origin}-${d.destination}-${d.index}`,
    eventTime: new Date(d.time + shiftMs).toISOString(),
    values: { origin: d.origin, destination: d.destination, delay: d.delay, distance: d.distance },
  };
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
