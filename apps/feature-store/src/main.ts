import { Module } from '@nestjs/common';

import { AuthModule } from '@atelier/auth';
import { DbModule } from '@atelier/db';
import { FeatureStoreModule } from '@atelier/feature-store';
import { KafkaModule } from '@atelier/kafka';
import { QueueRootModule, ServerModule, startService } from '@atelier/server';

// The feature-store service alone: entities, feature groups, offline and online stores, training sets
@Module({ imports: [ServerModule, DbModule, AuthModule, KafkaModule, QueueRootModule, FeatureStoreModule] })
class FeatureStoreAppModule {}

void startService(FeatureStoreAppModule, { name: 'feature-store', description: 'entities, feature groups, offline and online stores, training sets', defaultPort: 3001 });
