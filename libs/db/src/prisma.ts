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

/**
 * Whether PostgreSQL refused the data itself (SQLSTATE class 22, data exception, or 23, integrity
 * constraint): sending the same rows again fails again. Anything else (a connection lost, a
 * timeout) may pass on a retry.
 */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}
