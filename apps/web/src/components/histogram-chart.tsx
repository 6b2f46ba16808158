'use client';

import type { ReactNode } from 'react';
import {
  Bar,
  BarChart,
  type BarShapeProps,
  CartesianGrid,
  ReferenceLine,
  Tooltip,
  useXAxisScale,
  XAxis,
  YAxis,
} from 'recharts';

import { evenTicks, formatTick, formatValue, type HistogramBin, histogramBins } from './chart-data';
import { AXIS, axisLabel, CHART_WIDTH, ChartFrame, GRID, hovered, TooltipBox } from './chart-parts';

const HEIGHT = 180;

/**
 * Columns of a histogram with finite bin edges (`edges.length === counts.length + 1`), each as
 * wide as its bin on a numeric axis, a marker at zero when it is in range; the tooltip gives the
 * bin's edges and count. On Recharts.
 */
export function HistogramChart(props: { title: ReactNode; edges: number[]; counts: number[]; xLabel: string; testId?: string }) {
  const { title, edges, counts, xLabel, testId } = props;
  const bins = histogramBins(edges, counts);
  if (bins.length === 0) return null;
  const [xMin, xMax] = [bins[0]!.from, bins.at(-1)!.to];
  const yMax = Math.max(1, ...bins.map((b) => b.count));
  const ticks = xMin < 0 && xMax > 0 ? [xMin, 0, xMax] : [xMin, xMax];

  return (
    <ChartFrame title={title} testId={testId} aspect={CHART_WIDTH / HEIGHT}>
      <BarChart data={bins} margin={{ top: 8, right: 14, bottom: 18, left: 4 }} barCategoryGap={0} title={`histogram of ${xLabel}`} aria-label={`histogram of ${xLabel}`}>
        <CartesianGrid {...GRID} />
        <XAxis type="number" dataKey="mid" domain={[xMin, xMax]} ticks={ticks} tickFormatter={formatTick} {...AXIS} label={axisLabel(xLabel, 'x')} />
        <YAxis type="number" domain={[0, yMax]} ticks={evenTicks(0, yMax, 2)} tickFormatter={formatTick} width={40} {...AXIS} />
        <Bar dataKey="count" className="column" isAnimationActive={false} shape={(bar: BarShapeProps) => <BinColumn bar={bar} />} />
        {ticks.length === 3 ? <ReferenceLine x={0} stroke="var(--muted)" strokeDasharray="4 3" /> : null}
        <Tooltip cursor={{ fill: 'var(--accent-soft)', opacity: 0.5 }} isAnimationActive={false} content={(tip) => <BinTooltip bin={hovered<HistogramBin>(tip)} />} />
      </BarChart>
    </ChartFrame>
  );
}

/** A bin's column from its lower to its upper edge, whatever the widths of the other bins. */
function BinColumn({ bar }: { bar: BarShapeProps }) {
  const scale = useXAxisScale();
  const bin = bar.payload as HistogramBin | undefined;
  const [left, right] = scale && bin ? [scale(bin.from), scale(bin.to)] : [bar.x, bar.x + bar.width];
  if (left === undefined || right === undefined) return null;
  return <rect className="column" x={left + 0.5} width={Math.max(0, right - left - 1)} y={bar.y} height={Math.max(0, bar.height)} />;
}

function BinTooltip({ bin }: { bin: HistogramBin | undefined }) {
  if (!bin) return null;
  return <TooltipBox title={`${formatValue(bin.from)} to ${formatValue(bin.to)}`} rows={[['count', bin.count.toLocaleString('en-US')]]} />;
}
