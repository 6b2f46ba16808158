import { describe, expect, it } from 'vitest';

import { refusalOf } from '@atelier/testing';

import {
  type Filterable,
  likeMatcher,
  matchesFilter,
  MODEL_VERSION_FILTER,
  namesIn,
  parseFilter,
  REGISTERED_MODEL_FILTER,
} from './mlflow-filter';

const models = (filter: string | undefined) => parseFilter(filter, REGISTERED_MODEL_FILTER);
const versions = (filter: string) => parseFilter(filter, MODEL_VERSION_FILTER);


describe('parseFilter', () => {
  it('has no clauses for a missing, empty or blank filter (everything matches)', () => {
    expect(models(undefined)).toEqual([]);
    expect(models('')).toEqual([]);
    expect(models('   ')).toEqual([]);
  });

  it('parses the comparisons of name MLflow allows, keywords in any case', () => {
    expect(models("name = 'flights'")).toEqual([{ kind: 'text', on: 'attribute', key: 'name', comparator: '=', value: 'flights' }]);
    expect(models("name LIKE 'fl%'")).toEqual([{ kind: 'text', on: 'attribute', key: 'name', comparator: 'LIKE', value: 'fl%' }]);
    expect(models("name ilike '%DELAY%'")).toEqual([{ kind: 'text', on: 'attribute', key: 'name', comparator: 'ILIKE', value: '%DELAY%' }]);
    expect(models('attribute.name != "x"')).toEqual([{ kind: 'text', on: 'attribute', key: 'name', comparator: '!=', value: 'x' }]);
    expect(models("name IN ('a', 'b')")).toEqual([{ kind: 'list', key: 'name', comparator: 'IN', values: ['a', 'b'] }]);
    expect(models("name not in ('a',)")).toEqual([{ kind: 'list', key: 'name', comparator: 'NOT IN', values: ['a'] }]);
  });

  it('parses tags with plain, dotted, back-quoted and double-quoted keys', () => {
    expect(models("tags.team = 'ops' AND tag.`my key` LIKE 'a%' and tags.mlflow.prompt.is_prompt != 'true' AND tags.\"x y\" = ''")).toEqual(
      [
        { kind: 'text', on: 'tag', key: 'team', comparator: '=', value: 'ops' },
        { kind: 'text', on: 'tag', key: 'my key', comparator: 'LIKE', value: 'a%' },
        { kind: 'text', on: 'tag', key: 'mlflow.prompt.is_prompt', comparator: '!=', value: 'true' },
        { kind: 'text', on: 'tag', key: 'x y', comparator: '=', value: '' },
      ],
    );
  });

  it("parses the filter MLflow's client adds to every registered-model search", () => {
    expect(models("name LIKE 'fl%' AND tag.`mlflow.prompt.is_prompt` != 'true'")).toEqual([
      { kind: 'text', on: 'attribute', key: 'name', comparator: 'LIKE', value: 'fl%' },
      { kind: 'text', on: 'tag', key: 'mlflow.prompt.is_prompt', comparator: '!=', value: 'true' },
    ]);
  });

  it('reads a doubled quote inside a string as one, and keeps spaces and operators inside strings', () => {
    expect(models("name = 'it''s = AND'")).toEqual([{ kind: 'text', on: 'attribute', key: 'name', comparator: '=', value: "it's = AND" }]);
  });

  it('parses the numeric and list attributes of versions', () => {
    expect(
      versions("name='m' AND version_number >= 2 AND version_number != 5 AND run_id IN ('r') AND source_path LIKE 'local://%'"),
    ).toEqual([
      { kind: 'text', on: 'attribute', key: 'name', comparator: '=', value: 'm' },
      { kind: 'number', key: 'version_number', comparator: '>=', value: 2 },
      { kind: 'number', key: 'version_number', comparator: '!=', value: 5 },
      { kind: 'list', key: 'run_id', comparator: 'IN', values: ['r'] },
      { kind: 'text', on: 'attribute', key: 'source_path', comparator: 'LIKE', value: 'local://%' },
    ]);
  });

  it('refuses what MLflow refuses, saying why', () => {
    expect(refusalOf(() => models("name = 'a' OR name = 'b'"))).toBe(
      "Invalid filter 'name = 'a' OR name = 'b'': expected AND between comparisons, found OR (only AND-ed comparisons are supported)",
    );
    expect(refusalOf(() => models("description = 'x'"))).toBe("Invalid attribute key 'description' specified. Valid keys are name");
    expect(refusalOf(() => models("params.x = '1'"))).toBe("Invalid entity type 'params'. Valid entity types are attribute, tag, tags");
    expect(refusalOf(() => models('name = flights'))).toBe(
      "Expected a quoted string value for attribute 'name' (e.g. 'my-value'), got flights",
    );
    expect(refusalOf(() => models("name > 'a'"))).toBe(
      "Invalid comparator '>' for attribute name: use one of =, !=, LIKE, ILIKE, IN, NOT IN",
    );
    expect(refusalOf(() => models("tags.team IN ('a')"))).toBe("Invalid comparator 'IN' for a tag: use one of =, !=, LIKE, ILIKE");
    expect(refusalOf(() => models("name = 'open"))).toBe("Invalid filter 'name = 'open': a string is not closed (missing ')");
    expect(refusalOf(() => models('name IN ()'))).toBe(
      "Invalid filter 'name IN ()': expected a non-empty list of quoted strings such as ('a', 'b')",
    );
    expect(refusalOf(() => models("name = 'a' AND"))).toBe("Invalid filter 'name = 'a' AND': expected an attribute or tags.<key> at the end");
    expect(refusalOf(() => models("name <> 'a'"))).toBe(
      "Invalid filter 'name <> 'a'': expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN), found '<>'",
    );
    expect(refusalOf(() => models("name = 'a'; drop"))).toBe("Invalid filter 'name = 'a'; drop': unexpected ';' at position 11");
    expect(refusalOf(() => versions("version_number = '2'"))).toBe(
      "Invalid value for numeric attribute 'version_number': 2 (a whole number)",
    );
    expect(refusalOf(() => versions('version_number > 1.5'))).toBe(
      "Invalid value for numeric attribute 'version_number': 1.5 (a whole number)",
    );
    expect(refusalOf(() => versions("source_path IN ('a')"))).toBe(
      'Only name, run_id support comparison with a list of quoted strings, not source_path',
    );
  });
});

