import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Counter } from 'prom-client';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { MetricsService } from '@atelier/server';

import { MonitoringRepository, RETAINED_TABLES, type RetainedTable } from './monitoring.repository';

const DAY_MS = 86_400_000;
/** how often a sweep runs, and how long after the process starts the first one does */
const SWEEP_MS = 3_600_000;
const FIRST_SWEEP_MS = 5 * 60_000;
/** rows one DELETE statement removes at most */
const CHUNK_ROWS = 5_000;

/** What one sweep deleted: rows per table older than `cutoff`, and the tables it could not reach. */
export interface RetentionSweep {
  cutoff: Date;
  deleted: Record<RetainedTable, number>;
  failed: RetainedTable[];
}

/**
 * Keeps monitoring's stored rows to `MONITORING_RETENTION_DAYS`: every hour it deletes the
 * monitored and shadow predictions, parked outcomes and evaluated monitor windows older than that.
 * The per-minute sums (`monitored_minutes`) stay, so live statistics of older windows still count
 * and judge their predictions; an outcome that arrives after its prediction was deleted is parked
 * and deleted in turn. One process of a machine sweeps (process 0, as for the monitor schedule);
 * replicas on other machines sweeping at once delete nothing twice.
 */
@Injectable()
export class MonitoringRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('monitoring.retention');
  private readonly deletedRows: Counter<string>;
  private timer?: NodeJS.Timeout;
  private running?: Promise<RetentionSweep>;
  private stopped = false;

  constructor(
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
    private readonly repository: MonitoringRepository,
    metrics: MetricsService,
  ) {
    this.deletedRows = metrics.counter(
      'atelier_monitoring_retention_deleted_total',
      'monitoring rows deleted for being older than MONITORING_RETENTION_DAYS',
      ['table'],
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.monitoringRetentionDays > 0 && this.config.processIndex === 0) this.schedule(FIRST_SWEEP_MS);
  }

  /** Deletes what is older than the retention as of `now`; a sweep already running is the one answered. */
  sweep(now = new Date()): Promise<RetentionSweep> {
    this.running ??= this.sweepOnce(now).finally(() => (this.running = undefined));
    return this.running;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running; // ends after its current statement
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      void this.sweep().finally(() => {
        if (!this.stopped) this.schedule(SWEEP_MS);
      });
    }, ms).unref();
  }

  private async sweepOnce(now: Date): Promise<RetentionSweep> {
    const cutoff = new Date(now.getTime() - this.config.monitoringRetentionDays * DAY_MS);
    const sweep: RetentionSweep = {
      cutoff,
      deleted: Object.fromEntries(RETAINED_TABLES.map((t) => [t, 0])) as Record<RetainedTable, number>,
      failed: [],
    };
    if (this.config.monitoringRetentionDays <= 0) return sweep;
    for (const table of RETAINED_TABLES) {
      try {
        sweep.deleted[table] = await this.repository.deleteOlderThan(table, cutoff, CHUNK_ROWS, () => this.stopped);
        if (sweep.deleted[table] > 0) this.deletedRows.inc({ table }, sweep.deleted[table]);
      } catch (error) {
        // PostgreSQL away: the next sweep deletes these too
        sweep.failed.push(table);
        this.logger.warn({ msg: 'retention sweep failed', table, error: error instanceof Error ? error.message : String(error) });
      }
    }
    if (RETAINED_TABLES.some((t) => sweep.deleted[t] > 0))
      this.logger.log({ msg: 'deleted monitoring rows older than the retention', cutoff: cutoff.toISOString(), ...sweep.deleted });
    return sweep;
  }
}
