import { MlError } from '../ml.error';

/** A bad label or transform expression; `position` is the 0-based offset of the offending text. */
export class ExpressionError extends MlError {
  override readonly name = 'ExpressionError';

  constructor(
    /** What is wrong, without the position (for UIs that underline the text themselves). */
    readonly reason: string,
    readonly position: number,
    readonly source: string,
  ) {
    super('invalid_expression', `${reason} at position ${position} in "${source}"`);
  }
}
