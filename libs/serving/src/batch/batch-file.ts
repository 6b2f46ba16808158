import { badRequest, instantCell, numberCell, type TableRow, textCell } from '@atelier/server';

import type { InferencePlan } from '../inference-plan';

/** One row of a file as a shard scores it: what the upload read and checked. */
export interface FileRow {
  /** model inputs found in the file, by input name */
  inputs: Record<string, number | string | null>;
  /** entity name → key, for the features joined as of `time` */
  entities: Record<string, string | null>;
  /** epoch ms of the row's time column, or null */
  time: number | null;
  /** passthrough columns */
  columns: Record<string, number | string | null>;
}

/** How a file's columns feed a model: checked against its header before anything is stored. */
export interface FileLayout {
  /** feature inputs (by name) read from a column of the same name */
  featureColumns: Set<string>;
  /** feature inputs joined from the offline store as of the row's time */
  joined: InferencePlan['features'];
  timeColumn: string | null;
  /** entity name → key column, for the joined features */
  joinKeys: Record<string, string>;
  passthrough: string[];
}

/**
 * A file's rows as the shards score them, each read and checked as it arrives: its model inputs,
 * entity keys, time and passthrough columns. A value of the wrong type is a 400 naming its column
 * and row (counted from 1), raised when that row is read.
 */
export async function* fileRows(rows: AsyncIterable<TableRow>, plan: InferencePlan, layout: FileLayout): AsyncGenerator<FileRow> {
  let r = 0;
  for await (const raw of rows) yield fileRow(raw, ++r, plan, layout);
}

/** Row `r` (from 1) of a file. */
function fileRow(raw: TableRow, r: number, plan: InferencePlan, layout: FileLayout): FileRow {
  const at = (column: string) => `column "${column}", row ${r}`;
  const text = (column: string) => storable(textCell(raw[column]), at(column));
  const inputs: FileRow['inputs'] = {};
  for (const input of plan.requestInputs) {
    inputs[input.name] = input.dtype === 'string' ? text(input.name) : numberCell(raw[input.name], at(input.name));
  }
  for (const name of layout.featureColumns) inputs[name] = numberCell(raw[name], at(name));
  const entities: FileRow['entities'] = {};
  for (const [entity, column] of Object.entries(layout.joinKeys)) entities[entity] = text(column);
  const columns: FileRow['columns'] = {};
  for (const column of layout.passthrough) {
    const value = raw[column];
    columns[column] =
      typeof value === 'number' || value === null || value === undefined ? (value ?? null) : storable(String(value), at(column));
  }
  const time = layout.timeColumn === null ? null : instantCell(raw[layout.timeColumn], at(layout.timeColumn));
  return { inputs, entities, time, columns };
}

/** Text PostgreSQL stores (no NUL in jsonb): a 400 at `where` rather than a failed transaction. */
function storable<T extends string | null>(text: T, where: string): T {
  if (text?.includes('\u0000')) throw badRequest(`${where}: ${JSON.stringify(text)} holds a NUL character, which cannot be stored`);
  return text;
}
