'use client';

import { Bar as Bars, BarChart, ErrorBar, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';

import { formatTick, formatValue } from './chart-data';
import { AXIS, ChartFrame, hovered, TooltipBox } from './chart-parts';

export interface Bar {
  label: string;
  value: number;
  /** drawn as a ± whisker around the end of the bar */
  error?: number | null;
}

/** a bar as drawn: its error as a non-negative spread (0 when it has none) */
type Shown = Bar & { spread: number };

const ROW = 22;
const LABEL_WIDTH = 130;

/**
 * Horizontal bars, one per row, in the order given, on Recharts: the label on the left, the value
 * (± its error) on the right, a tooltip on each. Bars grow from zero, so negative values (e.g. a
 * permutation importance below noise) point left.
 */
export function BarList({ bars, testId, label }: { bars: Bar[]; testId?: string; label?: string }) {
  const shown = bars
    .filter((bar) => Number.isFinite(bar.value))
    .map((bar): Shown => ({ ...bar, spread: bar.error !== null && bar.error !== undefined && Number.isFinite(bar.error) ? Math.abs(bar.error) : 0 }));
  if (shown.length === 0) return null;
  const low = Math.min(0, ...shown.map((bar) => bar.value - bar.spread));
  const high = Math.max(0, ...shown.map((bar) => bar.value + bar.spread));
  const valueText = new Map(shown.map((bar) => [bar.label, `${formatTick(bar.value)}${bar.spread > 0 ? ` ±${formatTick(bar.spread)}` : ''}`]));
  const short = (name: string) => (name.length > 20 ? `${name.slice(0, 19)}…` : name);

  return (
    <ChartFrame testId={testId} height={shown.length * ROW + 8} className="bar-chart">
      <BarChart data={shown} layout="vertical" margin={{ top: 4, right: 4, bottom: 4, left: 0 }} barCategoryGap={5} title={label} aria-label={label}>
        <XAxis type="number" domain={[low, high]} hide />
        <YAxis type="category" dataKey="label" width={LABEL_WIDTH} tickFormatter={short} {...AXIS} axisLine={false} tick={{ ...AXIS.tick, fill: 'var(--text)' }} />
        <YAxis yAxisId="value" orientation="right" type="category" dataKey="label" width={100} tickFormatter={(name: string) => valueText.get(name) ?? ''} {...AXIS} axisLine={false} />
        {low < 0 ? <ReferenceLine x={0} stroke="var(--muted)" /> : null}
        <Bars dataKey="value" className="bar" fill="var(--accent)" fillOpacity={0.8} radius={2} isAnimationActive={false}>
          <ErrorBar dataKey="spread" direction="x" width={5} stroke="var(--text)" strokeOpacity={0.65} />
        </Bars>
        <Tooltip cursor={{ fill: 'var(--accent-soft)', opacity: 0.5 }} isAnimationActive={false} content={(tip) => <BarTooltip bar={hovered<Shown>(tip)} />} />
      </BarChart>
    </ChartFrame>
  );
}

function BarTooltip({ bar }: { bar: Shown | undefined }) {
  if (!bar) return null;
  return <TooltipBox title={bar.label} rows={[['value', `${formatValue(bar.value)}${bar.spread > 0 ? ` ± ${formatValue(bar.spread)}` : ''}`]]} />;
}
