import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';

import { BinaryCopyWriter, copyIn, type Db, pgArray, Prisma, PrismaService } from '@atelier/db';

import { POSITIVE_THRESHOLD, type Window, type WindowAggregate } from './window-metrics';

const MINUTE_MS = 60_000;
/** an ingest transaction PostgreSQL aborts as a deadlock victim is run again, up to this many times in all */
const INGEST_ATTEMPTS = 3;

/** deadlock_detected or serialization_failure: the transaction may simply be run again */
function isConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

export interface NewPrediction {
  predictionId: string;
  model: string;
  version: number;
  alias: string | null;
  prediction: number;
  /** multi-class classifiers only: the predicted class and the probability of each class */
  label?: number | string | null;
  probabilities?: Record<string, number>;
  /** the inputs, or their JSON text (made from a batch event's columns: `batchPredictions`) */
  inputs: Record<string, number | string | null> | string;
  at: string;
  /** `primary` or `canary` for a model with a canary or shadow; `shadow` for a mirrored request's */
  arm?: 'primary' | 'canary' | 'shadow';
  /** a shadow's: the answered prediction it mirrors */
  shadowOf?: string;
  latencyMs?: number;
}

export interface NewOutcome {
  predictionId: string;
  /** a number, or the class name of a classifier whose classes are strings */
  value: number | string;
  at: string;
}

export interface IngestResult {
  /** predictions stored now (redelivered ones are not counted again) */
  stored: number;
  /** outcomes joined to their prediction, including pending ones joined now */
  joined: number;
  /** outcomes parked until their prediction arrives */
  pending: number;
  /** class names sent as the outcome of a prediction that has no class (binary with classes 0/1, regression): not stored */
  refused: string[];
  /** models whose windows changed */
  models: string[];
}

/** One arm's figures over a window, as `armStats` reads them. */
export interface ArmRow {
  arm: 'primary' | 'canary' | 'shadow';
  version: number;
  predictions: number;
  outcomes: number;
  prediction_mean: number | null;
  prediction_p10: number | null;
  prediction_p50: number | null;
  prediction_p90: number | null;
  positive_rate: number | null;
  latency_p50: number | null;
  latency_p95: number | null;
  accuracy: number | null;
  log_loss: number | null;
  mae: number | null;
  agreement: number | null;
  mean_abs_difference: number | null;
}

export type MonitorRow = Prisma.MonitorGetPayload<object>;
export type MonitorWindowRow = Prisma.MonitorWindowGetPayload<object>;
export type AlertRow = Prisma.AlertGetPayload<{ include: { monitor: { select: { name: true } } } }>;

const withMonitorName = { monitor: { select: { name: true } } } as const;

/**
 * Owns monitoring's tables: monitored predictions, pending outcomes, monitors, their windows
 * and alerts.
 */
@Injectable()
export class MonitoringRepository {
  constructor(private readonly prisma: PrismaService) {}

  transaction<T>(run: (tx: Prisma.TransactionClient) => Promise<T>, options: { timeout?: number } = {}): Promise<T> {
    return this.prisma.client.$transaction(run, options);
  }

  /** Reads that must agree with each other: one snapshot of the database for all of them. */
  snapshot<T>(read: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    return this.prisma.client.$transaction(read, { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead });
  }

  // ── predictions and outcomes ──

