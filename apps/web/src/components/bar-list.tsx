import { formatTick } from './line-chart';

export interface Bar {
  label: string;
  value: number;
  /** drawn as a ± whisker around the end of the bar */
  error?: number | null;
}

/**
 * Horizontal bars, one per row, in the order given; plain CSS. Bars grow from zero, so negative
 * values (e.g. a permutation importance below noise) point left.
 */
export function BarList({ bars, testId, label }: { bars: Bar[]; testId?: string; label?: string }) {
  const shown = bars.filter((bar) => Number.isFinite(bar.value));
  if (shown.length === 0) return null;
  const spread = (bar: Bar) => (bar.error !== null && bar.error !== undefined && Number.isFinite(bar.error) ? Math.abs(bar.error) : 0);
  const low = Math.min(0, ...shown.map((bar) => bar.value - spread(bar)));
  const high = Math.max(0, ...shown.map((bar) => bar.value + spread(bar)));
  const range = high - low || 1;
  const at = (value: number) => ((value - low) / range) * 100;
  const zero = at(0);

  return (
    <ul className="bar-list" data-testid={testId} aria-label={label}>
      {shown.map((bar) => {
        const error = spread(bar);
        const start = Math.min(zero, at(bar.value));
        return (
          <li key={bar.label} className="bar-row">
            <span className="bar-label" title={bar.label}>
              {bar.label}
            </span>
            <span className="bar-track">
              <span className="bar-fill" style={{ left: `${start}%`, width: `${Math.abs(at(bar.value) - zero)}%` }} />
              {error > 0 ? (
                <span
                  className="bar-error"
                  style={{ left: `${at(bar.value - error)}%`, width: `${at(bar.value + error) - at(bar.value - error)}%` }}
                />
              ) : null}
              {low < 0 ? <span className="bar-zero" style={{ left: `${zero}%` }} /> : null}
            </span>
            <span className="bar-value mono">
              {formatTick(bar.value)}
              {error > 0 ? <span className="muted"> ±{formatTick(error)}</span> : null}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
