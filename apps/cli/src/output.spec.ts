import { describe, expect, it } from 'vitest';

import { fields, formatAliases, formatMetrics, formatNumber, formatPairs, formatPercent, formatTime, Output, table } from './output';

describe('output', () => {
  it('writes exactly one JSON document with --json, and only the human text without', () => {
    let written = '';
    const sink = { write: (s: string) => (written += s) };
    new Output(sink, true).result({ a: [1, 2] }, () => ['not this']);
    expect(JSON.parse(written)).toEqual({ a: [1, 2] });
    expect(written.endsWith('}\n')).toBe(true);
    written = '';
    new Output(sink, false).result({ a: 1 }, () => ['line one', 'line two']);
    expect(written).toBe('line one\nline two\n');
  });

  it('pads table columns to the widest cell, the last one unpadded', () => {
    expect(
      table(
        ['NAME', 'V'],
        [
          ['delays', '2'],
          ['x', '10'],
        ],
      ),
    ).toEqual(['NAME    V', 'delays  2', 'x       10']);
    expect(table(['A', 'B'], [['', '']])).toEqual(['A  B', '']);
  });

  it('aligns label/value fields and leaves out the empty ones', () => {
    expect(
      fields([
        ['prediction', '0.73'],
        ['label', null],
        ['id', 'p-1'],
        ['missing', ''],
      ]),
    ).toEqual(['prediction  0.73', 'id          p-1']);
  });

  it('formats instants in UTC to the minute, numbers to four significant digits', () => {
    expect(formatTime('2001-01-31T23:59:30.000+02:00')).toBe('2001-01-31 21:59Z');
    expect([formatTime(null), formatTime('soon')]).toEqual(['-', 'soon']);
    expect([formatNumber(3), formatNumber(0.712345), formatNumber(-0.000123456), formatNumber(12345.678)]).toEqual([
      '3',
      '0.7123',
      '-0.0001235',
      '12345.68',
    ]);
  });

  it('lists metrics, aliases and key pairs by name, metrics up to a maximum', () => {
    expect(formatMetrics({ logloss: 0.5, auc: 0.71234, accuracy: 0.8 }, 2)).toBe('accuracy=0.8 auc=0.7123 +1 more');
    expect([formatMetrics({}), formatMetrics(null)]).toEqual(['-', '-']);
    expect(formatAliases({ production: 2, candidate: 3 })).toBe('candidate=v3 production=v2');
    expect(formatAliases({})).toBe('-');
    expect(formatPairs({ carrier: 'UA', airport: 'SFO' })).toBe('airport=SFO carrier=UA');
    expect(formatPairs({})).toBe('');
  });

  it('shows progress as whole percents, 100% only when done', () => {
    expect([0, 0.421, 0.999, 1, 1.5, -1, Number.NaN].map(formatPercent)).toEqual(['0%', '42%', '99%', '100%', '100%', '0%', '0%']);
  });
});
