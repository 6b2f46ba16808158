import { describe, expect, it } from 'vitest';

import { childExecArgv, SINGLE_THREADED_GC } from './process-cluster';

describe('childExecArgv', () => {
  const loader = ['-r', '@swc-node/register'];

  it('adds the single-threaded collector once, after the parent flags', () => {
    expect(childExecArgv(loader, true)).toEqual([...loader, SINGLE_THREADED_GC]);
    expect(childExecArgv([SINGLE_THREADED_GC, ...loader], true)).toEqual([...loader, SINGLE_THREADED_GC]);
  });

  it('takes it out for the parallel collector, even when the parent was started with it', () => {
    expect(childExecArgv([...loader, SINGLE_THREADED_GC, '--max-old-space-size=4096'], false)).toEqual([
      ...loader,
      '--max-old-space-size=4096',
    ]);
    expect(childExecArgv([], false)).toEqual([]);
  });
});
