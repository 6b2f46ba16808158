import { MAX_CLASSES, type ModelTask } from '@atelier/contracts';

/**
 * The label values a task can learn from, checked on both slices before training starts, so a
 * wrong label expression fails the job at once with a message that says what to change.
 *
 * - binary: every label is 0 or 1;
 * - multi-class: every label is a whole number 0..K-1, K inferred from the training rows (at most
 *   MAX_CLASSES), every class has training rows, and the validation rows hold no other class;
 * - regression: anything (the trainers refuse infinities).
 *
 * Returns the number of classes: K for multi-class, 2 for binary, 1 for regression (one output).
 */
export function checkLabels(task: ModelTask, train: Float64Array, validation: Float64Array): number {
  switch (task) {
    case 'regression':
      return 1;
    case 'binary_classification':
      assertBinary(train, 'training');
      assertBinary(validation, 'validation');
      return 2;
    case 'multiclass_classification':
      return multiclassCount(train, validation);
  }
}

function assertBinary(labels: Float64Array, slice: string): void {
  const i = labels.findIndex((y) => y !== 0 && y !== 1);
  if (i < 0) return;
  const hint = Number.isInteger(labels[i]) && labels[i]! > 1 ? '; for more than two classes train a multi-class model' : '';
  throw new Error(`binary classification needs a label of 0 or 1; the ${slice} rows have ${labels[i]} (row ${i})${hint}`);
}

function multiclassCount(train: Float64Array, validation: Float64Array): number {
  for (const [labels, slice] of [
    [train, 'training'],
    [validation, 'validation'],
  ] as const) {
    const i = labels.findIndex((y) => !(Number.isInteger(y) && y >= 0));
    if (i >= 0) {
      throw new Error(
        `multi-class classification needs a label of whole numbers 0, 1, 2, …; the ${slice} rows have ${labels[i]} (row ${i})`,
      );
    }
  }
  let max = 0;
  for (const y of train) if (y > max) max = y;
  const k = max + 1;
  if (k > MAX_CLASSES)
    throw new Error(`multi-class classification takes at most ${MAX_CLASSES} classes; the training rows have a label of ${max}`);
  if (k < 2) throw new Error('multi-class classification needs at least two classes; every training row has the label 0');
  const counts = new Array<number>(k).fill(0);
  for (const y of train) counts[y]!++;
  const empty = counts.flatMap((count, c) => (count === 0 ? [c] : []));
  if (empty.length > 0) {
    throw new Error(
      `multi-class labels must be 0..K-1 with rows of every class; the training rows have labels up to ${max} but none of ${empty.join(', ')}` +
        (empty[0] === 0 ? ' (labels counted from 1? subtract 1 in the label expression)' : ''),
    );
  }
  const unseen = validation.findIndex((y) => y >= k);
  if (unseen >= 0) {
    throw new Error(
      `the validation rows have class ${validation[unseen]} (row ${unseen}), which no training row has (classes 0..${k - 1}); widen the window or merge rare classes`,
    );
  }
  return k;
}
