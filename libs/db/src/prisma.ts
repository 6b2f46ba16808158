import { PrismaPg } from '@prisma/adapter-pg';

import { Prisma, PrismaClient } from './generated/prisma/client';

export { Prisma, PrismaClient };

/** A Prisma client or the transaction client handed to `$transaction` callbacks. */
export type Db = PrismaClient | Prisma.TransactionClient;

/** Prisma over node-postgres with the JavaScript query engine: no native engine binary. */
export function createPrismaClient(databaseUrl: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}
