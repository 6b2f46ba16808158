import { loadConfig } from '@atelier/config';
import { startService } from '@atelier/server';

import { PlatformModule } from './platform.module';

void startService(PlatformModule, {
  name: 'platform',
  description: 'All Atelier services in one process: feature store, training, registry, serving, monitoring',
  defaultPort: 3000,
  processes: loadConfig().serving.processes,
  background: true,
});
