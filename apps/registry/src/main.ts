import { Module } from '@nestjs/common';

import { AuthModule } from '@atelier/auth';
import { DbModule } from '@atelier/db';
import { KafkaModule } from '@atelier/kafka';
import { RegistryModule } from '@atelier/registry';
import { ServerModule, startService } from '@atelier/server';

// The registry service alone: models, versions, artifacts, aliases and audit
@Module({ imports: [ServerModule, DbModule, AuthModule, KafkaModule, RegistryModule] })
class RegistryAppModule {}

void startService(RegistryAppModule, { name: 'registry', description: 'models, versions, artifacts, aliases and audit', defaultPort: 3003 });
