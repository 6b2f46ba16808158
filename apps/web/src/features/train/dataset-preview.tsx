import type { PreviewSlice, TrainingPreviewResponse } from '@atelier/contracts';

const count = (n: number) => n.toLocaleString('en-US');
const percent = (share: number | null) => (share === null ? '—' : `${(share * 100).toFixed(share > 0 && share < 0.1 ? 1 : 0)} %`);
const number = (v: number | null | undefined) => (v === null || v === undefined ? '—' : Number.isInteger(v) ? count(v) : v.toPrecision(4));

/**
 * What a training request would train on, before any job starts: the rows of each slice, the
 * label's balance, how much of each input the point-in-time join finds, a few sample rows, and
 * the problems that would make the job fail.
 */
export function DatasetPreview({ preview }: { preview: TrainingPreviewResponse }) {
  const { slices, label, inputs, rows, problems, warnings } = preview;
  const columns = inputs.map((i) => i.name);
  return (
    <section className="stack" data-testid="dataset-preview" aria-label="dataset preview">
      <h3 className="section-title">Dataset preview</h3>
      {problems.length > 0 ? (
        <div className="notice notice-error" role="alert" data-testid="preview-problems">
          <div className="notice-body">
            <strong>This job would fail or learn nothing</strong>
            <ul>
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        </div>
      ) : null}
      {warnings.length > 0 ? (
        <div className="notice notice-warning" data-testid="preview-warnings">
          <div className="notice-body">
            <ul>
              {warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          </div>
        </div>
      ) : null}

      <dl className="facts" data-testid="preview-slices">
        <SliceFacts name="Training" slice={slices.training} />
        <SliceFacts name="Validation" slice={slices.validation} />
        <div>
          <dt>Label</dt>
          <dd data-testid="preview-label">
            {label.classes
              ? label.classes.map((c) => `${c.value}: ${percent(c.share)}`).join(' · ') || '—'
              : label.summary
                ? `min ${number(label.summary.min)} · mean ${number(label.summary.mean)} · max ${number(label.summary.max)} · std ${number(label.summary.std)}`
                : '—'}
          </dd>
        </div>
      </dl>

      <div className="table-wrap">
        <table className="table table-compact" data-testid="preview-inputs">
          <thead>
            <tr>
              <th>Input</th>
              <th>Source</th>
              <th className="num">Missing</th>
              <th className="num">Min</th>
              <th className="num">Max</th>
            </tr>
          </thead>
          <tbody>
            {inputs.map((input) => (
              <tr key={input.name} className={input.missingShare === 1 ? 'row-error' : undefined}>
                <td className="mono">{input.name}</td>
                <td>{input.source}</td>
                <td className="num">{percent(input.missingShare)}</td>
                <td className="num mono">{input.distinct !== undefined ? `${input.distinct} values` : number(input.min)}</td>
                <td className="num mono">{input.distinct !== undefined ? '' : number(input.max)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {rows.length > 0 ? (
        <div className="table-wrap">
          <table className="table table-compact" data-testid="preview-rows">
            <thead>
              <tr>
                <th>Event time</th>
                <th>Slice</th>
                <th className="num">Label</th>
                {columns.map((c) => (
                  <th key={c} className="num mono">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => (
                <tr key={i}>
                  <td className="nowrap mono small">{row.eventTime.replace('T', ' ').slice(0, 19)}</td>
                  <td>{row.slice}</td>
                  <td className="num mono">{number(row.label)}</td>
                  {columns.map((c) => (
                    <td key={c} className="num mono">
                      {typeof row.values[c] === 'string' ? row.values[c] : number(row.values[c] as number | null)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <p className="muted small">
        Rows counted exactly; label shares, coverage and sample rows from an even sample of each slice (read in {count(preview.ms)} ms).
      </p>
    </section>
  );
}

function SliceFacts({ name, slice }: { name: string; slice: PreviewSlice }) {
  return (
    <div>
      <dt>{name} slice</dt>
      <dd data-testid={`preview-slice-${name.toLowerCase()}`}>
        {count(slice.sourceRows)} rows, {percent(slice.labelledShare)} labelled → about {count(slice.estimatedLabelRows)} label rows
        {slice.sampledRows < slice.sourceRows ? <span className="muted"> (sampled {count(slice.sampledRows)})</span> : null}
      </dd>
    </div>
  );
}