  /**
   * Stores predictions (idempotent on the prediction id) and outcomes in one transaction, with no
   * lock shared by other transactions: the consumer stores several partitions at once, and more
   * processes divide the partitions between them. An outcome whose prediction is not stored yet
   * is parked in `pending_outcomes` and joined when the prediction arrives. A prediction and its
   * outcome stored at the same moment by two transactions can each miss the other (neither sees
   * the other's uncommitted row): `joinParked` repairs that from the outcomes parked recently.
   * Per-minute sums are added in (model, minute) order, so two transactions wait for each other
   * instead of deadlocking; should PostgreSQL still pick one as a deadlock victim, it is retried.
   */
  async ingest(predictions: NewPrediction[], outcomes: NewOutcome[]): Promise<IngestResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.ingestOnce(predictions, outcomes);
      } catch (error) {
        if (attempt >= INGEST_ATTEMPTS || !isConflict(error)) throw error;
      }
    }
  }

  private async ingestOnce(predictions: NewPrediction[], outcomes: NewOutcome[]): Promise<IngestResult> {
    // node-postgres directly: per consumed batch, Prisma's JavaScript query engine cost more CPU
    // than these statements do in PostgreSQL — CPU the serving path shares in one process
    return this.prisma.transaction(async (client) => {
      const models = new Set<string>();
      // a shadow's predictions were never answered: kept apart from the model's traffic and windows
      const shadows = predictions.filter((p) => p.arm === 'shadow' && p.shadowOf);
      const answered = shadows.length > 0 ? predictions.filter((p) => !(p.arm === 'shadow' && p.shadowOf)) : predictions;
      if (shadows.length > 0) await insertShadowPredictions(client, shadows);
      const stored: StoredBatch = answered.length > 0 ? await storePredictions(client, answered) : { stored: 0, models: [], parked: false };
      stored.models.forEach((m) => models.add(m));
      const joinedPending = stored.parked
        ? await joinPending(
            client,
            'po.prediction_id = ANY($1::uuid[])',
            answered.map((p) => p.predictionId),
          )
        : { joined: 0, models: [] };
      const { joined, pending, refused } =
        outcomes.length > 0 ? await applyOutcomes(client, outcomes, models) : { joined: 0, pending: 0, refused: [] };
      return { stored: stored.stored, joined: joined + joinedPending.joined, pending, refused, models: [...models] };
    });
  }

  /** Of these predictions, the stored ones that name no class (binary with classes 0/1, regression). */
  async predictionsWithoutClasses(ids: string[]): Promise<Array<{ predictionId: string; model: string }>> {
    const rows = await this.prisma.client.monitoredPrediction.findMany({
      where: { predictionId: { in: ids }, label: null },
      select: { predictionId: true, modelName: true },
      orderBy: { predictionId: 'asc' },
    });
    return rows.map((r) => ({ predictionId: r.predictionId, model: r.modelName }));
  }

  /**
   * Joins outcomes parked since `since` whose prediction is stored by now (see `ingest`). A
   * prediction that has an outcome already keeps it (that one arrived later) and the parked one
   * is dropped. Returns the models whose numbers changed.
   */
  joinParked(since: Date): Promise<{ joined: number; models: string[] }> {
    return this.prisma.transaction((client) => joinPending(client, 'po.parked_at >= $1', since));
  }

  /**
   * The arms of a model's deployment over a window, side by side: the answered predictions that
   * carry an arm (primary, canary), and the shadow's, each judged by the outcome of the request it
   * mirrored and compared with the answer given. Scans the window's rows of those arms only.
   */
  async armStats(model: string, window: Window): Promise<ArmRow[]> {
    const agree = (p: string, l: string, ap: string, al: string) =>
      `CASE WHEN ${ap} IS NULL THEN NULL WHEN ${l} IS NOT NULL THEN (${l} = ${al})::int
            ELSE ((${p} >= ${POSITIVE_THRESHOLD}) = (${ap} >= ${POSITIVE_THRESHOLD}))::int END`;
    const judged = (p: string, l: string, pr: string, o: OutcomeColumns) => ({
      accuracy: `avg(CASE WHEN ${hasOutcome(o)} THEN ${correct(p, l, o)} END)`,
      logLoss: `avg(CASE WHEN ${hasOutcome(o)} THEN ${logLoss(p, pr, o)} END)`,
      mae: `avg(abs(${p} - ${o.value}))`,
    });
    const quantiles = (p: string) =>
      [10, 50, 90].map((q) => `percentile_cont(${q / 100}) WITHIN GROUP (ORDER BY ${p}) AS prediction_p${q}`).join(', ');
    const a = judged('prediction', 'label', 'probabilities', outcomeOf());
    const sh = judged('s.prediction', 's.label', 's.probabilities', outcomeOf('p.'));
    return this.prisma.client.$queryRawUnsafe<ArmRow[]>(
      `SELECT arm, version, count(*)::int AS predictions, count(*) FILTER (WHERE ${hasOutcome(outcomeOf())})::int AS outcomes, avg(prediction) AS prediction_mean,
              ${quantiles('prediction')},
              avg((prediction >= ${POSITIVE_THRESHOLD})::int)::float8 AS positive_rate,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS latency_p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS latency_p95,
              ${a.accuracy}::float8 AS accuracy, ${a.logLoss} AS log_loss, ${a.mae} AS mae,
              NULL::float8 AS agreement, NULL::float8 AS mean_abs_difference
         FROM monitored_predictions
        WHERE model_name = $1 AND predicted_at >= $2 AND predicted_at < $3 AND arm IS NOT NULL
        GROUP BY arm, version
       UNION ALL
       SELECT 'shadow', s.version, count(*)::int, count(*) FILTER (WHERE ${hasOutcome(outcomeOf('p.'))})::int, avg(s.prediction),
              ${quantiles('s.prediction')},
              avg((s.prediction >= ${POSITIVE_THRESHOLD})::int)::float8,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY s.latency_ms),
              percentile_cont(0.95) WITHIN GROUP (ORDER BY s.latency_ms),
              ${sh.accuracy}::float8, ${sh.logLoss}, ${sh.mae},
              avg(${agree('s.prediction', 's.label', 'p.prediction', 'p.label')})::float8, avg(abs(s.prediction - p.prediction))
         FROM shadow_predictions s LEFT JOIN monitored_predictions p ON p.prediction_id = s.shadow_of
        WHERE s.model_name = $1 AND s.predicted_at >= $2 AND s.predicted_at < $3
        GROUP BY s.version
        ORDER BY 1, 2`,
      model,
      window.start,
      window.end,
    );
  }

  /**
   * Every window metric of a model over `[start, end)` by prediction time, from the per-minute
   * sums of `monitored_minutes`, so the result is exact and the cost does not grow with the
   * traffic of the window. A window that ends inside a minute takes that minute's sums less those
   * of its predictions after the window: for the minute a window ends `now` in, only those made
   * since (scanning the minute's predictions instead cost hundreds of milliseconds of PostgreSQL
   * per evaluation at ~35,000 predictions a second). A window that starts inside a minute reads
   * the part of that minute that covers less time: the predictions before the window (subtracted
   * from the minute's sums) or those in it. A window inside two minutes is summed from its
   * predictions. Positives and accuracy are counted at
   * POSITIVE_THRESHOLD, as ingestion counts them. With a `version`, that version's predictions only.
   */
  async aggregateWindow(
    model: string,
    window: Window,
    db: Db = this.prisma.client,
    version: number | null = null,
  ): Promise<WindowAggregate> {
    const { start, end } = window;
    const firstMinute = new Date(Math.floor(start.getTime() / MINUTE_MS) * MINUTE_MS);
    const lastMinute = new Date(Math.ceil(end.getTime() / MINUTE_MS) * MINUTE_MS);
    // no whole minute inside: at most two minutes of predictions, summed one by one
    const spans = Math.ceil(start.getTime() / MINUTE_MS) < Math.floor(end.getTime() / MINUTE_MS);
    const sums = QUALITY.map(
      (q) => `${q.type === 'int' ? `coalesce(sum(${q.alias}), 0)::int` : `sum(${q.alias})::float8`} AS ${q.alias}`,
    ).join(', ');
    const perPrediction = (where: Prisma.Sql) => Prisma.sql`
        SELECT 1 AS predictions, prediction AS prediction_sum, (prediction >= ${POSITIVE_THRESHOLD}::float8)::int AS positives,
               ${Prisma.raw(hasOutcome(outcomeOf()))}::int AS outcomes, ${Prisma.raw(correct('prediction', 'label', outcomeOf()))} AS correct,
               ${Prisma.raw(logLoss('prediction', 'probabilities', outcomeOf()))} AS log_loss_sum,
               ${Prisma.raw(qualityOf('prediction', 'label', outcomeOf()))}
        FROM monitored_predictions
        WHERE model_name = ${model} ${versionIs(version)} AND (${where})`;
    // the first minute: its sums less the predictions before the window when the window starts in
    // its first half, else the window's predictions in it — whichever covers less time
    const headOutside = start.getTime() - firstMinute.getTime();
    const headByMinute = headOutside <= MINUTE_MS / 2;
    const minutesFrom = headByMinute ? firstMinute : new Date(firstMinute.getTime() + MINUTE_MS);
    const headInside = headByMinute ? undefined : Prisma.sql`predicted_at >= ${start} AND predicted_at < ${minutesFrom}`;
    // the last minute: its sums less the predictions after the window (none yet when it ends now)
    const outside = [
      ...(headByMinute && headOutside > 0 ? [Prisma.sql`predicted_at >= ${firstMinute} AND predicted_at < ${start}`] : []),
      ...(end < lastMinute ? [Prisma.sql`predicted_at >= ${end} AND predicted_at < ${lastMinute}`] : []),
    ];
    const parts = spans
      ? Prisma.sql`
        SELECT ${Prisma.raw([...WINDOW_SUMS, ...QUALITY.map((q) => `${q.column} AS ${q.alias}`)].join(', '))}
        FROM monitored_minutes
        WHERE model_name = ${model} ${versionIs(version)} AND minute >= ${minutesFrom} AND minute < ${lastMinute}
        ${headInside ? Prisma.sql`UNION ALL ${perPrediction(headInside)}` : Prisma.empty}
        ${
          outside.length > 0
            ? Prisma.sql`UNION ALL
        SELECT ${Prisma.raw([...WINDOW_SUMS, ...QUALITY.map((q) => q.alias)].map((c) => `-${c}`).join(', '))}
        FROM (${perPrediction(Prisma.join(outside, ' OR '))}) AS outside`
            : Prisma.empty
        }`
      : perPrediction(Prisma.sql`predicted_at >= ${start} AND predicted_at < ${end}`);
    const [row] = await db.$queryRaw<SumsRow[]>`
      SELECT coalesce(sum(predictions), 0)::int AS predictions, sum(prediction_sum)::float8 AS prediction_sum,
             coalesce(sum(positives), 0)::int AS positives, coalesce(sum(outcomes), 0)::int AS outcomes, coalesce(sum(correct), 0)::int AS correct,
             sum(log_loss_sum)::float8 AS log_loss_sum, ${Prisma.raw(sums)}
      FROM (${parts}) AS parts`;
    return aggregateOf(row);
  }

  /**
   * A model's (or one version's) window figures over `windows` consecutive windows of
   * `windowSeconds` (whole minutes) ending at `end` (a minute), oldest first, from the per-minute
   * sums alone: one indexed read of the minutes in range, whatever the traffic.
   */
  async qualityHistory(
    model: string,
    version: number | null,
    end: Date,
    windowSeconds: number,
    windows: number,
  ): Promise<Array<{ window: Window; versions: number[]; stats: WindowAggregate }>> {
    const start = new Date(end.getTime() - windows * windowSeconds * 1000);
    const rows = await this.prisma.client.$queryRaw<Array<SumsRow & { bucket: number; versions: number[] }>>`
      SELECT floor(extract(epoch FROM minute - ${start}::timestamptz) / ${windowSeconds}::int)::int AS bucket,
             array_agg(DISTINCT version ORDER BY version) AS versions,
             sum(predictions)::int AS predictions, sum(prediction_sum)::float8 AS prediction_sum,
             sum(positives)::int AS positives, sum(outcomes)::int AS outcomes, sum(correct)::int AS correct,
             sum(log_loss_sum)::float8 AS log_loss_sum,
             ${Prisma.raw(QUALITY.map((q) => `${q.type === 'int' ? `sum(${q.column})::int` : `sum(${q.column})::float8`} AS ${q.alias}`).join(', '))}
      FROM monitored_minutes
      WHERE model_name = ${model} AND minute >= ${start} AND minute < ${end} ${versionIs(version)}
      GROUP BY 1 ORDER BY 1`;
    const byBucket = new Map(rows.map((r) => [r.bucket, r]));
    return Array.from({ length: windows }, (_, i) => {
      const from = new Date(start.getTime() + i * windowSeconds * 1000);
      const row = byBucket.get(i);
      return {
        window: { start: from, end: new Date(from.getTime() + windowSeconds * 1000) },
        versions: row?.versions ?? [],
        stats: aggregateOf(row),
      };
    });
  }

  /**
   * ROC AUC of the window's binary predictions that have an outcome (those without a class label):
   * the rank statistic, ties given their mean rank; null without both classes. A scan of the
   * window's rows with an outcome — for the monitors and views that ask for it.
   */
  async windowAuc(
    model: string,
    window: Window,
    db: Db = this.prisma.client,
    version: number | null = null,
  ): Promise<{ auc: number | null; samples: number }> {
    const [row] = await db.$queryRaw<Array<{ positives: number; negatives: number; rank_sum: number | null }>>`
      SELECT count(*) FILTER (WHERE positive)::int AS positives, count(*) FILTER (WHERE NOT positive)::int AS negatives,
             sum(rank + (ties - 1) / 2.0) FILTER (WHERE positive)::float8 AS rank_sum
      FROM (
        SELECT outcome >= ${POSITIVE_THRESHOLD}::float8 AS positive,
               rank() OVER (ORDER BY prediction) AS rank, count(*) OVER (PARTITION BY prediction) AS ties
        FROM monitored_predictions
        WHERE model_name = ${model} AND label IS NULL AND outcome IS NOT NULL ${versionIs(version)}
          AND predicted_at >= ${window.start} AND predicted_at < ${window.end}
      ) AS ranked`;
    const positives = row?.positives ?? 0;
    const negatives = row?.negatives ?? 0;
    if (positives === 0 || negatives === 0) return { auc: null, samples: positives + negatives };
    return { auc: ((row?.rank_sum ?? 0) - (positives * (positives + 1)) / 2) / (positives * negatives), samples: positives + negatives };
  }

  /**
   * Multi-class models: per class, how many predictions of the window chose it and how many
   * outcomes were it (a scan of the window's rows; for the live view, not for evaluations).
   */
  async classCounts(
    model: string,
    window: Window,
    db: Db = this.prisma.client,
    version: number | null = null,
  ): Promise<Array<{ label: string; predicted: number; outcomes: number }>> {
    return db.$queryRaw<Array<{ label: string; predicted: number; outcomes: number }>>`
      SELECT label, sum(predicted)::int AS predicted, sum(observed)::int AS outcomes
      FROM (
        SELECT label, 1 AS predicted, 0 AS observed FROM monitored_predictions
        WHERE model_name = ${model} AND label IS NOT NULL AND predicted_at >= ${window.start} AND predicted_at < ${window.end}
          ${versionIs(version)}
        UNION ALL
        SELECT ${Prisma.raw(classOf(outcomeOf()))}, 0, 1 FROM monitored_predictions
        WHERE model_name = ${model} AND label IS NOT NULL AND ${Prisma.raw(hasOutcome(outcomeOf()))} AND predicted_at >= ${window.start} AND predicted_at < ${window.end}
          ${versionIs(version)}
      ) AS counted
      GROUP BY label ORDER BY label`;
  }

  /** The predictions of the window's newest model version (the one drift is measured for). */
  async newestVersionPredictions(
    model: string,
    window: Window,
    db: Db = this.prisma.client,
  ): Promise<{ version: number; predictions: number[] } | null> {
    const rows = await db.$queryRaw<Array<{ version: number; prediction: number }>>`
      SELECT version, prediction FROM monitored_predictions
      WHERE model_name = ${model} AND predicted_at >= ${window.start} AND predicted_at < ${window.end}
        AND version = (SELECT max(version) FROM monitored_predictions WHERE model_name = ${model} AND predicted_at >= ${window.start} AND predicted_at < ${window.end})`;
    if (rows.length === 0) return null;
    return { version: rows[0]!.version, predictions: rows.map((r) => r.prediction) };
  }

  /**
   * The inputs of a version's most recent predictions in the window (the newest version with
   * predictions there when none is named): what input drift compares with the training baseline.
   * With `only`, each row holds just that input (null where the prediction lacked it).
   */
  async windowInputs(
    model: string,
    window: Window,
    version: number | undefined,
    limit: number,
    only?: string,
  ): Promise<{ version: number; inputs: Array<Record<string, unknown>> } | null> {
    const chosen =
      version ??
      (
        await this.prisma.pool.query<{ version: number | null }>(
          'SELECT max(version) AS version FROM monitored_predictions WHERE model_name = $1 AND predicted_at >= $2 AND predicted_at < $3',
          [model, window.start, window.end],
        )
      ).rows[0]?.version;
    if (chosen === null || chosen === undefined) return null;
    // one input only: that value alone leaves PostgreSQL, not every row's whole inputs document
    const { rows } = await this.prisma.pool.query<{ inputs: Record<string, unknown> }>(
      `SELECT ${only === undefined ? 'inputs' : 'jsonb_build_object($6::text, inputs -> $6::text) AS inputs'} FROM monitored_predictions
       WHERE model_name = $1 AND version = $2 AND predicted_at >= $3 AND predicted_at < $4
       ORDER BY predicted_at DESC LIMIT $5`,
      only === undefined ? [model, chosen, window.start, window.end, limit] : [model, chosen, window.start, window.end, limit, only],
    );
    return { version: chosen, inputs: rows.map((r) => r.inputs) };
  }

  // ── monitors ──

  /** Creates a monitor; null when its model has a monitor of that name already (the unique (model, name) index decides). */
  async createMonitor(data: Prisma.MonitorUncheckedCreateInput): Promise<MonitorRow | null> {
    const [row] = await this.prisma.client.monitor.createManyAndReturn({ data: [data], skipDuplicates: true });
    return row ?? null;
  }

  findMonitor(id: string, db: Db = this.prisma.client): Promise<MonitorRow | null> {
    return db.monitor.findUnique({ where: { id } });
  }

  listMonitors(filter: { model?: string; enabled?: boolean } = {}): Promise<MonitorRow[]> {
    return this.prisma.client.monitor.findMany({
      where: { modelName: filter.model, enabled: filter.enabled },
      orderBy: { createdAt: 'asc' },
    });
  }

  /** Updates a monitor; null when it does not exist. */
  async updateMonitor(id: string, data: Prisma.MonitorUpdateInput): Promise<MonitorRow | null> {
    const { count } = await this.prisma.client.monitor.updateMany({ where: { id }, data });
    return count === 0 ? null : this.findMonitor(id);
  }

  /** Deletes a monitor with its windows and alerts; false when it did not exist. */
  async deleteMonitor(id: string): Promise<boolean> {
    const { count } = await this.prisma.client.monitor.deleteMany({ where: { id } });
    return count > 0;
  }

  /**
   * Locks the monitor's row until the transaction ends, so evaluations and manual resolutions of
   * one monitor run one at a time (which is what keeps "at most one open alert" true).
   * Returns the monitor as it is under the lock, or null when it was deleted.
   */
  async lockMonitor(id: string, tx: Prisma.TransactionClient): Promise<MonitorRow | null> {
    await tx.$queryRaw`SELECT id FROM monitors WHERE id = ${id}::uuid FOR UPDATE`;
    return tx.monitor.findUnique({ where: { id } });
  }

  // ── windows ──

  insertWindow(
    data: { monitorId: string; windowStart: Date; windowEnd: Date; value: number | null; samples: number; breached: boolean },
    tx: Db,
  ): Promise<MonitorWindowRow> {
    return tx.monitorWindow.create({ data });
  }

  listWindows(monitorId: string, limit: number): Promise<MonitorWindowRow[]> {
    return this.prisma.client.monitorWindow.findMany({
      where: { monitorId },
      orderBy: [{ windowEnd: 'desc' }, { id: 'desc' }],
      take: limit,
    });
  }

  // ── alerts ──

  findOpenAlert(monitorId: string, tx: Db): Promise<AlertRow | null> {
    return tx.alert.findFirst({ where: { monitorId, status: 'open' }, include: withMonitorName });
  }

  findAlert(id: string, db: Db = this.prisma.client): Promise<AlertRow | null> {
    return db.alert.findUnique({ where: { id }, include: withMonitorName });
  }

  createAlert(
    data: { monitorId: string; modelName: string; metric: string; value: number; threshold: number; message: string },
    tx: Db,
  ): Promise<AlertRow> {
    return tx.alert.create({ data: { ...data, status: 'open' }, include: withMonitorName });
  }

  updateAlert(id: string, data: Prisma.AlertUpdateInput, tx: Db): Promise<AlertRow> {
    return tx.alert.update({ where: { id }, data, include: withMonitorName });
  }

  listAlerts(filter: { status?: string; model?: string; limit: number }): Promise<AlertRow[]> {
    return this.prisma.client.alert.findMany({
      where: { status: filter.status, modelName: filter.model },
      include: withMonitorName,
      orderBy: [{ openedAt: 'desc' }, { id: 'desc' }],
      take: filter.limit,
    });
  }

  // ── retention ──

  /**
   * Deletes the rows of `table` older than `cutoff`, `chunk` rows a statement (each committed on
   * its own: no long lock, no burst of WAL), until none is left or `stopped()` says so; says how
   * many. A table is read through its (scope, time) index, one model (or monitor) after another.
   */
  async deleteOlderThan(table: RetainedTable, cutoff: Date, chunk: number, stopped: () => boolean = () => false): Promise<number> {
    const { scope, time } = RETAINED[table];
    const scopes = scope ? (await this.prisma.pool.query<{ value: string }>(distinctIn(table, scope))).rows.map((r) => r.value) : [null];
    let deleted = 0;
    for (const value of scopes) {
      const where = value === null ? `${time} < $1` : `${scope} = $3 AND ${time} < $1`;
      // the oldest rows by the time's index, deleted by their place (a TID scan): `key IN (…)` had
      // PostgreSQL hash-join the subquery against a scan of the whole table, every statement
      const sql = `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${table} WHERE ${where} ORDER BY ${time} LIMIT $2))`;
      for (;;) {
        if (stopped()) return deleted;
        const { rowCount } = await this.prisma.pool.query(sql, value === null ? [cutoff, chunk] : [cutoff, chunk, value]);
        deleted += rowCount ?? 0;
        if ((rowCount ?? 0) < chunk) break;
      }
    }
    return deleted;
  }
}

