import { execFileSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

// The priority is a process's for good (an unprivileged process cannot raise it back): each case
// runs in a child process of its own.
function inChild(script: string): string {
  const program = `const { lowerPriority } = require('./libs/server/src/priority.ts');
const warnings = []; const logger = { warn: (m) => warnings.push(m), log() {}, error() {} };
${script}`;
  return execFileSync('node', ['-r', '@swc-node/register', '-e', program], { encoding: 'utf8' }).trim();
}

describe('lowerPriority', () => {
  it('lowers the process and every thread it already runs (Linux keeps one priority a thread)', () => {
    const out = inChild(`lowerPriority(7, logger, 'test');
const os = require('node:os');
const threads = require('node:fs').readdirSync('/proc/self/task').map(Number);
console.log(JSON.stringify({ main: os.getPriority(), threads: [...new Set(threads.map((t) => os.getPriority(t)))], warnings }));`);
    expect(JSON.parse(out)).toEqual({ main: 7, threads: [7], warnings: [] });
  });

  it('never raises a priority', () => {
    const out = inChild(
      `const os = require('node:os'); os.setPriority(12); lowerPriority(5, logger, 'test'); console.log(os.getPriority());`,
    );
    expect(out).toBe('12');
  });
});
