import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';

import { MonitorEvaluator } from './monitor-evaluator';

/** How long newly consumed data may gather before the models' monitors are evaluated. */
export const CHANGE_DEBOUNCE_MS = 1000;

/**
 * Evaluates monitors in the background: all enabled ones every `monitorIntervalSeconds`
 * (0 turns the timer off), and those of a model shortly after consumed events changed its
 * windows. Passes run one at a time, so a burst of batches costs one evaluation per monitor,
 * not one per batch.
 */
@Injectable()
export class EvaluationScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('monitoring.scheduler');
  private readonly changed = new Set<string>();
  private interval?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  private tail: Promise<void> = Promise.resolve();
  private tickQueued = false;
  private flushQueued = false;
  private stopped = false;

  constructor(
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
    private readonly monitors: MonitorEvaluator,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.monitorIntervalSeconds;
    // the other processes of a machine leave monitor schedules to process 0 (SERVING_PROCESSES)
    if (seconds > 0 && this.config.processIndex === 0) this.interval = setInterval(() => this.tick(), seconds * 1000).unref();
  }

  /** Consumed events changed these models' windows. */
  modelsChanged(models: string[]): void {
    if (this.stopped || models.length === 0) return;
    models.forEach((m) => this.changed.add(m));
    this.debounce ??= setTimeout(() => this.flush(), CHANGE_DEBOUNCE_MS).unref();
  }

  /** Resolves once no background evaluation is scheduled or running. */
  async whenIdle(): Promise<void> {
    for (;;) {
      const tail = this.tail;
      await tail;
      if (this.debounce === undefined && tail === this.tail) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private tick(): void {
    if (this.tickQueued) return; // the previous pass has not started yet: skip, do not pile up
    this.tickQueued = true;
    this.enqueue(async () => {
      this.tickQueued = false;
      await this.monitors.evaluateAll();
    });
  }

  private flush(): void {
    this.debounce = undefined;
    if (this.flushQueued) return; // the queued pass will take these models too
    this.flushQueued = true;
    this.enqueue(async () => {
      this.flushQueued = false;
      const models = [...this.changed];
      this.changed.clear();
      await this.monitors.evaluateModels(models);
    });
  }

  private enqueue(pass: () => Promise<void>): void {
    this.tail = this.tail
      .then(() => (this.stopped ? undefined : pass()))
      .catch((error: unknown) =>
        this.logger.warn({ msg: 'evaluation pass failed', error: error instanceof Error ? error.message : String(error) }),
      );
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.interval);
    clearTimeout(this.debounce);
    await this.tail;
  }
}
