/**
 * Rows in PostgreSQL's COPY text format: fields split by tabs, rows by newlines, `\N` for null,
 * and a backslash, tab, newline or carriage return inside a value escaped with a backslash.
 */

/** COPY's null. */
export const COPY_NULL = '\\N';

const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A text value as one COPY field; null as COPY's null. */
export function copyField(value: string | null): string {
  if (value === null) return COPY_NULL;
  return SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : value;
}

/** `{"a","b"}`: PostgreSQL's text form of a text[] (to be passed through copyField or as a parameter). */
export function arrayLiteral(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}
