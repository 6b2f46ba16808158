import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Runs `work` while sampling this process's live heap (after a full collection, every
 * `everyMs`): how far it grew above where it started, at most. For tests that show a large
 * input streams through rather than being held whole; not a timing measure.
 */
export async function peakHeapGrowth<T>(work: () => Promise<T>, everyMs = 500): Promise<{ result: T; grownBytes: number }> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  const sampler = setInterval(() => {
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, everyMs);
  try {
    const result = await work();
    return { result, grownBytes: peak - before };
  } finally {
    clearInterval(sampler);
  }
}
