import type { BatchJobStatus, TrainingJobStatus } from '@atelier/contracts';

/** A training or batch scoring job in one of these states will not change any more. */
export function isFinished(status: TrainingJobStatus | BatchJobStatus): boolean {
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
