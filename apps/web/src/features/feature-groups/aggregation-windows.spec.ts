import { describe, expect, it } from 'vitest';

import { describeWindow } from './aggregation-windows';

describe('describeWindow', () => {
  it('names the function, the column (rows for a count without one) and the window', () => {
    expect(describeWindow({ fn: 'mean', column: 'delay', seconds: 3600, kind: 'sliding' })).toBe('mean of delay over the sliding last 1 h');
    expect(describeWindow({ fn: 'count', seconds: 86_400, kind: 'tumbling' })).toBe('count of rows in the tumbling 1 d bucket so far');
    expect(describeWindow({ fn: 'max', column: 'delay', seconds: 600, kind: 'sliding' })).toBe('max of delay over the sliding last 10 min');
  });
});
