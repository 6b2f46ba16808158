import { describe, expect, it } from 'vitest';

import fixtureJson from '../fixtures/metrics.sklearn.json';
import { MlError } from '../ml.error';
import {
  accuracy,
  averagePrecision,
  calibrationCurve,
  confusionMatrix,
  logLoss,
  mae,
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
}

const fixture = fixtureJson as unknown as {
  sklearnVersion: string;
  classification: ClassificationCase[];
  regression: RegressionCase[];
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
  });
});
