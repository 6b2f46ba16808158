import { instantCell, numberCell, type TabularFile, textCell } from '@atelier/server';

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
 * Reads every row's model inputs, entity keys, time and passthrough columns, refusing (400,
 * naming the column and row) a value of the wrong type: all of it before any work starts.
 */
export function fileRows(file: TabularFile, plan: InferencePlan, layout: FileLayout): FileRow[] {
  return file.rows.map((raw, r) => {
    const at = (column: string) => `column "${column}", row ${r + 1}`;
    const inputs: FileRow['inputs'] = {};
    for (const input of plan.requestInputs) {
      inputs[input.name] = input.dtype === 'string' ? textCell(raw[input.name]) : numberCell(raw[input.name], at(input.name));
    }
    for (const name of layout.featureColumns) inputs[name] = numberCell(raw[name], at(name));
    const entities: FileRow['entities'] = {};
    for (const [entity, column] of Object.entries(layout.joinKeys)) entities[entity] = textCell(raw[column]);
    const columns: FileRow['columns'] = {};
    for (const column of layout.passthrough) {
      const value = raw[column];
      columns[column] =
        typeof value === 'number' || typeof value === 'string' ? value : value === null || value === undefined ? null : String(value);
    }
    const time = layout.timeColumn === null ? null : instantCell(raw[layout.timeColumn], at(layout.timeColumn));
    return { inputs, entities, time, columns };
  });
}
