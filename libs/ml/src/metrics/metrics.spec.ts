import { describe, expect, it } from 'vitest';

import fixtureJson from '../fixtures/metrics.sklearn.json';
import { MlError } from '../ml.error';
import {
  accuracy,
  averagePrecision,
  calibrationCurve,
  confusionMatrix,
  logLoss,
  macroF1,
  mae,
  mape,
  multiclassAccuracy,
  multiclassConfusionMatrix,
  multiclassLogLoss,
  multiclassPrecisionRecallF1,
  multiclassRocAuc,
  oneVsRestRocCurves,
  prAuc,
  precisionRecallCurve,
  precisionRecallF1,
  r2,
  rmse,
  rocAuc,
  rocCurve,
} from './metrics';

/** JSON cannot hold Infinity or NaN; the fixture writes them as strings. */
type Num = number | 'Infinity' | '-Infinity' | 'NaN';

interface ClassificationCase {
  name: string;
  y: number[];
  p: number[];
  rocAuc: Num;
  logLoss: Num;
  averagePrecision: Num;
  rocCurve: { fpr: Num[]; tpr: Num[]; thresholds: Num[] };
  prCurve: { precision: Num[]; recall: Num[]; thresholds: Num[] };
  atThreshold: {
    threshold: number;
    accuracy: Num;
    precision: Num;
    recall: Num;
    f1: Num;
    confusion: { tn: number; fp: number; fn: number; tp: number };
  }[];
  calibration: { bins: number; fractionPositive: Num[]; meanPredicted: Num[] }[];
}

interface RegressionCase {
  name: string;
  y: number[];
  prediction: number[];
  rmse: Num;
  mae: Num;
  r2: Num;
  mape: Num;
}

interface MulticlassCase {
  name: string;
  k: number;
  y: number[];
  /** n × k, row-major. */
  probs: number[];
  logLoss: Num;
  accuracy: Num;
  confusion: number[][];
  precision: Num[];
  recall: Num[];
  f1: Num[];
  support: number[];
  macroF1: Num;
  /** null where scikit-learn refuses (rows not summing to 1). */
  rocAuc: { macro: Num | null; weighted: Num | null };
  /** roc_curve and roc_auc_score of each class against the rest. */
  ovrRoc: { fpr: Num[]; tpr: Num[]; thresholds: Num[]; auc: Num }[];
}

const fixture = fixtureJson as unknown as {
  sklearnVersion: string;
  classification: ClassificationCase[];
  regression: RegressionCase[];
  multiclass: MulticlassCase[];
};

const TOLERANCE = 1e-9;

const num = (value: Num): number => (typeof value === 'number' ? value : Number(value));

function expectClose(actual: number, expected: Num): void {
  const want = num(expected);
  if (!Number.isFinite(want)) {
    expect(actual).toBe(want);
    return;
  }
  expect(Math.abs(actual - want)).toBeLessThanOrEqual(TOLERANCE);
}

function expectAllClose(actual: readonly number[], expected: readonly Num[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => expectClose(value, expected[i]));
}

describe(`classification metrics equal scikit-learn ${fixture.sklearnVersion}`, () => {
  describe.each(fixture.classification.map((c) => [c.name, c] as const))('%s', (_, c) => {
    it('rocAuc equals roc_auc_score (ties count half)', () => expectClose(rocAuc(c.y, c.p), c.rocAuc));

    it('logLoss equals log_loss (clipped at float64 epsilon)', () => expectClose(logLoss(c.y, c.p), c.logLoss));

    it('averagePrecision / prAuc equal average_precision_score', () => {
      expectClose(averagePrecision(c.y, c.p), c.averagePrecision);
      expect(prAuc(c.y, c.p)).toBe(averagePrecision(c.y, c.p));
    });

    it('rocCurve equals roc_curve point for point', () => {
      const curve = rocCurve(c.y, c.p);
      expectAllClose(curve.fpr, c.rocCurve.fpr);
      expectAllClose(curve.tpr, c.rocCurve.tpr);
      expectAllClose(curve.thresholds, c.rocCurve.thresholds);
    });

    it('precisionRecallCurve equals precision_recall_curve point for point', () => {
      const curve = precisionRecallCurve(c.y, c.p);
      expectAllClose(curve.precision, c.prCurve.precision);
      expectAllClose(curve.recall, c.prCurve.recall);
      expectAllClose(curve.thresholds, c.prCurve.thresholds);
    });

    it('threshold metrics equal accuracy_score, precision_recall_fscore_support, confusion_matrix', () => {
      for (const expected of c.atThreshold) {
        const { threshold } = expected;
        expectClose(accuracy(c.y, c.p, threshold), expected.accuracy);
        const prf = precisionRecallF1(c.y, c.p, threshold);
        expectClose(prf.precision, expected.precision);
        expectClose(prf.recall, expected.recall);
        expectClose(prf.f1, expected.f1);
        expect(confusionMatrix(c.y, c.p, threshold)).toEqual(expected.confusion);
      }
    });

    it('calibrationCurve equals calibration_curve(strategy="uniform")', () => {
      for (const expected of c.calibration) {
        const curve = calibrationCurve(c.y, c.p, expected.bins);
        expectAllClose(
          curve.map((bin) => bin.fractionPositive),
          expected.fractionPositive,
        );
        expectAllClose(
          curve.map((bin) => bin.meanPredicted),
          expected.meanPredicted,
        );
      }
    });
  });
});

