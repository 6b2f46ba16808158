import { describe, expect, it } from 'vitest';

import { MAX_CLASSES } from '@atelier/contracts';

import { checkLabels } from './label.check';

const labels = (...values: number[]) => Float64Array.from(values);

describe('checkLabels', () => {
  it('counts the classes of a multi-class label from the training rows', () => {
    expect(checkLabels('multiclass_classification', labels(0, 2, 1, 1), labels(2, 0))).toBe(3);
    // a class missing from the validation rows is fine: its one-vs-rest AUC is just undefined
    expect(checkLabels('multiclass_classification', labels(0, 1, 2, 3), labels(0, 0))).toBe(4);
    expect(checkLabels('multiclass_classification', labels(...Array.from({ length: MAX_CLASSES }, (_, i) => i)), labels(0))).toBe(
      MAX_CLASSES,
    );
  });

  it('refuses a multi-class label that is not the classes 0..K-1, saying what to change', () => {
    const refusal = (train: Float64Array, validation = labels(0)) => {
      try {
        checkLabels('multiclass_classification', train, validation);
      } catch (error) {
        return (error as Error).message;
      }
      return undefined;
    };
    expect(refusal(labels(0, 1.5))).toBe(
      'multi-class classification needs a label of whole numbers 0, 1, 2, …; the training rows have 1.5 (row 1)',
    );
    expect(refusal(labels(0, 1), labels(0, -1))).toBe(
      'multi-class classification needs a label of whole numbers 0, 1, 2, …; the validation rows have -1 (row 1)',
    );
    expect(refusal(labels(0, MAX_CLASSES))).toBe(
      `multi-class classification takes at most ${MAX_CLASSES} classes; the training rows have a label of ${MAX_CLASSES}`,
    );
    expect(refusal(labels(0, 0))).toBe('multi-class classification needs at least two classes; every training row has the label 0');
    expect(refusal(labels(1, 2, 3))).toBe(
      'multi-class labels must be 0..K-1 with rows of every class; the training rows have labels up to 3 but none of 0 (labels counted from 1? subtract 1 in the label expression)',
    );
    expect(refusal(labels(0, 3))).toBe(
      'multi-class labels must be 0..K-1 with rows of every class; the training rows have labels up to 3 but none of 1, 2',
    );
    expect(refusal(labels(0, 1), labels(1, 2))).toBe(
      'the validation rows have class 2 (row 1), which no training row has (classes 0..1); widen the window or merge rare classes',
    );
  });

  it('checks a binary label on both slices, pointing at multi-class for more classes', () => {
    expect(checkLabels('binary_classification', labels(0, 1), labels(1))).toBe(2);
    expect(() => checkLabels('binary_classification', labels(0, 1), labels(2))).toThrow(
      'binary classification needs a label of 0 or 1; the validation rows have 2 (row 0); for more than two classes train a multi-class model',
    );
    expect(() => checkLabels('binary_classification', labels(0.5), labels(1))).toThrow(/the training rows have 0.5 \(row 0\)$/);
  });

  it('leaves a regression target to the trainers', () => {
    expect(checkLabels('regression', labels(0.5, -3), labels(100))).toBe(1);
  });
});