export const RETAINED_TABLES = ['monitored_predictions', 'shadow_predictions', 'pending_outcomes', 'monitor_windows'] as const;
export type RetainedTable = (typeof RETAINED_TABLES)[number];

/**
 * Monitoring's tables that `deleteOlderThan` keeps to the retention: the time each row is judged
 * by, and the column its index on that time begins with, if any.
 */
const RETAINED: Record<RetainedTable, { time: string; scope?: string }> = {
  monitored_predictions: { time: 'predicted_at', scope: 'model_name' },
  shadow_predictions: { time: 'predicted_at', scope: 'model_name' },
  pending_outcomes: { time: 'parked_at' },
  monitor_windows: { time: 'window_end', scope: 'monitor_id' },
};

/** The distinct values of an indexed column, one index probe each (a loose index scan) instead of reading every row. */
const distinctIn = (table: RetainedTable, column: string) => `
  WITH RECURSIVE d(value) AS (
    (SELECT ${column} FROM ${table} ORDER BY 1 LIMIT 1)
    UNION ALL
    SELECT (SELECT ${column} FROM ${table} WHERE ${column} > d.value ORDER BY 1 LIMIT 1) FROM d WHERE d.value IS NOT NULL)
  SELECT value::text FROM d WHERE value IS NOT NULL`;