describe('matchesFilter', () => {
  const model: Filterable = { attributes: { name: 'flight_delay' }, tags: { team: 'ops', 'my key': 'A_b%' } };
  const matches = (filter: string, item = model) => matchesFilter(models(filter), item);

  it('compares names case-sensitively with =, != and LIKE, and not with ILIKE', () => {
    expect(matches("name = 'flight_delay'")).toBe(true);
    expect(matches("name = 'Flight_Delay'")).toBe(false);
    expect(matches("name != 'other'")).toBe(true);
    expect(matches("name LIKE 'fl%'")).toBe(true);
    expect(matches("name LIKE 'FL%'")).toBe(false);
    expect(matches("name ILIKE 'FL%'")).toBe(true);
    expect(matches("name LIKE 'flight_dela_'")).toBe(true);
    expect(matches("name LIKE 'flight'")).toBe(false);
  });

  it('matches IN and NOT IN lists', () => {
    expect(matches("name IN ('x', 'flight_delay')")).toBe(true);
    expect(matches("name NOT IN ('x', 'flight_delay')")).toBe(false);
    expect(matches("name NOT IN ('x')")).toBe(true);
  });

  it('needs every clause to hold', () => {
    expect(matches("name LIKE 'fl%' AND tags.team = 'ops'")).toBe(true);
    expect(matches("name LIKE 'fl%' AND tags.team = 'dev'")).toBe(false);
  });

  it('never matches a comparison on a tag the item lacks, not even !=', () => {
    expect(matches("tags.owner != 'someone'")).toBe(false);
    expect(matches("tags.owner LIKE '%'")).toBe(false);
    expect(matches("tags.team != 'dev'")).toBe(true);
  });

  it('reads a missing prompt tag as false, so the filter MLflow adds keeps every model', () => {
    expect(matches("tag.`mlflow.prompt.is_prompt` != 'true'")).toBe(true);
    expect(matches("tags.`mlflow.prompt.is_prompt` = 'false'")).toBe(true);
    expect(matches("tags.`mlflow.prompt.is_prompt` = 'true'")).toBe(false);
  });

  it('compares version numbers as numbers', () => {
    const version: Filterable = {
      attributes: { name: 'm', version_number: 10, run_id: '', source_path: 'local://m/10/model.onnx' },
      tags: {},
    };
    const holds = (filter: string) => matchesFilter(versions(filter), version);
    expect([
      holds('version_number > 9'),
      holds('version_number >= 10'),
      holds('version_number < 10'),
      holds('version_number = 10'),
    ]).toEqual([true, true, false, true]);
    expect(holds("source_path LIKE 'local://m/%'")).toBe(true);
    expect(holds("run_id = ''")).toBe(true);
  });
});

describe('likeMatcher', () => {
  it('reads % as any run, _ as one character and \\ as escape; everything else literally', () => {
    expect(likeMatcher('a%', false)('abc')).toBe(true);
    expect(likeMatcher('a%', false)('a')).toBe(true);
    expect(likeMatcher('a_c', false)('abc')).toBe(true);
    expect(likeMatcher('a_c', false)('ac')).toBe(false);
    expect(likeMatcher('100\\%', false)('100%')).toBe(true);
    expect(likeMatcher('100\\%', false)('1000')).toBe(false);
    expect(likeMatcher('a\\_b', false)('axb')).toBe(false);
    expect(likeMatcher('a.b*(c)', false)('a.b*(c)')).toBe(true);
    expect(likeMatcher('a.b', false)('axb')).toBe(false);
    expect(likeMatcher('%', false)('line\nbreak')).toBe(true);
    expect(likeMatcher('a%c%e', false)('abcxcde')).toBe(true);
    expect(likeMatcher('a%c%e', false)('abcxcdef')).toBe(false);
    expect(likeMatcher('%_', false)('')).toBe(false);
    expect(likeMatcher('%_', false)('x')).toBe(true);
    expect(likeMatcher('', false)('')).toBe(true);
    expect(likeMatcher('', false)('x')).toBe(false);
  });

  it('answers at once on patterns a backtracking regular expression would take ages over', () => {
    const pattern = `${'%a'.repeat(30)}%b`;
    expect(likeMatcher(pattern, false)('a'.repeat(20_000))).toBe(false);
    expect(likeMatcher(pattern, false)(`${'a'.repeat(20_000)}b`)).toBe(true);
  });

  it('ignores case only when asked', () => {
    expect(likeMatcher('ÄB%', true)('äbc')).toBe(true);
    expect(likeMatcher('ÄB%', false)('äbc')).toBe(false);
  });
});

describe('namesIn', () => {
  it('finds the names an = or IN on name limits the search to', () => {
    expect(namesIn(models("tags.a = 'b' AND name = 'x'"))).toEqual(['x']);
    expect(namesIn(models("name IN ('x', 'y')"))).toEqual(['x', 'y']);
    expect(namesIn(models("name LIKE 'x%'"))).toBeUndefined();
    expect(namesIn(models("name NOT IN ('x')"))).toBeUndefined();
    expect(namesIn(models("tags.name = 'x'"))).toBeUndefined();
  });
});
