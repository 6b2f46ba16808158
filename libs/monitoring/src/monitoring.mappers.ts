import {
  type AlertResponse,
  AlertStatus,
  metricTaskProblem,
  MonitorMetric,
  MonitorOperator,
  type MonitorResponse,
  type MonitorWindowResponse,
} from '@atelier/contracts';
import { notFound } from '@atelier/server';

import type { MessageContext } from './alert-rules';
import type { LiveVersion } from './baseline.client';
import type { AlertRow, MonitorRow, MonitorWindowRow } from './monitoring.repository';

// The tables store enums as text; parsing on the way out keeps a bad row from leaking as a valid answer.

/**
 * Why a monitor cannot be judged now: its metric does not fit the task of the version whose
 * traffic it watches (production's, else the newest), as when production moves to a version of
 * another task. Null when it fits, or while that version is not known.
 */
export function monitorProblem(metric: MonitorMetric, live: LiveVersion | null): string | null {
  const misfit = live && metricTaskProblem(metric, live.task);
  if (!misfit) return null;
  return live.production
    ? `not judged while version ${live.version} serves production: ${misfit}`
    : `not judged since version ${live.version} became the model's newest (it has no production alias): ${misfit}`;
}

export function toMonitorResponse(row: MonitorRow, problem: string | null = null): MonitorResponse {
  return {
    id: row.id,
    name: row.name,
    model: row.modelName,
    metric: MonitorMetric.parse(row.metric),
    operator: MonitorOperator.parse(row.operator),
    threshold: row.threshold,
    windowSeconds: row.windowSeconds,
    minSamples: row.minSamples,
    enabled: row.enabled,
    webhookUrl: row.webhookUrl,
    feature: row.feature,
    createdAt: row.createdAt.toISOString(),
    problem,
  };
}

export function toAlertResponse(row: AlertRow): AlertResponse {
  return {
    id: row.id,
    monitorId: row.monitorId,
    monitorName: row.monitor.name,
    model: row.modelName,
    metric: MonitorMetric.parse(row.metric),
    status: AlertStatus.parse(row.status),
    value: row.value,
    threshold: row.threshold,
    message: row.message,
    openedAt: row.openedAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    resolvedBy: row.resolvedBy,
    acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: row.acknowledgedBy,
  };
}

export function toWindowResponse(row: MonitorWindowRow): MonitorWindowResponse {
  return {
    id: row.id.toString(),
    monitorId: row.monitorId,
    windowStart: row.windowStart.toISOString(),
    windowEnd: row.windowEnd.toISOString(),
    value: row.value,
    samples: row.samples,
    breached: row.breached,
    evaluatedAt: row.createdAt.toISOString(),
  };
}

export function monitorNotFound(id: string) {
  return notFound(`monitor "${id}" does not exist`);
}

export function specOf(monitor: MonitorRow): { metric: MonitorMetric; operator: MonitorOperator; threshold: number; minSamples: number } {
  return {
    metric: MonitorMetric.parse(monitor.metric),
    operator: MonitorOperator.parse(monitor.operator),
    threshold: monitor.threshold,
    minSamples: monitor.minSamples,
  };
}

export function messageContext(monitor: MonitorRow): MessageContext {
  return { ...specOf(monitor), model: monitor.modelName, windowSeconds: monitor.windowSeconds, feature: monitor.feature };
}
