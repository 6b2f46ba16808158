/**
 * A label or transform expression that does not parse; `position` is the 0-based offset of the
 * offending text. Thrown by `parseExpression` here, in browsers too (the training form checks
 * expressions as they are typed); `@atelier/ml` reports it as its `ExpressionError`.
 */
export class ExpressionSyntaxError extends Error {
  override readonly name = 'ExpressionSyntaxError';

  constructor(
    /** What is wrong, without the position (for UIs that underline the text themselves). */
    readonly reason: string,
    readonly position: number,
    readonly source: string,
  ) {
    super(`${reason} at position ${position} in "${source}"`);
  }
}
