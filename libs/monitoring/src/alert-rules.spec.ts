import { describe, expect, it } from 'vitest';

import { alertTransition, breachMessage, formatValue, recoveryMessage } from './alert-rules';

const monitor = { model: 'flight-delay', metric: 'accuracy' as const, operator: 'lt' as const, threshold: 0.6, windowSeconds: 3600 };

describe('alert rules', () => {
  it('opens one alert, refreshes it while breached, resolves it on a conclusive recovery', () => {
    expect(alertTransition({ breached: true, conclusive: true }, false)).toBe('open');
    expect(alertTransition({ breached: true, conclusive: true }, true)).toBe('refresh');
    expect(alertTransition({ breached: false, conclusive: true }, true)).toBe('resolve');
    expect(alertTransition({ breached: false, conclusive: true }, false)).toBe('none');
  });

  it('leaves an open alert alone when the window has too few samples to tell', () => {
    expect(alertTransition({ breached: false, conclusive: false }, true)).toBe('none');
  });

  it('writes messages a person can read', () => {
    expect(breachMessage(monitor, 0.41, 212)).toBe('accuracy 0.41 < 0.60 over the last 3600 s (212 samples) for model flight-delay');
    expect(recoveryMessage(monitor, 0.85, 1)).toBe(
      'accuracy 0.85 is no longer < 0.60 over the last 3600 s (1 sample) for model flight-delay',
    );
    expect(breachMessage({ ...monitor, metric: 'prediction_count', operator: 'lte', threshold: 10 }, 3, 3)).toBe(
      'prediction_count 3 <= 10 over the last 3600 s (3 samples) for model flight-delay',
    );
  });

  it('formats counts as integers and rates with two to four decimals', () => {
    expect(formatValue('outcome_count', 212)).toBe('212');
    expect(formatValue('accuracy', 0)).toBe('0.00');
    expect(formatValue('accuracy', 0.6)).toBe('0.60');
    expect(formatValue('accuracy', 0.612)).toBe('0.612');
    expect(formatValue('prediction_mean', 0.61234)).toBe('0.6123');
  });
});
