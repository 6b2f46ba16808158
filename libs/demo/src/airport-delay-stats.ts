import type { Flight } from './flights.reader';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface AirportStatsRow {
  airport: string;
  /** the hour boundary the statistics describe, epoch ms */
  time: number;
  mean_delay_24h: number | null;
  mean_delay_7d: number | null;
  flights_24h: number;
  delayed_share_24h: number | null;
}

/**
 * Rolling delay statistics per origin airport, one row per airport and hour in which it had
 * news. A flight's delay counts from the moment it is known — its actual departure,
 * scheduled time + delay (at the earliest its schedule) — so a row at time h uses only
 * delays known before h: the features are point-in-time honest by construction.
 */
export function airportDelayStats(flights: Flight[], from: number, to: number): AirportStatsRow[] {
  return delayStats(flights, (f) => f.origin, from, to).map(({ key, ...row }) => ({ airport: key, ...row }));
}

/** `airportDelayStats` for any grouping of the flights: by destination, by route (`ORD-SFO`), … */
export function delayStats(flights: Flight[], keyOf: (f: Flight) => string, from: number, to: number): Array<Omit<AirportStatsRow, 'airport'> & { key: string }> {
  const byKey = new Map<string, Array<{ known: number; delay: number }>>();
  for (const f of flights) {
    const key = keyOf(f);
    const list = byKey.get(key) ?? [];
    list.push({ known: f.time + Math.max(0, f.delay) * 60_000, delay: f.delay });
    byKey.set(key, list);
  }
  const rows: Array<Omit<AirportStatsRow, 'airport'> & { key: string }> = [];
  for (const [key, events] of byKey) {
    events.sort((a, b) => a.known - b.known);
    const known = Float64Array.from(events, (e) => e.known);
    const sum = new Float64Array(events.length + 1);
    const late = new Float64Array(events.length + 1);
    events.forEach((e, i) => {
      sum[i + 1] = sum[i]! + e.delay;
      late[i + 1] = late[i]! + (e.delay > 15 ? 1 : 0);
    });
    // hour boundaries right after each batch of news
    const hours = new Set<number>();
    for (const t of known) {
      const h = Math.floor(t / HOUR) * HOUR + HOUR;
      if (h > from && h <= to) hours.add(h);
    }
    for (const h of [...hours].sort((a, b) => a - b)) {
      const end = lowerBound(known, h); // events known strictly before h
      const day = lowerBound(known, h - DAY);
      const week = lowerBound(known, h - 7 * DAY);
      const n24 = end - day;
      const n7 = end - week;
      rows.push({
        key,
        time: h,
        mean_delay_24h: n24 ? round((sum[end]! - sum[day]!) / n24) : null,
        mean_delay_7d: n7 ? round((sum[end]! - sum[week]!) / n7) : null,
        flights_24h: n24,
        delayed_share_24h: n24 ? round((late[end]! - late[day]!) / n24) : null,
      });
    }
  }
  return rows.sort((a, b) => a.time - b.time || a.key.localeCompare(b.key));
}

function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;
