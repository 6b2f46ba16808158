'use client';

import { useState } from 'react';

import type { ModelVersionResponse } from '@atelier/contracts';

import { LineChart, type Series, zipPoints } from '../../components/line-chart';
import { describeError } from '../../lib/api';
import { compareMetric, formatCount, formatDate, formatMetric, metricKeys } from '../../lib/format';
import { useApi } from '../../lib/use-api';
import { evaluationOf, loadVersionDetail } from '../../lib/version-detail';
import { VersionOptions } from './version-options';

/** Side-by-side metrics and training setup of two versions of one model. */
export function VersionCompare({ versions, production }: { versions: ModelVersionResponse[]; production?: number }) {
  const [left, setLeft] = useState<number | undefined>();
  const [right, setRight] = useState<number | undefined>();
  if (versions.length < 2) {
    return (
      <section className="card">
        <h2 className="card-title">Compare versions</h2>
        <p className="muted">Train another version of this model to compare two side by side.</p>
      </section>
    );
  }

  // Versions are newest first. By default: production (or the previous one) against the newest.
  const newest = versions[0].version;
  const defaultLeft = production !== undefined && production !== newest ? production : versions[1].version;
  const a = versions.find((v) => v.version === (left ?? defaultLeft)) ?? versions[1];
  const b = versions.find((v) => v.version === (right ?? newest)) ?? versions[0];
  const metrics = metricKeys([a.metrics, b.metrics]);

  const select = (value: number, onChange: (version: number) => void, label: string) => (
    <label className="field-inline">
      <span>{label}</span>
      <select value={value} onChange={(event) => onChange(Number(event.target.value))} data-testid={`compare-${label.toLowerCase()}`}>
        <VersionOptions versions={versions} />
      </select>
    </label>
  );

  const setup: Array<[string, string, string]> = [
    ['model type', a.modelType, b.modelType],
    ['source', a.lineage.source ?? '—', b.lineage.source ?? '—'],
    ['window', windowText(a), windowText(b)],
    ['train rows', formatCount(a.lineage.trainRows), formatCount(b.lineage.trainRows)],
    ['validation rows', formatCount(a.lineage.validationRows), formatCount(b.lineage.validationRows)],
    ['features', a.lineage.features.join(', ') || '—', b.lineage.features.join(', ') || '—'],
    ...paramRows(a.lineage.params, b.lineage.params),
    ['backend', a.lineage.backend ?? '—', b.lineage.backend ?? '—'],
  ];

  return (
    <section className="card" data-testid="version-compare">
      <div className="card-head">
        <h2 className="card-title">Compare versions</h2>
        <div className="row gap">
          {select(a.version, setLeft, 'A')}
          {select(b.version, setRight, 'B')}
        </div>
      </div>
      <div className="compare-body">
        <div className="table-wrap">
          <table className="table compare">
            <thead>
              <tr>
                <th>Metric</th>
                <th className="num">A · v{a.version}</th>
                <th className="num">B · v{b.version}</th>
                <th className="num">B − A</th>
              </tr>
            </thead>
            <tbody>
              {metrics.map((key) => {
                const va = a.metrics[key];
                const vb = b.metrics[key];
                const verdict = compareMetric(key, va, vb);
                return (
                  <tr key={key}>
                    <td>{key}</td>
                    <td className="num mono">{formatMetric(va)}</td>
                    <td className="num mono">{formatMetric(vb)}</td>
                    <td className={`num mono ${verdict > 0 ? 'better' : verdict < 0 ? 'worse' : 'muted'}`}>
                      {va === undefined || vb === undefined ? '—' : signed(vb - va)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
            <tbody className="compare-setup">
              <tr>
                <th colSpan={4}>Training setup</th>
              </tr>
              {setup.map(([label, va, vb]) => (
                <tr key={label} className={va !== vb ? 'differs' : undefined}>
                  <td>{label}</td>
                  <td className="setup-value">{va}</td>
                  <td className="setup-value">{vb}</td>
                  <td className="num muted small">{va !== vb ? 'differs' : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <CompareRoc a={a} b={b} />
      </div>
    </section>
  );
}

/** Both versions' ROC curves on one chart, when both reports have one. */
function CompareRoc({ a, b }: { a: ModelVersionResponse; b: ModelVersionResponse }) {
  const state = useApi(
    () => Promise.all([loadVersionDetail(a.model, a.version), loadVersionDetail(b.model, b.version)]),
    [a.model, a.version, b.version],
  );
  if (state.error) {
    // the comparison above still stands; say why the curves are missing, quietly
    return <p className="muted small compare-roc">ROC curves unavailable: {describeError(state.error).message}</p>;
  }
  const [da, db] = state.data ?? [];
  // useApi keeps the last answer while the next loads: only draw the versions now selected
  if (!da || !db || da.version !== a.version || db.version !== b.version) return null;
  const curve = (detail: typeof da, label: string, tone: Series['tone']): Series | null => {
    const roc = evaluationOf(detail).roc;
    const auc = detail.metrics.auc;
    const points = zipPoints(roc?.fpr, roc?.tpr);
    return points.length > 0
      ? { label: `${label} · v${detail.version}${auc !== undefined ? ` (AUC ${formatMetric(auc)})` : ''}`, points, tone }
      : null;
  };
  const ra = curve(da, 'A', 'a');
  const rb = curve(db, 'B', 'b');
  if (!ra || !rb) return null;
  return (
    <div className="compare-roc">
      <LineChart
        title="ROC"
        series={[ra, rb]}
        xLabel="false positive rate"
        yLabel="true positive rate"
        unit
        diagonal
        testId="compare-roc"
      />
    </div>
  );
}

function signed(value: number): string {
  return `${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(value).toFixed(4)}`;
}

function windowText(version: ModelVersionResponse): string {
  const w = version.lineage.window;
  return w ? `${formatDate(w.start)} → ${formatDate(w.end)} (val. ${formatDate(w.validationStart)})` : '—';
}

function paramRows(a: Record<string, unknown>, b: Record<string, unknown>): Array<[string, string, string]> {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const show = (value: unknown) => (value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value));
  return keys.map((key) => [key, show(a[key]), show(b[key])]);
}
