import type { PlainTensor } from './onnx-runner';

/** Rows that wait for one model run, and the callers to tell when it is done. */
interface Pending<R> {
  rows: R[];
  callers: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

export type RunRows<R> = (rows: R[]) => Promise<Record<string, PlainTensor>>;
export type ApplyOutputs<K, R> = (key: K, rows: R[], outputs: Record<string, PlainTensor>) => void;

/**
 * Coalesces the rows of concurrent requests for one model into one ONNX Runtime run. A run
 * costs about the same for 1 row as for 100 (measured on the demo model: 79 µs vs 79 µs), so
 * under load one run for every request that arrived in the same event-loop turn saves most of
 * that fixed cost; an idle server still runs each request at once (the batch closes on
 * `setImmediate`, not on a timer), so no request waits for company.
 */
export class MicroBatcher<K extends object, R> {
  private readonly pending = new Map<K, Pending<R>>();

  constructor(
    private readonly maxRows: number,
    private readonly runRows: (key: K) => RunRows<R>,
    private readonly apply: ApplyOutputs<K, R>,
  ) {}

  /** Resolves once `rows` carry their outputs (written by `apply`). */
  score(key: K, rows: R[]): Promise<void> {
    if (rows.length >= this.maxRows) return this.runNow(key, rows);
    let batch = this.pending.get(key);
    if (!batch || batch.rows.length + rows.length > this.maxRows) {
      if (batch) this.flush(key, batch);
      batch = { rows: [], callers: [] };
      this.pending.set(key, batch);
      const scheduled = batch;
      setImmediate(() => this.flush(key, scheduled));
    }
    batch.rows.push(...rows);
    return new Promise((resolve, reject) => batch.callers.push({ resolve, reject }));
  }

  private async runNow(key: K, rows: R[]): Promise<void> {
    this.apply(key, rows, await this.runRows(key)(rows));
  }

  private flush(key: K, batch: Pending<R>): void {
    if (this.pending.get(key) === batch) this.pending.delete(key);
    if (batch.callers.length === 0) return;
    const callers = batch.callers.splice(0);
    this.runNow(key, batch.rows).then(
      () => callers.forEach((c) => c.resolve()),
      (error: unknown) => callers.forEach((c) => c.reject(error)),
    );
  }
}
