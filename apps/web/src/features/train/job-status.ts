import type { TrainingJobStatus } from '@atelier/contracts';

/** A job in one of these states will not change any more. */
export function isFinished(status: TrainingJobStatus): boolean {
  switch (status) {
    case 'succeeded':
    case 'failed':
    case 'cancelled':
      return true;
    case 'queued':
    case 'running':
      return false;
  }
}
