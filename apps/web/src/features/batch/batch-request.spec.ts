import { describe, expect, it } from 'vitest';

import { CreateBatchJobRequest, type FeatureGroupResponse, type ModelResponse, type ModelVersionResponse } from '@atelier/contracts';

import {
  type BatchForm,
  batchFormReducer,
  batchRequest,
  defaultTarget,
  entitiesOf,
  initialBatchForm,
  inputOfIso,
  isoOfInput,
  jobModelLabel,
  sourceLabel,
  suggestionOf,
  targetOptions,
  trainedJoinKeys,
  versionOf,
} from './batch-request';

const MODEL = {
  name: 'flight-delay',
  description: '',
  latestVersion: 3,
  aliases: { candidate: 3, production: 2 },
  createdAt: '2026-01-01T00:00:00Z',
} as ModelResponse;
const version = (n: number, lineage: Partial<ModelVersionResponse['lineage']> = {}) =>
  ({
    model: 'flight-delay',
    version: n,
    signature: {
      inputs: [
        { name: 'mean_delay_24h', source: 'feature', ref: 'airport_delay_stats:mean_delay_24h', entity: 'airport' },
        { name: 'flights_24h', source: 'feature', ref: 'airport_delay_stats:flights_24h', entity: 'airport' },
        { name: 'distance', source: 'request', dtype: 'float' },
      ],
    },
    lineage: { source: null, window: null, params: {}, ...lineage },
  }) as unknown as ModelVersionResponse;
const VERSIONS = [
  version(1),
  version(2, {
    source: 'flights',
    window: { start: '2001-01-01T00:00:00Z', validationStart: '2001-01-22T00:00:00Z', end: '2001-02-01T00:00:00Z' },
    params: { joinKeys: { airport: 'origin' } },
  }),
  version(3),
];
const GROUPS = [{ name: 'airport_delay_stats' }, { name: 'flights' }] as FeatureGroupResponse[];

const filled = (changes: Partial<BatchForm> = {}): BatchForm => ({
  ...initialBatchForm(),
  model: 'flight-delay',
  target: 'alias:production',
  group: 'flights',
  start: '2001-01-22T00:00',
  end: '2001-02-01T00:00',
  ...changes,
});

