/**
 * Helpers of the contracts' quick tests (`isPlainPredictionEvent`, `isPlainPredictRequest`): a
 * value as `JSON.parse` makes it, checked without a schema. Internal to the contracts.
 */

/** An object literal or a parsed JSON object (not an array, a class instance or a null-prototype object). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** A plain object whose every value passes `test`. */
export function everyValue(value: unknown, test: (v: unknown) => boolean): boolean {
  if (!isPlainObject(value)) return false;
  for (const key in value) if (!test(value[key])) return false;
  return true;
}

/** A plain object with no key outside `keys`. */
export function onlyKeys(value: Record<string, unknown>, keys: ReadonlySet<string>): boolean {
  for (const key in value) if (!keys.has(key)) return false;
  return true;
}