type Stored = { prediction_id: string; model_name: string };

/** The window queries' version filter: `AND version = v` for one version, nothing for every version. */
function versionIs(version: number | null): Prisma.Sql {
  return version === null ? Prisma.empty : Prisma.sql`AND version = ${version}::int`;
}

/** The sums a window's figures are made of, as the window queries name them. */
interface SumsRow {
  predictions: number;
  prediction_sum: number | null;
  positives: number;
  outcomes: number;
  correct: number;
  log_loss_sum: number | null;
  se: number | null;
  ae: number | null;
  ape: number | null;
  apc: number;
  tp: number;
  pp: number;
  ap: number;
}

/** A window's figures from its sums (an empty window: counts 0, figures null). */
function aggregateOf(row: SumsRow | undefined): WindowAggregate {
  const predictions = row?.predictions ?? 0;
  const outcomes = row?.outcomes ?? 0;
  const mean = (sum: number | null | undefined, n: number) => (n > 0 ? (sum ?? 0) / n : null);
  return {
    predictions,
    outcomes,
    predictionMean: mean(row?.prediction_sum, predictions),
    positiveRate: mean(row?.positives, predictions),
    accuracy: mean(row?.correct, outcomes),
    logLoss: mean(row?.log_loss_sum, outcomes),
    rmse: outcomes > 0 ? Math.sqrt((row?.se ?? 0) / outcomes) : null,
    mae: mean(row?.ae, outcomes),
    mape: mean(row?.ape, row?.apc ?? 0),
    mapeSamples: row?.apc ?? 0,
    precision: mean(row?.tp, row?.pp ?? 0),
    recall: mean(row?.tp, row?.ap ?? 0),
    predictedPositives: row?.pp ?? 0,
    actualPositives: row?.ap ?? 0,
  };
}

