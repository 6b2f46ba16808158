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

/** The window figures both the live view and the hourly charts show (AUC is the live view's alone). */
export type QualityFigures = Omit<Point, 'versions' | 'windowStart' | 'windowEnd'>;
const CLASSIFIERS: ServingTask[] = ['binary_classification', 'multiclass_classification'];

/** The figures of a window, in the order a reader looks for them: the monitor metric that watches each, the tasks it is for. */
export const QUALITY_FIGURES: Array<{
  label: string;
  metric: MonitorMetric;
  tasks: ServingTask[];
  pick: (f: QualityFigures) => number | null;
}> = [
  { label: 'accuracy', metric: 'accuracy', tasks: CLASSIFIERS, pick: (f) => f.accuracy },
  { label: 'log loss', metric: 'log_loss', tasks: CLASSIFIERS, pick: (f) => f.logLoss },
  { label: 'precision', metric: 'precision', tasks: ['binary_classification'], pick: (f) => f.precision },
  { label: 'recall', metric: 'recall', tasks: ['binary_classification'], pick: (f) => f.recall },
  { label: 'RMSE', metric: 'rmse', tasks: ['regression'], pick: (f) => f.rmse },
  { label: 'MAE', metric: 'mae', tasks: ['regression'], pick: (f) => f.mae },
  { label: 'MAPE', metric: 'mape', tasks: ['regression'], pick: (f) => f.mape },
  { label: 'positive rate', metric: 'positive_rate', tasks: ['binary_classification'], pick: (f) => f.positiveRate },
  { label: 'prediction mean', metric: 'prediction_mean', tasks: [...CLASSIFIERS, 'regression'], pick: (f) => f.predictionMean },
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
  const charted = QUALITY_FIGURES.filter((f) => task === undefined || f.tasks.includes(task))
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
