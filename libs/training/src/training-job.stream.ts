import { Observable } from 'rxjs';

import type { TrainingJobResponse, TrainingJobStatus } from '@atelier/contracts';

/** How often a watched job is read while it runs. */
export const WATCH_INTERVAL_MS = 500;

const ENDED: ReadonlySet<TrainingJobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

/** One server-sent event: the job as it is now. */
export interface JobMessage {
  type: 'job';
  data: TrainingJobResponse;
}

/**
 * A job's states as server-sent events: the first as soon as it is subscribed, then every
 * change (status, progress, events, trials) read every `intervalMs`, completing with the state
 * in which the job ended. A read that fails ends the stream with that error (the client
 * reconnects, as EventSource does by itself). `read` answers the job or throws.
 */
export function jobStates(read: () => Promise<TrainingJobResponse>, intervalMs = WATCH_INTERVAL_MS): Observable<JobMessage> {
  return new Observable<JobMessage>((subscriber) => {
    let last = '';
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const tick = async () => {
      try {
        const job = await read();
        if (stopped) return;
        const key = JSON.stringify([job.status, job.progress, job.events.length, job.trials.length, job.modelVersion, job.error]);
        if (key !== last) {
          last = key;
          subscriber.next({ type: 'job', data: job });
        }
        if (ENDED.has(job.status)) return subscriber.complete();
      } catch (error) {
        if (!stopped) subscriber.error(error);
        return;
      }
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  });
}
