import type { ReactNode } from 'react';

export interface Point {
  x: number;
  y: number;
}

export type Tone = 'a' | 'b' | 'c' | 'd';
export const TONES: readonly Tone[] = ['a', 'b', 'c', 'd'];

export interface Series {
  label: string;
  points: Point[];
  /**
   * tells overlaid series apart: `a` (accent, solid), `b` (dashed), `c` (dotted), `d` (dash-dot),
   * so they also read in print; `TONES[i % 4]` for a series of many
   */
  tone?: Tone;
  /** draw the points as dots, without (`dots`) or with (`both`) the line through them */
  mark?: 'line' | 'dots' | 'both';
}

interface Props {
  title: ReactNode;
  series: Series[];
  xLabel: string;
  yLabel: string;
  /** both axes span [0, 1] (probabilities, rates) instead of the data's range */
  unit?: boolean;
  /** the y = x reference line: chance for ROC, perfect calibration */
  diagonal?: boolean;
  /** the chart's height in view-box units; width is fixed, so smaller is flatter */
  height?: number;
  testId?: string;
  small?: boolean;
}

const WIDTH = 320;
const PAD = { left: 40, right: 8, top: 8, bottom: 30 };

/**
 * A small line or scatter chart of one or more series; plain SVG, like the training loss chart.
 * Points that are not finite are dropped, so a half-filled report still draws.
 */
export function LineChart({ title, series, xLabel, yLabel, unit = false, diagonal = false, height = 220, testId, small = false }: Props) {
  const drawn = series
    .map((s) => ({ ...s, points: s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)) }))
    .filter((s) => s.points.length > 0);
  if (drawn.length === 0) return null;
  const all = drawn.flatMap((s) => s.points);
  const [xMin, xMax] = unit ? [0, 1] : extent(all.map((p) => p.x));
  const [yMin, yMax] = unit ? [0, 1] : extent(all.map((p) => p.y));
  const right = WIDTH - PAD.right;
  const bottom = height - PAD.bottom;
  const sx = (x: number) => PAD.left + ((x - xMin) / (xMax - xMin || 1)) * (right - PAD.left);
  const sy = (y: number) => PAD.top + (1 - (y - yMin) / (yMax - yMin || 1)) * (bottom - PAD.top);
  const path = (points: Point[]) => points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
  const xTicks = unit ? [0, 0.5, 1] : [xMin, xMax];
  const yTicks = unit ? [0, 0.5, 1] : [yMin, yMax];

  return (
    <figure className={`chart${small ? ' chart-small' : ''}`} data-testid={testId}>
      <figcaption className="section-title">{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={`${yLabel} against ${xLabel}`}>
        {yTicks.map((y) => (
          <g key={`y${y}`}>
            <line className="grid" x1={PAD.left} x2={right} y1={sy(y)} y2={sy(y)} />
            <text className="tick" x={PAD.left - 4} y={sy(y) + 3} textAnchor="end">
              {formatTick(y)}
            </text>
          </g>
        ))}
        {xTicks.map((x, i) => (
          <text
            key={`x${x}`}
            className="tick"
            x={sx(x)}
            y={bottom + 12}
            textAnchor={i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle'}
          >
            {formatTick(x)}
          </text>
        ))}
        <line className="axis" x1={PAD.left} x2={right} y1={bottom} y2={bottom} />
        <line className="axis" x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={bottom} />
        <text className="axis-label" x={(PAD.left + right) / 2} y={height - 3} textAnchor="middle">
          {xLabel}
        </text>
        <text className="axis-label" transform={`translate(10 ${(PAD.top + bottom) / 2}) rotate(-90)`} textAnchor="middle">
          {yLabel}
        </text>
        {diagonal ? (
          <line
            className="reference"
            x1={sx(Math.max(xMin, yMin))}
            y1={sy(Math.max(xMin, yMin))}
            x2={sx(Math.min(xMax, yMax))}
            y2={sy(Math.min(xMax, yMax))}
          />
        ) : null}
        {drawn.map((s) => {
          const mark = s.mark ?? 'line';
          const tone = `series-${s.tone ?? 'a'}`;
          return (
            <g key={s.label} className={tone}>
              <title>{s.label}</title>
              {mark === 'dots' ? null : <path className="line" d={path(s.points)} />}
              {mark === 'line' ? null : s.points.map((p, i) => <circle key={i} className="dot" cx={sx(p.x)} cy={sy(p.y)} r={2.5} />)}
            </g>
          );
        })}
      </svg>
      {drawn.length > 1 ? (
        <div className="legend small">
          {drawn.map((s) => (
            <span key={s.label} className={`legend-item series-${s.tone ?? 'a'}`}>
              <i aria-hidden /> {s.label}
            </span>
          ))}
        </div>
      ) : null}
    </figure>
  );
}

/** Pairs two parallel arrays into points, as far as both go. */
export function zipPoints(xs: readonly number[] | null | undefined, ys: readonly number[] | null | undefined): Point[] {
  const [x, y] = [xs ?? [], ys ?? []];
  return Array.from({ length: Math.min(x.length, y.length) }, (_, i) => ({ x: x[i], y: y[i] }));
}

function extent(values: number[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min === max ? [min - 1, max + 1] : [min, max];
}

/** Short tick labels: `0.5`, `12.3`, `1.2k`, `3e-4`. */
export function formatTick(value: number): string {
  const abs = Math.abs(value);
  if (abs === 0) return '0';
  if (abs >= 10_000) return `${+(value / 1000).toFixed(1)}k`;
  if (abs < 0.001) return value.toExponential(0);
  return String(+value.toPrecision(abs >= 100 ? 4 : 3));
}
