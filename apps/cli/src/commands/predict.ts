import { type Command, Option } from 'commander';

import type { BatchPredictResponse, InputValue, PredictRequestInput, PredictResponse } from '@atelier/sdk';

import { collectEntity, collectFeature, parseVersion } from '../args';
import { action, leaf } from '../command';
import type { CliIo } from '../context';
import { CliError } from '../errors';
import { readJson } from '../files';
import { fields, formatNumber, table } from '../output';

interface PredictOptions {
  alias?: string;
  version?: number;
  entity?: Record<string, string>;
  feature?: Record<string, InputValue>;
  rows?: string;
}

export function registerPredict(program: Command, io: CliIo): void {
  leaf(program, 'predict <model>', 'predict with the version behind an alias (default: production) or a version number')
    .addOption(new Option('--alias <alias>', 'serve the version behind this alias').conflicts('version'))
    .addOption(new Option('--version <version>', 'serve this version').argParser(parseVersion))
    .option('--entity <entity=key>', 'an entity whose online features the model reads, e.g. airport=SFO (repeatable)', collectEntity)
    .option('--feature <name=value>', 'a request-time feature, e.g. distance=337 or destination=SFO (repeatable)', collectFeature)
    .addOption(
      new Option('--rows <file>', 'a JSON file of rows, [{ "entities": {…}, "features": {…} }, …], predicted in one call').conflicts([
        'entity',
        'feature',
      ]),
    )
    .action(
      action(io, async ({ client, out }, options: PredictOptions, model: string) => {
        const target = {
          model,
          ...(options.alias ? { alias: options.alias } : {}),
          ...(options.version ? { version: options.version } : {}),
        };
        if (options.rows !== undefined) {
          const batch = await client.predictBatch({ ...target, rows: await readRows(options.rows) });
          out.result(batch, () => batchLines(batch));
          return;
        }
        const single = await client.predict({ ...target, entities: options.entity ?? {}, features: options.feature ?? {} });
        out.result(single, () => singleLines(single));
      }),
    );
}

type Rows = NonNullable<PredictRequestInput['rows']>;

async function readRows(file: string): Promise<Rows> {
  const rows = await readJson(file, 'the rows file');
  if (!Array.isArray(rows) || rows.length === 0)
    throw new CliError(`the rows file "${file}" must hold a JSON array of rows: [{ "entities": {…}, "features": {…} }, …]`);
  // each row as it is: serving validates the rows and says which one is wrong
  return rows as Rows;
}

function servedBy(r: { model: string; version: number; alias: string | null }): string {
  return `${r.model} v${r.version}${r.alias ? ` (${r.alias})` : ''}`;
}

function singleLines(p: PredictResponse): string[] {
  return fields([
    ['prediction', formatNumber(p.prediction)],
    ['label', p.label === null ? null : String(p.label)],
    ['model', servedBy(p)],
    ['missing', p.missing.join(', ')],
    ['id', p.predictionId],
  ]);
}

function batchLines(b: BatchPredictResponse): string[] {
  return [
    ...table(
      ['ROW', 'PREDICTION', 'LABEL', 'MISSING'],
      b.predictions.map((p, i) => [
        String(i + 1),
        formatNumber(p.prediction),
        p.label === null ? '-' : String(p.label),
        p.missing.join(',') || '-',
      ]),
    ),
    `${b.predictions.length} predictions by ${servedBy(b)}`,
  ];
}
