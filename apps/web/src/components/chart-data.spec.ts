import { describe, expect, it } from 'vitest';

import { evenTicks, extent, finitePoints, formatClock, formatTick, formatValue, histogramBins, zipPoints } from './chart-data';

describe('chart data', () => {
  it('pairs parallel arrays as far as both go, and keeps only points it can place', () => {
    expect(zipPoints([0, 0.5, 1], [0, 0.8])).toEqual([
      { x: 0, y: 0 },
      { x: 0.5, y: 0.8 },
    ]);
    expect(zipPoints(null, [1])).toEqual([]);
    expect(finitePoints([{ x: 0, y: NaN }, { x: Infinity, y: 1 }, { x: 2, y: 3 }])).toEqual([{ x: 2, y: 3 }]);
  });

  it('gives a single value a scale of width 2 around it', () => {
    expect(extent([3, -1, 2])).toEqual([-1, 3]);
    expect(extent([0.5])).toEqual([-0.5, 1.5]);
  });

  it('ticks evenly from one end to the other, both included', () => {
    expect(evenTicks(0, 1, 3)).toEqual([0, 0.5, 1]);
    expect(evenTicks(10, 40, 4)).toEqual([10, 20, 30, 40]);
    expect(evenTicks(5, 5, 3)).toEqual([5]);
    expect(evenTicks(1, 6, 3, true)).toEqual([1, 4, 6]);
    expect(evenTicks(0, 1, 3, true)).toEqual([0, 1]);
  });

  it('labels ticks short and tooltips with more digits', () => {
    expect([0, 0.5, 12.345, 123.456, 12_500, 0.0003].map(formatTick)).toEqual(['0', '0.5', '12.3', '123.5', '12.5k', '3e-4']);
    expect([0.123456789, 2500, 0.00001234, NaN].map(formatValue)).toEqual(['0.12346', '2,500', '1.234e-5', '—']);
  });

  it('writes time ticks as UTC clock times: seconds on a short span, the date once the span passes a day', () => {
    const at = Date.parse('2026-01-22T13:05:30Z');
    expect(formatClock(at, 60_000)).toBe('13:05:30');
    expect(formatClock(at, 3600_000)).toBe('13:05');
    expect(formatClock(at, 3 * 86_400_000)).toBe('01-22 13:05');
  });

  it('makes histogram bins from finite edges only', () => {
    expect(histogramBins([0, 1, 3], [4, 2])).toEqual([
      { from: 0, to: 1, mid: 0.5, count: 4 },
      { from: 1, to: 3, mid: 2, count: 2 },
    ]);
    expect(histogramBins([0, 1], [4, 2, 9])).toEqual([{ from: 0, to: 1, mid: 0.5, count: 4 }]);
    expect(histogramBins([-Infinity, 0, 1], [1, 2])).toEqual([]);
    expect(histogramBins([0], [])).toEqual([]);
  });
});
