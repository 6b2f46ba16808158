import { Module } from '@nestjs/common';

import { AlertNotifier } from './alert-notifier';
import { AlertsService } from './alerts.service';
import { BaselineClient } from './baseline.client';
import { EvaluationScheduler } from './evaluation.scheduler';
import { IngestionService } from './ingestion.service';
import { MonitoringController } from './monitoring.controller';
import { MonitoringRepository } from './monitoring.repository';
import { MonitorsService } from './monitors.service';
import { PredictionEventsConsumer } from './prediction-events.consumer';

/**
 * Live model quality: consumes prediction and outcome events, joins them, evaluates monitors
 * per window and raises, resolves and delivers alerts.
 */
@Module({
  controllers: [MonitoringController],
  providers: [
    MonitoringRepository,
    MonitorsService,
    AlertsService,
    IngestionService,
    AlertNotifier,
    BaselineClient,
    EvaluationScheduler,
    PredictionEventsConsumer,
  ],
})
export class MonitoringModule {}
