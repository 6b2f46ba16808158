import { readdirSync } from 'node:fs';
import os from 'node:os';

import type { LoggerService } from '@nestjs/common';

/**
 * Gives this process the scheduling priority `nice` (never raises it). Linux keeps a priority per
 * thread and a thread inherits its creator's: the threads already running (V8's and libuv's,
 * listed in /proc/self/task) are lowered one by one, those started afterwards inherit it. A
 * refusal is logged, not fatal.
 */
export function lowerPriority(nice: number, logger: LoggerService, context: string): void {
  try {
    if (os.getPriority() < nice) os.setPriority(nice);
  } catch (error) {
    logger.warn(
      { msg: 'could not lower the scheduling priority', nice, error: error instanceof Error ? error.message : String(error) },
      context,
    );
    return;
  }
  lowerThreads(nice);
}

function lowerThreads(nice: number): void {
  let threads: number[];
  try {
    threads = readdirSync('/proc/self/task').map(Number);
  } catch {
    return; // not Linux: the priority is the process's
  }
  for (const thread of threads) {
    try {
      if (os.getPriority(thread) < nice) os.setPriority(thread, nice);
    } catch {
      // the thread ended meanwhile
    }
  }
}
