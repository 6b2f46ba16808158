'use client';

import type { ReactNode } from 'react';
import { CartesianGrid, ReferenceLine, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';

import { evenTicks, extent, finitePoints, formatClock, formatTick, formatValue, type Point } from './chart-data';
import { AXIS, axisLabel, CHART_WIDTH, ChartFrame, ChartLegend, GRID, hovered, type Tone, TONES, TooltipBox } from './chart-parts';

export { formatTick, type Point, zipPoints } from './chart-data';
export { type Tone, TONES };

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

/** A horizontal line across the chart at `y`, e.g. a monitor's threshold; drawn dashed, named in the legend. */
export interface Threshold {
  label: string;
  y: number;
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
  /** horizontal reference lines (thresholds); the y axis stretches to show them */
  thresholds?: Threshold[];
  /** `time`: x values are epoch milliseconds, ticked as UTC clock times */
  xKind?: 'number' | 'time';
  /** the chart's height for a width of 320; it scales with the width (up to 300 px high), so smaller is flatter */
  height?: number;
  testId?: string;
  small?: boolean;
  /** what the chart says, for screen readers; default `<y> against <x>` */
  ariaLabel?: string;
}

// room at the ends of the axes, so a dot on the edge of the data is drawn whole
const PADDING_X = { left: 4, right: 4 };
const PADDING_Y = { top: 4, bottom: 4 };

/** A point as the chart holds it: the series it belongs to rides along for the tooltip. */
interface Datum extends Point {
  series: string;
}

/**
 * A small line or scatter chart of one or more series, on Recharts: each series a scatter of its
 * points, joined by a line unless it is `dots`; a tooltip names the series and both values of the
 * point under the pointer. Points that are not finite are dropped, so a half-filled report still draws.
 */
export function LineChart(props: Props) {
  const { title, series, xLabel, yLabel, unit = false, diagonal = false, thresholds = [], xKind = 'number', height = 220, testId, small = false } = props;
  const drawn = series
    .map((s) => ({ ...s, points: finitePoints(s.points).map((p): Datum => ({ x: p.x, y: p.y, series: s.label })) }))
    .filter((s) => s.points.length > 0);
  if (drawn.length === 0) return null;
  const all = drawn.flatMap((s) => s.points);
  const lines = thresholds.filter((t) => Number.isFinite(t.y));
  const [xMin, xMax] = unit ? [0, 1] : extent(all.map((p) => p.x));
  const [yMin, yMax] = unit ? [0, 1] : extent([...all.map((p) => p.y), ...lines.map((t) => t.y)]);
  const xTick = xKind === 'time' ? (ms: number) => formatClock(ms, xMax - xMin) : formatTick;
  // steps, trials, epochs: whole-number ticks when every x is one
  const integerX = xKind === 'number' && all.every((p) => Number.isInteger(p.x));
  const ticks = (min: number, max: number, integer = false) => (unit ? [0, 0.5, 1] : evenTicks(min, max, small ? 2 : 3, integer));
  const dotRadius = small ? 1.8 : 2.5;
  const legend = [
    ...(drawn.length > 1 || lines.length > 0 ? drawn.map((s) => ({ label: s.label, tone: s.tone, kind: s.mark === 'dots' ? ('dot' as const) : undefined })) : []),
    ...lines.map((t) => ({ label: t.label, tone: 'b' as const })),
  ];

  return (
    <ChartFrame
      title={title}
      testId={testId}
      small={small}
      aspect={CHART_WIDTH / height}
      after={legend.length > 0 ? <ChartLegend items={legend} /> : null}
    >
      <ScatterChart
        margin={{ top: 8, right: 14, bottom: 18, left: 4 }}
        title={props.ariaLabel ?? `${yLabel} against ${xLabel}`}
        aria-label={props.ariaLabel ?? `${yLabel} against ${xLabel}`}
      >
        <CartesianGrid {...GRID} />
        <XAxis
          type="number"
          dataKey="x"
          name={xLabel}
          domain={[xMin, xMax]}
          ticks={ticks(xMin, xMax, integerX)}
          tickFormatter={xTick}
          padding={PADDING_X}
          {...AXIS}
          label={axisLabel(xLabel, 'x')}
        />
        <YAxis
          type="number"
          dataKey="y"
          name={yLabel}
          domain={[yMin, yMax]}
          ticks={ticks(yMin, yMax)}
          tickFormatter={formatTick}
          width={52}
          padding={PADDING_Y}
          {...AXIS}
          label={axisLabel(yLabel, 'y')}
        />
        {diagonal ? (
          <ReferenceLine
            segment={[
              { x: Math.max(xMin, yMin), y: Math.max(xMin, yMin) },
              { x: Math.min(xMax, yMax), y: Math.min(xMax, yMax) },
            ]}
            stroke="var(--muted)"
            strokeDasharray="4 3"
            strokeOpacity={0.6}
          />
        ) : null}
        {lines.map((t) => (
          <ReferenceLine key={t.label} y={t.y} stroke="var(--series-b)" strokeDasharray="6 3" />
        ))}
        {drawn.map((s) => {
          const mark = s.mark ?? 'line';
          return (
            <Scatter
              key={s.label}
              name={s.label}
              data={s.points}
              className={`series series-${s.tone ?? 'a'}`}
              isAnimationActive={false}
              line={mark === 'dots' ? false : { className: 'line' }}
              lineJointType="linear"
              shape={(shape: { cx?: number; cy?: number }) =>
                mark === 'line' ? (
                  // no dot on a line, but something to point at for the tooltip
                  <rect className="hit" x={(shape.cx ?? 0) - 4} y={(shape.cy ?? 0) - 4} width={8} height={8} />
                ) : (
                  <circle className="dot" cx={shape.cx} cy={shape.cy} r={dotRadius} />
                )
              }
            />
          );
        })}
        <Tooltip
          cursor={{ stroke: 'var(--muted)', strokeDasharray: '3 3' }}
          isAnimationActive={false}
          content={(tip) => <PointTooltip datum={hovered<Datum>(tip)} xLabel={xLabel} yLabel={yLabel} time={xKind === 'time'} />}
        />
      </ScatterChart>
    </ChartFrame>
  );
}

function PointTooltip({ datum, xLabel, yLabel, time }: { datum: Datum | undefined; xLabel: string; yLabel: string; time: boolean }) {
  if (!datum) return null;
  return (
    <TooltipBox
      title={datum.series}
      rows={[
        [xLabel, time ? `${new Date(datum.x).toISOString().slice(0, 19).replace('T', ' ')} UTC` : formatValue(datum.x)],
        [yLabel, formatValue(datum.y)],
      ]}
    />
  );
}
