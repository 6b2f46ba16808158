import { describe, expect, it } from 'vitest';

import { type FeatureGroupResponse, TrainingRequest } from '@atelier/contracts';

import {
  checkCategorical,
  checkInputs,
  checkTransforms,
  defaultCategoricalOptions,
  encodingOption,
  expressionProblemOf,
  filterFeatureGroups,
  inputsReducer,
  sourceColumns,
  toggleListed,
} from './input-settings';
import { MINIMAL_REQUEST } from './training-request.fixture';

describe('the model inputs of the training form', () => {
  it('sends a categorical column per listed column, its encoding and option only when not the defaults', () => {
    const { features, errors } = checkCategorical('destination, carrier,origin,destination', {
      carrier: { ...defaultCategoricalOptions(), encoding: 'hashing', buckets: '128' },
      origin: { encoding: 'ordinal', maxCategories: '3', buckets: '3' },
      destination: { ...defaultCategoricalOptions(), maxCategories: '20' },
    });
    expect(errors).toEqual({});
    expect(features).toEqual([
      { column: 'destination', maxCategories: 20 },
      { column: 'carrier', encoding: 'hashing', buckets: 128 },
      // ordinal takes no option: a value typed under another encoding is not sent
      { column: 'origin', encoding: 'ordinal' },
    ]);
    expect(TrainingRequest.parse({ ...MINIMAL_REQUEST, modelType: 'gbdt', categoricalFeatures: features }).categoricalFeatures[1]).toEqual({
      column: 'carrier',
      encoding: 'hashing',
      maxCategories: 50,
      buckets: 128,
    });
  });

  it('keeps a column’s encoding when it leaves the list, so putting it back keeps it', () => {
    const start = { requestFeatures: '', categoricalFeatures: 'city', categoricalOptions: {}, transforms: [] };
    const hashed = inputsReducer(start, {
      type: 'categoricalOptions',
      column: 'city',
      options: { ...defaultCategoricalOptions(), encoding: 'hashing' },
    });
    const gone = inputsReducer(hashed, { type: 'categoricalFeatures', text: '' });
    expect(checkInputs(gone).categoricalFeatures).toEqual([]);
    const back = inputsReducer(gone, { type: 'categoricalFeatures', text: toggleListed(gone.categoricalFeatures, 'city', true) });
    expect(checkInputs(back)).toMatchObject({ categoricalFeatures: [{ column: 'city', encoding: 'hashing' }], issues: [] });
  });

  it('checks a categorical column with the contract: its message by column and field', () => {
    const { errors } = checkCategorical('Dest,carrier', { carrier: { ...defaultCategoricalOptions(), encoding: 'hashing', buckets: '1' } });
    expect(errors).toEqual({
      'Dest.column': 'use lower-case letters, digits, "_" or "-", starting with a letter',
      'carrier.buckets': 'Too small: expected number to be >=2',
    });
    expect(encodingOption('hashing')).toEqual({ option: 'buckets', label: 'Buckets', default: 32, min: 2, max: 4096 });
    expect(encodingOption('ordinal')).toBeUndefined();
  });

  it('toggles a column in a typed list, and offers the source group’s string columns or the others', () => {
    expect(toggleListed('distance, other', 'hour', true)).toBe('distance,other,hour');
    expect(toggleListed('distance,hour', 'distance', false)).toBe('hour');
    const group = {
      features: [
        { name: 'distance', dtype: 'float', description: '' },
        { name: 'destination', dtype: 'string', description: 'IATA code' },
        { name: 'hour', dtype: 'int', description: '' },
      ],
    } as FeatureGroupResponse;
    expect(sourceColumns(group, 'string').map((c) => c.name)).toEqual(['destination']);
    expect(sourceColumns(group, 'value').map((c) => c.name)).toEqual(['distance', 'hour']);
    expect(sourceColumns(undefined, 'value')).toEqual([]);
  });

  it('checks transforms with the contract, skips blank rows and names a name used twice', () => {
    expect(
      checkTransforms([
        { name: 'log_distance', expression: ' log1p(distance) ' },
        { name: '', expression: '' },
        { name: 'Bad', expression: '' },
        { name: 'log_distance', expression: 'hour' },
      ]),
    ).toEqual({
      transforms: [
        { name: 'log_distance', expression: 'log1p(distance)' },
        { name: 'Bad', expression: '' },
        { name: 'log_distance', expression: 'hour' },
      ],
      errors: {
        '2.name': 'use lower-case letters, digits, "_" or "-", starting with a letter',
        '2.expression': 'Too small: expected string to have >=1 characters',
        '0.name': '"log_distance" names two transforms',
        '3.name': '"log_distance" names two transforms',
      },
    });
  });

  it('reads an expression’s problem and its position out of the API’s 400, for that transform only', () => {
    const message = 'transform "ratio": expected an expression but found ")" at position 9 in "distance*)"';
    expect(expressionProblemOf('ratio', message, { position: 9 })).toEqual({ reason: 'expected an expression but found ")"', position: 9 });
    expect(expressionProblemOf('ratio', message, undefined)).toEqual({ reason: 'expected an expression but found ")"', position: 9 });
    expect(expressionProblemOf('other', message, { position: 9 })).toBeUndefined();
    expect(expressionProblemOf('ratio', 'label: unknown column at position 0 in "x"', { position: 0 })).toBeUndefined();
  });
});

describe('the feature picker’s search', () => {
  const group = (name: string, entity: string, features: string[]) =>
    ({ name, entity, features: features.map((f) => ({ name: f, dtype: 'float', description: '' })) }) as FeatureGroupResponse;
  const groups = [
    group('weather', 'airport', ['wind', 'rain']),
    group('airport_stats', 'airport', ['mean_delay']),
    group('carrier_stats', 'carrier', ['mean_delay']),
  ];

  it('keeps the features whose reference contains the text, grouped by entity then group', () => {
    expect(filterFeatureGroups(groups, ' DELAY').map(({ entity, groups }) => [entity, groups.map((g) => g.name)])).toEqual([
      ['airport', ['airport_stats']],
      ['carrier', ['carrier_stats']],
    ]);
    expect(filterFeatureGroups(groups, 'weather:r')[0]!.groups[0]!.features.map((f) => f.name)).toEqual(['rain']);
    expect(filterFeatureGroups(groups, '').flatMap((e) => e.groups).length).toBe(3);
    expect(filterFeatureGroups(groups, 'nothing')).toEqual([]);
  });
});
