/** The earliest instant a time in Atelier may hold (`IsoTime`: years 0001–9999). */
const EARLIEST_MS = Date.parse('0001-01-01T00:00:00Z');

/**
 * The start of a look-back of `ttlMs` before `until`, never before year 1: PostgreSQL refuses a
 * bound before it, and no row can be older anyway.
 */
export function lookBackFrom(until: Date, ttlMs: number): Date {
  return new Date(Math.max(until.getTime() - ttlMs, EARLIEST_MS));
}
