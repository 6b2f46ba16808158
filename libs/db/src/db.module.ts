import { Global, Inject, Injectable, Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Client, type ClientBase, Pool, type PoolClient } from 'pg';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { HealthRegistry } from '@atelier/server';

import { createPrismaClient, PrismaClient } from './prisma';

/** BEGIN, `work`, COMMIT on `client`; ROLLBACK when `work` throws (the error goes on). */
async function inTransaction<C extends ClientBase, T>(client: C, work: (client: C) => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** The one Prisma client of a process (and its node-postgres pool); repositories inject it. */
@Injectable()
export class PrismaService implements OnModuleInit, OnModuleDestroy {
  readonly client: PrismaClient;
  /** for the few hot bulk statements where Prisma's JavaScript query engine costs more than the query */
  readonly pool: Pool;

  constructor(
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
    private readonly health: HealthRegistry,
  ) {
    this.pool = new Pool({ connectionString: config.databaseUrl });
    // A database that goes away ends its connections: the queries on them fail (routes answer 503)
    // and the pool replaces them. The 'error' event such a connection also emits — idle, or checked
    // out by a transaction — would end the process without a listener.
    this.pool.on('error', () => undefined);
    this.pool.on('connect', (connection) => connection.on('error', () => undefined));
    this.client = createPrismaClient(config.databaseUrl, this.pool);
  }

  onModuleInit(): void {
    this.health.register('postgres', () => this.ping());
  }

  /**
   * Runs `work` in one transaction on a connection of the node-postgres pool: committed when it
   * resolves, rolled back when it throws (the error goes on), the connection released either way.
   */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await inTransaction(client, work);
    } finally {
      client.release();
    }
  }

  /**
   * `transaction` on a connection of its own, for a transaction that lasts as long as something
   * outside the database (a file being read) rather than holding one of the pool's that every
   * query shares; the connection is closed after.
   */
  async dedicatedTransaction<T>(work: (client: ClientBase) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: this.config.databaseUrl });
    // a connection lost midway fails its query; the event alone would end the process
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await inTransaction(client, work);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async ping(): Promise<void> {
    await this.client.$queryRaw`SELECT 1`;
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.$disconnect();
    await this.pool.end().catch(() => undefined);
  }
}

@Global()
@Module({ providers: [PrismaService], exports: [PrismaService] })
export class DbModule {}
