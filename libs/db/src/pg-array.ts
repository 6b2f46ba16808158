/**
 * A PostgreSQL array literal (`{…}`) of one-dimensional values, as the text of a query parameter
 * cast to an array type (`$1::uuid[]`, `$2::float8[]`). Numbers are written as JavaScript prints
 * them (`NaN` and `±Infinity` included, which `float8` reads), `null` and `undefined` as `NULL`,
 * strings quoted with their `"` and `\` escaped. node-postgres quotes every element of an array
 * parameter with two regular-expression replaces; a batch of thousands of rows with a dozen
 * columns is cheaper this way.
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
