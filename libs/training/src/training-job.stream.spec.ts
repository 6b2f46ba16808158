import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';

import type { TrainingJobResponse } from '@atelier/contracts';

import { jobStates } from './training-job.stream';

const job = (status: TrainingJobResponse['status'], progress: number, events = 0) =>
  ({ status, progress, events: Array.from({ length: events }, () => ({ at: '', message: '' })), trials: [], modelVersion: null, error: null }) as unknown as TrainingJobResponse;

describe('jobStates', () => {
  it('sends the first state, then each change once, and ends with the state the job ended in', async () => {
    const reads = [job('queued', 0), job('queued', 0), job('running', 0.1, 1), job('running', 0.1, 1), job('running', 0.5, 2), job('succeeded', 1, 3)];
    let i = 0;
    const states = await lastValueFrom(jobStates(async () => reads[Math.min(i++, reads.length - 1)]!, 1).pipe(toArray()));
    expect(states.map((m) => [m.data.status, m.data.progress])).toEqual([
      ['queued', 0],
      ['running', 0.1],
      ['running', 0.5],
      ['succeeded', 1],
    ]);
    expect(i).toBe(reads.length); // no read after the end
  });

  it('ends with the error of a read that fails', async () => {
    await expect(lastValueFrom(jobStates(async () => Promise.reject(new Error('gone')), 1))).rejects.toThrow('gone');
  });
});
