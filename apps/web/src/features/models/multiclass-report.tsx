'use client';

import type { ClassLabel, MulticlassEvaluation } from '@atelier/contracts';

import { LineChart, zipPoints } from '../../components/line-chart';
import { formatCount, formatMetric, formatShare } from '../../lib/format';

/** The multi-class part of a version's report: confusion matrix, per-class metrics, one-vs-rest ROC curves. */
export function MulticlassReport({ report }: { report: MulticlassEvaluation }) {
  return (
    <div className="report-multiclass" data-testid="report-multiclass">
      <div className="report-multiclass-tables">
        <ClassConfusionMatrix classes={report.classes} matrix={report.confusionMatrix} />
        <PerClassTable perClass={report.perClass} />
      </div>
      <OneVsRestCurves roc={report.roc} />
    </div>
  );
}

/** K×K counts, shaded by their share of the actual class's rows: the diagonal is each class's recall. */
function ClassConfusionMatrix({ classes, matrix }: { classes: ClassLabel[]; matrix: number[][] }) {
  return (
    <figure className="chart" data-testid="report-confusion-multiclass">
      <figcaption className="section-title">Confusion matrix · most probable class</figcaption>
      <div className="table-wrap">
        <table className="confusion confusion-multiclass">
          <thead>
            <tr>
              <th>actual ↓ · predicted →</th>
              {classes.map((c) => (
                <th key={String(c)} className="num">
                  {String(c)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {matrix.map((row, a) => (
              <ConfusionRow key={String(classes[a])} actual={classes[a]!} row={row} at={a} classes={classes} />
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

function ConfusionRow({ actual, row, at, classes }: { actual: ClassLabel; row: number[]; at: number; classes: ClassLabel[] }) {
  const total = row.reduce((sum, n) => sum + n, 0);
  return (
    <tr>
      <th>{String(actual)}</th>
      {row.map((count, p) => {
        const tone = p === at ? 'var(--success)' : 'var(--danger)';
        const share = total > 0 ? count / total : 0;
        return (
          <td
            key={p}
            className="num"
            style={{ background: `color-mix(in srgb, ${tone} ${Math.round(share * 45)}%, transparent)` }}
            title={`actual ${String(actual)}, predicted ${String(classes[p])}: ${formatShare(count, total)} of the class's rows`}
          >
            <span className="mono">{formatCount(count)}</span>
          </td>
        );
      })}
    </tr>
  );
}

function PerClassTable({ perClass }: { perClass: MulticlassEvaluation['perClass'] }) {
  return (
    <div className="table-wrap" data-testid="report-per-class">
      <h3 className="section-title">Per class</h3>
      <table className="table table-compact">
        <thead>
          <tr>
            <th>class</th>
            <th className="num">precision</th>
            <th className="num">recall</th>
            <th className="num">F1</th>
            <th className="num">support</th>
          </tr>
        </thead>
        <tbody>
          {perClass.map((c) => (
            <tr key={String(c.label)}>
              <td className="mono">{String(c.label)}</td>
              <td className="num mono">{formatMetric(c.precision)}</td>
              <td className="num mono">{formatMetric(c.recall)}</td>
              <td className="num mono">{formatMetric(c.f1)}</td>
              <td className="num mono">{formatCount(c.support)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">Each class against the rest; 0 where a class was never predicted or never occurs.</p>
    </div>
  );
}

function OneVsRestCurves({ roc }: { roc: MulticlassEvaluation['roc'] }) {
  return (
    <div data-testid="report-roc-ovr">
      <h3 className="section-title">ROC · each class against the rest</h3>
      <div className="small-multiples">
        {roc.map((curve) =>
          curve.auc === null ? (
            <p key={String(curve.label)} className="muted small">
              class {String(curve.label)}: no validation rows, no curve
            </p>
          ) : (
            <LineChart
              key={String(curve.label)}
              title={
                <>
                  class <span className="chart-feature">{String(curve.label)}</span>
                  <span className="chart-stat"> · AUC {formatMetric(curve.auc)}</span>
                </>
              }
              series={[{ label: `class ${String(curve.label)}`, points: zipPoints(curve.fpr, curve.tpr) }]}
              xLabel="false positive rate"
              yLabel="true positive rate"
              unit
              diagonal
              height={170}
              small
            />
          ),
        )}
      </div>
    </div>
  );
}