/**
 * Adds each changed prediction's share to its minute in `monitored_minutes`, inside the statement
 * that changed it: `changed` is a data-modifying CTE returning model_name, version, predicted_at and the
 * per-row deltas n (predictions), s (prediction sum), pos (positives), o (outcomes), c (correct),
 * ll (log loss).
 */
/**
 * Per-minute sums of live quality beyond accuracy and log loss, by task, for predictions with an
 * outcome (0 without one): regression errors, and the binary counts behind precision and recall
 * (predictions without a class label, at POSITIVE_THRESHOLD). Alias in `changed`, column, SQL.
 */
const QUALITY: Array<{ alias: string; column: string; type: 'float8' | 'int'; sql: (p: string, l: string, o: string) => string }> = [
  { alias: 'se', column: 'sq_error_sum', type: 'float8', sql: (p, _l, o) => `coalesce((${p} - ${o}) ^ 2, 0)` },
  { alias: 'ae', column: 'abs_error_sum', type: 'float8', sql: (p, _l, o) => `coalesce(abs(${p} - ${o}), 0)` },
  {
    alias: 'ape',
    column: 'ape_sum',
    type: 'float8',
    sql: (p, _l, o) => `coalesce(CASE WHEN ${o} <> 0 THEN abs((${p} - ${o}) / ${o}) ELSE 0 END, 0)`,
  },
  { alias: 'apc', column: 'ape_count', type: 'int', sql: (_p, _l, o) => `coalesce((${o} <> 0)::int, 0)` },
  {
    alias: 'tp',
    column: 'true_positives',
    type: 'int',
    sql: (p, l, o) => `coalesce((${l} IS NULL AND ${p} >= ${POSITIVE_THRESHOLD} AND ${o} >= ${POSITIVE_THRESHOLD})::int, 0)`,
  },
  {
    alias: 'pp',
    column: 'predicted_positives',
    type: 'int',
    sql: (p, l, o) => `coalesce((${l} IS NULL AND ${p} >= ${POSITIVE_THRESHOLD} AND ${o} IS NOT NULL)::int, 0)`,
  },
  {
    alias: 'ap',
    column: 'actual_positives',
    type: 'int',
    sql: (_p, l, o) => `coalesce((${l} IS NULL AND ${o} >= ${POSITIVE_THRESHOLD})::int, 0)`,
  },
];
/** The quality sums of one prediction whose outcome is `o` (numeric outcomes only: a class name adds nothing). */
const qualityOf = (p: string, l: string, o: OutcomeColumns) => QUALITY.map((q) => `${q.sql(p, l, o.value)} AS ${q.alias}`).join(', ');
/** What replacing outcome `before` by `now` changes in them. */
const qualityChange = (p: string, l: string, now: OutcomeColumns, before: OutcomeColumns) =>
  QUALITY.map((q) => `${q.sql(p, l, now.value)} - ${q.sql(p, l, before.value)} AS ${q.alias}`).join(', ');
