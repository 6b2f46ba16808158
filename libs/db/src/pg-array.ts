/**
 * A PostgreSQL array literal (`{…}`) of one-dimensional values, as the text of a query parameter
 * cast to an array type (`$1::uuid[]`, `$2::float8[]`). Numbers are written as JavaScript prints
 * them (`NaN` and `±Infinity` included, which `float8` reads), `null` and `undefined` as `NULL`,
 * strings quoted with their `"` and `\` escaped. node-postgres turns an array parameter into the
 * same text, quoting every element (numbers too) with two regular-expression replaces: ten
 * columns of a 2,000-row ingest batch took 1.7 ms there against 0.9 ms here (measured by hand).
 */
export function pgArray(values: ReadonlyArray<string | number | null | undefined>): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const value = values[i];
    if (value === null || value === undefined) out += 'NULL';
    else if (typeof value === 'number') out += String(value);
    else out += NEEDS_ESCAPE.test(value) ? `"${value.replace(ESCAPED, '\\$&')}"` : `"${value}"`;
  }
  return out + '}';
}

const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;