describe(`regression metrics equal scikit-learn ${fixture.sklearnVersion}`, () => {
  it.each(fixture.regression.map((c) => [c.name, c] as const))('%s', (_, c) => {
    expectClose(rmse(c.y, c.prediction), c.rmse);
    expectClose(mae(c.y, c.prediction), c.mae);
    expectClose(r2(c.y, c.prediction), c.r2);
    expectClose(mape(c.y, c.prediction), c.mape);
  });
});

describe(`multiclass metrics equal scikit-learn ${fixture.sklearnVersion}`, () => {
  describe.each(fixture.multiclass.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const probs = Float64Array.from(c.probs);
    const y = Float64Array.from(c.y);

    it('multiclassLogLoss equals log_loss(labels=range(k)) (clipped, not renormalised)', () =>
      expectClose(multiclassLogLoss(y, probs, c.k), c.logLoss));

    it('multiclassAccuracy and multiclassConfusionMatrix equal accuracy_score and confusion_matrix of the argmax', () => {
      expectClose(multiclassAccuracy(y, probs, c.k), c.accuracy);
      expect(multiclassConfusionMatrix(y, probs, c.k)).toEqual(c.confusion);
    });

    it('multiclassPrecisionRecallF1 and macroF1 equal precision_recall_fscore_support / f1_score(zero_division=0)', () => {
      const prf = multiclassPrecisionRecallF1(y, probs, c.k);
      expectAllClose(prf.precision, c.precision);
      expectAllClose(prf.recall, c.recall);
      expectAllClose(prf.f1, c.f1);
      expect(prf.support).toEqual(c.support);
      expectClose(macroF1(y, probs, c.k), c.macroF1);
    });

    it('oneVsRestRocCurves equals roc_curve and roc_auc_score of each class against the rest', () => {
      const curves = oneVsRestRocCurves(y, probs, c.k);
      expect(curves).toHaveLength(c.k);
      curves.forEach((curve, k) => {
        const expected = c.ovrRoc[k];
        expectAllClose(curve.fpr, expected.fpr);
        expectAllClose(curve.tpr, expected.tpr);
        expectAllClose(curve.thresholds, expected.thresholds);
        expectClose(curve.auc, expected.auc);
      });
    });

    it.each(['macro', 'weighted'] as const)('multiclassRocAuc equals roc_auc_score(multi_class="ovr", average="%s")', (average) => {
      const expected = c.rocAuc[average];
      if (expected === null) {
        expect(() => multiclassRocAuc(y, probs, c.k, average)).toThrow(/sum to/);
      } else {
        expectClose(multiclassRocAuc(y, probs, c.k, average), expected);
      }
    });
  });

  it('covers 3 and 4 classes, tied rows, a class never predicted, one absent from y and unnormalised rows', () => {
    const cases = fixture.multiclass;
    expect(new Set(cases.map((c) => c.k))).toEqual(new Set([3, 4]));
    expect(cases.some((c) => c.confusion.some((_, col) => c.confusion.every((row) => row[col] === 0)))).toBe(true);
    expect(cases.some((c) => c.support.includes(0))).toBe(true);
    expect(cases.some((c) => c.rocAuc.macro === null)).toBe(true);
  });
});