const NO_QUALITY = QUALITY.map((q) => `0::${q.type} AS ${q.alias}`).join(', ');

/** The sums a window adds up, as `monitored_minutes` names them (the quality sums besides: QUALITY). */
const WINDOW_SUMS = ['predictions', 'prediction_sum', 'positives', 'outcomes', 'correct', 'log_loss_sum'];

const ADD_TO_MINUTES = `
  minutes AS (
    INSERT INTO monitored_minutes AS m (model_name, version, minute, predictions, prediction_sum, positives, outcomes, correct, log_loss_sum, ${QUALITY.map((q) => q.column).join(', ')})
    SELECT model_name, version, date_trunc('minute', predicted_at), sum(n)::int, sum(s), sum(pos)::int, sum(o)::int, sum(c)::int, sum(ll),
           ${QUALITY.map((q) => (q.type === 'int' ? `sum(${q.alias})::int` : `sum(${q.alias})`)).join(', ')}
    FROM changed GROUP BY 1, 2, 3
    -- rows locked in one order by every transaction: concurrent ones wait, they do not deadlock
    ORDER BY 1, 2, 3
    ON CONFLICT (model_name, version, minute) DO UPDATE SET
      predictions = m.predictions + EXCLUDED.predictions,
      prediction_sum = m.prediction_sum + EXCLUDED.prediction_sum,
      positives = m.positives + EXCLUDED.positives,
      outcomes = m.outcomes + EXCLUDED.outcomes,
      correct = m.correct + EXCLUDED.correct,
      log_loss_sum = m.log_loss_sum + EXCLUDED.log_loss_sum,
      ${QUALITY.map((q) => `${q.column} = m.${q.column} + EXCLUDED.${q.column}`).join(', ')})`;

/**
 * Where a row's outcome is, as SQL: `value` the numeric outcome, `label` the class name one (each
 * null when the outcome is the other kind or there is none).
 */
interface OutcomeColumns {
  value: string;
  label: string;
}
/** The columns of a monitored prediction's outcome, for a table alias (`''` for none). */
const outcomeOf = (alias = ''): OutcomeColumns => ({ value: `${alias}outcome`, label: `${alias}outcome_label` });
/** SQL true when the row has an outcome of either kind. */
const hasOutcome = (o: OutcomeColumns) => `(${o.value} IS NOT NULL OR ${o.label} IS NOT NULL)`;

/** An outcome as a class label: its name, or its number as text (`2` and `2.0` are the class "2"). */
const classOf = (o: OutcomeColumns) => `coalesce(${o.label}, trim_scale(${o.value}::numeric)::text)`;

/**
 * 1 when the prediction was right, 0 when wrong or without an outcome: a multi-class prediction
 * (with a label) names the outcome's class; a binary one is on the outcome's side of the threshold.
 */
const correct = (prediction: string, label: string, outcome: OutcomeColumns) =>
  `coalesce(CASE WHEN ${label} IS NOT NULL THEN (${label} = ${classOf(outcome)})::int
                 ELSE ((${prediction} >= ${POSITIVE_THRESHOLD}) = (${outcome.value} >= ${POSITIVE_THRESHOLD}))::int END, 0)`;

/**
 * The log loss of one prediction (0 without an outcome): −ln of the probability it gave the
 * outcome's class (multi-class), or of P(positive) / 1 − P(positive) (binary); clipped at 1e-15.
 */
const logLoss = (prediction: string, probabilities: string, outcome: OutcomeColumns) =>
  `CASE WHEN NOT ${hasOutcome(outcome)} THEN 0::float8
        WHEN ${probabilities} IS NOT NULL THEN -ln(greatest(coalesce((${probabilities} ->> ${classOf(outcome)})::float8, 0), 1e-15))
        ELSE -ln(greatest(least(CASE WHEN ${outcome.value} >= ${POSITIVE_THRESHOLD} THEN ${prediction} ELSE 1 - ${prediction} END, 1), 1e-15)) END`;

/**
 * The rows of a batch as column parameters, zipped back into rows by `FROM ${PREDICTION_ROWS}`:
 * one array literal per column (`pgArray`) and the inputs and probabilities as one JSON array
 * each. PostgreSQL took about half the time to store a 2,000-row batch this way than from one
 * JSON document through `json_to_recordset` (17 against 31 ms), whose parser read every field
 * of every row as JSON text.
 */
function predictionParameters(rows: NewPrediction[]): string[] {
  const labels = rows.map(classLabel);
  return [
    pgArray(rows.map((r) => r.predictionId)),
    pgArray(rows.map((r) => r.shadowOf ?? null)),
    pgArray(rows.map((r) => r.model)),
    pgArray(rows.map((r) => r.version)),
    pgArray(rows.map((r) => r.alias)),
    pgArray(rows.map((r) => r.prediction)),
    `[${rows.map(inputsText).join(',')}]`,
    pgArray(rows.map((r) => r.at)),
    pgArray(labels),
    JSON.stringify(rows.map((r, i) => (labels[i] === null ? null : (r.probabilities ?? null)))),
    pgArray(rows.map((r) => r.arm ?? null)),
    pgArray(rows.map((r) => r.latencyMs ?? null)),
  ];
}

/** `predictionParameters` as rows; a JSON null among the probabilities is SQL's NULL. */
const PREDICTION_ROWS = `ROWS FROM (unnest($1::uuid[]), unnest($2::uuid[]), unnest($3::text[]), unnest($4::int[]), unnest($5::text[]),
    unnest($6::float8[]), jsonb_array_elements($7::jsonb), unnest($8::timestamptz[]), unnest($9::text[]), jsonb_array_elements($10::jsonb),
    unnest($11::text[]), unnest($12::float8[]))
  AS r(prediction_id, shadow_of, model_name, version, alias, prediction, inputs, predicted_at, label, probabilities_json, arm, latency_ms)`;
const PROBABILITIES = `nullif(probabilities_json, 'null'::jsonb)`;

/** What storing a batch of answered predictions did (see `insertPredictions`). */
type StoredBatch = { stored: number; models: string[]; parked: boolean };

/**
 * Stores answered predictions (a redelivered one is skipped) and adds them to their minutes.
 * Says how many were new, of which models, and whether an outcome parked before them waits to be
 * joined — so the join runs only then, not on every batch.
 */
