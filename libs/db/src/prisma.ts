import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';

import { Prisma, PrismaClient } from './generated/prisma/client';

export { Prisma, PrismaClient };

/** A Prisma client or the transaction client handed to `$transaction` callbacks. */
export type Db = PrismaClient | Prisma.TransactionClient;

/**
 * Prisma over node-postgres with the JavaScript query engine: no native engine binary. The pool is
 * shared with repositories whose hot statements skip Prisma's query engine (bulk ingestion).
 */
export function createPrismaClient(databaseUrl: string, pool = new Pool({ connectionString: databaseUrl })): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(pool) });
}
