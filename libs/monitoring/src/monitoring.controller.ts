import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';

import {
  AcceptedResponse,
  AlertResponse,
  ConsumerLagResponse,
  CreatedMonitorResponse,
  CreateMonitorRequest,
  ErrorBody,
  FeatureDriftHistoryQuery,
  FeatureDriftHistoryResponse,
  FeatureDriftQuery,
  FeatureDriftResponse,
  ListAlertsQuery,
  ListMonitorsQuery,
  ListWindowsQuery,
  LiveQualityHistoryQuery,
  LiveQualityHistoryResponse,
  LiveStatsQuery,
  ModelArmsResponse,
  ModelLiveStatsQuery,
  ModelWindowStats,
  MonitorEvaluation,
  MonitorResponse,
  MonitorWindowResponse,
  Name,
  RecordOutcomeRequest,
  RecordOutcomesRequest,
  UpdateMonitorRequest,
} from '@atelier/contracts';
import { Access, Actor, BodyLimit, Endpoint, MiB, openApiSchema, ZodPipe } from '@atelier/server';

import { AlertsService } from './alerts.service';
import { DriftService } from './drift.service';
import { IngestionService } from './ingestion.service';
import { LiveStatsService } from './live-stats.service';
import { MonitorEvaluator } from './monitor-evaluator';
import { MonitorsService } from './monitors.service';

const tag = 'monitoring';

/**
 * Query parameters are typed through `z.infer` on purpose: a type named like its schema makes
 * the emitted parameter metadata point at the zod object, which Swagger then tries to read as
 * a DTO class. (`@Endpoint({ query })` documents them instead.)
 */
type Infer<T extends z.ZodType> = z.infer<T>;
const Id = new ZodPipe(z.uuid());
const NotFound = ApiResponse({ status: 404, description: 'no monitor or alert with this id', schema: openApiSchema(ErrorBody) });
const NoModel = ApiResponse({ status: 404, description: 'no such model in the registry', schema: openApiSchema(ErrorBody) });
const KafkaDown = ApiResponse({
  status: 503,
  description: 'Kafka did not accept the outcomes; sending them again is safe',
  schema: openApiSchema(ErrorBody),
});

@Controller('api')
export class MonitoringController {
  constructor(
    private readonly ingestion: IngestionService,
    private readonly monitors: MonitorsService,
    private readonly evaluator: MonitorEvaluator,
    private readonly live: LiveStatsService,
    private readonly alerts: AlertsService,
    private readonly drift: DriftService,
  ) {}

  @Post('outcomes')
  @Access('predict')
  @Endpoint({
    tag,
    summary: 'Record the observed outcome of a prediction (answers once Kafka has it)',
    body: RecordOutcomeRequest,
    response: AcceptedResponse,
    status: 202,
  })
  @KafkaDown
  recordOutcome(@Body(new ZodPipe(RecordOutcomeRequest)) body: RecordOutcomeRequest): Promise<AcceptedResponse> {
    return this.ingestion.recordOutcomes([body]);
  }

  @Post('outcomes/batch')
  @Access('predict')
  @BodyLimit(8 * MiB)
  @Endpoint({ tag, summary: 'Record up to 10 000 outcomes at once', body: RecordOutcomesRequest, response: AcceptedResponse, status: 202 })
  @KafkaDown
  recordOutcomes(@Body(new ZodPipe(RecordOutcomesRequest)) body: RecordOutcomesRequest): Promise<AcceptedResponse> {
    return this.ingestion.recordOutcomes(body.outcomes);
  }

  @Post('monitors')
  @Endpoint({
    tag,
    summary: 'Create a monitor: alert when a live metric of a model crosses a threshold',
    body: CreateMonitorRequest,
    response: CreatedMonitorResponse,
    status: 201,
  })
  @NoModel
  @ApiResponse({ status: 409, description: "the model's monitors already use this name", schema: openApiSchema(ErrorBody) })
  createMonitor(@Body(new ZodPipe(CreateMonitorRequest)) body: CreateMonitorRequest): Promise<CreatedMonitorResponse> {
    return this.monitors.create(body);
  }

  @Get('monitors')
  @Endpoint({ tag, summary: 'List monitors', query: ListMonitorsQuery, response: z.array(MonitorResponse) })
  listMonitors(@Query(new ZodPipe(ListMonitorsQuery)) query: Infer<typeof ListMonitorsQuery>): Promise<MonitorResponse[]> {
    return this.monitors.list(query.model);
  }

  @Get('monitors/:id')
  @Endpoint({ tag, summary: 'Get a monitor', response: MonitorResponse })
  @NotFound
  getMonitor(@Param('id', Id) id: string): Promise<MonitorResponse> {
    return this.monitors.get(id);
  }

  @Patch('monitors/:id')
  @Endpoint({
    tag,
    summary: 'Change a monitor (threshold, operator, window, minimum samples, enabled)',
    body: UpdateMonitorRequest,
    response: MonitorResponse,
  })
  @NotFound
  updateMonitor(
    @Param('id', Id) id: string,
    @Body(new ZodPipe(UpdateMonitorRequest)) body: UpdateMonitorRequest,
  ): Promise<MonitorResponse> {
    return this.monitors.update(id, body);
  }

  @Delete('monitors/:id')
  @Access('admin')
  @Endpoint({ tag, summary: 'Delete a monitor with its windows and alerts', status: 204 })
  @NotFound
  deleteMonitor(@Param('id', Id) id: string): Promise<void> {
    return this.monitors.remove(id);
  }

  @Post('monitors/:id/evaluate')
  @Endpoint({ tag, summary: 'Evaluate a monitor now over the window ending now', response: MonitorEvaluation })
  @NotFound
  evaluate(@Param('id', Id) id: string): Promise<MonitorEvaluation> {
    return this.evaluator.evaluate(id);
  }

