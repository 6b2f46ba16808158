import { describe, expect, it } from 'vitest';

import { eventLoopYielder } from './training-input.util';

describe('eventLoopYielder', () => {
  it('lets a waiting macrotask run once everyMs has passed, and only then', async () => {
    let clock = 0;
    const yieldToEventLoop = eventLoopYielder(20, () => clock);
    let ran = false;
    setImmediate(() => (ran = true));

    clock = 19;
    await yieldToEventLoop(); // a microtask only: the immediate still waits
    expect(ran).toBe(false);

    clock = 20;
    await yieldToEventLoop();
    expect(ran).toBe(true);
  });

  it('counts the next interval from the last yield', async () => {
    let clock = 0;
    const yieldToEventLoop = eventLoopYielder(20, () => clock);
    clock = 25;
    await yieldToEventLoop();
    let ran = false;
    setImmediate(() => (ran = true));
    clock = 44;
    await yieldToEventLoop();
    expect(ran).toBe(false);
    clock = 45;
    await yieldToEventLoop();
    expect(ran).toBe(true);
  });
});
