import { EventEmitter } from 'node:events';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { watchParent } from './parent-watch';

class FakeProcess extends EventEmitter {
  ppid = 100;
  connected: boolean | undefined = true;
}

describe('watchParent', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reports once when the IPC channel to the parent closes', () => {
    const proc = new FakeProcess();
    const onGone = vi.fn();
    watchParent(onGone, proc);
    proc.emit('disconnect');
    proc.emit('disconnect');
    vi.advanceTimersByTime(5_000);
    expect(onGone).toHaveBeenCalledTimes(1);
    expect(onGone).toHaveBeenCalledWith('the IPC channel to the parent process 100 closed');
  });

  it('reports when this process is re-parented, even with no IPC channel', () => {
    const proc = new FakeProcess();
    proc.connected = undefined;
    const onGone = vi.fn();
    watchParent(onGone, proc, 1_000);
    vi.advanceTimersByTime(3_000);
    expect(onGone).not.toHaveBeenCalled();
    proc.ppid = 1;
    vi.advanceTimersByTime(1_000);
    expect(onGone).toHaveBeenCalledExactlyOnceWith('the parent process 100 is gone (now a child of 1)');
    expect(proc.listenerCount('disconnect')).toBe(0);
  });

  it('reports at once when the channel closed before the watch began', () => {
    const proc = new FakeProcess();
    proc.connected = false;
    const onGone = vi.fn();
    watchParent(onGone, proc);
    expect(onGone).toHaveBeenCalledTimes(1);
  });

  it('stops watching when asked', () => {
    const proc = new FakeProcess();
    const onGone = vi.fn();
    const stop = watchParent(onGone, proc);
    stop();
    proc.ppid = 1;
    proc.emit('disconnect');
    vi.advanceTimersByTime(5_000);
    expect(onGone).not.toHaveBeenCalled();
  });
});