  @Get('monitors/:id/windows')
  @Endpoint({
    tag,
    summary: 'Recent evaluations of a monitor, newest first',
    query: ListWindowsQuery,
    response: z.array(MonitorWindowResponse),
  })
  @NotFound
  windows(
    @Param('id', Id) id: string,
    @Query(new ZodPipe(ListWindowsQuery)) query: Infer<typeof ListWindowsQuery>,
  ): Promise<MonitorWindowResponse[]> {
    return this.monitors.windows(id, query.limit);
  }

  @Get('models/:name/live-stats')
  @Endpoint({
    tag,
    summary: 'Live prediction and outcome statistics of a model (or one of its versions) over the last window',
    query: ModelLiveStatsQuery,
    response: ModelWindowStats,
  })
  @NoModel
  liveStats(
    @Param('name', new ZodPipe(Name)) name: string,
    @Query(new ZodPipe(ModelLiveStatsQuery)) query: Infer<typeof ModelLiveStatsQuery>,
  ): Promise<ModelWindowStats> {
    return this.live.liveStats(name, query.windowSeconds, query.version ?? null);
  }

  @Get('models/:name/live-stats/history')
  @Endpoint({
    tag,
    summary: "A model's (or one version's) live quality over consecutive windows of whole minutes, oldest first",
    query: LiveQualityHistoryQuery,
    response: LiveQualityHistoryResponse,
  })
  @NoModel
  qualityHistory(
    @Param('name', new ZodPipe(Name)) name: string,
    @Query(new ZodPipe(LiveQualityHistoryQuery)) query: Infer<typeof LiveQualityHistoryQuery>,
  ): Promise<LiveQualityHistoryResponse> {
    return this.live.qualityHistory(name, query);
  }

  @Get('models/:name/arms')
  @Endpoint({
    tag,
    summary: "A deployment's arms side by side over the last window: traffic, latency, predictions, live quality, shadow agreement",
    query: LiveStatsQuery,
    response: ModelArmsResponse,
  })
  @NoModel
  arms(
    @Param('name', new ZodPipe(Name)) name: string,
    @Query(new ZodPipe(LiveStatsQuery)) query: Infer<typeof LiveStatsQuery>,
  ): Promise<ModelArmsResponse> {
    return this.live.armStats(name, query.windowSeconds);
  }

  @Get('models/:name/feature-drift/history')
  @Endpoint({
    tag,
    summary:
      "One input's drift over consecutive windows (oldest first) against each window's version's training baseline, with the monitors watching it",
    query: FeatureDriftHistoryQuery,
    response: FeatureDriftHistoryResponse,
  })
  @ApiResponse({ status: 404, description: 'no such model', schema: openApiSchema(ErrorBody) })
  featureDriftHistory(
    @Param('name', new ZodPipe(Name)) name: string,
    @Query(new ZodPipe(FeatureDriftHistoryQuery)) query: Infer<typeof FeatureDriftHistoryQuery>,
  ): Promise<FeatureDriftHistoryResponse> {
    return this.drift.featureDriftHistory(name, query.feature, query.windowSeconds, query.windows);
  }

  @Get('models/:name/feature-drift')
  @Endpoint({
    tag,
    summary:
      "Drift of each input of a model over the last window against the version's training baseline: PSI, Jensen–Shannon, KS, Wasserstein, chi-square, missing rate",
    query: FeatureDriftQuery,
    response: FeatureDriftResponse,
  })
  @ApiResponse({ status: 404, description: 'no such model, or no such version of it', schema: openApiSchema(ErrorBody) })
  featureDrift(
    @Param('name', new ZodPipe(Name)) name: string,
    @Query(new ZodPipe(FeatureDriftQuery)) query: Infer<typeof FeatureDriftQuery>,
  ): Promise<FeatureDriftResponse> {
    return this.drift.featureDrift(name, query.windowSeconds, query.version);
  }

  @Get('monitoring/consumer')
  @Endpoint({
    tag,
    summary: 'How far monitoring is behind: its consumer group on the predictions and outcomes topics, per partition',
    response: ConsumerLagResponse,
  })
  consumerLag(): Promise<ConsumerLagResponse> {
    return this.ingestion.consumerLag();
  }

  @Get('alerts')
  @Endpoint({ tag, summary: 'List alerts, newest first', query: ListAlertsQuery, response: z.array(AlertResponse) })
  listAlerts(@Query(new ZodPipe(ListAlertsQuery)) query: Infer<typeof ListAlertsQuery>): Promise<AlertResponse[]> {
    return this.alerts.list(query);
  }

  @Get('alerts/:id')
  @Endpoint({ tag, summary: 'Get an alert', response: AlertResponse })
  @NotFound
  getAlert(@Param('id', Id) id: string): Promise<AlertResponse> {
    return this.alerts.get(id);
  }

  @Post('alerts/:id/resolve')
  @Endpoint({ tag, summary: 'Resolve an alert by hand (recorded with the key owner)', response: AlertResponse })
  @NotFound
  resolveAlert(@Param('id', Id) id: string, @Actor() actor: string): Promise<AlertResponse> {
    return this.alerts.resolve(id, actor);
  }

  @Post('alerts/:id/acknowledge')
  @Endpoint({
    tag,
    summary: 'Acknowledge an open alert: someone is on it (it stays open until it resolves); 409 when it is resolved',
    response: AlertResponse,
  })
  @NotFound
  acknowledgeAlert(@Param('id', Id) id: string, @Actor() actor: string): Promise<AlertResponse> {
    return this.alerts.acknowledge(id, actor);
  }
}