describe('the batch form', () => {
  it('offers the aliases (production first) and the versions (newest first), production by default', () => {
    const options = targetOptions(MODEL, VERSIONS);
    expect(options.map((o) => o.label)).toEqual(['production → v2', 'candidate → v3', 'v3', 'v2', 'v1']);
    expect(defaultTarget(options)).toBe('alias:production');
    expect(defaultTarget(targetOptions({ ...MODEL, aliases: {} }, VERSIONS))).toBe('version:3');
    expect(versionOf('alias:production', MODEL, VERSIONS)?.version).toBe(2);
    expect(versionOf('version:1', MODEL, VERSIONS)?.version).toBe(1);
    expect(versionOf('', MODEL, VERSIONS)).toBeUndefined();
  });

  it("takes the version's source group and validation slice, until a person chooses others", () => {
    const suggestion = suggestionOf(VERSIONS[1], GROUPS);
    expect(suggestion).toEqual({ group: 'flights', window: { start: '2001-01-22T00:00', end: '2001-02-01T00:00' } });
    expect(suggestionOf(VERSIONS[1], [])).toEqual({ window: suggestion.window });

    let form = batchFormReducer(
      { ...initialBatchForm(), model: 'flight-delay' },
      { type: 'group', group: 'airport_delay_stats', chosen: false },
    );
    form = batchFormReducer(form, { type: 'target', target: 'alias:production', suggestion });
    expect(form).toMatchObject({ group: 'flights', start: '2001-01-22T00:00', end: '2001-02-01T00:00' });

    form = batchFormReducer(form, { type: 'group', group: 'airport_delay_stats', chosen: true });
    form = batchFormReducer(form, { type: 'window', field: 'start', value: '2001-01-25T06:00' });
    form = batchFormReducer(form, { type: 'target', target: 'version:2', suggestion });
    expect(form).toMatchObject({ target: 'version:2', group: 'airport_delay_stats', start: '2001-01-25T06:00', end: '2001-02-01T00:00' });
  });

  it('forgets the passthrough columns and join keys of another group, and the version of another model', () => {
    let form = filled();
    form = batchFormReducer(form, { type: 'passthrough', column: 'destination', on: true });
    form = batchFormReducer(form, { type: 'passthrough', column: 'carrier', on: true });
    form = batchFormReducer(form, { type: 'passthrough', column: 'carrier', on: false });
    form = batchFormReducer(form, { type: 'joinKey', entity: 'airport', column: 'destination' });
    expect(form).toMatchObject({ passthrough: ['destination'], joinKeys: { airport: 'destination' } });
    expect(batchFormReducer(form, { type: 'group', group: 'flights', chosen: true })).toMatchObject({ passthrough: ['destination'] });
    expect(batchFormReducer(form, { type: 'group', group: 'other', chosen: true })).toMatchObject({ passthrough: [], joinKeys: {} });
    expect(batchFormReducer(form, { type: 'joinKey', entity: 'airport', column: '' }).joinKeys).toEqual({});
    expect(batchFormReducer(form, { type: 'model', model: 'other' })).toMatchObject({ model: 'other', target: '', group: 'flights' });
  });

  it('sends the alias or the version, the window in UTC, and only join keys of entities the version reads', () => {
    const form = filled({
      passthrough: ['destination'],
      joinKeys: { airport: 'destination', gone: 'x' },
      shardRows: '1000',
      publish: true,
    });
    const request = batchRequest(form, entitiesOf(VERSIONS[1]));
    expect(request).toEqual({
      model: 'flight-delay',
      alias: 'production',
      source: { group: 'flights', start: '2001-01-22T00:00:00.000Z', end: '2001-02-01T00:00:00.000Z' },
      joinKeys: { airport: 'destination' },
      passthrough: ['destination'],
      shardRows: 1000,
      publish: true,
    });
    expect(CreateBatchJobRequest.safeParse(request).success).toBe(true);
    const byVersion = batchRequest(filled({ target: 'version:3' }), ['airport']);
    expect(byVersion).toMatchObject({ version: 3 });
    expect(byVersion).not.toHaveProperty('alias');
    expect(byVersion).not.toHaveProperty('joinKeys');
  });

  it('leaves what it cannot read for the contract to name', () => {
    const issues = (changes: Partial<BatchForm>) =>
      (CreateBatchJobRequest.safeParse(batchRequest(filled(changes), [])).error?.issues ?? []).map((i) => i.path.join('.'));
    expect(issues({ start: 'yesterday' })).toEqual(['source.start']);
    expect(issues({ shardRows: '' })).toEqual(['shardRows']);
    expect(issues({ shardRows: '5' })).toEqual(['shardRows']);
  });

  it('reads datetime-local values as UTC and shows ISO times back in them', () => {
    expect(isoOfInput('2001-01-10T06:00')).toBe('2001-01-10T06:00:00.000Z');
    expect(isoOfInput('2001-01-10T06:00:30')).toBe('2001-01-10T06:00:30.000Z');
    expect(isoOfInput(' 2001-01-10T06:00:00+02:00 ')).toBe('2001-01-10T06:00:00+02:00');
    expect(inputOfIso('2001-01-10T06:00:00+02:00')).toBe('2001-01-10T04:00');
    expect(inputOfIso('nonsense')).toBe('');
  });

  it("names the entities the version's features are keyed by, and the columns it was trained with", () => {
    expect(entitiesOf(VERSIONS[1])).toEqual(['airport']);
    expect(entitiesOf(undefined)).toEqual([]);
    expect(trainedJoinKeys(VERSIONS[1])).toEqual({ airport: 'origin' });
    expect(trainedJoinKeys(VERSIONS[0])).toEqual({});
  });

  it('names a job by its model version and alias, and its source by group and window, or by file', () => {
    expect(jobModelLabel({ model: 'flight-delay', version: 2, alias: 'production' })).toBe('flight-delay v2 (production)');
    expect(jobModelLabel({ model: 'flight-delay', version: 3, alias: null })).toBe('flight-delay v3');
    expect(sourceLabel({ group: 'flights', start: '2001-01-22T00:00:00.000Z', end: '2001-02-01T06:30:00+02:00' })).toBe(
      'flights · 2001-01-22 00:00 → 2001-02-01 04:30',
    );
    expect(sourceLabel({ file: 'f', format: 'csv', rows: 1200, timeColumn: 'at' })).toBe(
      'an uploaded CSV file of 1,200 rows, features as of “at”',
    );
  });
});
