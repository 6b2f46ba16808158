'use client';

import type { LiveQualityHistoryResponse, MonitorMetric, MonitorResponse, ServingTask } from '@atelier/contracts';

import { ErrorNotice } from '../../components/error-notice';
import { LineChart, type Series, type Threshold } from '../../components/line-chart';
import { Loading } from '../../components/states';
import { api } from '../../lib/api';
import { formatCount } from '../../lib/format';
import { useApi } from '../../lib/use-api';
import { OPERATOR_SYMBOLS } from '../monitors/operators';

type Point = LiveQualityHistoryResponse['points'][number];

/** The figures charted hour by hour, each with the monitor metric that watches it and the tasks it is for. */
const FIGURES: Array<{ label: string; metric: MonitorMetric; tasks: ServingTask[]; pick: (p: Point) => number | null }> = [
  { label: 'accuracy', metric: 'accuracy', tasks: ['binary_classification', 'multiclass_classification'], pick: (p) => p.accuracy },
  { label: 'log loss', metric: 'log_loss', tasks: ['binary_classification', 'multiclass_classification'], pick: (p) => p.logLoss },
  { label: 'precision', metric: 'precision', tasks: ['binary_classification'], pick: (p) => p.precision },
  { label: 'recall', metric: 'recall', tasks: ['binary_classification'], pick: (p) => p.recall },
  { label: 'RMSE', metric: 'rmse', tasks: ['regression'], pick: (p) => p.rmse },
  { label: 'MAE', metric: 'mae', tasks: ['regression'], pick: (p) => p.mae },
  { label: 'MAPE', metric: 'mape', tasks: ['regression'], pick: (p) => p.mape },
  { label: 'positive rate', metric: 'positive_rate', tasks: ['binary_classification'], pick: (p) => p.positiveRate },
  { label: 'prediction mean', metric: 'prediction_mean', tasks: ['regression'], pick: (p) => p.predictionMean },
];

const HOURS = 24;

/**
 * Live quality of a model, or of one version, hour by hour over the last day: one chart per figure
 * of the model's task (every figure when it is not known) that has a value in some hour, with the
 * thresholds of the enabled monitors on that metric.
 */
export function LiveQualityHistory({
  model,
  version,
  task,
  monitors,
}: {
  model: string;
  version?: number;
  task?: ServingTask;
  monitors: MonitorResponse[];
}) {
  const history = useApi(() => api.liveQualityHistory(model, { windowSeconds: 3600, windows: HOURS, version }), [model, version]);
  if (history.error) return <ErrorNotice error={history.error} onRetry={history.reload} compact />;
  if (!history.data) return <Loading what="Reading the hours" />;
  const points = history.data.points;
  const who = version === undefined ? 'all versions' : `v${version}`;
  const charted = FIGURES.filter((f) => task === undefined || f.tasks.includes(task))
    .map((f) => ({
      ...f,
      points: points.flatMap((p) => (f.pick(p) === null ? [] : [{ x: Date.parse(p.windowEnd), y: f.pick(p)! }])),
    }))
    .filter((f) => f.points.length > 0);
  const predictions = points.reduce((sum, p) => sum + p.predictions, 0);
  if (charted.length === 0) {
    return (
      <p className="muted" data-testid="quality-hours" data-charts={0} data-version={version ?? ''}>
        No outcomes joined to the predictions of {who} in the last {HOURS} hours ({formatCount(predictions)} predictions): live quality
        needs outcomes.
      </p>
    );
  }
  return (
    <div className="stack" data-testid="quality-hours" data-charts={charted.length} data-version={version ?? ''}>
      <div className="report-grid quality-grid">
        {charted.map((f) => {
          const thresholds: Threshold[] = monitors
            .filter((m) => m.metric === f.metric)
            .map((m) => ({ label: `${m.name}: alert when ${OPERATOR_SYMBOLS[m.operator]} ${m.threshold}`, y: m.threshold }));
          const series: Series[] = [{ label: f.label, points: f.points, mark: 'both' }];
          return (
            <LineChart
              key={f.label}
              testId="quality-hour-chart"
              title={`${f.label} of ${who}, hour by hour`}
              series={series}
              thresholds={thresholds}
              xKind="time"
              xLabel="hour ending (UTC)"
              yLabel={f.label}
              height={180}
              ariaLabel={`${f.label} of ${who} per hour over the last ${HOURS} hours`}
            />
          );
        })}
      </div>
      <p className="muted small">
        Each hour&apos;s predictions of {who} and the outcomes joined to them ({formatCount(predictions)} predictions in {HOURS} hours),
        from the per-minute sums; dashed: an enabled monitor&apos;s threshold on the same metric (monitors watch the model, all versions).
      </p>
    </div>
  );
}
