'use client';

import type { ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';

import { evenTicks } from './chart-data';
import { AXIS, ChartFrame, ChartLegend, GRID, hovered, TooltipBox } from './chart-parts';

export interface ShareBin {
  label: string;
  baseline: number;
  live: number;
}

const HEIGHT = 190;

/**
 * Two distributions over the same bins or categories, side by side per bin: the training
 * baseline's share (outlined) and the live share (filled), as paired histogram columns on
 * Recharts; the tooltip gives both shares and their difference.
 */
export function ShareChart({ title, bins, testId, binLabel }: { title?: ReactNode; bins: ShareBin[]; testId?: string; binLabel: string }) {
  if (bins.length === 0) return null;
  const top = Math.max(0.01, ...bins.flatMap((b) => [b.baseline, b.live]));
  // long category names tilt so they do not run into each other
  const tilted = bins.length > 6 || bins.some((b) => b.label.length > 12);
  return (
    <ChartFrame
      title={title}
      testId={testId}
      height={HEIGHT + (tilted ? 56 : 0)}
      after={
        <ChartLegend
          items={[
            { label: 'training', kind: 'box' },
            { label: 'live', kind: 'box', tone: 'b' },
          ]}
        />
      }
    >
      <BarChart data={bins} margin={{ top: 8, right: 14, bottom: 4, left: 4 }} barGap={1} barCategoryGap="18%" title={`training and live share per ${binLabel}`} aria-label={`training and live share per ${binLabel}`}>
        <CartesianGrid {...GRID} />
        <XAxis
          dataKey="label"
          {...AXIS}
          interval={0}
          angle={tilted ? -35 : 0}
          textAnchor={tilted ? 'end' : 'middle'}
          height={tilted ? 80 : 24}
          tickFormatter={(label: string) => (label.length > 18 ? `${label.slice(0, 17)}…` : label)}
        />
        <YAxis type="number" domain={[0, top]} ticks={evenTicks(0, top, 3)} tickFormatter={percent} width={42} {...AXIS} />
        <Bar dataKey="baseline" name="training" className="share-baseline-bar" fill="var(--accent-soft)" stroke="var(--accent)" isAnimationActive={false} />
        <Bar dataKey="live" name="live" className="share-live-bar" fill="var(--accent)" isAnimationActive={false} />
        <Tooltip cursor={{ fill: 'var(--accent-soft)', opacity: 0.4 }} isAnimationActive={false} content={(tip) => <ShareTooltip bin={hovered<ShareBin>(tip)} />} />
      </BarChart>
    </ChartFrame>
  );
}

function percent(share: number): string {
  return `${+(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;
}

function ShareTooltip({ bin }: { bin: ShareBin | undefined }) {
  if (!bin) return null;
  const change = bin.live - bin.baseline;
  return (
    <TooltipBox
      title={bin.label}
      rows={[
        ['training', percent(bin.baseline)],
        ['live', percent(bin.live)],
        ['change', `${change >= 0 ? '+' : '−'}${(Math.abs(change) * 100).toFixed(1)} pts`],
      ]}
    />
  );
}
