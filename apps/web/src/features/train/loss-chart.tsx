import { LineChart } from '../../components/line-chart';

/** Training loss per step (epoch, solver iteration or boosting round): a line through a dot per step, a tooltip on each. */
export function LossChart({ points }: { points: Array<{ x: number; y: number }> }) {
  const [first, last] = [points[0]?.y, points.at(-1)?.y];
  return (
    <LineChart
      title="Loss"
      series={[{ label: 'loss', points, mark: 'both' }]}
      xLabel="step"
      yLabel="loss"
      height={100}
      testId="loss-chart"
      ariaLabel={first !== undefined && last !== undefined ? `loss from ${first.toFixed(4)} to ${last.toFixed(4)}` : 'loss'}
    />
  );
}
