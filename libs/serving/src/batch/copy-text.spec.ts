import { describe, expect, it } from 'vitest';

import { predictionLines } from './batch.repository';
import { arrayLiteral, COPY_NULL, copyField, copyJson } from './copy-text';

describe('COPY text', () => {
  it('escapes the four characters COPY reads specially, and writes null as \\N', () => {
    expect(copyField('plain value, "quoted" é')).toBe('plain value, "quoted" é');
    expect(copyField('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyField('\\N')).toBe('\\\\N'); // the text "\N" is not null
    expect(copyField(null)).toBe(COPY_NULL);
    expect(copyField('')).toBe('');
  });

  it('writes JSON as COPY reads it back: its escapes doubled, control characters already escaped by JSON', () => {
    const value = { note: 'tab\there, line\nbreak, back\\slash, "quoted"' };
    expect(copyJson(value)).toBe(copyField(JSON.stringify(value)));
    expect(copyJson({ airport: 'LAS' })).toBe('{"airport":"LAS"}');
    expect(copyJson(null)).toBe('null');
  });

  it('writes a text[] as its literal, quotes and backslashes escaped inside', () => {
    expect(arrayLiteral([])).toBe('{}');
    expect(arrayLiteral(['a', 'b c', 'say "x"', 'back\\slash'])).toBe('{"a","b c","say \\"x\\"","back\\\\slash"}');
  });

  it('writes each prediction as one line of fourteen fields, in chunks', () => {
    const prediction = {
      predictionId: '6cb094cb-87c6-4c27-9b1b-32266ff86ea7',
      shard: 2,
      row: 0,
      eventTime: new Date('2001-01-01T00:01:00.000Z'),
      entities: { airport: 'LAS' },
      prediction: 0.125,
      label: 0,
      probabilities: null,
      missing: ['airport_delay_stats:mean_delay_24h'],
      columns: { note: 'tab\there', gate: null },
      model: 'flight-delay',
      version: 3,
      alias: null,
    };
    const chunks = [
      ...predictionLines(
        '0cceb534-1b04-4e96-847e-53e0f778f8a9',
        Array.from({ length: 5_001 }, (_, row) => ({ ...prediction, row })),
      ),
    ];
    expect(chunks).toHaveLength(2);
    const first = chunks[0]!.split('\n')[0]!;
    expect(first.split('\t')).toEqual([
      '0cceb534-1b04-4e96-847e-53e0f778f8a9',
      '2',
      '0',
      '6cb094cb-87c6-4c27-9b1b-32266ff86ea7',
      'flight-delay',
      '3',
      '\\N',
      '2001-01-01T00:01:00.000Z',
      '{"airport":"LAS"}',
      '0.125',
      '0',
      '\\N',
      '{"airport_delay_stats:mean_delay_24h"}',
      '{"note":"tab\\\\there","gate":null}',
    ]);
    expect(chunks[1]!.split('\n')).toHaveLength(2); // the last row, then the end of its line

    // a string label and an alias escaped; a row without missing inputs; probabilities as JSON
    const [other] = [
      ...predictionLines('j', [
        { ...prediction, label: 'on\ttime', alias: 'prod\\a', missing: [], probabilities: { 'on\ttime': 0.5, late: 0.5 } },
      ]),
    ];
    expect(other!.split('\t').slice(6, 13)).toEqual([
      'prod\\\\a',
      '2001-01-01T00:01:00.000Z',
      '{"airport":"LAS"}',
      '0.125',
      'on\\ttime',
      '{"on\\\\ttime":0.5,"late":0.5}',
      '{}',
    ]);
  });
});
