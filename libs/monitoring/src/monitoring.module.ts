import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';

import { AlertNotifier } from './alert-notifier';
import { AlertsService } from './alerts.service';
import { BaselineClient } from './baseline.client';
import { DriftService } from './drift.service';
import { EvaluationScheduler } from './evaluation.scheduler';
import { IngestionService } from './ingestion.service';
import { LiveStatsService } from './live-stats.service';
import { LiveVersionWatch } from './live-version.watch';
import { MonitorEvaluator } from './monitor-evaluator';
import { MonitoringController } from './monitoring.controller';
import { MonitoringRepository } from './monitoring.repository';
import { MonitorsService } from './monitors.service';
import { PredictionEventsConsumer } from './prediction-events.consumer';
import { MonitoringRetention } from './retention';
import { WEBHOOK_QUEUE, WebhookDeliveries, WebhookDeliveryProcessor } from './webhook-deliveries';

/**
 * Live model quality: consumes prediction and outcome events, joins them, evaluates monitors
 * per window and raises, resolves and delivers alerts.
 */
@Module({
  imports: [BullModule.registerQueue({ name: WEBHOOK_QUEUE })],
  controllers: [MonitoringController],
  providers: [
    MonitoringRepository,
    MonitorsService,
    MonitorEvaluator,
    LiveStatsService,
    AlertsService,
    IngestionService,
    AlertNotifier,
    WebhookDeliveries,
    WebhookDeliveryProcessor,
    BaselineClient,
    DriftService,
    EvaluationScheduler,
    PredictionEventsConsumer,
    LiveVersionWatch,
    MonitoringRetention,
  ],
})
export class MonitoringModule {}
