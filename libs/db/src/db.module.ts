import { Global, Inject, Injectable, Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { HealthRegistry } from '@atelier/server';

import { createPrismaClient, PrismaClient } from './prisma';

/** The one Prisma client of a process; repositories inject it. */
@Injectable()
export class PrismaService implements OnModuleInit, OnModuleDestroy {
  readonly client: PrismaClient;

  constructor(
    @Inject(ATELIER_CONFIG) config: AtelierConfig,
    private readonly health: HealthRegistry,
  ) {
    this.client = createPrismaClient(config.databaseUrl);
  }

  onModuleInit(): void {
    this.health.register('postgres', () => this.ping());
  }

  async ping(): Promise<void> {
    await this.client.$queryRaw`SELECT 1`;
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.$disconnect();
  }
}

@Global()
@Module({ providers: [PrismaService], exports: [PrismaService] })
export class DbModule {}
