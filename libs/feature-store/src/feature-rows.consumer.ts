import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Counter } from 'prom-client';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { type ConsumerLagResponse, FeatureRowEvent, type FeatureRowInput } from '@atelier/contracts';
import { isDataError } from '@atelier/db';
import { BackgroundConsumer, KafkaService } from '@atelier/kafka';
import { DomainError, HealthRegistry, MetricsService } from '@atelier/server';

import { FeatureStoreService } from './feature-store.service';

/** The feature store's consumer group on the `feature-rows` topic (prefixed with the namespace). */
export const FEATURE_ROWS_GROUP = 'feature-store';

/**
 * Streaming ingestion: feature rows from Kafka's `feature-rows` topic (one `FeatureRowEvent` per
 * message, keyed by group and entity so an entity's rows stay in order) into the offline and
 * online stores. Every feature-store process joins one consumer group, so the partitions are
 * divided between them. A message that breaks the contract, names a group that does not exist or
 * values that do not match it goes to the dead-letter topic with the reason; the others go on.
 */
@Injectable()
export class FeatureRowsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('feature-store.stream');
  private readonly consumer: BackgroundConsumer<FeatureRowEvent>;
  private readonly rows: Counter<string>;

  constructor(
    private readonly kafka: KafkaService,
    private readonly service: FeatureStoreService,
    private readonly health: HealthRegistry,
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
    metrics: MetricsService,
  ) {
    this.rows = metrics.counter('atelier_feature_stream_rows_total', 'feature rows consumed from the feature-rows topic and stored', [
      'group',
    ]);
    this.consumer = new BackgroundConsumer(this.kafka, this.logger, {
      healthName: 'feature-rows-consumer',
      what: 'feature rows',
      group: FEATURE_ROWS_GROUP,
      topics: ['featureRows'],
      schema: FeatureRowEvent,
      handle: (events) => this.store(events),
      poison: (error) =>
        isDataError(error) || (error instanceof DomainError && (error.code === 'BAD_REQUEST' || error.code === 'NOT_FOUND')),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.processIndex > 0) return; // background work runs in process 0 (see SERVING_PROCESSES)
    this.consumer.start(this.health);
  }

  /** How far the feature store's consumer group is behind on the topic (asked of the broker). */
  lag(): Promise<ConsumerLagResponse> {
    return this.kafka.consumerLag(FEATURE_ROWS_GROUP, ['featureRows']);
  }

  /** Resolves once the consumer has joined its group (or the module stopped first). */
  whenRunning(): Promise<void> {
    return this.consumer.whenRunning();
  }

  private async store(events: FeatureRowEvent[]): Promise<void> {
    const byGroup = new Map<string, FeatureRowInput[]>();
    for (const { group, entityKey, eventTime, values } of events) {
      const rows = byGroup.get(group) ?? [];
      rows.push({ entityKey, eventTime, values });
      byGroup.set(group, rows);
    }
    for (const [group, rows] of byGroup) {
      await this.service.ingestStreamed(group, rows);
      this.rows.inc({ group }, rows.length);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer.stop();
  }
}
