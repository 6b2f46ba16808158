'use client';

import { useEffect, useRef } from 'react';

import type { Evaluation, FeatureBaseline, ModelVersionDetail } from '@atelier/contracts';

import { BarList } from '../../components/bar-list';
import { ErrorNotice } from '../../components/error-notice';
import { HistogramChart } from '../../components/histogram-chart';
import { LineChart, TONES, zipPoints } from '../../components/line-chart';
import { Loading } from '../../components/states';
import { formatCount, formatMetric, formatShare, formatStat } from '../../lib/format';
import { useApi } from '../../lib/use-api';
import { baselineOf, evaluationOf, loadVersionDetail } from '../../lib/version-detail';
import { MulticlassReport } from './multiclass-report';
import { PartitionsTable } from './partitions-table';

/** The evaluation report of one version: curves, confusion matrix (or the multi-class part), explanations and baseline. */
export function VersionReport({ model, version, onClose }: { model: string; version: number; onClose: () => void }) {
  const state = useApi(() => loadVersionDetail(model, version), [model, version]);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    // a block body on purpose: newer browsers return a promise from scrollIntoView, and React
    // would call whatever the effect returns as its cleanup
    ref.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [version]);
  // useApi keeps the last answer while the next loads; never show one version's report as another's
  const detail = state.data?.version === version ? state.data : undefined;

  return (
    <section className="card" data-testid="version-report" data-version={version} ref={ref}>
      <div className="card-head">
        <h2 className="card-title">
          Evaluation report · v{version}
          {detail ? <code className="muted small"> {detail.modelType}</code> : null}
        </h2>
        <button type="button" className="button button-small" onClick={onClose} data-testid="version-report-close">
          Close
        </button>
      </div>
      {state.error ? <ErrorNotice error={state.error} onRetry={state.reload} compact /> : null}
      {detail ? <ReportBody detail={detail} /> : state.loading ? <Loading what="Loading the report" /> : null}
    </section>
  );
}

function ReportBody({ detail }: { detail: ModelVersionDetail }) {
  const evaluation = evaluationOf(detail);
  const baseline = baselineOf(detail);
  const rows = detail.lineage.validationRows;
  const hasCurves = Boolean(
    evaluation.roc || evaluation.pr || evaluation.calibration?.length || evaluation.confusionMatrix || evaluation.residuals,
  );
  const hasCharts = hasCurves || Boolean(evaluation.multiclass);
  const hasExplanations = evaluation.featureImportance.length > 0 || evaluation.partialDependence.length > 0;

  return (
    <div className="report">
      {hasCharts || hasExplanations ? (
        <p className="muted small report-note">
          Computed on the validation slice{rows !== null ? ` (${formatCount(rows)} rows)` : ''} when the version was trained.
        </p>
      ) : (
        <p className="muted" data-testid="report-empty">
          This version has no evaluation report; versions registered before reports existed have none.
        </p>
      )}
      {hasCurves ? <Performance evaluation={evaluation} metrics={detail.metrics} /> : null}
      {evaluation.multiclass ? <MulticlassReport report={evaluation.multiclass} /> : null}
      {hasExplanations ? <Explanations evaluation={evaluation} /> : null}
      {evaluation.partitions?.length ? (
        <PartitionsTable partitions={evaluation.partitions} column={detail.signature.partition?.column ?? null} />
      ) : null}
      <BaselineTable features={baseline.features} prediction={baseline.prediction} />
    </div>
  );
}

function Performance({ evaluation, metrics }: { evaluation: Evaluation; metrics: Record<string, number> }) {
  const { roc, pr, calibration, confusionMatrix, residuals } = evaluation;
  const auc = metrics.auc;
  return (
    <div className="report-grid">
      {roc ? (
        <LineChart
          title={<>ROC{auc !== undefined ? <span className="chart-stat"> · AUC {formatMetric(auc)}</span> : null}</>}
          series={[{ label: 'ROC', points: zipPoints(roc.fpr, roc.tpr) }]}
          xLabel="false positive rate"
          yLabel="true positive rate"
          unit
          diagonal
          testId="report-roc"
        />
      ) : null}
      {pr ? (
        <LineChart
          title="Precision–recall"
          series={[{ label: 'precision–recall', points: zipPoints(pr.recall, pr.precision) }]}
          xLabel="recall"
          yLabel="precision"
          unit
          testId="report-pr"
        />
      ) : null}
      {calibration?.length ? (
        <LineChart
          title="Calibration"
          series={[
            {
              label: 'observed',
              mark: 'both',
              points: [...calibration]
                .sort((a, b) => a.meanPredicted - b.meanPredicted)
                .map((bin) => ({ x: bin.meanPredicted, y: bin.fractionPositive })),
            },
          ]}
          xLabel="mean predicted probability"
          yLabel="fraction positive"
          unit
          diagonal
          testId="report-calibration"
        />
      ) : null}
      {confusionMatrix ? <ConfusionMatrix matrix={confusionMatrix} /> : null}
      {residuals ? (
        <HistogramChart
          title="Residuals"
          edges={residuals.edges}
          counts={residuals.counts}
          xLabel="prediction − truth"
          testId="report-residuals"
        />
      ) : null}
    </div>
  );
}