async function insertPredictions(client: PoolClient, rows: NewPrediction[]): Promise<StoredBatch> {
  const result = await client.query<StoredBatch>(
    `WITH stored AS (
       INSERT INTO monitored_predictions (prediction_id, model_name, version, alias, prediction, inputs, predicted_at, label, probabilities, arm, latency_ms)
       SELECT prediction_id, model_name, version, alias, prediction, inputs, predicted_at, label, ${PROBABILITIES}, arm, latency_ms
       FROM ${PREDICTION_ROWS}
       ON CONFLICT (prediction_id) DO NOTHING
       RETURNING prediction_id, model_name, version, prediction, predicted_at),
     changed AS (
       SELECT model_name, version, predicted_at, 1 AS n, prediction AS s, (prediction >= ${POSITIVE_THRESHOLD})::int AS pos, 0 AS o, 0 AS c, 0::float8 AS ll, ${NO_QUALITY} FROM stored),
     ${ADD_TO_MINUTES}
     SELECT count(*)::int AS stored, coalesce(array_agg(DISTINCT model_name), '{}') AS models,
            EXISTS (SELECT 1 FROM pending_outcomes po WHERE po.prediction_id IN (SELECT prediction_id FROM stored)) AS parked
     FROM stored`,
    predictionParameters(rows),
  );
  return result.rows[0]!;
}

/**
 * Stores answered predictions as `insertPredictions` does, through one binary COPY while none of
 * them is stored yet (the usual batch): by hand, 1,500 predictions took PostgreSQL about 10 ms
 * this way against 17 ms through the INSERT, which reads them from parameter arrays and looks
 * each up for a conflict. A redelivered prediction makes the COPY fail on the primary key, as
 * does a value the server refuses: the batch then goes through `insertPredictions`, which skips
 * the one and names the other. A time finer than a millisecond goes there too (the server rounds
 * it; COPY would take it as `Date.parse` cuts it).
 */
async function storePredictions(client: PoolClient, rows: NewPrediction[]): Promise<StoredBatch> {
  const times = rows.map((r) => millisecondsOf(r.at));
  if (times.includes(null)) return insertPredictions(client, rows);
  await client.query('SAVEPOINT copy_predictions');
  try {
    await copyIn(client, COPY_PREDICTIONS, [predictionCopy(rows, times as number[])]);
  } catch {
    await client.query('ROLLBACK TO SAVEPOINT copy_predictions');
    return insertPredictions(client, rows);
  }
  await client.query('RELEASE SAVEPOINT copy_predictions');
  return addCopied(client, rows, times as number[]);
}

const COPY_PREDICTIONS = `COPY monitored_predictions (prediction_id, model_name, version, alias, prediction, inputs, predicted_at, label, probabilities, arm, latency_ms)
  FROM STDIN WITH (FORMAT binary)`;

/** An ISO time of whole milliseconds at most, as the prediction log writes them. */
const MILLISECOND_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?(?:Z|[+-]\d\d:\d\d)$/;
/** The last time `millisecondsOf` read: a batch predict's predictions share theirs. */
let lastTime: { at: string; ms: number | null } = { at: '', ms: null };

/** `at` in epoch milliseconds, or null when it is not an ISO time of whole milliseconds. */
function millisecondsOf(at: string): number | null {
  if (at === lastTime.at) return lastTime.ms;
  const ms = MILLISECOND_TIME.test(at) ? Date.parse(at) : NaN;
  lastTime = { at, ms: Number.isFinite(ms) ? ms : null };
  return lastTime.ms;
}

/** Answered predictions as `COPY_PREDICTIONS` reads them, `times[i]` the time of `rows[i]`. */
function predictionCopy(rows: NewPrediction[], times: number[]): Buffer {
  const out = new BinaryCopyWriter(64 + rows.length * 320).header();
  rows.forEach((r, i) => {
    const label = classLabel(r);
    out.row(11).uuid(r.predictionId).text(r.model).int4(r.version).text(r.alias).float8(r.prediction);
    out.jsonbText(inputsText(r));
    out.timestamptz(times[i]!).text(label);
    if (label === null || !r.probabilities) out.null();
    else out.jsonb(r.probabilities);
    out.text(r.arm ?? null).float8(r.latencyMs ?? null);
  });
  return out.trailer().take();
}

/**
 * Adds copied predictions to their minutes and says whether an outcome parked before them waits
 * (as `insertPredictions` does for those it stores). They are summed here per model, version and
 * second first — a second lies within one minute in every time zone — so the statement reads a
 * few rows instead of one per prediction.
 */
async function addCopied(client: PoolClient, rows: NewPrediction[], times: number[]): Promise<StoredBatch> {
  const seconds = new Map<string, { model: string; version: number; second: number; n: number; sum: number; positives: number }>();
  rows.forEach((r, i) => {
    const second = Math.floor(times[i]! / 1000);
    const key = `${r.version} ${second} ${r.model}`;
    let sums = seconds.get(key);
    if (!sums) seconds.set(key, (sums = { model: r.model, version: r.version, second, n: 0, sum: 0, positives: 0 }));
    sums.n++;
    sums.sum += r.prediction;
    if (r.prediction >= POSITIVE_THRESHOLD) sums.positives++;
  });
  const sums = [...seconds.values()];
  const result = await client.query<{ parked: boolean }>(
    `WITH changed AS (
       SELECT model_name, version, predicted_at, n, s, pos, 0 AS o, 0 AS c, 0::float8 AS ll, ${NO_QUALITY}
       FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::int[], $5::float8[], $6::int[]) AS c(model_name, version, predicted_at, n, s, pos)),
     ${ADD_TO_MINUTES}
     SELECT EXISTS (SELECT 1 FROM pending_outcomes po WHERE po.prediction_id = ANY($7::uuid[])) AS parked`,
    [
      pgArray(sums.map((s) => s.model)),
      pgArray(sums.map((s) => s.version)),
      pgArray(sums.map((s) => new Date(s.second * 1000).toISOString())),
      pgArray(sums.map((s) => s.n)),
      pgArray(sums.map((s) => s.sum)),
      pgArray(sums.map((s) => s.positives)),
      pgArray(rows.map((r) => r.predictionId)),
    ],
  );
  return { stored: rows.length, models: [...new Set(sums.map((s) => s.model))], parked: result.rows[0]!.parked };
}

/** A prediction's inputs as JSON text. */
const inputsText = (r: NewPrediction) => (typeof r.inputs === 'string' ? r.inputs : JSON.stringify(r.inputs));

