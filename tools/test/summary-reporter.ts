import { existsSync, readFileSync, writeFileSync } from 'node:fs';

import type { Reporter, TestModule } from 'vitest/node';

/** Ends the run with one plain line: "N passed, N failed" (and ", N skipped" when any were). */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed++;
    }
    failed += errors.length;
    // `npm test` runs vitest twice (every spec, then the fault suite): the second run adds the
    // first one's counts, carried in a file, so the last line covers both
    const carried = process.env.ATELIER_SUMMARY_CARRY;
    if (carried && existsSync(carried)) {
      const before = JSON.parse(readFileSync(carried, 'utf8')) as { passed: number; failed: number; skipped: number };
      passed += before.passed;
      failed += before.failed;
      skipped += before.skipped;
    }
    const out = process.env.ATELIER_SUMMARY_OUT;
    if (out) writeFileSync(out, JSON.stringify({ passed, failed, skipped }));
    const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
    // after every other reporter's summary: the run's very last line
    process.once('exit', () => process.stdout.write(`\n${line}\n`));
  }
}
