import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';

import {
  collectColumns,
  collectEntity,
  collectFeature,
  collectJoinKey,
  collectNames,
  featureValue,
  parseInstant,
  parseSeconds,
  parseVersion,
  wholeNumber,
} from './args';

describe('option values', () => {
  it('collects repeated --entity pairs into one map, the value kept as text', () => {
    expect(collectEntity('airport=SFO', collectEntity('route=SFO-LAX'))).toEqual({ route: 'SFO-LAX', airport: 'SFO' });
    expect(collectEntity('k=a=b')).toEqual({ k: 'a=b' });
    expect(() => collectEntity('airport')).toThrow(InvalidArgumentError);
    expect(() => collectEntity('=SFO')).toThrow('expected entity=key');
    expect(() => collectEntity('airport=')).toThrow('give "airport" a key');
  });

  it('sends a feature as a number when it reads as one, null as missing, a JSON string as that string', () => {
    expect(collectFeature('distance=337', collectFeature('hour=18'))).toEqual({ hour: 18, distance: 337 });
    expect([featureValue('-1.5e3'), featureValue('.5'), featureValue('0')]).toEqual([-1500, 0.5, 0]);
    expect([featureValue('SFO'), featureValue(''), featureValue('null'), featureValue('"02134"')]).toEqual(['SFO', '', null, '02134']);
    // not numbers to JavaScript's liking, but not numbers a person means either
    expect([featureValue('0x1F'), featureValue('Infinity'), featureValue('1,5')]).toEqual(['0x1F', 'Infinity', '1,5']);
    expect(() => featureValue('"a\\"')).toThrow('not a valid JSON string');
  });

  it('reads --columns as an input name and its comma-separated columns', () => {
    expect(collectColumns('X=sepal_length, sepal_width', collectColumns('Y=a'))).toEqual({ Y: ['a'], X: ['sepal_length', 'sepal_width'] });
    expect(() => collectColumns('X=a,,b')).toThrow('separated by commas');
    expect(() => collectColumns('X')).toThrow('expected input=a,b,c');
  });

  it('takes version numbers 1, 2, … and positive seconds only', () => {
    expect(parseVersion('12')).toBe(12);
    for (const bad of ['0', '-1', '1.5', 'v2', '', '99999999999999999999'])
      expect(() => parseVersion(bad), bad).toThrow('expected a version number');
    expect(parseSeconds('0.25')).toBe(0.25);
    for (const bad of ['0', '-1', 'soon', '']) expect(() => parseSeconds(bad), bad).toThrow('positive number of seconds');
  });

  it('collects --join-key pairs into one map, and comma-separated names in order, each once', () => {
    expect(collectJoinKey('airport= origin ', collectJoinKey('carrier=airline'))).toEqual({ carrier: 'airline', airport: 'origin' });
    expect(() => collectJoinKey('airport')).toThrow('expected entity=column');
    expect(() => collectJoinKey('airport=')).toThrow('give "airport" the column holding its key');
    expect(collectNames('b, c', collectNames('a,b'))).toEqual(['a', 'b', 'c']);
    expect(() => collectNames('a,')).toThrow('separated by commas');
  });

  it('takes whole numbers of at least a minimum', () => {
    expect([wholeNumber(0)('0'), wholeNumber(1)('10000')]).toEqual([0, 10000]);
    for (const bad of ['0', '-1', '1.5', '1e4', '', 'ten'])
      expect(() => wholeNumber(1)(bad), bad).toThrow('expected a whole number, 1 or more');
  });

  it('reads an instant with an offset, or a date as its midnight UTC, and sends it in UTC', () => {
    expect(parseInstant('2024-01-31')).toBe('2024-01-31T00:00:00.000Z');
    expect(parseInstant('2024-01-31T06:00+02:00')).toBe('2024-01-31T04:00:00.000Z');
    expect(parseInstant('2024-02-29T23:59:59.5z')).toBe('2024-02-29T23:59:59.500Z');
    // no offset says nothing of the zone meant; a day not in the calendar is not rolled over
    for (const bad of ['2024-01-31T06:00:00', '2023-02-29', '2024-04-31T00:00:00Z', '2024-13-01', '31/01/2024', 'yesterday'])
      expect(() => parseInstant(bad), bad).toThrow('expected a date (2024-01-31, midnight UTC) or a time with an offset');
  });
});