/** A multi-class prediction's class (as text); null for the other tasks. */
const classLabel = (r: NewPrediction) => (r.probabilities && r.label !== undefined && r.label !== null ? String(r.label) : null);

/** A shadow's predictions, idempotent on their id; they count in no window of the model. */
async function insertShadowPredictions(client: PoolClient, rows: NewPrediction[]): Promise<void> {
  await client.query(
    `INSERT INTO shadow_predictions (prediction_id, shadow_of, model_name, version, prediction, inputs, predicted_at, label, probabilities, latency_ms)
     SELECT prediction_id, shadow_of, model_name, version, prediction, inputs, predicted_at, label, ${PROBABILITIES}, latency_ms
     FROM ${PREDICTION_ROWS}
     ON CONFLICT (prediction_id) DO NOTHING`,
    predictionParameters(rows),
  );
}

/**
 * Moves parked outcomes (those `where` picks, alias `po`, with `$1`) onto their stored
 * predictions that have no outcome yet; a parked outcome whose prediction has one is dropped.
 */
async function joinPending(client: PoolClient, where: string, parameter: unknown): Promise<{ joined: number; models: string[] }> {
  const result = await client.query<{ joined: number; models: string[] | null }>(
    `WITH joined AS (
       DELETE FROM pending_outcomes po USING monitored_predictions p
       WHERE ${where} AND p.prediction_id = po.prediction_id
       RETURNING po.prediction_id, po.value, po.label, po.observed_at),
     updated AS (
       -- a class name joins only a prediction that names classes (a refused one is dropped)
       UPDATE monitored_predictions p SET outcome = j.value, outcome_label = j.label, outcome_at = j.observed_at
       FROM joined j WHERE p.prediction_id = j.prediction_id AND NOT ${hasOutcome(outcomeOf('p.'))} AND (j.label IS NULL OR p.label IS NOT NULL)
       RETURNING p.model_name, p.version, p.predicted_at, p.prediction, p.label, p.probabilities, p.outcome, p.outcome_label),
     changed AS (
       SELECT model_name, version, predicted_at, 0 AS n, 0::float8 AS s, 0 AS pos, 1 AS o,
              ${correct('prediction', 'label', outcomeOf())} AS c, ${logLoss('prediction', 'probabilities', outcomeOf())} AS ll,
              ${qualityOf('prediction', 'label', outcomeOf())}
       FROM updated),
     ${ADD_TO_MINUTES}
     SELECT count(*)::int AS joined, array_agg(DISTINCT model_name) AS models FROM updated`,
    [parameter],
  );
  return { joined: result.rows[0]?.joined ?? 0, models: result.rows[0]?.models ?? [] };
}

async function applyOutcomes(
  client: PoolClient,
  outcomes: NewOutcome[],
  models: Set<string>,
): Promise<{ joined: number; pending: number; refused: string[] }> {
  // the last outcome of a prediction wins, also within one batch; a replaced outcome takes its
  // share of the minute's counts with it (every CTE reads the rows as they were before the update).
  const latest = [...new Map(outcomes.map((o) => [o.predictionId, o])).values()];
  // The rows are locked first, in one order: a transaction that changed one meanwhile (the sweep
  // of parked outcomes) is waited for, and the next statement's snapshot has its outcome as the
  // one replaced.
  const locked = await client.query<{ prediction_id: string; classes: boolean }>(
    `SELECT prediction_id::text, label IS NOT NULL AS classes FROM monitored_predictions
      WHERE prediction_id = ANY($1::uuid[]) ORDER BY prediction_id FOR UPDATE`,
    [latest.map((o) => o.predictionId)],
  );
  // a class name says nothing about a prediction without classes (binary with classes 0/1, regression)
  const unnamed = new Set(locked.rows.filter((r) => !r.classes).map((r) => r.prediction_id));
  const refused = latest.filter((o) => typeof o.value === 'string' && unnamed.has(o.predictionId));
  const applied = refused.length > 0 ? latest.filter((o) => !refused.includes(o)) : latest;
  const numeric = (o: NewOutcome) => (typeof o.value === 'number' ? o.value : null);
  const named = (o: NewOutcome) => (typeof o.value === 'string' ? o.value : null);
  const now = outcomeOf('u.');
  const before = outcomeOf('v.');
  const updated = await client.query<Stored>(
    `WITH previous AS (
       SELECT prediction_id, outcome, outcome_label FROM monitored_predictions WHERE prediction_id = ANY($1::uuid[])),
     updated AS (
       UPDATE monitored_predictions p SET outcome = u.value, outcome_label = u.label, outcome_at = u.at
       FROM unnest($1::uuid[], $2::float8[], $3::text[], $4::timestamptz[]) AS u(id, value, label, at)
       WHERE p.prediction_id = u.id
       RETURNING p.prediction_id, p.model_name, p.version, p.predicted_at, p.prediction, p.label, p.probabilities, p.outcome, p.outcome_label),
     changed AS (
       SELECT u.model_name, u.version, u.predicted_at, 0 AS n, 0::float8 AS s, 0 AS pos,
              (NOT ${hasOutcome(before)})::int AS o,
              ${correct('u.prediction', 'u.label', now)} - ${correct('u.prediction', 'u.label', before)} AS c,
              ${logLoss('u.prediction', 'u.probabilities', now)} - ${logLoss('u.prediction', 'u.probabilities', before)} AS ll,
              ${qualityChange('u.prediction', 'u.label', now, before)}
       FROM updated u JOIN previous v USING (prediction_id)),
     ${ADD_TO_MINUTES}
     SELECT prediction_id::text, model_name FROM updated`,
    [applied.map((o) => o.predictionId), applied.map(numeric), applied.map(named), applied.map((o) => o.at)],
  );
  updated.rows.forEach((r) => models.add(r.model_name));
  const found = new Set([...updated.rows.map((r) => r.prediction_id), ...refused.map((o) => o.predictionId)]);
  const early = latest.filter((o) => !found.has(o.predictionId));
  if (early.length > 0) {
    await client.query(
      `INSERT INTO pending_outcomes (prediction_id, value, label, observed_at)
       SELECT * FROM unnest($1::uuid[], $2::float8[], $3::text[], $4::timestamptz[])
       ON CONFLICT (prediction_id) DO UPDATE SET value = EXCLUDED.value, label = EXCLUDED.label, observed_at = EXCLUDED.observed_at`,
      [early.map((o) => o.predictionId), early.map(numeric), early.map(named), early.map((o) => o.at)],
    );
  }
  return { joined: updated.rows.length, pending: early.length, refused: refused.map((o) => o.predictionId) };
}
