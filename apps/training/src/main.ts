import { Module } from '@nestjs/common';

import { AuthModule } from '@atelier/auth';
import { DbModule } from '@atelier/db';
import { KafkaModule } from '@atelier/kafka';
import { QueueRootModule, ServerModule, startService } from '@atelier/server';
import { TrainingModule } from '@atelier/training';

// The training service alone: training jobs on a Bull queue and their workers
@Module({ imports: [ServerModule, DbModule, AuthModule, KafkaModule, QueueRootModule, TrainingModule] })
class TrainingAppModule {}

void startService(TrainingAppModule, { name: 'training', description: 'training jobs on a Bull queue and their workers', defaultPort: 3002 });
