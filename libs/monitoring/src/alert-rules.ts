import type { AlertEvent, MonitorMetric, MonitorOperator } from '@atelier/contracts';

import type { Judgement } from './window-metrics';

/**
 * What an evaluation does to the monitor's alert. At most one alert per monitor is open:
 * a repeat breach refreshes it, a conclusive recovery resolves it, and an inconclusive window
 * (too few samples) leaves it as it is.
 */
export type AlertTransition = 'open' | 'refresh' | 'resolve' | 'none';

export function alertTransition(judgement: Pick<Judgement, 'breached' | 'conclusive'>, hasOpenAlert: boolean): AlertTransition {
  if (judgement.breached) return hasOpenAlert ? 'refresh' : 'open';
  if (judgement.conclusive && hasOpenAlert) return 'resolve';
  return 'none';
}

const SYMBOL: Record<MonitorOperator, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

export interface MessageContext {
  model: string;
  metric: MonitorMetric;
  operator: MonitorOperator;
  threshold: number;
  windowSeconds: number;
  /** the input a `feature_*` monitor watches */
  feature?: string | null;
}

/** `accuracy 0.41 < 0.60 over the last 3600 s (212 samples) for model flight-delay` */
export function breachMessage(monitor: MessageContext, value: number, samples: number): string {
  return `${subject(monitor)} ${formatValue(monitor.metric, value)} ${SYMBOL[monitor.operator]} ${formatValue(monitor.metric, monitor.threshold)}${tail(monitor, samples)}`;
}

/** `accuracy 0.85 is no longer < 0.60 over the last 3600 s (300 samples) for model flight-delay` */
export function recoveryMessage(monitor: MessageContext, value: number, samples: number): string {
  return `${subject(monitor)} ${formatValue(monitor.metric, value)} is no longer ${SYMBOL[monitor.operator]} ${formatValue(monitor.metric, monitor.threshold)}${tail(monitor, samples)}`;
}

/** `accuracy`, or `feature_ks of airport_delay_stats:mean_delay_24h` */
function subject(monitor: MessageContext): string {
  return monitor.feature ? `${monitor.metric} of ${monitor.feature}` : monitor.metric;
}

function tail(monitor: MessageContext, samples: number): string {
  return ` over the last ${monitor.windowSeconds} s (${samples} ${samples === 1 ? 'sample' : 'samples'}) for model ${monitor.model}`;
}

/** Counts as integers; rates and means with two to four decimals (0.6 → "0.60", 0.6123 → "0.6123"). */
export function formatValue(metric: MonitorMetric, value: number): string {
  if ((metric === 'prediction_count' || metric === 'outcome_count') && Number.isInteger(value)) return String(value);
  return value.toFixed(4).replace(/0{1,2}$/, '');
}

/** The `alerts` topic's and the webhooks' view of an alert that opened or resolved. */
export function alertEvent(
  type: AlertEvent['type'],
  alert: { id: string; monitorId: string; modelName: string; metric: string; threshold: number },
  value: number,
  message: string,
  at: Date,
): AlertEvent {
  return {
    type,
    schemaVersion: 1,
    alertId: alert.id,
    monitorId: alert.monitorId,
    model: alert.modelName,
    metric: alert.metric,
    value,
    threshold: alert.threshold,
    message,
    at: at.toISOString(),
  };
}
