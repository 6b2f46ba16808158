import { z } from 'zod';

import { AlertStatus, IsoTime, Name } from '@atelier/contracts';

// Query strings and the few response shapes the shared contracts do not have yet.
// They belong in `@atelier/contracts` (monitoring.contract.ts) once the SDK and the UI need them.

const MAX_WINDOW_SECONDS = 30 * 24 * 3600;

export const AcceptedResponse = z.object({ accepted: z.number().int() });
export type AcceptedResponse = z.infer<typeof AcceptedResponse>;

export const LiveStatsQuery = z.object({ windowSeconds: z.coerce.number().int().min(1).max(MAX_WINDOW_SECONDS).default(3600) });
export type LiveStatsQuery = z.infer<typeof LiveStatsQuery>;

export const ListMonitorsQuery = z.object({ model: Name.optional() });
export type ListMonitorsQuery = z.infer<typeof ListMonitorsQuery>;

const Limit = z.coerce.number().int().min(1).max(1000).default(100);

export const ListAlertsQuery = z.object({ status: AlertStatus.optional(), model: Name.optional(), limit: Limit });
export type ListAlertsQuery = z.infer<typeof ListAlertsQuery>;

export const ListWindowsQuery = z.object({ limit: Limit });
export type ListWindowsQuery = z.infer<typeof ListWindowsQuery>;

/** One stored evaluation of a monitor. */
export const MonitorWindowResponse = z.object({
  id: z.string(),
  monitorId: z.string(),
  windowStart: IsoTime,
  windowEnd: IsoTime,
  value: z.number().nullable(),
  samples: z.number().int(),
  breached: z.boolean(),
  evaluatedAt: IsoTime,
});
export type MonitorWindowResponse = z.infer<typeof MonitorWindowResponse>;
