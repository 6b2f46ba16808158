import type { ReactNode } from 'react';

import { formatTick } from './line-chart';

const WIDTH = 320;
const HEIGHT = 180;
const PAD = { left: 40, right: 8, top: 8, bottom: 30 };

/**
 * Columns of a histogram with finite bin edges (`edges.length === counts.length + 1`), a marker at
 * zero when it is in range; plain SVG.
 */
export function HistogramChart(props: { title: ReactNode; edges: number[]; counts: number[]; xLabel: string; testId?: string }) {
  const { title, edges, counts, xLabel, testId } = props;
  const bins = Math.min(counts.length, edges.length - 1);
  if (bins < 1 || !edges.slice(0, bins + 1).every(Number.isFinite)) return null;
  const [xMin, xMax] = [edges[0], edges[bins]];
  const yMax = Math.max(1, ...counts.slice(0, bins));
  const right = WIDTH - PAD.right;
  const bottom = HEIGHT - PAD.bottom;
  const sx = (x: number) => PAD.left + ((x - xMin) / (xMax - xMin || 1)) * (right - PAD.left);
  const sy = (y: number) => PAD.top + (1 - y / yMax) * (bottom - PAD.top);
  const zero = xMin < 0 && xMax > 0 ? sx(0) : null;
  // label zero only where it does not run into the end labels
  const labelZero = zero !== null && zero - PAD.left > 28 && right - zero > 28;

  return (
    <figure className="chart" data-testid={testId}>
      <figcaption className="section-title">{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`histogram of ${xLabel}`}>
        <line className="grid" x1={PAD.left} x2={right} y1={sy(yMax)} y2={sy(yMax)} />
        <text className="tick" x={PAD.left - 4} y={sy(yMax) + 3} textAnchor="end">
          {formatTick(yMax)}
        </text>
        <text className="tick" x={PAD.left - 4} y={bottom + 3} textAnchor="end">
          0
        </text>
        {counts.slice(0, bins).map((count, i) => (
          <rect
            key={i}
            className="column"
            x={sx(edges[i]) + 0.5}
            width={Math.max(0, sx(edges[i + 1]) - sx(edges[i]) - 1)}
            y={sy(count)}
            height={bottom - sy(count)}
          >
            <title>
              {formatTick(edges[i])} to {formatTick(edges[i + 1])}: {count.toLocaleString('en-US')}
            </title>
          </rect>
        ))}
        {zero !== null ? <line className="reference" x1={zero} x2={zero} y1={PAD.top} y2={bottom} /> : null}
        <line className="axis" x1={PAD.left} x2={right} y1={bottom} y2={bottom} />
        <text className="tick" x={PAD.left} y={bottom + 12}>
          {formatTick(xMin)}
        </text>
        {labelZero ? (
          <text className="tick" x={zero} y={bottom + 12} textAnchor="middle">
            0
          </text>
        ) : null}
        <text className="tick" x={right} y={bottom + 12} textAnchor="end">
          {formatTick(xMax)}
        </text>
        <text className="axis-label" x={(PAD.left + right) / 2} y={HEIGHT - 3} textAnchor="middle">
          {xLabel}
        </text>
      </svg>
    </figure>
  );
}
