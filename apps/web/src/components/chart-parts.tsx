'use client';

import type { ReactNode } from 'react';
import { ResponsiveContainer, type TooltipContentProps } from 'recharts';

/** The width charts are laid out at before the browser measures them (and on the server). */
export const CHART_WIDTH = 320;

/** Axis and tick styling shared by every chart, so they read as one family (see globals.css `.chart`). */
export const AXIS = {
  axisLine: { stroke: 'var(--border)' },
  tick: { fill: 'var(--muted)', fontSize: 10, fontFamily: 'var(--mono)' },
  tickLine: false,
} as const;

/** An axis' title, under the x axis or beside the y axis. */
export function axisLabel(value: string, side: 'x' | 'y') {
  const style = { fill: 'var(--muted)', fontSize: 9.5, textAnchor: 'middle' } as const;
  return side === 'x'
    ? { value, position: 'bottom' as const, offset: 2, style }
    : { value, angle: -90, position: 'insideLeft' as const, offset: 6, style };
}

/** The grid behind a chart: faint dashed lines at the y ticks. */
export const GRID = { stroke: 'var(--border)', strokeDasharray: '2 3', vertical: false } as const;

export type Tone = 'a' | 'b' | 'c' | 'd';
export const TONES: readonly Tone[] = ['a', 'b', 'c', 'd'];

/**
 * A chart's figure: its caption, the Recharts chart sized to the figure's width (at `aspect`
 * width ÷ height up to `maxHeight`, or a fixed `height`), then what goes under it (a legend, a note).
 */
export function ChartFrame(props: {
  title?: ReactNode;
  testId?: string;
  small?: boolean;
  aspect?: number;
  height?: number;
  /** caps a chart sized by `aspect` in a wide card, so it grows wider rather than taller */
  maxHeight?: number;
  className?: string;
  children: ReactNode;
  after?: ReactNode;
}) {
  const { title, testId, small = false, aspect, height, maxHeight = 300, className, children, after } = props;
  const initialHeight = height ?? Math.round(CHART_WIDTH / (aspect ?? 1.6));
  return (
    <figure className={['chart', small ? 'chart-small' : '', className ?? ''].filter(Boolean).join(' ')} data-testid={testId}>
      {title ? <figcaption className="section-title">{title}</figcaption> : null}
      <ResponsiveContainer
        width="100%"
        aspect={height === undefined ? aspect : undefined}
        height={height}
        maxHeight={height === undefined ? maxHeight : undefined}
        initialDimension={{ width: CHART_WIDTH, height: initialHeight }}
      >
        {children}
      </ResponsiveContainer>
      {after}
    </figure>
  );
}

/** The legend under a chart: a sample of each series in its tone (a line, a dot or a box), then its label (HTML, so it wraps). */
export function ChartLegend({ items }: { items: Array<{ label: string; tone?: Tone; kind?: 'line' | 'dot' | 'box' }> }) {
  return (
    <div className="legend small">
      {items.map((item) => (
        <span key={item.label} className={`legend-item series-${item.tone ?? 'a'}${item.kind && item.kind !== 'line' ? ` legend-${item.kind}` : ''}`}>
          <i aria-hidden /> {item.label}
        </span>
      ))}
    </div>
  );
}

/** A tooltip's box: a title line, then `name: value` rows. */
export function TooltipBox({ title, rows }: { title?: ReactNode; rows: Array<[ReactNode, ReactNode]> }) {
  return (
    <div className="chart-tooltip">
      {title ? <div className="chart-tooltip-title">{title}</div> : null}
      {rows.map(([name, value], i) => (
        <div key={i} className="chart-tooltip-row">
          <span className="muted">{name}</span> <span className="mono">{value}</span>
        </div>
      ))}
    </div>
  );
}

/** The data point under the pointer, as the chart was given it; undefined while the tooltip is hidden. */
export function hovered<T>(tip: TooltipContentProps): T | undefined {
  return tip.active ? (tip.payload?.[0]?.payload as T | undefined) : undefined;
}
