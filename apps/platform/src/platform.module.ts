import { Module } from '@nestjs/common';

import { AuthModule } from '@atelier/auth';
import { DbModule } from '@atelier/db';
import { FeatureStoreModule } from '@atelier/feature-store';
import { KafkaModule } from '@atelier/kafka';
import { MonitoringModule } from '@atelier/monitoring';
import { RegistryModule } from '@atelier/registry';
import { QueueRootModule, ServerModule } from '@atelier/server';
import { ServingModule } from '@atelier/serving';
import { TrainingWorkersModule } from '@atelier/training';

/**
 * Every service's modules in one process: the local default. The domains still talk to each
 * other only over HTTP, Kafka and queues, so the same code runs split into services.
 */
@Module({
  imports: [ServerModule, DbModule, AuthModule, KafkaModule, QueueRootModule, FeatureStoreModule, TrainingWorkersModule, RegistryModule, ServingModule, MonitoringModule],
})
export class PlatformModule {}
