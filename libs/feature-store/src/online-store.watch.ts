import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Counter } from 'prom-client';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { MetricsService } from '@atelier/server';

import { FeatureStoreService } from './feature-store.service';
import { OnlineStore } from './online-store';

/**
 * Notices an emptied online store and fills it again. Redis keeps its data across restarts
 * (append-only file), but a server started without it, a flush or a replaced instance comes back
 * empty, and serving would then answer MISSING_FEATURES for every entity. Every
 * `ONLINE_STORE_CHECK_SECONDS` this sets a marker key if it is missing; whoever sets it (one
 * process of many) materializes every group again as of its last run that wrote values.
 */
@Injectable()
export class OnlineStoreWatch implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('feature-store.online-watch');
  private readonly recoveries: Counter<string>;
  private timer?: NodeJS.Timeout;
  private checking?: Promise<void>;

  constructor(
    private readonly online: OnlineStore,
    private readonly service: FeatureStoreService,
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
    metrics: MetricsService,
  ) {
    this.recoveries = metrics.counter(
      'atelier_online_store_recoveries_total',
      'times the online store was found empty and materialized again',
    );
  }

  onModuleInit(): void {
    const seconds = this.config.onlineStoreCheckSeconds;
    if (seconds > 0) this.timer = setInterval(() => void this.check(), seconds * 1000).unref();
  }

  /** One check; never throws (Redis or PostgreSQL away: the next check tries again). */
  check(now = new Date()): Promise<void> {
    this.checking ??= this.recoverIfEmpty(now)
      .catch((error: unknown) => this.logger.warn({ msg: 'online store check failed; trying again later', error: String(error) }))
      .finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async recoverIfEmpty(now: Date): Promise<void> {
    if (!(await this.online.claimEmptyMarker(now))) return;
    try {
      const runs = await this.service.rematerializeAll(`the online store was found empty at ${now.toISOString()}`);
      if (runs.length === 0) return;
      this.recoveries.inc();
      this.logger.warn({
        msg: 'online store found empty; materializing every group again',
        groups: runs.map((r) => r.group),
        runs: runs.map((r) => r.runId),
      });
    } catch (error) {
      // give the recovery back to the next check
      await this.online.dropMarker().catch(() => undefined);
      throw error;
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
  }
}
