import { Inject, Injectable } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import {
  type CreatedMonitorResponse,
  type CreateMonitorRequest,
  metricTaskProblem,
  type MonitorResponse,
  type MonitorWindowResponse,
  type UpdateMonitorRequest,
} from '@atelier/contracts';
import { badRequest, conflict } from '@atelier/server';

import { BaselineClient } from './baseline.client';
import { DriftService } from './drift.service';
import { monitorNotFound, monitorProblem, specOf, toMonitorResponse, toWindowResponse } from './monitoring.mappers';
import { MonitoringRepository, type MonitorRow } from './monitoring.repository';
import { newWebhookSecret } from './webhook';
import { webhookTargetProblem } from './webhook-target';

/** Monitors: user-set thresholds on live metrics, created, changed and listed (MonitorEvaluator evaluates them). */
@Injectable()
export class MonitorsService {
  constructor(
    private readonly repository: MonitoringRepository,
    private readonly baselines: BaselineClient,
    private readonly drift: DriftService,
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
  ) {}

  async create(request: CreateMonitorRequest): Promise<CreatedMonitorResponse> {
    if (request.webhookUrl) {
      const problem = await webhookTargetProblem(request.webhookUrl, this.config.webhooks);
      if (problem) throw badRequest(problem);
    }
    // checked against the version it will be judged by: the one production serves, else the newest
    const live = await this.baselines.liveVersion(request.model);
    const misfit = live && metricTaskProblem(request.metric, live.task);
    if (misfit) throw badRequest(misfit);
    if (request.feature !== undefined) await this.drift.requireFeature(request.model, request.feature, request.metric);
    const row = await this.repository.createMonitor({
      name: request.name,
      modelName: request.model,
      metric: request.metric,
      operator: request.operator,
      threshold: request.threshold,
      windowSeconds: request.windowSeconds,
      minSamples: request.minSamples,
      webhookUrl: request.webhookUrl ?? null,
      webhookSecret: request.webhookUrl ? newWebhookSecret() : null,
      feature: request.feature ?? null,
    });
    if (!row) throw conflict(`model "${request.model}" already has a monitor named "${request.name}"; choose another name or change that one`);
    return { ...toMonitorResponse(row), webhookSecret: row.webhookSecret };
  }

  async list(model?: string): Promise<MonitorResponse[]> {
    return this.withProblems(await this.repository.listMonitors({ model }));
  }

  async get(id: string): Promise<MonitorResponse> {
    return (await this.withProblems([await this.require(id)]))[0]!;
  }

  async update(id: string, request: UpdateMonitorRequest): Promise<MonitorResponse> {
    const row = await this.repository.updateMonitor(id, request);
    if (!row) throw monitorNotFound(id);
    return (await this.withProblems([row]))[0]!;
  }

  /** The monitors as answered, each with its problem: its models' live versions asked once each. */
  private async withProblems(rows: MonitorRow[]): Promise<MonitorResponse[]> {
    const models = [...new Set(rows.map((r) => r.modelName))];
    const live = new Map(await Promise.all(models.map(async (m) => [m, await this.baselines.recentLive(m)] as const)));
    return rows.map((row) => toMonitorResponse(row, monitorProblem(specOf(row).metric, live.get(row.modelName) ?? null)));
  }

  async remove(id: string): Promise<void> {
    if (!(await this.repository.deleteMonitor(id))) throw monitorNotFound(id);
  }

  async windows(id: string, limit: number): Promise<MonitorWindowResponse[]> {
    await this.require(id);
    return (await this.repository.listWindows(id, limit)).map(toWindowResponse);
  }

  private async require(id: string): Promise<MonitorRow> {
    const row = await this.repository.findMonitor(id);
    if (!row) throw monitorNotFound(id);
    return row;
  }
}
