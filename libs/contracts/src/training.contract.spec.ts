import { describe, expect, it } from 'vitest';

import { EMPTY_EVALUATION, Evaluation, outputRolesOf } from './registry.contract';
import { type ModelChoiceInput, taskOf, TrainingRequest, type TrainingRequestInput } from './training.contract';

const base = {
  modelName: 'm',
  source: { group: 'rows' },
  window: { start: '2001-01-01T00:00:00Z', validationStart: '2001-01-02T00:00:00Z', end: '2001-01-03T00:00:00Z' },
  requestFeatures: ['x'],
  label: 'y',
};

const parse = (choice: ModelChoiceInput & Partial<TrainingRequestInput>) => TrainingRequest.safeParse({ ...base, ...choice });

describe('TrainingRequest: tasks', () => {
  it('asks GBDT, neural networks and logistic regression for multi-class classification; linear regression keeps its one task', () => {
    const task = (choice: ModelChoiceInput) => taskOf(TrainingRequest.parse({ ...base, ...choice }));
    expect(task({ modelType: 'gbdt', params: { objective: 'multiclass' } })).toBe('multiclass_classification');
    expect(task({ modelType: 'gbdt', params: {} })).toBe('binary_classification');
    expect(task({ modelType: 'gbdt', params: { objective: 'regression' } })).toBe('regression');
    expect(task({ modelType: 'neural_network', params: { task: 'multiclass' } })).toBe('multiclass_classification');
    expect(task({ modelType: 'neural_network', params: { task: 'regression' } })).toBe('regression');
    expect(task({ modelType: 'logistic_regression', params: { task: 'binary' } })).toBe('binary_classification');
    expect(task({ modelType: 'logistic_regression', params: {} })).toBe('binary_classification');
    expect(task({ modelType: 'logistic_regression', params: { task: 'multiclass' } })).toBe('multiclass_classification');
    expect(task({ modelType: 'linear_regression', params: {} })).toBe('regression');
  });

  it('refuses multi-class logistic regression with the adam solver, and a task logistic regression cannot learn', () => {
    const adam = parse({ modelType: 'logistic_regression', params: { task: 'multiclass', solver: 'adam' } });
    expect(adam.success).toBe(false);
    expect(adam.error!.issues[0]).toMatchObject({
      path: ['params', 'solver'],
      message: 'multi-class logistic regression trains with solver "lbfgs" only (the default); "adam" fits binary logistic regression',
    });
    expect(parse({ modelType: 'logistic_regression', params: { task: 'binary', solver: 'adam' } }).success).toBe(true);
    const regression = parse({ modelType: 'logistic_regression', params: { task: 'regression' as never } });
    expect(regression.error!.issues[0]!.path).toEqual(['params', 'task']);
  });

  it('does not search over what decides the task', () => {
    const result = parse({
      modelType: 'gbdt',
      params: { objective: 'multiclass' },
      search: { space: { objective: { type: 'choice', values: ['binary', 'multiclass'] } } },
    });
    expect(result.error!.issues[0]!.message).toMatch(/^gbdt has no searchable parameter "objective"; it has numIterations, /);
    expect(result.error!.issues[0]!.message).not.toMatch(/seed|objective,/);
  });

  it('refuses an empty range and a log scale from 0, naming the parameter', () => {
    const issues = (space: object) =>
      parse({ modelType: 'gbdt', params: {}, search: { space } as never }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ learningRate: { type: 'float', min: 0.5, max: 0.05 } })).toEqual([
      'search.space.learningRate.max: the range is empty: min 0.5 is above max 0.05',
    ]);
    expect(issues({ maxLeaves: { type: 'int', min: 0, max: 63, log: true } })).toEqual(['search.space.maxLeaves.min: a log scale needs min > 0, got 0']);
    expect(issues({ learningRate: { type: 'float', min: 0.05, max: 0.05 } })).toBeUndefined();
  });
});

describe('Evaluation: the multi-class part', () => {
  it('is optional, so reports stored before it existed still parse', () => {
    const { multiclass: _, ...stored } = EMPTY_EVALUATION;
    expect(Evaluation.parse(stored).multiclass).toBeUndefined();
    expect(Evaluation.parse(EMPTY_EVALUATION).multiclass).toBeNull();
  });

  it("defaults a multi-class signature without roles to Atelier's own output names", () => {
    const signature = {
      inputs: [],
      onnxInputs: [],
      outputs: ['probabilities', 'label'],
      task: 'multiclass_classification' as const,
      missingFeatures: 'impute' as const,
    };
    expect(outputRolesOf(signature)).toEqual({ label: 'label', probabilities: 'probabilities', value: null, classes: null });
  });
});
