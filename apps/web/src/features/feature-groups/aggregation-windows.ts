import type { AggregationWindow } from '@atelier/contracts';

import { formatDuration } from '../../lib/format';

/** A window feature in words: `mean of delay over the sliding last 1 h`, `count of rows in the tumbling 1 d bucket so far`. */
export function describeWindow(window: Pick<AggregationWindow, 'fn' | 'column' | 'seconds' | 'kind'>): string {
  const of = `${window.fn} of ${window.column ?? 'rows'}`;
  const span = formatDuration(window.seconds);
  return window.kind === 'sliding' ? `${of} over the sliding last ${span}` : `${of} in the tumbling ${span} bucket so far`;
}
