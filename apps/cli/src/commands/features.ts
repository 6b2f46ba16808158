import { basename } from 'node:path';

import type { Command } from 'commander';

import type { FeatureGroupStatsResponse } from '@atelier/sdk';

import { action, leaf } from '../command';
import type { CliIo } from '../context';
import { openBlob } from '../files';
import { fields, formatNumber, formatTime, table } from '../output';

interface ImportOptions {
  timeColumn: string;
  entityColumn?: string;
  online?: boolean;
}

export function registerFeatures(program: Command, io: CliIo): void {
  const features = program.command('features').description('the feature store: groups, their statistics, and file imports (default: list)');

  leaf(features, 'list', 'list feature groups with their entity, features and rows', { isDefault: true }).action(
    action(io, async ({ client, out }) => {
      const groups = await client.listFeatureGroups();
      out.result(groups, () =>
        table(
          ['GROUP', 'ENTITY', 'FEATURES', 'ROWS'],
          groups.map((g) => [g.name, g.entity, String(g.features.length), String(g.rowCount)]),
        ),
      );
    }),
  );

  leaf(features, 'stats <group>', "a group's rows described: entities, event times, last ingestion and materialization, each feature's statistics").action(
    action(io, async ({ client, out }, _options: object, group: string) => {
      const stats = await client.featureGroupStats(group);
      out.result(stats, () => statsLines(stats));
    }),
  );

  leaf(features, 'import <group> <file>', 'import a file of rows into a group: CSV with a header row, Parquet or JSON Lines; stored whole or not at all')
    .requiredOption('--time-column <column>', "the column of each row's event time")
    .option('--entity-column <column>', "the column of each row's entity key (default: the entity's join key)")
    .option('--online', 'also write the newest values to the online store')
    .action(
      action(io, async ({ client, out }, options: ImportOptions, group: string, file: string) => {
        const done = await client.importRowsFile(group, await openBlob(file, 'the file to import'), basename(file), {
          timeColumn: options.timeColumn,
          entityColumn: options.entityColumn,
          writeOnline: options.online,
        });
        out.result(done, () => [`imported ${done.accepted} rows into ${done.group} (${done.inserted} new, ${done.replaced} replaced)`]);
      }),
    );
}

function statsLines(stats: FeatureGroupStatsResponse): string[] {
  const range = stats.oldestEventTime ? `${formatTime(stats.oldestEventTime)} – ${formatTime(stats.newestEventTime)}` : null;
  const online = stats.lastMaterialization ? `${stats.lastMaterialization.entityCount} entities as of ${formatTime(stats.lastMaterialization.asOf)}` : 'never materialized';
  const value = (v: number | null) => (v === null ? '-' : formatNumber(v));
  return [
    ...fields([
      ['group', stats.group],
      ['rows', String(stats.rows)],
      ['entities', String(stats.entities)],
      ['event times', range],
      ['last ingested', stats.lastIngestedAt ? formatTime(stats.lastIngestedAt) : null],
      ['online store', online],
    ]),
    '',
    ...table(
      ['FEATURE', 'TYPE', 'VALUES', 'MISSING', 'MEAN', 'MIN', 'MAX', 'DISTINCT'],
      stats.features.map((f) => [
        f.name,
        f.dtype,
        String(f.count),
        f.missingShare === null ? '-' : `${formatNumber(Math.round(f.missingShare * 1000) / 10)}%`,
        value(f.mean),
        value(f.min),
        value(f.max),
        f.distinct === null ? '-' : String(f.distinct),
      ]),
    ),
  ];
}