describe('metric edge cases', () => {
  it('rocAuc is NaN when only one class is present, as in scikit-learn', () => {
    expect(rocAuc([1, 1, 1], [0.2, 0.5, 0.9])).toBeNaN();
    expect(rocAuc([0, 0], [0.2, 0.5])).toBeNaN();
  });

  it('a confident miss costs -log(eps) nats, not infinity', () => {
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(Number.EPSILON), 12);
    expect(logLoss([0], [1])).toBeCloseTo(-Math.log(Number.EPSILON), 12);
  });

  it('predicts positive only strictly above the threshold, like the ONNX label output', () => {
    expect(confusionMatrix([1, 0], [0.5, 0.5])).toEqual({ tn: 1, fp: 0, fn: 1, tp: 0 });
  });

  it('rejects inputs that would give a silently wrong number', () => {
    expect(() => rocAuc([0, 1], [0.5])).toThrow(MlError);
    expect(() => rocAuc([0, 2], [0.5, 0.4])).toThrow(/label must be 0 or 1/);
    expect(() => accuracy([0, 1], [NaN, 0.4])).toThrow(/NaN/);
    expect(() => logLoss([0, 1], [0.5, 1.5])).toThrow(/\[0, 1\]/);
    expect(() => rmse([], [])).toThrow(/at least one row/);
    expect(() => mape([1, 2], [1, NaN])).toThrow(MlError);
  });

  it('mape divides by float64 epsilon, not zero, for a zero target', () => {
    expect(mape([0], [0])).toBe(0);
    expect(mape([0], [1])).toBe(1 / Number.EPSILON);
    expect(mape([2, 4], [1, 5])).toBe(0.375);
  });

  it('multiclass argmax ties go to the lowest class index, as numpy.argmax and ONNX ArgMax', () => {
    const probs = Float64Array.from([0.4, 0.4, 0.2, 0.2, 0.4, 0.4, 1 / 3, 1 / 3, 1 / 3]);
    expect(multiclassConfusionMatrix([0, 1, 2], probs, 3)).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [1, 0, 0],
    ]);
  });

  it('oneVsRestRocCurves ranks each class column against the rest (hand-computed)', () => {
    // class 0 scores: rows 0 (0.7, class 0), 1 (0.1), 2 (0.2, class 0), 3 (0.6) → at the thresholds
    // 0.7, 0.6, 0.2 the true positives are 1, 1, 2 of 2 and false positives 0, 1, 1 of 2; the point
    // at 0.6 is collinear with neither neighbour, so every point stays.
    const probs = Float64Array.from([0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.2, 0.3, 0.5, 0.6, 0.35, 0.05]);
    const [zero, one, two] = oneVsRestRocCurves([0, 1, 0, 2], probs, 3);
    expect(zero.fpr).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(zero.tpr).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(zero.thresholds).toEqual([Infinity, 0.7, 0.6, 0.2, 0.1]);
    expect(zero.auc).toBe(0.75);
    // class 1 (row 1) has the highest class-1 score: perfect; class 2 (row 3) the lowest: 0
    expect(one.auc).toBe(1);
    expect(two.auc).toBe(0);
    // a class absent from y has no true positive rate and no area
    const [, absent] = oneVsRestRocCurves([0, 2, 0, 2], probs, 3);
    expect(absent.auc).toBeNaN();
    expect(absent.tpr.every(Number.isNaN)).toBe(true);
  });

  it('multiclass metrics reject inputs that would give a silently wrong number', () => {
    const probs = Float64Array.from([0.7, 0.2, 0.1, 0.1, 0.8, 0.1]);
    const codeOf = (run: () => unknown): string | undefined => {
      try {
        run();
      } catch (error) {
        return error instanceof MlError ? error.code : 'not an MlError';
      }
      return undefined;
    };
    expect(codeOf(() => multiclassAccuracy([0, 1], probs, 3))).toBeUndefined();
    expect(codeOf(() => multiclassAccuracy([0, 1], probs, 2))).toBe('invalid_metric_input');
    expect(() => multiclassAccuracy([0, 1], probs, 2)).toThrow(/2 × 2 = 4 values, got 6/);
    expect(() => multiclassAccuracy([0, 3], probs, 3)).toThrow(/class index in \[0, 3\)/);
    expect(() => multiclassAccuracy([0, 0.5], probs, 3)).toThrow(/class index/);
    expect(() => multiclassAccuracy([0, 1], probs, 1.5)).toThrow(/k must be an integer/);
    expect(() => macroF1([], [], 3)).toThrow(/at least one row/);
    expect(() => multiclassConfusionMatrix([0, 1], Float64Array.from([0.7, NaN, 0.1, 0.1, 0.8, 0.1]), 3)).toThrow(/NaN/);
    expect(() => multiclassLogLoss([0, 1], Float64Array.from([1.2, -0.1, 0.1, 0.1, 0.8, 0.1]), 3)).toThrow(/\[0, 1\]/);
    expect(codeOf(() => multiclassRocAuc([0, 1], probs, 3, 'micro' as 'macro'))).toBe('invalid_metric_input');
    expect(() => multiclassRocAuc([0, 1, 2], Float64Array.from([0.5, 0.3, 0.1, 0.2, 0.6, 0.2, 0.1, 0.1, 0.8]), 3)).toThrow(
      /row 0 sum to/,
    );
  });
});
