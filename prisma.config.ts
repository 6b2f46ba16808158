import path from 'node:path';

import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

// Prisma runs with its JavaScript query engine over node-postgres, so no native engine
// binary is needed (see docs/decisions.md, "Prisma without native engines").
const url = process.env.DATABASE_URL ?? 'postgresql://atelier:atelier@127.0.0.1:5432/atelier';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  async adapter() {
    return new PrismaPg({ connectionString: url });
  },
});
