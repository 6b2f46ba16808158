import { Module } from '@nestjs/common';

import { AuthModule } from '@atelier/auth';
import { loadConfig } from '@atelier/config';
import { DbModule } from '@atelier/db';
import { KafkaModule } from '@atelier/kafka';
import { QueueRootModule, ServerModule, startService } from '@atelier/server';
import { ServingModule } from '@atelier/serving';

// The serving service alone: online prediction with ONNX Runtime, Open Inference Protocol v2,
// batch scoring jobs (shards off the batch queue)
@Module({ imports: [ServerModule, DbModule, AuthModule, KafkaModule, QueueRootModule, ServingModule] })
class ServingAppModule {}

void startService(ServingAppModule, {
  name: 'serving',
  description: 'online prediction with ONNX Runtime, Open Inference Protocol v2, batch scoring',
  defaultPort: 3004,
  processes: loadConfig().serving.processes,
});
