import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';

import { collectColumns, collectEntity, collectFeature, featureValue, parseSeconds, parseVersion } from './args';

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
});
