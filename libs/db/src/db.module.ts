import { Global, Inject, Injectable, Module, OnModuleDestroy } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';

import { createPrismaClient, PrismaClient } from './prisma';

/** The one Prisma client of a process; repositories inject it. */
@Injectable()
export class PrismaService implements OnModuleDestroy {
  readonly client: PrismaClient;

  constructor(@Inject(ATELIER_CONFIG) config: AtelierConfig) {
    this.client = createPrismaClient(config.databaseUrl);
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
