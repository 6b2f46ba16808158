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

/**
 * A value as JSON in one COPY field. JSON writes control characters (tab, newline, …) as escapes,
 * so of COPY's four special characters only the backslash can occur: it is doubled.
 */
export function copyJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json.includes('\\') ? json.replace(/\\/g, '\\\\') : json;
}

/** `{"a","b"}`: PostgreSQL's text form of a text[] (to be passed through copyField or as a parameter). */
export function arrayLiteral(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}
