import { Module } from '@nestjs/common';

import { AuthModule } from '@atelier/auth';
import { DbModule } from '@atelier/db';
import { KafkaModule } from '@atelier/kafka';
import { MonitoringModule } from '@atelier/monitoring';
import { ServerModule, startService } from '@atelier/server';

// The monitoring service alone: live quality and drift, monitors and alerts from Kafka events
@Module({ imports: [ServerModule, DbModule, AuthModule, KafkaModule, MonitoringModule] })
class MonitoringAppModule {}

void startService(MonitoringAppModule, { name: 'monitoring', description: 'live quality and drift, monitors and alerts from Kafka events', defaultPort: 3005 });