function ConfusionMatrix({ matrix }: { matrix: NonNullable<Evaluation['confusionMatrix']> }) {
  const { threshold, tn, fp, fn, tp } = matrix;
  const total = tn + fp + fn + tp;
  const cell = (count: number, correct: boolean, label: string) => {
    const share = total > 0 ? count / total : 0;
    const tone = correct ? 'var(--success)' : 'var(--danger)';
    return (
      <td className="num" style={{ background: `color-mix(in srgb, ${tone} ${Math.round(share * 45)}%, transparent)` }} title={label}>
        <div className="strong mono">{formatCount(count)}</div>
        <div className="muted small">{formatShare(count, total)}</div>
      </td>
    );
  };
  return (
    <figure className="chart" data-testid="report-confusion">
      <figcaption className="section-title">Confusion matrix · threshold {formatStat(threshold)}</figcaption>
      <table className="confusion">
        <thead>
          <tr>
            <th />
            <th className="num">pred. 0</th>
            <th className="num">pred. 1</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th>actual 0</th>
            {cell(tn, true, 'true negatives')}
            {cell(fp, false, 'false positives')}
          </tr>
          <tr>
            <th>actual 1</th>
            {cell(fn, false, 'false negatives')}
            {cell(tp, true, 'true positives')}
          </tr>
        </tbody>
      </table>
      <p className="muted small confusion-rates">
        precision {formatShare(tp, tp + fp)} · recall {formatShare(tp, tp + fn)} · accuracy {formatShare(tp + tn, total)}
      </p>
    </figure>
  );
}

const KIND_NOTE: Record<Evaluation['featureImportance'][number]['kind'], string> = {
  gain: 'gain: total loss reduction of the splits on the feature',
  permutation: 'permutation: how much the validation metric drops when the feature is shuffled',
};

function Explanations({ evaluation }: { evaluation: Evaluation }) {
  const kinds = [...new Set(evaluation.featureImportance.map((f) => f.kind))];
  const partial = evaluation.partialDependence.filter(
    (pd) => pd.grid.length > 0 && (pd.average.length > 0 || (pd.byClass?.length ?? 0) > 0),
  );
  return (
    <div className="report-explain">
      {kinds.map((kind) => (
        <div key={kind} className="report-importance" data-testid="report-importance">
          <h3 className="section-title">Feature importance · {kind}</h3>
          <BarList
            label={`feature importance (${kind})`}
            bars={evaluation.featureImportance
              .filter((f) => f.kind === kind)
              .sort((a, b) => b.importance - a.importance)
              .map((f) => ({ label: f.name, value: f.importance, error: f.std }))}
          />
          <p className="muted small">{KIND_NOTE[kind]}</p>
        </div>
      ))}
      {partial.length > 0 ? (
        <div data-testid="report-partial-dependence">
          <h3 className="section-title">Partial dependence</h3>
          <div className="small-multiples">
            {partial.map((pd) => (
              <LineChart
                key={pd.feature}
                title={
                  <span className="chart-feature" title={pd.feature}>
                    {pd.feature}
                  </span>
                }
                series={
                  pd.byClass
                    ? pd.byClass.map((c, i) => ({
                        label: `class ${String(c.label)}`,
                        points: zipPoints(pd.grid, c.average),
                        tone: TONES[i % TONES.length],
                      }))
                    : [{ label: pd.feature, points: zipPoints(pd.grid, pd.average), mark: 'both' }]
                }
                xLabel={pd.feature}
                yLabel={pd.byClass ? 'avg. probability' : 'avg. prediction'}
                height={210}
                small
              />
            ))}
          </div>
        </div>
      ) : null}
    </div>
  );
}

function BaselineTable({ features, prediction }: { features: FeatureBaseline[]; prediction: FeatureBaseline | null }) {
  if (features.length === 0 && !prediction) return null;
  const row = (f: FeatureBaseline, isPrediction = false) => (
    <tr key={isPrediction ? '\u0000prediction' : f.name} className={isPrediction ? 'row-muted-label' : undefined}>
      <td>{isPrediction ? <em>{f.name} (output)</em> : <code>{f.name}</code>}</td>
      <td className="num mono">{formatCount(f.count)}</td>
      <td className="num mono">
        {formatCount(f.missing)}
        {f.missing > 0 ? <span className="muted small"> ({formatShare(f.missing, f.count + f.missing)})</span> : null}
      </td>
      <td className="num mono">{formatStat(f.mean)}</td>
      <td className="num mono">{formatStat(f.std)}</td>
      <td className="num mono">{formatStat(f.min)}</td>
      <td className="num mono">{formatStat(f.quantiles?.p50)}</td>
      <td className="num mono">{formatStat(f.max)}</td>
    </tr>
  );
  return (
    <div className="table-wrap report-baseline" data-testid="report-baseline">
      <h3 className="section-title">Baseline (training data)</h3>
      <table className="table table-compact">
        <thead>
          <tr>
            <th>Feature</th>
            <th className="num">count</th>
            <th className="num">missing</th>
            <th className="num">mean</th>
            <th className="num">std</th>
            <th className="num">min</th>
            <th className="num">p50</th>
            <th className="num">max</th>
          </tr>
        </thead>
        <tbody>
          {features.map((f) => row(f))}
          {prediction ? row(prediction, true) : null}
        </tbody>
      </table>
    </div>
  );
}
